"""Preparing data: standardize features, split into train and test, one-hot encode labels."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend
from ..autograd.tensor import Tensor


def standardize(
    x: Tensor, mean: Tensor | None = None, std: Tensor | None = None, dim: int | None = 0
) -> tuple[Tensor, Tensor, Tensor]:
    """(x − mean) / std per feature; returns ``(x_standardized, mean, std)``.

    The statistics are taken over axis ``dim`` (0: one mean and std per feature column; ``None``: one
    of each over all values, as is usual for images). Compute them on the training set and pass them
    when standardizing the test set, so the test data never leaks into them. ``std`` is the population standard deviation; features that never
    vary keep std 1, so they become 0 instead of NaN.
    """
    if not isinstance(x, Tensor):
        x = Tensor(x)
    xp = x._xp
    data = x.data
    if mean is None:
        mean = Tensor._make(xp.mean(data, axis=dim, keepdims=True), xp, None)
    if std is None:
        spread = xp.std(data, axis=dim, keepdims=True)
        std = Tensor._make(xp.where(spread > 0, spread, xp.ones_like(spread)), xp, None)
    m = mean.data if isinstance(mean, Tensor) else xp.asarray(mean, dtype=data.dtype)
    s = std.data if isinstance(std, Tensor) else xp.asarray(std, dtype=data.dtype)
    return Tensor._make((data - m) / s, xp, None), mean, std


def train_test_split(*tensors: Any, test_size: float = 0.2, shuffle: bool = True, seed: int = 0) -> list[Tensor]:
    """Split tensors along their first axis into ``[a_train, a_test, b_train, b_test, ...]`` (scikit-learn's order).

    ``test_size`` is a fraction in (0, 1) or a number of samples. The same seed gives the same split.
    """
    if not tensors:
        raise ValueError("train_test_split: give at least one tensor")
    tensors = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
    n = tensors[0].shape[0]
    if any(t.shape[0] != n for t in tensors):
        raise ValueError(f"train_test_split: tensors have different lengths {[t.shape[0] for t in tensors]}")
    n_test = int(round(test_size * n)) if isinstance(test_size, float) else int(test_size)
    if not 0 < n_test < n:
        raise ValueError(f"train_test_split: test_size={test_size!r} leaves no train or no test samples out of {n}")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    parts = (order[n_test:], order[:n_test])
    out = []
    for t in tensors:
        xp = t._xp
        for rows in parts:
            idx = rows if backend.namespace_of(rows) is xp else xp.asarray(rows)
            out.append(Tensor._make(xp.take(t.data, idx, axis=0), xp, None))
    return out


def one_hot(labels: Any, num_classes: int = -1) -> Tensor:
    """int64 tensor with a 1 in column ``labels[i]`` of row i, like ``torch.nn.functional.one_hot``.

    ``num_classes=-1`` uses the largest label + 1. Call ``.float()`` for a float target.
    """
    labels = labels if isinstance(labels, Tensor) else Tensor(labels)
    xp = labels._xp
    if not xp.isdtype(labels.data.dtype, "integral"):
        raise TypeError(f"one_hot: labels must be integers, got {labels.dtype_name}")
    top = int(backend.to_numpy(xp.max(labels.data))) if labels.numel() else -1
    if num_classes == -1:
        num_classes = top + 1
    if labels.numel() and (top >= num_classes or int(backend.to_numpy(xp.min(labels.data))) < 0):
        raise ValueError(f"one_hot: labels must be in [0, {num_classes}), got values up to {top}")
    classes = xp.arange(num_classes, dtype=labels.data.dtype)
    return Tensor._make(xp.astype(labels.data[..., None] == classes, xp.int64), xp, None)
