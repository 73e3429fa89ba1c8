"""Shared helpers: new axes when none are given, and tensors to numpy for plotting."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend
from ..autograd.tensor import Tensor


def axes(ax: Any = None, figsize: tuple[float, float] = (5, 4)) -> Any:
    """``ax`` itself, or the axes of a new pyplot figure (so Jupyter shows it inline)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def figure(nrows: int, ncols: int, figsize: tuple[float, float]) -> tuple[Any, Any]:
    """A new pyplot figure with a grid of axes (always a 2-D array of axes)."""
    import matplotlib.pyplot as plt

    return plt.subplots(nrows, ncols, figsize=figsize, squeeze=False, layout="constrained")


def to_numpy(x: Any) -> np.ndarray:
    """A tensor (detached), an array of any library, or a list, as a numpy array."""
    if isinstance(x, Tensor):
        x = x.data
    return backend.to_numpy(x) if backend.is_array(x) else np.asarray(x)
