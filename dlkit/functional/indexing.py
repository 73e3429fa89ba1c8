"""Indexing and slicing (``tensor[key]``) with gradients scattered back to the picked elements."""
from __future__ import annotations

from typing import Any

from .. import backend
from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor


def plain_key(key: Any, xp: Any) -> Any:
    """An indexing key with tensors and lists turned into arrays of ``xp``."""
    if isinstance(key, tuple):
        return tuple(_plain(k, xp) for k in key)
    return _plain(key, xp)


def _plain(k: Any, xp: Any) -> Any:
    if isinstance(k, Tensor):
        return k.data
    if isinstance(k, list):
        return xp.asarray(k)
    return k


def _advanced(key: Any) -> bool:
    """Whether the key holds an integer array (elements may repeat, so gradients must add up)."""
    parts = key if isinstance(key, tuple) else (key,)
    return any(backend.kernels.is_integer_array(k) for k in parts)


class Index(Function):
    """``a[key]``: the gradient is zero everywhere except at the picked elements."""

    @staticmethod
    def forward(ctx: Context, a: Any, key: Any = None) -> Any:
        xp = ctx.xp
        out = a[key]
        ctx.shape, ctx.key, ctx.dtype = a.shape, key, a.dtype
        return out if out.ndim else xp.asarray(out)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        xp = ctx.xp
        if _advanced(ctx.key):
            return backend.kernels.get("scatter_add_key", xp)(ctx.shape, ctx.key, grad, xp)
        out = xp.zeros(ctx.shape, dtype=grad.dtype)
        out[ctx.key] = grad
        return out


def index(a: Tensor, key: Any) -> Tensor:
    """``a[key]`` for ints, slices, None, Ellipsis, integer arrays and boolean masks."""
    try:
        return Index.apply(a, key=plain_key(key, a._xp))
    except IndexError as exc:
        raise IndexError(f"index: {exc} (tensor shape {a.shape}, key {key!r})") from None
