"""Short human descriptions of a value's type and shape, for messages on both sides of the wire."""
from __future__ import annotations

from typing import Any

import numpy as np


def describe(value: Any) -> str:
    """A short human description of a value's type and shape, e.g. ``ndarray (3, 4) float64``."""
    if value is None:
        return "None"
    if _is_tensor(value):
        return f"a dlkit/torch Tensor of shape {tuple(value.shape)}"
    if isinstance(value, np.ndarray):
        return f"ndarray {value.shape} {value.dtype}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}"
    if isinstance(value, (bool, np.bool_)):
        return f"a bool ({value})"
    if isinstance(value, (int, float, np.number)):
        return f"a number ({value!r})"
    return f"a {type(value).__name__}"


def _is_tensor(value: Any) -> bool:
    # Duck-typed so torch and dlkit tensors are both recognised without importing either.
    mod = type(value).__module__ or ""
    return hasattr(value, "backward") and hasattr(value, "shape") and (
        mod.startswith("dlkit") or mod.startswith("torch")
    )
