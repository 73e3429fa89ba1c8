"""Kernels for cross-entropy on class indices: a stable log-softmax, and the gradient softmax − one-hot.

At the course's batch sizes the loss works on a few hundred numbers, so its cost is the number of
array calls, not arithmetic. The portable versions use standard array-API calls; the numpy fast
paths do the same arithmetic (same values) with ndarray methods and one fancy index.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .kernels import example, register


@register("log_softmax")
def _log_softmax_portable(x: Any, axis: int, xp: Any) -> Any:
    """x − log Σ e^x along ``axis``, shifted by the maximum so no exponential overflows (a row of
    -inf keeps its -inf instead of becoming nan in the shift)."""
    peak = xp.max(x, axis=axis, keepdims=True)
    z = x - xp.where(xp.isfinite(peak), peak, xp.zeros((), dtype=peak.dtype))
    return z - xp.log(xp.sum(xp.exp(z), axis=axis, keepdims=True))


@register("log_softmax", "numpy")
def _log_softmax_numpy(x: Any, axis: int, xp: Any) -> Any:
    peak = x.max(axis=axis, keepdims=True)
    if not np.isfinite(peak).all():
        peak = np.where(np.isfinite(peak), peak, peak.dtype.type(0))
    z = x - peak
    z -= np.log(np.exp(z).sum(axis=axis, keepdims=True))
    return z


@register("softmax_cross_entropy_grad")
def _softmax_ce_grad_portable(log_probs: Any, classes: Any, scale: Any, xp: Any) -> Any:
    """(softmax − onehot(classes)) · scale for log-probabilities (M, C) and class indices (M,): the
    gradient of the summed per-row losses; ``scale`` (the reduction's gradient) broadcasts against (M, 1)."""
    count = log_probs.shape[1]
    onehot = xp.reshape(classes, (-1, 1)) == xp.reshape(xp.arange(count, dtype=classes.dtype), (1, -1))
    return (xp.exp(log_probs) - xp.astype(onehot, log_probs.dtype)) * scale


@register("softmax_cross_entropy_grad", "numpy")
def _softmax_ce_grad_numpy(log_probs: Any, classes: Any, scale: Any, xp: Any) -> Any:
    d = np.exp(log_probs)
    d[np.arange(d.shape[0]), classes] -= 1
    d *= scale
    return d


@example("log_softmax")
def _log_softmax_example(xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    x = np.random.default_rng(3).standard_normal((5, 4)).astype(np.float32) * 4
    x[2, 1] = -np.inf  # a class ruled out
    x[3] += 80.0  # large scores: the shift keeps exp finite
    return (xp.asarray(x), 1, xp), {}


@example("softmax_cross_entropy_grad")
def _softmax_ce_grad_example(xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    log_probs = np.log(np.random.default_rng(4).dirichlet(np.ones(4), size=5)).astype(np.float32)
    scale = np.linspace(0.5, 2.0, 5, dtype=np.float32).reshape(5, 1)
    return (xp.asarray(log_probs), xp.asarray(np.array([0, 3, 2, 1, 3], dtype=np.int64)), xp.asarray(scale), xp), {}
