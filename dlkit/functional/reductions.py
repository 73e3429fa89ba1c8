"""Reductions over axes: sum, mean, max/min (and arg-versions), var, std, logsumexp."""
from __future__ import annotations

import math
from typing import Any, NamedTuple

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor
from ._shapes import kept_shape, normalize_dims


def _spread(grad: Any, ctx: Context) -> Any:
    """The output gradient broadcast back over the reduced axes (every input element gets its share)."""
    xp = ctx.xp
    if not ctx.keepdim:
        grad = xp.reshape(grad, kept_shape(ctx.shape, ctx.dims))
    return xp.broadcast_to(grad, ctx.shape)


def _reduce(xp: Any, fn: Any, a: Any, dims: tuple[int, ...], keepdim: bool) -> Any:
    out = fn(a, axis=dims, keepdims=keepdim)
    # numpy hands back a scalar for a full reduction; keep every result an array.
    return out if out.ndim else xp.asarray(out)


def _dims(a: Tensor, dim: Any, keepdim: bool, axis: Any, keepdims: bool | None, op: str) -> tuple[tuple[int, ...], bool]:
    """Accept torch's ``dim``/``keepdim`` and numpy's ``axis``/``keepdims`` spellings."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: give dim or axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return normalize_dims(dim, a.ndim, op), bool(keepdim)


class Sum(Function):
    """Sum over ``dims``; each input element gets the output's gradient."""

    @staticmethod
    def forward(ctx: Context, a: Any, dims: tuple[int, ...] = (), keepdim: bool = False) -> Any:
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        return _reduce(ctx.xp, ctx.xp.sum, a, dims, keepdim)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        return _spread(grad, ctx)


class Mean(Function):
    """Mean over ``dims``; each input element gets 1/n of the output's gradient."""

    @staticmethod
    def forward(ctx: Context, a: Any, dims: tuple[int, ...] = (), keepdim: bool = False) -> Any:
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        return _reduce(ctx.xp, ctx.xp.mean, a, dims, keepdim)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        count = math.prod(ctx.shape[d] for d in ctx.dims)
        return _spread(grad / count, ctx)


class AMax(Function):
    """The largest value over ``dims``; tied maxima share the gradient evenly (torch's amax)."""

    largest = True

    @classmethod
    def forward(cls, ctx: Context, a: Any, dims: tuple[int, ...] = (), keepdim: bool = False) -> Any:
        xp = ctx.xp
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        out = _reduce(xp, xp.max if cls.largest else xp.min, a, dims, True)
        ctx.save_for_backward(a, out)
        return out if keepdim else xp.reshape(out, tuple(s for i, s in enumerate(a.shape) if i not in dims))

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        a, out = ctx.saved_tensors
        xp = ctx.xp
        hit = xp.astype(a == out, grad.dtype)
        count = xp.sum(hit, axis=ctx.dims, keepdims=True)
        return _spread(grad, ctx) * hit / count


class AMin(AMax):
    """The smallest value over ``dims``; ties share the gradient evenly."""

    largest = False


class Var(Function):
    """Variance over ``dims`` with ``correction`` (1: unbiased, torch's default)."""

    @staticmethod
    def forward(ctx: Context, a: Any, dims: tuple[int, ...] = (), keepdim: bool = False, correction: int = 1) -> Any:
        xp = ctx.xp
        n = math.prod(a.shape[d] for d in dims)
        centered = a - xp.mean(a, axis=dims, keepdims=True)
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        ctx.save_for_backward(centered)
        ctx.denominator = n - correction if n > correction else 0
        return _reduce(xp, xp.sum, centered * centered, dims, keepdim) / ctx.denominator

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (centered,) = ctx.saved_tensors
        return _spread(grad, ctx) * centered * (2 / ctx.denominator)


class LogSumExp(Function):
    """log Σ e^a over ``dims``, shifted by the maximum so nothing overflows; gradient softmax(a)."""

    @staticmethod
    def forward(ctx: Context, a: Any, dims: tuple[int, ...] = (), keepdim: bool = False) -> Any:
        xp = ctx.xp
        peak = xp.max(a, axis=dims, keepdims=True)
        peak = xp.where(xp.isfinite(peak), peak, 0.0)
        out = xp.log(xp.sum(xp.exp(a - peak), axis=dims, keepdims=True)) + peak
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        ctx.save_for_backward(a, out)
        return out if keepdim else xp.reshape(out, tuple(s for i, s in enumerate(a.shape) if i not in dims))

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        a, out = ctx.saved_tensors
        return _spread(grad, ctx) * ctx.xp.exp(a - out)


class MaxResult(NamedTuple):
    """What ``max(dim=...)`` and ``min(dim=...)`` return: the values and their indices."""

    values: Tensor
    indices: Tensor


