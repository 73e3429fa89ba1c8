"""Shape helpers shared by the ops: axis normalization and broadcast error messages."""
from __future__ import annotations

from typing import Any


def normalize_dims(dim: Any, ndim: int, op: str) -> tuple[int, ...]:
    """``dim`` (None, an int or a sequence) as a sorted tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    out = []
    for d in dims:
        if not isinstance(d, int) or isinstance(d, bool):
            raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"{op}: dim {d} is out of range for a tensor with {ndim} dimension(s)")
        out.append(d % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: dim {dim!r} names an axis twice")
    return tuple(sorted(out))


def broadcast_message(op: str, a: Any, b: Any) -> str | None:
    """Why shapes ``a`` and ``b`` do not broadcast, or None when they do (or are not shapes)."""
    if a is None or b is None:
        return None
    a, b = tuple(a), tuple(b)
    for i in range(1, min(len(a), len(b)) + 1):
        x, y = a[-i], b[-i]
        if x != y and x != 1 and y != 1:
            return (
                f"{op}: shapes {a} and {b} cannot be broadcast together: dimension {-i} has size {x} in the "
                f"first operand and {y} in the second (sizes must match or be 1)"
            )
    return None


def kept_shape(shape: tuple[int, ...], dims: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` with the reduced ``dims`` kept as size 1 (what keepdim=True gives)."""
    return tuple(1 if i in dims else s for i, s in enumerate(shape))
