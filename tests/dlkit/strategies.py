"""Hypothesis strategies for shapes, broadcasting partners, and well-conditioned input values."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

sizes = st.integers(min_value=1, max_value=4)


@st.composite
def shapes(draw, min_dims: int = 0, max_dims: int = 3) -> tuple[int, ...]:
    """A shape with ``min_dims``..``max_dims`` axes of size 1..4 (size-1 axes included)."""
    return tuple(draw(st.lists(sizes, min_size=min_dims, max_size=max_dims)))


@st.composite
def broadcastable(draw, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts against ``shape``: leading axes dropped, some axes set to 1."""
    drop = draw(st.integers(min_value=0, max_value=len(shape)))
    tail = shape[drop:]
    return tuple(1 if draw(st.booleans()) else s for s in tail)


@st.composite
def broadcast_pair(draw, max_dims: int = 3) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two shapes that broadcast together, in a random order."""
    base = draw(shapes(0, max_dims))
    other = draw(broadcastable(base))
    return (base, other) if draw(st.booleans()) else (other, base)


def values(shape: tuple[int, ...], domain: str, seed: int) -> np.ndarray:
    """float64 values for ``shape``, kept away from the kinks and poles of the op under test.

    ``any``: N(0, 1); ``positive``: in [0.5, 2.5] (log, sqrt, pow bases); ``nonzero``: |x| ≥ 0.3
    (abs, relu, division); ``spread``: distinct values at least 0.05 apart (max/min, no ties).
    """
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape, dtype=np.int64))
    if domain == "positive":
        x = rng.uniform(0.5, 2.5, size=n)
    elif domain == "nonzero":
        x = rng.uniform(0.3, 2.0, size=n) * rng.choice([-1.0, 1.0], size=n)
    elif domain == "spread":
        x = rng.permutation(n) * 0.05 + rng.uniform(0, 0.01, size=n) - 0.025 * n
    else:
        x = rng.standard_normal(n)
    return x.reshape(shape)
