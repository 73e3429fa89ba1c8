"""``unbroadcast``: the one place where broadcasting is undone on the way back."""
from __future__ import annotations

from typing import Any


def unbroadcast(grad: Any, shape: tuple[int, ...], xp: Any) -> Any:
    """Sum ``grad`` over the axes that broadcasting added or stretched, giving an array of ``shape``.

    When ``x`` of shape (3, 1) meets ``y`` of shape (4,) the result is (3, 4): each element of
    ``x`` was used 4 times, so its gradient is the sum of those 4 contributions.
    """
    gshape = tuple(grad.shape)
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    if lead < 0:
        raise ValueError(f"unbroadcast: gradient of shape {gshape} has fewer axes than its input {shape}")
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1
    )
    if axes:
        grad = xp.sum(grad, axis=axes, keepdims=True)
    if lead:
        grad = xp.reshape(grad, shape)
    if tuple(grad.shape) != shape:
        raise ValueError(f"unbroadcast: gradient of shape {gshape} cannot be reduced to the input shape {shape}")
    return grad
