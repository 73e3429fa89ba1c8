"""The ``reduction`` argument of the losses: "mean", "sum" or "none", forward and backward."""
from __future__ import annotations

from typing import Any

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: str, op: str) -> str:
    """``reduction`` if it is one torch knows, else a clear error."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction


def reduce(xp: Any, values: Any, reduction: str, divisor: Any = None) -> Any:
    """Sum or average the per-element losses (``divisor`` replaces the element count for weighted means)."""
    if reduction == "none":
        return values
    total = xp.asarray(xp.sum(values))
    if reduction == "sum":
        return total
    return total / (values.size if divisor is None else divisor)


def spread(xp: Any, grad: Any, shape: tuple[int, ...], reduction: str, divisor: Any = None) -> Any:
    """The gradient of the reduction: what each per-element loss receives."""
    if reduction == "none":
        return grad
    if reduction == "mean":
        count = 1
        for s in shape:
            count *= s
        grad = grad / (count if divisor is None else divisor)
    return xp.broadcast_to(grad, shape)
