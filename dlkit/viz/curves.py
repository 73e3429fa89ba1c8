"""Learning curves: loss and metrics per epoch from the history ``dlkit.train.fit`` returns."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._common import figure


def plot_history(history: dict[str, Sequence[float]], keys: Sequence[str] | None = None, log_loss: bool = False) -> Any:
    """One panel per quantity (``loss``, then each metric), training and validation curves together.

    ``keys`` picks the quantities (default: every one in the history but ``lr`` and the ``val_`` twins).
    Returns the matplotlib Figure. A validation curve that rises while the training one keeps falling
    is the picture of overfitting.
    """
    names = list(keys) if keys is not None else [k for k in history if not k.startswith("val_") and k != "lr"]
    missing = [k for k in names if k not in history]
    if missing or not names:
        raise KeyError(f"plot_history: no {missing or 'quantities'} in the history; it has {sorted(history)}")
    fig, grid = figure(1, len(names), (4.5 * len(names), 3.5))
    for ax, name in zip(grid[0], names):
        epochs = np.arange(1, len(history[name]) + 1)
        ax.plot(epochs, history[name], marker="o", ms=3, label=f"train {name}")
        if f"val_{name}" in history:
            ax.plot(epochs, history[f"val_{name}"], marker="o", ms=3, label=f"validation {name}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        if log_loss and "loss" in name:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend()
    return fig
