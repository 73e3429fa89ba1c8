"""Array operations for cross-entropy on class indices: a stable log-softmax, the picked
−log-probabilities (reduced), the range check of the class indices, and the gradient softmax − one-hot.

At the course's batch sizes the loss works on a few hundred numbers, so its cost is the number of
array calls, not arithmetic. The portable versions use standard array-API calls; the numpy fast
paths do the same arithmetic (same values) with ufuncs called directly and one fancy index.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .devices import namespace_of
from .dispatch import op
from .indexing import gather


def _log_softmax_numpy(x: Any, axis: int) -> Any:
    # ufunc reductions called directly: ndarray.max/.sum go through Python wrappers that cost
    # more than these tiny reductions themselves.
    peak = np.maximum.reduce(x, axis=axis, keepdims=True)
    if not math.isfinite(np.add.reduce(peak, axis=None)):  # some row's maximum is ±inf or nan (or the sum overflowed)
        peak = np.where(np.isfinite(peak), peak, peak.dtype.type(0))
    z = x - peak
    z -= np.log(np.add.reduce(np.exp(z), axis=axis, keepdims=True))
    return z


@op(numpy=_log_softmax_numpy)
def log_softmax(x: Any, axis: int) -> Any:
    """x − log Σ e^x along ``axis``, shifted by the maximum so no exponential overflows (a row of
    -inf keeps its -inf instead of becoming nan in the shift)."""
    xp = namespace_of(x)
    peak = xp.max(x, axis=axis, keepdims=True)
    z = x - xp.where(xp.isfinite(peak), peak, xp.zeros((), dtype=peak.dtype))
    return z - xp.log(xp.sum(xp.exp(z), axis=axis, keepdims=True))


def _softmax_cross_entropy_grad_numpy(log_probs: Any, classes: Any, scale: Any) -> Any:
    d = np.exp(log_probs)
    d[np.arange(d.shape[0]), classes] -= 1
    d *= scale
    return d


@op(numpy=_softmax_cross_entropy_grad_numpy)
def softmax_cross_entropy_grad(log_probs: Any, classes: Any, scale: Any) -> Any:
    """(softmax − onehot(classes)) · scale for log-probabilities (M, C) and class indices (M,): the
    gradient of the summed per-row losses; ``scale`` (the reduction's gradient) broadcasts against (M, 1)."""
    xp = namespace_of(log_probs)
    count = log_probs.shape[1]
    onehot = xp.reshape(classes, (-1, 1)) == xp.reshape(xp.arange(count, dtype=classes.dtype), (1, -1))
    return (xp.exp(log_probs) - xp.astype(onehot, log_probs.dtype)) * scale


def _nll_of_classes_numpy(log_probs: Any, classes: Any, reduction: str) -> Any:
    values = log_probs[np.arange(log_probs.shape[0]), classes]
    np.negative(values, out=values)
    if reduction == "none":
        return values
    total = np.asarray(np.add.reduce(values))
    return total if reduction == "sum" else total / values.shape[0]


@op(numpy=_nll_of_classes_numpy)
def nll_of_classes(log_probs: Any, classes: Any, reduction: str) -> Any:
    """−log_probs[i, classes[i]] for each row i, then the reduction ("none", "sum" or "mean")."""
    xp = namespace_of(log_probs)
    rows = xp.arange(log_probs.shape[0], dtype=classes.dtype)
    values = -gather(log_probs, (rows, classes))
    if reduction == "none":
        return values
    total = xp.sum(values)
    return total if reduction == "sum" else total / values.shape[0]


# the unsigned dtype of each signed one: viewed as unsigned, a negative index is a huge number, so
# one comparison finds both ends of the range
_UNSIGNED = {np.dtype(f"i{n}"): np.dtype(f"u{n}") for n in (1, 2, 4, 8)}


def _classes_out_of_range_numpy(classes: Any, count: int) -> Any:
    unsigned = _UNSIGNED.get(classes.dtype)
    if unsigned is None:  # already unsigned
        return np.asarray(np.count_nonzero(classes >= count), dtype=np.int64)
    return np.asarray(np.count_nonzero(classes.view(unsigned) >= count), dtype=np.int64)


@op(numpy=_classes_out_of_range_numpy)
def classes_out_of_range(classes: Any, count: int) -> Any:
    """How many integer class indices fall outside [0, count) (a 0-d integer array)."""
    xp = namespace_of(classes)
    return xp.sum(xp.astype((classes < 0) | (classes >= count), xp.int64))
