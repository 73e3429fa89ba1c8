"""``softmax`` and ``log_softmax`` along one axis, shifted by the maximum so no exponential overflows."""
from __future__ import annotations

from typing import Any

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor
from ._shapes import normalize_dims


def shifted(xp: Any, a: Any, dim: int) -> Any:
    """a − max(a) along ``dim``: every exponent is ≤ 0, so e^x cannot overflow (rows of -inf stay -inf)."""
    peak = xp.max(a, axis=dim, keepdims=True)
    return a - xp.where(xp.isfinite(peak), peak, 0.0)


class Softmax(Function):
    """s = e^a / Σ e^a along ``dim``; the backward is s ⊙ (g − Σ g⊙s)."""

    @staticmethod
    def forward(ctx: Context, a: Any, dim: int = -1) -> Any:
        xp = ctx.xp
        e = xp.exp(shifted(xp, a, dim))
        out = e / xp.sum(e, axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return out * (grad - ctx.xp.sum(grad * out, axis=ctx.dim, keepdims=True))


class LogSoftmax(Function):
    """a − logsumexp(a) along ``dim``; the backward is g − softmax(a)·Σ g."""

    @staticmethod
    def forward(ctx: Context, a: Any, dim: int = -1) -> Any:
        xp = ctx.xp
        z = shifted(xp, a, dim)
        out = z - xp.log(xp.sum(xp.exp(z), axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        xp = ctx.xp
        return grad - xp.exp(out) * xp.sum(grad, axis=ctx.dim, keepdims=True)


def softmax_dim(dim: int | None, ndim: int, op: str) -> int:
    """torch's rule when ``dim`` is None (axis 0 for 0-, 1- and 3-D input, else 1), else ``dim`` checked."""
    if dim is None:
        dim = 0 if ndim in (0, 1, 3) else 1
    return normalize_dims(dim, ndim, op)[0]


def softmax(input: Tensor, dim: int | None = None) -> Tensor:
    """e^x / Σ e^x along ``dim`` (values in (0, 1) summing to 1), stable for large logits."""
    return Softmax.apply(input, dim=softmax_dim(dim, input.ndim, "softmax"))


def log_softmax(input: Tensor, dim: int | None = None) -> Tensor:
    """log(softmax(x)) along ``dim``, computed as x − logsumexp(x) so it never overflows."""
    return LogSoftmax.apply(input, dim=softmax_dim(dim, input.ndim, "log_softmax"))
