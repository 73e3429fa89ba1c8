"""Off-by-one rules: a window or an index one position off, and an output one or two positions short or long.

Both compare the part the two arrays share, aligned the way the mistake would align it; a rule fires only
when that part matches, is not trivially zero, and the plain (unshifted) comparison does not.
"""
from __future__ import annotations

import itertools

import numpy as np

from .core import SHIFTED, WRONG_SHAPE, Diagnosis, close, nontrivial

_MAX_SIZE_OFF = 2     # a size further off than this is not an off-by-one
_MAX_AXES_OFF = 3     # alignments tried: 2 per axis that differs


def _slice(n_common: int, n: int, align: str) -> slice | None:
    """The part of an axis of length n that lines up with the shared n_common positions."""
    start = {"start": 0, "end": n - n_common, "middle": (n - n_common) // 2}[align]
    if align == "middle" and (n - n_common) % 2:
        return None
    return slice(start, start + n_common)


_WHERE = {"start": "at the end", "end": "at the start", "middle": "on both sides"}


def size_off(e: np.ndarray, g: np.ndarray, name: str, head: str) -> Diagnosis | None:
    """g is one or two positions shorter or longer than e along some axes; say whether what is there is right."""
    if e.ndim != g.ndim or e.ndim == 0:
        return None
    off = [a for a in range(e.ndim) if e.shape[a] != g.shape[a]]
    if not off or len(off) > _MAX_AXES_OFF or any(abs(e.shape[a] - g.shape[a]) > _MAX_SIZE_OFF for a in off):
        return None
    diffs = ", ".join(f"{g.shape[a]} instead of {e.shape[a]} along axis {a}" for a in off)
    more = "more" if g.shape[off[0]] > e.shape[off[0]] else "fewer"
    for aligns in itertools.product(("start", "end", "middle"), repeat=len(off)):
        se, sg = [slice(None)] * e.ndim, [slice(None)] * e.ndim
        for a, align in zip(off, aligns):
            m = min(e.shape[a], g.shape[a])
            se[a], sg[a] = _slice(m, e.shape[a], align), _slice(m, g.shape[a], align)
        if any(x is None for x in se + sg):
            continue
        common_e, common_g = e[tuple(se)], g[tuple(sg)]
        if nontrivial(common_e) and close(common_e, common_g):
            where = " and ".join(sorted({_WHERE[x] for x in aligns}))
            return Diagnosis(WRONG_SHAPE, f"{head}: {diffs}, with {more} positions {where} — the values that are "
                             "there are right, so the count of positions is off (a + 1, a range() bound, a border "
                             "not cut off, or the size formula).", evidence={"size_off": tuple(off)})
    return Diagnosis(WRONG_SHAPE, f"{head}: {diffs}. Check the output-size arithmetic.",
                     evidence={"size_off": tuple(off)})


def shifted(e: np.ndarray, g: np.ndarray, name: str, head: str, detail: str) -> Diagnosis | None:
    """Same shape, and g along one axis is e moved by one position: an index or a window off by one."""
    for axis in range(e.ndim):
        n = e.shape[axis]
        if n < 3:
            continue
        for s in (1, -1):
            lo, hi = [slice(None)] * e.ndim, [slice(None)] * e.ndim
            lo[axis], hi[axis] = slice(0, n - 1), slice(1, n)
            ge, ee = (g[tuple(lo)], e[tuple(hi)]) if s == 1 else (g[tuple(hi)], e[tuple(lo)])
            if nontrivial(ee) and close(ee, ge) and not close(e[tuple(lo if s == 1 else hi)], ge):
                rel = "expected[i + 1]" if s == 1 else "expected[i − 1]"
                return Diagnosis(SHIFTED, f"{head}: along axis {axis} every value sits one position off: "
                                 f"yours[i] = {rel}. An index or a window that starts one position "
                                 f"{'late' if s == 1 else 'early'} (a − 1 or + 1 in an index, or a range() "
                                 "bound)?", detail, evidence={"axis": axis, "shift": s})
    return None
