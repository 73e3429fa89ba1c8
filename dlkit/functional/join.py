"""Joining tensors: cat along an existing axis, stack along a new one."""
from __future__ import annotations

from typing import Any, Sequence

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor
from ._operands import as_tensor


class Cat(Function):
    """Concatenate along ``dim``; each input gets back its own slice of the gradient."""

    @classmethod
    def shape_error(cls, shapes: tuple[Any, ...], consts: dict[str, Any]) -> str | None:
        dim = consts.get("dim", 0)
        listed = ", ".join(str(tuple(s)) for s in shapes)
        return f"cat: tensors must have the same shape except along dim {dim}; got shapes {listed}"

    @staticmethod
    def forward(ctx: Context, *arrays: Any, dim: int = 0) -> Any:
        ctx.sizes = [a.shape[dim] for a in arrays]
        ctx.dim = dim
        return ctx.xp.concat(arrays, axis=dim)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        lead = (slice(None),) * ctx.dim
        grads, start = [], 0
        for size in ctx.sizes:
            grads.append(grad[lead + (slice(start, start + size),)])
            start += size
        return tuple(grads)


class Stack(Function):
    """Stack along a new axis ``dim``; each input gets back its own slice of the gradient."""

    @classmethod
    def shape_error(cls, shapes: tuple[Any, ...], consts: dict[str, Any]) -> str | None:
        listed = ", ".join(str(tuple(s)) for s in shapes)
        return f"stack: all tensors must have the same shape; got shapes {listed}"

    @staticmethod
    def forward(ctx: Context, *arrays: Any, dim: int = 0) -> Any:
        ctx.dim, ctx.count = dim, len(arrays)
        return ctx.xp.stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        lead = (slice(None),) * ctx.dim
        return tuple(grad[lead + (i,)] for i in range(ctx.count))


def _gather(tensors: Sequence[Any], op: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not len(tensors):
        raise TypeError(f"{op}: expected a non-empty sequence of tensors, got {type(tensors).__name__}")
    return [as_tensor(t) for t in tensors]


def cat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Join tensors along an existing axis ``dim``."""
    ts = _gather(tensors, "cat")
    ndim = ts[0].ndim
    if not -ndim <= dim < ndim:
        raise IndexError(f"cat: dim {dim} is out of range for tensors with {ndim} dimensions")
    return Cat.apply(*ts, dim=dim % ndim)


concatenate = cat
concat = cat


def stack(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new axis ``dim``."""
    ts = _gather(tensors, "stack")
    ndim = ts[0].ndim + 1
    if not -ndim <= dim < ndim:
        raise IndexError(f"stack: dim {dim} is out of range for a result with {ndim} dimensions")
    return Stack.apply(*ts, dim=dim % ndim)
