"""Decision boundaries of 2-D classifiers: colour the plane by the predicted class, then show the data."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ._common import axes, to_numpy


def plot_decision_boundary(
    model: Callable[[Tensor], Tensor],
    X: Any,
    y: Any,
    ax: Any = None,
    resolution: int = 200,
    margin: float = 0.5,
    threshold: float = 0.0,
    cmap: str = "coolwarm",
) -> Any:
    """Filled contours of ``model``'s prediction over the box around ``X`` (N, 2), with the points on top.

    The model is run once, on a ``resolution``² grid, in eval mode and without gradients. Outputs of
    shape (M, C) predict the argmax; (M,) or (M, 1) are binary logits compared with ``threshold``.
    Returns the Axes.
    """
    points, labels = to_numpy(X), to_numpy(y).reshape(-1)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: X must have shape (N, 2), got {points.shape}")
    lo, hi = points.min(0) - margin, points.max(0) + margin
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = Tensor(np.c_[gx.ravel(), gy.ravel()].astype(np.float32))
    was_training = getattr(model, "training", None)
    if was_training is not None:
        model.train(False)
    try:
        with no_grad():
            out = to_numpy(model(grid))
    finally:
        if was_training is not None:
            model.train(was_training)
    predicted = out.argmax(1) if out.ndim == 2 and out.shape[1] > 1 else (out.reshape(-1) > threshold).astype(int)
    n_classes = int(max(predicted.max(), labels.max())) + 1
    ax = axes(ax)
    levels = np.arange(n_classes + 1) - 0.5
    ax.contourf(gx, gy, predicted.reshape(gx.shape), levels=levels, cmap=cmap, alpha=0.3)
    ax.scatter(points[:, 0], points[:, 1], c=labels, cmap=cmap, vmin=0, vmax=max(n_classes - 1, 1),
               edgecolors="k", linewidths=0.5, s=20)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    return ax
