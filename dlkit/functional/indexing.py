"""Indexing and slicing (``tensor[key]``) with gradients scattered back to the picked elements."""
from __future__ import annotations

from typing import Any

from .. import backend
from ..backend import ops as B
from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor


def plain_key(key: Any, xp: Any) -> Any:
    """An indexing key with tensors and lists turned into arrays of ``xp``, as a tuple.

    The array API leaves unnamed trailing axes unspecified (numpy fills them in, array_api_strict
    refuses), so a basic key without one gets an explicit Ellipsis: same meaning everywhere.
    Advanced keys (arrays) go through ``B.gather``, which handles them portably.
    """
    if type(key) in _BASIC:  # the common x[i], x[a:b]: no conversion to do
        return key if key is Ellipsis else (key, Ellipsis)
    parts = tuple(_plain(k, xp) for k in key) if isinstance(key, tuple) else (_plain(key, xp),)
    if all(type(k) in _BASIC for k in parts) and Ellipsis not in parts:
        parts += (Ellipsis,)
    return parts[0] if len(parts) == 1 else parts


# Index parts that select without an array (basic indexing).
_BASIC = frozenset({int, slice, type(None), type(Ellipsis)})


def _plain(k: Any, xp: Any) -> Any:
    if isinstance(k, Tensor):
        if k._xp is not xp and backend.device_of_namespace(k._xp) != backend.device_of_namespace(xp):
            raise IndexError(
                f"index: the index tensor is on {k.device} but the indexed tensor is on "
                f"{backend.device_of_namespace(xp)}; move the index with .to(device) first"
            )
        return k.data
    if isinstance(k, list):
        return xp.asarray(k)
    return k


def _advanced(key: Any) -> bool:
    """Whether the key holds an integer array (elements may repeat, so gradients must add up)."""
    parts = key if isinstance(key, tuple) else (key,)
    return any(type(k) not in _BASIC and B.is_integer_array(k) for k in parts)


class Index(Function):
    """``a[key]``: the gradient is zero everywhere except at the picked elements."""

    @staticmethod
    def forward(ctx: Context, a: Any, key: Any = None) -> Any:
        xp = ctx.xp
        out = B.gather(a, key) if _advanced(key) else a[key]
        ctx.shape, ctx.key, ctx.dtype = a.shape, key, a.dtype
        return out if out.ndim else xp.asarray(out)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        xp = ctx.xp
        if _advanced(ctx.key):
            return B.scatter_add(ctx.shape, ctx.key, grad)
        out = xp.zeros(ctx.shape, dtype=grad.dtype)
        key = ctx.key
        if isinstance(key, tuple) and any(k is None for k in key):
            # New axes (size 1) are not part of the input: the array API's __setitem__ refuses None.
            key = tuple(k for k in key if k is not None)
            grad = xp.reshape(grad, tuple(out[key].shape))
        out[key] = grad
        return out


def index(a: Tensor, key: Any) -> Tensor:
    """``a[key]`` for ints, slices, None, Ellipsis, integer arrays and boolean masks."""
    try:
        return Index.apply(a, key=plain_key(key, a._xp))
    except IndexError as exc:
        raise IndexError(f"index: {exc} (tensor shape {a.shape}, key {key!r})") from None
