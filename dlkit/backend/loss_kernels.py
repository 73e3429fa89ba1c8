"""Kernels for cross-entropy on class indices: a stable log-softmax, the picked −log-probabilities
(reduced), the range check of the class indices, and the gradient softmax − one-hot.

At the course's batch sizes the loss works on a few hundred numbers, so its cost is the number of
array calls, not arithmetic. The portable versions use standard array-API calls; the numpy fast
paths do the same arithmetic (same values) with ndarray methods and one fancy index.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .kernels import _gather_key_portable, example, register


@register("log_softmax")
def _log_softmax_portable(x: Any, axis: int, xp: Any) -> Any:
    """x − log Σ e^x along ``axis``, shifted by the maximum so no exponential overflows (a row of
    -inf keeps its -inf instead of becoming nan in the shift)."""
    peak = xp.max(x, axis=axis, keepdims=True)
    z = x - xp.where(xp.isfinite(peak), peak, xp.zeros((), dtype=peak.dtype))
    return z - xp.log(xp.sum(xp.exp(z), axis=axis, keepdims=True))


@register("log_softmax", "numpy")
def _log_softmax_numpy(x: Any, axis: int, xp: Any) -> Any:
    # ufunc reductions called directly: ndarray.max/.sum go through Python wrappers that cost
    # more than these tiny reductions themselves.
    peak = np.maximum.reduce(x, axis=axis, keepdims=True)
    if not math.isfinite(np.add.reduce(peak, axis=None)):  # some row's maximum is ±inf or nan (or the sum overflowed)
        peak = np.where(np.isfinite(peak), peak, peak.dtype.type(0))
    z = x - peak
    z -= np.log(np.add.reduce(np.exp(z), axis=axis, keepdims=True))
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


@register("nll_of_classes")
def _nll_of_classes_portable(log_probs: Any, classes: Any, reduction: str, xp: Any) -> Any:
    """−log_probs[i, classes[i]] for each row i, then the reduction ("none", "sum" or "mean")."""
    rows = xp.arange(log_probs.shape[0], dtype=classes.dtype)
    values = -_gather_key_portable(log_probs, (rows, classes), xp)
    if reduction == "none":
        return values
    total = xp.sum(values)
    return total if reduction == "sum" else total / values.shape[0]


@register("nll_of_classes", "numpy")
def _nll_of_classes_numpy(log_probs: Any, classes: Any, reduction: str, xp: Any) -> Any:
    values = log_probs[np.arange(log_probs.shape[0]), classes]
    np.negative(values, out=values)
    if reduction == "none":
        return values
    total = np.asarray(np.add.reduce(values))
    return total if reduction == "sum" else total / values.shape[0]


@register("classes_out_of_range")
def _classes_out_of_range_portable(classes: Any, count: int, xp: Any) -> Any:
    """How many integer class indices fall outside [0, count) (a 0-d integer array)."""
    return xp.sum(xp.astype((classes < 0) | (classes >= count), xp.int64))


# the unsigned dtype of each signed one: viewed as unsigned, a negative index is a huge number, so
# one comparison finds both ends of the range
_UNSIGNED = {np.dtype(f"i{n}"): np.dtype(f"u{n}") for n in (1, 2, 4, 8)}


@register("classes_out_of_range", "numpy")
def _classes_out_of_range_numpy(classes: Any, count: int, xp: Any) -> Any:
    unsigned = _UNSIGNED.get(classes.dtype)
    if unsigned is None:  # already unsigned
        return np.asarray(np.count_nonzero(classes >= count), dtype=np.int64)
    return np.asarray(np.count_nonzero(classes.view(unsigned) >= count), dtype=np.int64)


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


@example("nll_of_classes")
def _nll_of_classes_example(xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    log_probs = np.log(np.random.default_rng(6).dirichlet(np.ones(4), size=5)).astype(np.float32)
    return (xp.asarray(log_probs), xp.asarray(np.array([0, 3, 2, 1, 3], dtype=np.int64)), "mean", xp), {}


@example("classes_out_of_range")
def _classes_out_of_range_example(xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    classes = np.array([0, 3, -1, 4, 2, -100, 9], dtype=np.int32)
    return (xp.asarray(classes), 4, xp), {}
