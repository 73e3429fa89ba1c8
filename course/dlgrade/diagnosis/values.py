"""Value rules for one case, when the shape is right: what the difference between the arrays looks like.

In order: NaN or inf (with what numpy warned during the call), all zero (exactly zero, never "tiny"), a wrong
mask, axes of equal size swapped, every row equal to the last (an array stored and then updated in place),
a constant factor (see ``factors``), a shift by one position (see ``shifts``), a constant offset.
"""
from __future__ import annotations

from typing import Any, Collection, Mapping

import numpy as np

from . import factors as fac
from . import hints
from .core import (ALIASED, NONFINITE, OFFSET, RTOL, ATOL, TRANSPOSED, VALUES, WRONG_MASK, Diagnosis, close, fmt,
                   tolerance, worst_element)
from .shapes import axis_orders
from .shifts import shifted


def nonfinite(e: np.ndarray, g: np.ndarray, name: str, worst: str, warnings: Collection[str],
              scope: Collection[str]) -> Diagnosis | None:
    """NaN or inf where the expected values are finite: say where, and what numpy saw."""
    if np.all(np.isfinite(g)) or not np.all(np.isfinite(e)):
        return None
    what = f"`{name}` is {fmt(float(g))} where a finite value is expected" if g.ndim == 0 else \
        (f"`{name}` contains NaN or inf (first at index {tuple(int(i) for i in np.argwhere(~np.isfinite(g))[0])}) "
         "where the expected values are finite")
    why = hints.warning_causes(warnings) or hints.hint(hints.EXP, scope) + hints.hint(hints.LOG, scope)
    return Diagnosis(NONFINITE, f"{what}.{why}", worst)


def zeros(e: np.ndarray, g: np.ndarray, head: str, worst: str) -> Diagnosis | None:
    """All exactly zero on one side only (a tiny value is not zero: the factor rule says how tiny)."""
    if not np.any(g) and np.any(e):
        return Diagnosis(VALUES, f"{head}: yours are all zero.", worst)
    if not np.any(e) and np.any(g):
        return Diagnosis(VALUES, f"{head}: the expected values are all zero and yours are not.", worst)
    return None


def mask(e: np.ndarray, g: np.ndarray, head: str, worst: str, rtol: float, atol: float,
         scope: Collection[str]) -> Diagnosis | None:
    """Right wherever it is not zero, or zero exactly where it should not be: a wrong mask."""
    tol = tolerance(e, rtol, atol)
    same = np.abs(g - e) <= tol
    zero_g, zero_e = g == 0, np.abs(e) <= tol
    if e.size > 1 and np.any(~zero_g) and np.any(~zero_e) and np.array_equal(zero_g, ~zero_e):
        return Diagnosis(WRONG_MASK, f"{head}: yours are non-zero exactly where the expected values are 0, and 0 "
                         "where they are not: the condition is inverted (x > 0 against x < 0, or the mask "
                         "against 1 − mask).", worst)
    if same.all() or e.size < 2 or not np.all(same | zero_g | zero_e):
        return None
    if not np.any(same & ~zero_e):  # nothing non-zero is right: not a mask problem
        return None
    wrong_zero = int(np.sum(~same & zero_g))
    wrong_kept = int(np.sum(~same & zero_e))
    return Diagnosis(WRONG_MASK, f"{head}: {wrong_zero} element(s) are 0 where they should not be and "
                     f"{wrong_kept} are non-zero where they should be 0; the rest are right."
                     f"{hints.hint(hints.MASK, scope)}", worst)


def swapped_axes(e: np.ndarray, g: np.ndarray, head: str, worst: str, scope: Collection[str]) -> Diagnosis | None:
    """Same shape, but the values are the expected ones with two equal-size axes swapped (a square transpose)."""
    for p in axis_orders(e, g):
        if close(np.transpose(e, p), g) and not close(e, g):
            what = "the transpose of the expected ones" if e.ndim == 2 else f"the expected ones with axes {p}"
            return Diagnosis(TRANSPOSED, f"{head}: they are {what}.{hints.hint(hints.MATMUL, scope)}", worst,
                             {"axes": p})
    return None


def aliased(e: np.ndarray, g: np.ndarray, head: str, worst: str) -> Diagnosis | None:
    """Every row equals the expected LAST row: one array stored each step and then changed in place."""
    if e.ndim == 0 or e.shape[0] < 2 or all(close(e[0], e[i]) for i in range(1, e.shape[0])):
        return None
    if all(close(e[-1], g[i]) for i in range(e.shape[0])):
        return Diagnosis(ALIASED, f"{head}: every row is the expected LAST row. One array was stored for every "
                         "step and then changed in place (`v *= beta`, `v += ...`, `out.append(v)` of the "
                         "same v): store a copy, or build a new array each step (`v = beta * v + ...`).", worst)
    return None


def offset(e: np.ndarray, g: np.ndarray, head: str, worst: str, scope: Collection[str]) -> Diagnosis | None:
    """Off by the same constant everywhere, or by the same vector in every row."""
    d = (g - e).ravel()
    tol = 1e-6 * max(1.0, float(np.max(np.abs(e))))
    if e.size > 1 and np.ptp(d) <= tol:
        return Diagnosis(OFFSET, f"{head}: every element is off by the same constant ({fmt(float(d[0]))})."
                         f"{hints.hint(hints.BIAS, scope)}", worst)
    if e.ndim >= 2 and e.shape[0] > 1 and np.all(np.ptp(g - e, axis=0) <= tol):
        return Diagnosis(OFFSET, f"{head}: every row is off by the same vector (the first row's difference "
                         f"starts {fmt(float(d[0]))}).{hints.hint(hints.BIAS, scope)}", worst)
    return None


def value_diagnosis(e: np.ndarray, g: np.ndarray, *, name: str, factors: Mapping[str, float],
                    rtol: float = RTOL, atol: float = ATOL, scope: Collection[str] = hints.ALL,
                    warnings: Collection[str] = (), args: Mapping[str, Any] | None = None) -> Diagnosis:
    """Same shape, different values: the first rule (in the module's order) that holds, else plain 'values'."""
    worst = worst_element(e, g)
    head = f"`{name}` has the right shape {e.shape} but wrong values"
    d = nonfinite(e, g, name, worst, warnings, scope) or zeros(e, g, head, worst) \
        or mask(e, g, head, worst, rtol, atol, scope) or swapped_axes(e, g, head, worst, scope) \
        or aliased(e, g, head, worst)
    if d is not None:
        return d
    c = fac.ratio(e, g)
    if c is not None:
        d = fac.single(c, fac.candidates(factors, args), head, worst, scalar=e.size == 1, scope=scope)
        if d is not None:
            return d
    d = shifted(e, g, name, head, worst) or offset(e, g, head, worst, scope)
    if d is not None:
        return d
    return Diagnosis(VALUES, f"{head}.", worst, {"ratio": c} if c is not None else {})
