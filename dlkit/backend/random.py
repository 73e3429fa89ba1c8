"""Seeded random numbers: one generator, reset by ``dlkit.manual_seed``."""
from __future__ import annotations

from typing import Any

import numpy as np

from .arrays import DEFAULT_FLOAT, default_namespace, dtype_name, resolve_dtype

_generator = np.random.default_rng(0)


def manual_seed(seed: int) -> None:
    """Reset the generator so every random function in dlkit repeats its numbers."""
    global _generator
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
    _generator = np.random.default_rng(int(seed))


def generator() -> np.random.Generator:
    """The current generator (for library code that needs raw draws, e.g. initializers)."""
    return _generator


def _finish(values: np.ndarray, dtype: Any, xp: Any) -> Any:
    xp = xp or default_namespace()
    name = dtype_name(resolve_dtype(dtype or DEFAULT_FLOAT, xp), xp)
    values = values.astype(name, copy=False)
    return values if xp is default_namespace() else xp.asarray(values)


def uniform(shape: tuple[int, ...], low: float = 0.0, high: float = 1.0, dtype: Any = None, xp: Any = None) -> Any:
    """Samples from U[low, high) of the given shape."""
    return _finish(_generator.uniform(low, high, size=shape), dtype, xp)


def normal(shape: tuple[int, ...], mean: float = 0.0, std: float = 1.0, dtype: Any = None, xp: Any = None) -> Any:
    """Samples from N(mean, std²) of the given shape."""
    return _finish(_generator.normal(mean, std, size=shape), dtype, xp)


def bernoulli(shape: tuple[int, ...], p: float, xp: Any = None) -> Any:
    """Booleans that are True with probability ``p`` (dropout masks)."""
    mask = _generator.random(size=shape) < p
    xp = xp or default_namespace()
    return mask if xp is default_namespace() else xp.asarray(mask)


def integers(shape: tuple[int, ...], low: int, high: int, xp: Any = None) -> Any:
    """int64 samples from [low, high)."""
    values = _generator.integers(low, high, size=shape, dtype=np.int64)
    xp = xp or default_namespace()
    return values if xp is default_namespace() else xp.asarray(values)