class _PickAlong(Function):
    """The element at ``indices`` along axis ``dim``; the gradient goes to that one element."""

    @staticmethod
    def forward(ctx: Context, a: Any, indices: Any = None, dim: int = 0, keepdim: bool = False) -> Any:
        xp = ctx.xp
        picked = xp.take_along_axis(a, indices, axis=dim)
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, (dim,), True
        ctx.indices, ctx.dim = indices, dim
        return picked if keepdim else xp.squeeze(picked, axis=dim)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        xp = ctx.xp
        shape, dim = ctx.shape, ctx.dim
        if grad.ndim < len(shape):
            grad = xp.expand_dims(grad, axis=dim)
        positions = xp.reshape(xp.arange(shape[dim]), tuple(-1 if i == dim else 1 for i in range(len(shape))))
        return xp.where(positions == ctx.indices, grad, 0.0)


def _arg(a: Tensor, dim: Any, keepdim: bool, largest: bool) -> Tensor:
    xp = a._xp
    fn = xp.argmax if largest else xp.argmin
    if dim is None:
        out = fn(xp.reshape(a.data, (-1,)))
        return Tensor._make(xp.asarray(out), xp, None)
    (d,) = normalize_dims(dim, a.ndim, "argmax" if largest else "argmin")
    return Tensor._make(xp.asarray(fn(a.data, axis=d, keepdims=keepdim)), xp, None)


def _extreme(a: Tensor, dim: Any, keepdim: bool, axis: Any, keepdims: bool | None, largest: bool) -> Any:
    op = "max" if largest else "min"
    if dim is None and axis is None:
        return (AMax if largest else AMin).apply(a, dims=tuple(range(a.ndim)), keepdim=False)
    dims, keep = _dims(a, dim, keepdim, axis, keepdims, op)
    if len(dims) != 1:
        raise TypeError(f"{op}: dim must be a single int (use amax/amin for several axes), got {dim!r}")
    indices = _arg(a, dims[0], True, largest)
    values = _PickAlong.apply(a, indices=indices.data, dim=dims[0], keepdim=keep)
    if not keep:
        indices = Tensor._make(a._xp.squeeze(indices.data, axis=dims[0]), a._xp, None)
    return MaxResult(values, indices)


def sum(a: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Tensor:
    """Sum over ``dim`` (an int, a tuple, or None for all axes)."""
    dims, keep = _dims(a, dim, keepdim, axis, keepdims, "sum")
    return Sum.apply(a, dims=dims, keepdim=keep)


def mean(a: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Tensor:
    """Mean over ``dim`` (an int, a tuple, or None for all axes)."""
    dims, keep = _dims(a, dim, keepdim, axis, keepdims, "mean")
    return Mean.apply(a, dims=dims, keepdim=keep)


def max(a: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Any:
    """The largest element; with ``dim``, the pair (values, indices) along that axis, like torch."""
    return _extreme(a, dim, keepdim, axis, keepdims, largest=True)


def min(a: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Any:
    """The smallest element; with ``dim``, the pair (values, indices) along that axis, like torch."""
    return _extreme(a, dim, keepdim, axis, keepdims, largest=False)


def amax(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The largest values over ``dim`` (int, tuple or None)."""
    return AMax.apply(a, dims=normalize_dims(dim, a.ndim, "amax"), keepdim=keepdim)


def amin(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The smallest values over ``dim`` (int, tuple or None)."""
    return AMin.apply(a, dims=normalize_dims(dim, a.ndim, "amin"), keepdim=keepdim)


def argmax(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Index of the largest value along ``dim`` (of the flattened tensor when None)."""
    return _arg(a, dim, keepdim, largest=True)


def argmin(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Index of the smallest value along ``dim`` (of the flattened tensor when None)."""
    return _arg(a, dim, keepdim, largest=False)


def _correction(unbiased: bool | None, correction: int | None) -> int:
    if correction is not None:
        if unbiased is not None:
            raise TypeError("var/std: give unbiased or correction, not both")
        return int(correction)
    return 0 if unbiased is False else 1


def var(a: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *, correction: int | None = None) -> Tensor:
    """Variance over ``dim``: Σ(a - mean)² / (n - correction); correction 1 (unbiased) by default."""
    return Var.apply(a, dims=normalize_dims(dim, a.ndim, "var"), keepdim=keepdim, correction=_correction(unbiased, correction))


def std(a: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *, correction: int | None = None) -> Tensor:
    """Standard deviation over ``dim`` (the square root of ``var``)."""
    return var(a, dim, unbiased, keepdim, correction=correction).sqrt()


def logsumexp(a: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """log(sum(exp(a))) over ``dim``, stable for large values."""
    return LogSumExp.apply(a, dims=normalize_dims(dim, a.ndim, "logsumexp"), keepdim=keepdim)
