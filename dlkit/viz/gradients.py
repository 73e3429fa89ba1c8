"""Gradient norms per layer: where gradients vanish or explode, seen after one backward pass."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ._common import axes, to_numpy


def grad_norms(parameters: Any) -> dict[str, float]:
    """The L2 norm of each parameter's ``.grad`` by name (from a Module, or (name, tensor) pairs)."""
    named: Iterable[tuple[str, Any]] = parameters.named_parameters() if hasattr(parameters, "named_parameters") else parameters
    return {name: float(np.linalg.norm(to_numpy(p.grad.data))) for name, p in named if p.grad is not None}


def plot_grad_norms(parameters: Any, ax: Any = None, log: bool = True) -> Any:
    """A bar per parameter (input side on the left) of its gradient's L2 norm; returns the Axes.

    Call after ``loss.backward()``. On a log scale, a deep sigmoid network shows its gradients
    shrinking layer by layer towards the input: the vanishing-gradient problem.
    """
    norms = grad_norms(parameters)
    if not norms:
        raise ValueError("plot_grad_norms: no parameter has a gradient yet; call loss.backward() first")
    ax = axes(ax, (max(4.0, 0.6 * len(norms)), 3.5))
    names = list(norms)
    ax.bar(range(len(names)), [norms[k] for k in names], color="tab:blue")
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("gradient L2 norm")
    if log:
        ax.set_yscale("log")
    return ax
