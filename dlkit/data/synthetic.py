"""Seeded toy datasets for the early lessons: a noisy line, blobs, moons, circles, spirals and XOR.

Every generator returns ``(X, y)`` as dlkit tensors: ``X`` float32 of shape (n_samples, n_features);
``y`` int64 class labels of shape (n_samples,) for the classification sets, float32 targets of shape
(n_samples, 1) for regression. The same ``seed`` always gives the same data.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.tensor import Tensor


def _tensors(x: np.ndarray, y: np.ndarray) -> tuple[Tensor, Tensor]:
    y = y.astype(np.int64) if y.dtype.kind in "iub" else y.astype(np.float32)
    return Tensor(x.astype(np.float32)), Tensor(y)


def _counts(n_samples: int, n_classes: int, fn: str) -> list[int]:
    """Split ``n_samples`` over the classes as evenly as possible."""
    if not isinstance(n_samples, int) or n_samples < n_classes:
        raise ValueError(f"{fn}: n_samples must be an int >= {n_classes}, got {n_samples!r}")
    return [n_samples // n_classes + (c < n_samples % n_classes) for c in range(n_classes)]


def make_linear_regression(
    n_samples: int = 100,
    n_features: int = 1,
    noise: float = 0.1,
    weight: Any = None,
    bias: float = 0.0,
    seed: int = 0,
    return_coef: bool = False,
) -> Any:
    """y = X·w + b + noise, with X ~ N(0, 1), noise ~ N(0, noise²); w is drawn from N(0, 1) unless given.

    With ``return_coef=True`` also returns the true ``(w, b)``, so a lesson can compare the fit with them.
    """
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(n_features) if weight is None else np.asarray(weight, dtype=np.float64).reshape(-1)
    if w.shape != (n_features,):
        raise ValueError(f"make_linear_regression: weight must have {n_features} entries, got {w.shape[0]}")
    x = rng.standard_normal((n_samples, n_features))
    y = x @ w + bias + noise * rng.standard_normal(n_samples)
    X, Y = _tensors(x, y.reshape(-1, 1))
    return (X, Y, Tensor(w.astype(np.float32)), float(bias)) if return_coef else (X, Y)


def make_blobs(
    n_samples: int = 200, centers: Any = 2, n_features: int = 2, std: float = 1.0, box: float = 5.0, seed: int = 0
) -> tuple[Tensor, Tensor]:
    """Gaussian clusters, one class each: ``centers`` is a number of classes (centres drawn in [-box, box]) or their coordinates."""
    rng = np.random.default_rng(seed)
    if isinstance(centers, int):
        centres = rng.uniform(-box, box, size=(centers, n_features))
    else:
        centres = np.asarray(centers, dtype=np.float64)
    counts = _counts(n_samples, len(centres), "make_blobs")
    x = np.concatenate([c + std * rng.standard_normal((k, centres.shape[1])) for c, k in zip(centres, counts)])
    y = np.repeat(np.arange(len(centres)), counts)
    return _tensors(x, y)


def make_moons(n_samples: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Two interleaving half circles (class 0 on top, class 1 below and shifted), plus Gaussian noise."""
    rng = np.random.default_rng(seed)
    n0, n1 = _counts(n_samples, 2, "make_moons")
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    x = np.concatenate([np.stack([np.cos(t0), np.sin(t0)], 1), np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], 1)])
    x += noise * rng.standard_normal(x.shape)
    return _tensors(x, np.repeat([0, 1], [n0, n1]))


def make_circles(n_samples: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor``, plus Gaussian noise."""
    if not 0 < factor < 1:
        raise ValueError(f"make_circles: factor must be in (0, 1), got {factor}")
    rng = np.random.default_rng(seed)
    n0, n1 = _counts(n_samples, 2, "make_circles")
    t0, t1 = (np.linspace(0, 2 * np.pi, n, endpoint=False) for n in (n0, n1))
    x = np.concatenate([np.stack([np.cos(t0), np.sin(t0)], 1), factor * np.stack([np.cos(t1), np.sin(t1)], 1)])
    x += noise * rng.standard_normal(x.shape)
    return _tensors(x, np.repeat([0, 1], [n0, n1]))


def make_spirals(n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, seed: int = 0) -> tuple[Tensor, Tensor]:
    """``n_classes`` interleaved spiral arms from the origin (the classic non-linearly separable set)."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for c, k in enumerate(_counts(n_samples, n_classes, "make_spirals")):
        r = np.linspace(0.0, 1.0, k)
        t = np.linspace(c * 4.0, (c + 1) * 4.0, k) + noise * rng.standard_normal(k)
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], 1))
        ys.append(np.full(k, c))
    return _tensors(np.concatenate(xs), np.concatenate(ys))


def make_xor(n_samples: int = 200, noise: float = 0.2, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Four clusters at (±1, ±1): class 1 where the signs differ (x₀·x₁ < 0), which no line can separate."""
    rng = np.random.default_rng(seed)
    corners = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=np.float64)
    counts = _counts(n_samples, 4, "make_xor")
    x = np.concatenate([c + noise * rng.standard_normal((k, 2)) for c, k in zip(corners, counts)])
    y = np.repeat([0, 0, 1, 1], counts)
    return _tensors(x, y)
