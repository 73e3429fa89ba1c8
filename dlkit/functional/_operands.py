"""Turning the arguments of an op into tensors and scalars with torch's type rules."""
from __future__ import annotations

from typing import Any

from .. import backend
from ..autograd.tensor import Tensor


def scalar(x: Any) -> Any:
    """``x`` as a plain Python number, or None when it is not a single number.

    Python numbers are "weak": they never promote a float32 tensor to float64. numpy's scalars
    (and 0-d numpy arrays) are turned into Python numbers so they stay weak too.
    """
    kind = type(x)
    if kind is float or kind is int or kind is bool:
        return x
    if isinstance(x, bool):
        return bool(x)
    if isinstance(x, float):  # numpy.float64 subclasses float but would promote float32
        return float(x)
    if isinstance(x, int):
        return int(x)
    if getattr(x, "ndim", None) == 0 and kind.__module__ == "numpy":
        return x.item()
    return None


def as_tensor(x: Any, like: Any = None) -> Tensor:
    """``x`` as a Tensor (arrays and Python data wrapped without gradient).

    Python data (lists) goes to the device of the tensor ``like`` when given, so ``t + [1, 2]``
    works on every device; arrays keep their own device (a mismatch is reported by the op).
    """
    if isinstance(x, Tensor):
        return x
    if isinstance(like, Tensor) and not backend.is_array(x):
        return Tensor._make(backend.asarray(x, xp=like._xp), like._xp, None)
    return Tensor(x)


def operand(x: Any, like: Any = None) -> Any:
    """A Tensor or a Python scalar; arrays and lists become constant tensors (lists on ``like``'s device)."""
    if isinstance(x, Tensor):
        return x
    s = scalar(x)
    return s if s is not None else as_tensor(x, like)


def binary(a: Any, b: Any, true_divide: bool = False) -> tuple[Any, Any]:
    """Normalize the two operands of an arithmetic op (at least one is a Tensor).

    Like torch, an integer tensor meeting a float (scalar or tensor), or true division of
    integers, computes in floating point without going through numpy's float64.
    """
    a, b = operand(a, b), operand(b, a)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"expected at least one tensor operand, got {type(a).__name__} and {type(b).__name__}")
    return _float_if_needed(a, b, true_divide), _float_if_needed(b, a, true_divide)


def _float_if_needed(t: Any, other: Any, true_divide: bool) -> Any:
    if not isinstance(t, Tensor) or backend.is_floating(t.data.dtype, t._xp):
        return t
    xp = t._xp
    if isinstance(other, Tensor) and backend.is_floating(other.data.dtype, other._xp):
        return Tensor._make(xp.astype(t.data, other.data.dtype), xp, None)
    if true_divide or isinstance(other, float):
        return Tensor._make(xp.astype(t.data, xp.float32), xp, None)
    return t
