"""Helpers shared by the exercise specs: random inputs and case construction."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..diagnosis import shape_of
from ..registry import Case


def make_case(args: dict[str, Any], *, factors: dict[str, float] | None = None,
              stress: bool = False, note: str = "") -> Case:
    """A Case labelled with its argument shapes, e.g. 'X (5, 3), w (3,), b float'."""
    label = ", ".join(f"{k} {shape_of(v)}" for k, v in args.items() if isinstance(v, np.ndarray))
    label = label or ", ".join(f"{k}={v!r}" for k, v in args.items())
    if note:
        label = f"{label}; {note}"
    return Case(args=args, label=label, factors=factors or {}, stress=stress)


def away_from_zero(rng: np.random.Generator, shape: tuple[int, ...], low: float = 0.1) -> np.ndarray:
    """Normal-ish values with |x| >= low, so ReLU-like kinks at 0 are never hit."""
    x = rng.normal(size=shape)
    return np.where(np.abs(x) < low, np.sign(x + 1e-12) * (low + np.abs(x)), x)


def distinct(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values with no ties (at least 0.05 apart), so a max has a unique winner."""
    n = int(np.prod(shape))
    return (rng.permutation(n).reshape(shape) * 0.05 - n * 0.025 + rng.uniform(0, 0.01)).astype(np.float64)


def pick(visible: list, hidden: list, is_hidden: bool) -> list:
    """The visible or the hidden list of shapes."""
    return hidden if is_hidden else visible
