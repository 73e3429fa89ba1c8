"""Constant-factor rules: the output is the expected one times a number, and which size that number is.

A factor is named only when one candidate explains every failing case and is 1 on every case that passed
(a missing 2/N on a case where N/2 equals D is told apart by the other cases); otherwise the ratio is said
as it is, with the candidates that fit, without a guess. Candidates: 2 and 1/2, the sizes a case declares
(N, D, ... and 2N, N/2, 2/N, N − 1 variants) and the numbers among the arguments (k, k², 1/k).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Collection, Mapping, Sequence

import numpy as np

from . import hints
from .core import SCALE, SIGN, Diagnosis, fmt

_TOL = 1e-6
_GENERIC = {"2": 2.0, "1/2": 0.5}


def ratio(e: np.ndarray, g: np.ndarray) -> float | None:
    """c when g = c·e exactly (to 1e-6 of g's size), else None; never for an all-zero e or g."""
    ef, gf = e.ravel().astype(np.float64), g.ravel().astype(np.float64)
    ee = float(ef @ ef)
    if ee == 0.0 or not np.all(np.isfinite(gf)) or not np.any(gf):
        return None
    c = float(ef @ gf) / ee
    if np.linalg.norm(gf - c * ef) > _TOL * np.linalg.norm(gf):
        return None
    return c


def candidates(factors: Mapping[str, float], args: Mapping[str, Any] | None = None) -> dict[str, float]:
    """Named factors for one case: generic ones, the case's sizes and their usual variants, numeric arguments."""
    named = dict(_GENERIC)
    for k, v in factors.items():
        v = float(v)
        if v == 0.0:
            continue
        for name, value in ((k, v), (f"1/{k}", 1 / v), (f"2{k}", 2 * v), (f"{k}/2", v / 2), (f"2/{k}", 2 / v),
                            (f"1/(2{k})", 1 / (2 * v))):
            named.setdefault(name, value)
        if k == "N" and v > 1:  # divided by N − 1 (the sample-variance habit) instead of N, or the reverse
            named.setdefault("N/(N-1)", v / (v - 1))
            named.setdefault("(N-1)/N", (v - 1) / v)
    for (k1, v1), (k2, v2) in itertools.permutations([(k, float(v)) for k, v in factors.items() if v], 2):
        named.setdefault(f"{k1}/{k2}", v1 / v2)  # divided by one size where another was meant
    for k, v in (args or {}).items():
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            continue
        v = float(v)
        if v == 0.0 or not np.isfinite(v):
            continue
        for name, value in ((f"`{k}`", v), (f"1/`{k}`", 1 / v), (f"`{k}`²", v * v), (f"1/`{k}`²", 1 / (v * v))):
            named.setdefault(name, value)
    return named


def matching(c: float, named: Mapping[str, float]) -> list[str]:
    """The candidate names whose value is |c| (a size that is 1 on this case is no factor: kept only so that
    a case that passed can refute a name)."""
    return [k for k, v in named.items() if abs(v - 1.0) > _TOL and abs(abs(c) - v) <= _TOL * v]


# name -> (what the factor says, the family whose hint follows, that hint in this factor's words)
_SAYS = {
    "N": ("it is N times too large", hints.BATCH, "did you forget to average over the batch (divide by N)?"),
    "1/N": ("it is N times too small", hints.BATCH, "did you divide by N where the sum over the batch is wanted?"),
    "2": ("it is twice too large", "", "an extra factor 2?"),
    "1/2": ("it is half the expected value: a factor 2 is missing.", hints.SQUARE, hints.HINTS[hints.SQUARE]),
    "N/(N-1)": ("it is N/(N−1) times too large", hints.VARIANCE, "did you divide by N − 1 where the mean "
                "divides by N?"),
    "(N-1)/N": ("it is (N−1)/N times too small", hints.VARIANCE, "did you divide by N where N − 1 is wanted?"),
}


def _hint(name: str, scope: Collection[str]) -> str:
    if name not in _SAYS:
        return f"your values are {name} × the expected ones."
    says, family, why = _SAYS[name]
    if family and family not in scope:
        return says + ("" if says.endswith(".") else ".")
    return f"{says}{' ' if says.endswith('.') else ': '}{why}"


def _size(c: float) -> str:
    mag = abs(c)
    return " (far too small, but not zero)" if mag < 1e-3 else " (far too large)" if mag > 1e3 else ""


def single(c: float, named: Mapping[str, float], head: str, detail: str, *, scalar: bool,
           scope: Collection[str]) -> Diagnosis | None:
    """The diagnosis of one case whose output is c times the expected one (None for an unremarkable scalar)."""
    names = matching(c, named)
    ev = {"ratio": c}
    if abs(abs(c) - 1.0) <= _TOL and c < 0:
        return Diagnosis(SIGN, f"{head}: they have the opposite sign.{_sign_hints(scope)}", detail, ev)
    if scalar and not names:
        return None  # one number is always some multiple of another: only a named factor says something
    return named_diagnosis(c, names, head, detail, scope, ev)


def _sign_hints(scope: Collection[str]) -> str:
    return hints.hint(hints.RESIDUAL, scope) + hints.hint(hints.UPDATE, scope)


def named_diagnosis(c: float, names: Sequence[str], head: str, detail: str, scope: Collection[str],
                    evidence: Mapping[str, Any]) -> Diagnosis:
    """Off by c: named when exactly one candidate fits, else the ratio with the candidates that fit."""
    sign = "wrong sign and " if c < 0 else ""
    code = SIGN if c < 0 else SCALE
    if len(names) == 1:
        return Diagnosis(code, f"{head}: {sign}off by a constant factor {names[0]} — {_hint(names[0], scope)}",
                         detail, evidence)
    which = f" (that is {' or '.join(names)} here; the cases do not tell which)" if names else ""
    return Diagnosis(code, f"{head}: {sign}your values are {fmt(c)} × the expected ones{_size(c)} — off by a "
                     f"constant factor{which}.", detail, evidence)


@dataclass(frozen=True)
class Row:
    """One case as the factor rule sees it: the learner/expected ratio (None if not proportional)."""

    ratio: float | None
    named: Mapping[str, float]
    passed: bool
    expected_nonzero: bool = True


def across_cases(rows: Sequence[Row], head: str, detail: str, *, scalar: bool,
                 scope: Collection[str]) -> Diagnosis | None:
    """The one factor that explains every failing case (and is 1 where the case passed), or the plain ratio."""
    failing = [r for r in rows if not r.passed]
    if not failing or any(r.ratio is None for r in failing):
        return None
    passing = [r for r in rows if r.passed and r.expected_nonzero]
    names = set(matching(failing[0].ratio, failing[0].named))
    for r in failing[1:]:
        names &= set(matching(r.ratio, r.named))
    same_sign = all(np.sign(r.ratio) == np.sign(failing[0].ratio) for r in failing)
    names = [n for n in matching(failing[0].ratio, failing[0].named) if n in names and same_sign
             and all(abs(r.named.get(n, np.inf) - 1.0) <= _TOL for r in passing)]
    c = failing[0].ratio
    ev = {"ratio": c, "names": tuple(names)}
    if names:
        return named_diagnosis(c, names, head, detail, scope, ev)
    constant = all(abs(r.ratio - c) <= _TOL * abs(c) for r in failing)
    if constant and (len(failing) > 1 or not scalar):
        if abs(abs(c) - 1.0) <= _TOL:
            return single(c, {}, head, detail, scalar=False, scope=scope)
        return named_diagnosis(c, (), head, detail, scope, ev)
    if scalar:
        return None
    ratios = ", ".join(fmt(r.ratio) for r in failing[:4])
    return Diagnosis(SCALE, f"{head}: on each failing case your values are a constant times the expected "
                     f"ones, but a different constant each time ({ratios}): a factor that depends on the "
                     "sizes.", detail, ev)
