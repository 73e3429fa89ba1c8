"""Lesson 07: glorot_uniform(fan_in, fan_out, rng) -> W (fan_in, fan_out) ~ U(−a, a), a = sqrt(6/(fan_in + fan_out)).

Checked by statistics (see ``init``); the reference is dlkit's nn.init.xavier_uniform_ drawn from ``rng``.
"""
from __future__ import annotations

import numpy as np

from ...diagnosis import Diagnosis
from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from . import init
from .init import Stats


@reference("init_reg.glorot_uniform reference")
def glorot_uniform(fan_in, fan_out, rng):
    """U(−a, a) with a = sqrt(6 / (fan_in + fan_out)), shape (fan_in, fan_out): dlkit's xavier_uniform_."""
    return init.dlkit_draw("xavier_uniform_", fan_in, fan_out, rng)


def _u(bound):
    """A mistake that draws U(−bound, bound) with ``bound(fan_in, fan_out)``."""
    def draw(fi, fo, rng):
        a = bound(fi, fo)
        return rng.uniform(-a, a, size=(fi, fo))
    return draw


def _a(fi, fo):
    return np.sqrt(6 / (fi + fo))


_LINE = "the line that computes the bound a"
_DRAW = "the line that draws W"
_MISTAKES = tuple(KnownMistake(code, msg, fn, look, rx) for code, msg, fn, look, rx in (
    ("fan_in_only", "the bound uses fan_in only, sqrt(6/fan_in): Glorot's compromise between the forward and the "
     "backward pass averages both, a = sqrt(6/(fan_in + fan_out)).", _u(lambda fi, fo: np.sqrt(6 / fi)), _LINE,
     r"6\s*/\s*fan_in\b(?!\s*\+)"),
    ("fan_out_only", "the bound uses fan_out only, sqrt(6/fan_out): Glorot's bound uses both, "
     "a = sqrt(6/(fan_in + fan_out)).", _u(lambda fi, fo: np.sqrt(6 / fo)), _LINE, r"6\s*/\s*fan_out"),
    ("std_as_bound", "sqrt(2/(fan_in + fan_out)) is the standard deviation Glorot wants, not the bound: U(−a, a) "
     "has standard deviation a/√3, so a = sqrt(6/(fan_in + fan_out)).", _u(lambda fi, fo: np.sqrt(2 / (fi + fo))),
     _LINE, r"2\s*/"),
    ("three_not_six", "the bound is sqrt(6/(fan_in + fan_out)): U(−a, a) has variance a²/3, and Glorot's variance "
     "2/(fan_in + fan_out) needs a² = 6/(fan_in + fan_out), not 3/(…).", _u(lambda fi, fo: np.sqrt(3 / (fi + fo))),
     _LINE, r"3\s*/"),
    ("no_sqrt", "the square root is missing: a = sqrt(6/(fan_in + fan_out)), not 6/(fan_in + fan_out).",
     _u(lambda fi, fo: 6 / (fi + fo)), _LINE, r"^(?!.*sqrt).*6\s*/"),
    ("missing_brackets", "brackets: sqrt(6 / fan_in + fan_out) divides 6 by fan_in only and then adds fan_out; the "
     "bound is sqrt(6 / (fan_in + fan_out)).", _u(lambda fi, fo: np.sqrt(6 / fi + fo)), _LINE,
     r"6\s*/\s*fan_in\s*\+"),
    ("sqrt_of_numerator_only", "the square root covers only the 6: sqrt(6)/(fan_in + fan_out) is far too small; the "
     "bound is sqrt(6/(fan_in + fan_out)).", _u(lambda fi, fo: np.sqrt(6) / (fi + fo)), _LINE,
     r"sqrt\(\s*6\s*\)\s*/"),
    ("fan_product", "the fans are multiplied: the bound is sqrt(6/(fan_in + fan_out)), with their SUM.",
     _u(lambda fi, fo: np.sqrt(6 / (fi * fo))), _LINE, r"fan_in\s*\*\s*fan_out"),
    ("glorot_normal", "these are Glorot NORMAL weights, N(0, 2/(fan_in + fan_out)); Glorot uniform draws "
     "uniformly, rng.uniform(-a, a, size=(fan_in, fan_out)).",
     lambda fi, fo, rng: rng.normal(0, np.sqrt(2 / (fi + fo)), size=(fi, fo)), _DRAW, r"normal"),
    ("normal_with_bound", "these are normal draws with the bound a as their standard deviation; Glorot uniform "
     "draws uniformly between −a and a: rng.uniform(-a, a, size=...).",
     lambda fi, fo, rng: rng.normal(0, _a(fi, fo), size=(fi, fo)), _DRAW, r"normal"),
    ("half_range", "the weights reach only ±a/2: rng.random() - 0.5 spans (−½, ½); scale 2·rng.random() − 1 by a, or "
     "use rng.uniform(-a, a, size=...).", lambda fi, fo, rng: _a(fi, fo) * (rng.random((fi, fo)) - 0.5), _DRAW,
     r"-\s*0?\.5"),
    ("positive_only", "the weights are drawn from U(0, a): the range is symmetric, U(−a, a), so that the mean is "
     "0: rng.uniform(-a, a, size=...).", lambda fi, fo, rng: rng.uniform(0, _a(fi, fo), size=(fi, fo)), _DRAW,
     r"uniform\(\s*0|random\("),
    ("one_bound_given", "rng.uniform(a, size=...) draws from U(a, 1): its first argument is the LOW end. Give both "
     "ends, rng.uniform(-a, a, size=...).", lambda fi, fo, rng: rng.uniform(_a(fi, fo), size=(fi, fo)), _DRAW,
     r"uniform\(\s*\w+\s*,\s*size"),
    ("unscaled", "the weights are U(−1, 1), not scaled to the layer: the bound is a = sqrt(6/(fan_in + fan_out)).",
     lambda fi, fo, rng: rng.uniform(-1, 1, size=(fi, fo)), _DRAW, r"uniform\(\s*-\s*1"),
))


def _generic(mine: Stats, want: Stats) -> Diagnosis:
    """How a draw no known mistake explains differs from Glorot uniform."""
    off = init.not_centered(mine, want)
    if off is not None:
        return off
    if not mine.flat:
        return Diagnosis("wrong_distribution", "these look like draws from a bell-shaped (normal) distribution; "
                         "Glorot uniform draws uniformly between −a and a: rng.uniform(-a, a, size=...).")
    return Diagnosis("wrong_scale", "the weights have the wrong range: Glorot uniform uses the bound "
                     "a = sqrt(6 / (fan_in + fan_out)).")


register(Exercise(
    "init_reg.glorot_uniform", "glorot_uniform(fan_in, fan_out, rng) -> W (fan_in, fan_out) ~ U(-a, a), "
    "a = sqrt(6/(fan_in + fan_out))", glorot_uniform, init.cases, outputs=(Output("W"),),
    blocked=("xavier_uniform", "xavier_uniform_", "glorot_uniform"), mistakes=_MISTAKES,
    verify=init.verifier("glorot_uniform", glorot_uniform, _MISTAKES, _generic), seed_args=("rng",),
    hints=frozenset({"sqrt"}),
))
