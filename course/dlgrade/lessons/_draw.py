"""Case shapes for lessons 00–03: fixed shapes that vary every size on its own (batch 1, odd, square and
non-square), plus hidden shapes drawn from the case seed, hypothesis-style (the seed is printed with every
failing case, so ``dlgrade.case_inputs`` rebuilds it)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

# Tolerances of exercises with float32 cases: a float32 result carries rounding near 1e-7 of its largest
# terms, far below any catalogued mistake (a factor, a missing term, a wrong axis).
F32_RTOL, F32_ATOL = 1e-5, 1e-6


def drawn(rng: np.random.Generator, count: int, bounds: Sequence[tuple[int, int]], *,
          distinct: bool = True) -> list[tuple[int, ...]]:
    """``count`` shapes, each size drawn in its (low, high) bounds inclusive; ``distinct``: the sizes of one
    shape differ, so a transposed or mixed-up axis always shows."""
    out: list[tuple[int, ...]] = []
    while len(out) < count:
        shape = tuple(int(rng.integers(lo, hi + 1)) for lo, hi in bounds)
        if not distinct or len(set(shape)) == len(shape):
            out.append(shape)
    return out


def shapes(rng: np.random.Generator, hidden: bool, visible: Sequence[tuple[int, ...]],
           hidden_fixed: Sequence[tuple[int, ...]], bounds: Sequence[tuple[int, int]],
           extra: int = 2) -> list[tuple[int, ...]]:
    """The visible shapes, or the fixed hidden ones followed by ``extra`` shapes drawn within ``bounds``."""
    if not hidden:
        return list(visible)
    return list(hidden_fixed) + drawn(rng, extra, bounds)


def float32(args: dict, *names: str) -> dict:
    """The same arguments with the named arrays stored as float32 (the learner's code must work for both)."""
    return {k: (np.asarray(v, dtype=np.float32) if k in names else v) for k, v in args.items()}
