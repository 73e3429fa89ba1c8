"""Shape ops: reshape, flatten, permute/transpose, squeeze/unsqueeze, expand. Values are not changed."""
from __future__ import annotations

import math
from typing import Any

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor
from ._shapes import normalize_dims


def _sizes(args: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept both ``reshape(2, 3)`` and ``reshape((2, 3))``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


class Reshape(Function):
    """The same values laid out in a new shape; the gradient is reshaped back."""

    @classmethod
    def shape_error(cls, shapes: tuple[Any, ...], consts: dict[str, Any]) -> str | None:
        shape, target = tuple(shapes[0]), consts.get("shape")
        return (
            f"reshape: cannot reshape a tensor of shape {shape} ({math.prod(shape)} elements) into shape "
            f"{tuple(target)}; the number of elements must stay the same (one size may be -1)"
        )

    @staticmethod
    def forward(ctx: Context, a: Any, shape: tuple[int, ...] = ()) -> Any:
        ctx.shape = a.shape
        return ctx.xp.reshape(a, shape)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        return ctx.xp.reshape(grad, ctx.shape)


class Permute(Function):
    """Reorder the axes; the gradient is permuted back with the inverse order."""

    @staticmethod
    def forward(ctx: Context, a: Any, dims: tuple[int, ...] = ()) -> Any:
        ctx.dims = dims
        return ctx.xp.permute_dims(a, dims)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return ctx.xp.permute_dims(grad, tuple(inverse))


class Expand(Function):
    """Broadcast to a larger shape; the engine's ``unbroadcast`` sums the gradient back."""

    @classmethod
    def shape_error(cls, shapes: tuple[Any, ...], consts: dict[str, Any]) -> str | None:
        return (
            f"expand: cannot expand shape {tuple(shapes[0])} to {tuple(consts.get('shape', ()))}; only axes of "
            "size 1 can grow, and new axes go in front"
        )

    @staticmethod
    def forward(ctx: Context, a: Any, shape: tuple[int, ...] = ()) -> Any:
        return ctx.xp.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        return grad


def reshape(a: Tensor, *shape: Any) -> Tensor:
    """``a`` with a new shape holding the same number of elements (one size may be -1)."""
    target = _sizes(shape)
    if target == a.shape:
        return a
    return Reshape.apply(a, shape=target)


view = reshape


def flatten(a: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge the axes from ``start_dim`` to ``end_dim`` (inclusive) into one."""
    if a.ndim == 0:
        return reshape(a, 1)
    start, end = (d % a.ndim for d in (start_dim, end_dim))
    if start > end:
        raise ValueError(f"flatten: start_dim ({start_dim}) must not come after end_dim ({end_dim})")
    shape = a.shape
    return reshape(a, shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])


def permute(a: Tensor, *dims: Any) -> Tensor:
    """Reorder the axes of ``a``: output axis i is input axis ``dims[i]``."""
    order = _sizes(dims)
    if len(order) != a.ndim or sorted(d % max(a.ndim, 1) for d in order) != list(range(a.ndim)):
        raise ValueError(f"permute: dims {order} must be a reordering of the {a.ndim} axes of a tensor of shape {a.shape}")
    return Permute.apply(a, dims=tuple(d % a.ndim for d in order))


def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap axes ``dim0`` and ``dim1``."""
    d0, d1 = (normalize_dims(d, a.ndim, "transpose")[0] for d in (dim0, dim1))
    order = list(range(a.ndim))
    order[d0], order[d1] = order[d1], order[d0]
    return Permute.apply(a, dims=tuple(order))


def squeeze(a: Tensor, dim: Any = None) -> Tensor:
    """Drop axes of size 1 (all of them, or only ``dim``: an axis whose size is not 1 stays, like torch)."""
    dims = normalize_dims(dim, a.ndim, "squeeze")
    return reshape(a, tuple(s for i, s in enumerate(a.shape) if not (i in dims and s == 1)))


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    """Insert an axis of size 1 at position ``dim`` (negative counts from the end of the result)."""
    ndim = a.ndim + 1
    if not -ndim <= dim < ndim:
        raise IndexError(f"unsqueeze: dim {dim} is out of range for a result with {ndim} dimensions")
    d = dim % ndim
    shape = a.shape
    return reshape(a, shape[:d] + (1,) + shape[d:])


def expand(a: Tensor, *sizes: Any) -> Tensor:
    """Broadcast ``a`` to ``sizes`` without copying (-1 keeps an axis's size)."""
    target = list(_sizes(sizes))
    lead = len(target) - a.ndim
    if lead < 0:
        raise ValueError(f"expand: the target {tuple(target)} has fewer axes than the tensor's shape {a.shape}")
    for i, s in enumerate(a.shape):
        if target[lead + i] == -1:
            target[lead + i] = s
    return Expand.apply(a, shape=tuple(target))
