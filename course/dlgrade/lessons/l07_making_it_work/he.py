"""Lesson 07: he_normal(fan_in, fan_out, rng) -> W (fan_in, fan_out) ~ N(0, 2/fan_in), standard deviation
sqrt(2/fan_in).

Checked by statistics (see ``init``); the reference is dlkit's nn.init.kaiming_normal_(nonlinearity="relu") drawn
from ``rng``.
"""
from __future__ import annotations

import numpy as np

from ...diagnosis import Diagnosis
from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from . import init
from .init import Stats


@reference("init_reg.he_normal reference")
def he_normal(fan_in, fan_out, rng):
    """N(0, 2 / fan_in), shape (fan_in, fan_out): dlkit's kaiming_normal_ for ReLU."""
    return init.dlkit_draw("kaiming_normal_", fan_in, fan_out, rng, nonlinearity="relu")


def _n(std):
    """A mistake that draws N(0, std²) with ``std(fan_in, fan_out)``."""
    def draw(fi, fo, rng):
        return rng.normal(0.0, std(fi, fo), size=(fi, fo))
    return draw


_LINE = "the line that computes the standard deviation"
_DRAW = "the line that draws W"
_MISTAKES = tuple(KnownMistake(code, msg, fn, look, rx) for code, msg, fn, look, rx in (
    ("variance_as_std", "2/fan_in is the VARIANCE; numpy's normal takes the standard deviation, its square root: "
     "rng.normal(0, np.sqrt(2 / fan_in), size=...).", _n(lambda fi, fo: 2 / fi), _LINE, r"^(?!.*sqrt).*2\s*/"),
    ("doubled_std", "the factor 2 doubles the VARIANCE, not the standard deviation: std = sqrt(2/fan_in), not "
     "2·sqrt(1/fan_in).", _n(lambda fi, fo: 2 / np.sqrt(fi)), _LINE, r"2\s*\*\s*np\.sqrt|2\s*/\s*np\.sqrt"),
    ("lecun", "the factor 2 is missing: sqrt(1/fan_in) is LeCun's; a ReLU zeroes half of its inputs, and He "
     "doubles the variance to make up for it, std = sqrt(2/fan_in).", _n(lambda fi, fo: np.sqrt(1 / fi)), _LINE,
     r"1\s*/\s*fan_in|/\s*np\.sqrt\(\s*fan_in"),
    ("fan_out", "the standard deviation uses fan_out: He normal (mode fan_in) keeps the forward signal's "
     "variance, std = sqrt(2/fan_in).", _n(lambda fi, fo: np.sqrt(2 / fo)), _LINE, r"fan_out"),
    ("glorot_normal", "that is Glorot normal, sqrt(2/(fan_in + fan_out)); He normal uses fan_in only, "
     "std = sqrt(2/fan_in).", _n(lambda fi, fo: np.sqrt(2 / (fi + fo))), _LINE, r"fan_in\s*\+\s*fan_out"),
    ("fan_product", "the fans are multiplied: He normal's standard deviation is sqrt(2/fan_in).",
     _n(lambda fi, fo: np.sqrt(2 / (fi * fo))), _LINE, r"fan_in\s*\*\s*fan_out"),
    ("sqrt_of_numerator_only", "the square root covers only the 2: sqrt(2)/fan_in is far too small; the standard "
     "deviation is sqrt(2/fan_in).", _n(lambda fi, fo: np.sqrt(2) / fi), _LINE, r"sqrt\(\s*2\s*\)\s*/"),
    ("inverted", "the ratio is upside down: sqrt(fan_in/2) grows with the layer; the standard deviation is "
     "sqrt(2/fan_in), smaller for wider layers.", _n(lambda fi, fo: np.sqrt(fi / 2)), _LINE,
     r"fan_in\s*/\s*2"),
    ("unscaled", "the weights are N(0, 1), not scaled to the layer: multiply by sqrt(2/fan_in).",
     _n(lambda fi, fo: 1.0), _DRAW, r"normal\(|randn"),
    ("std_as_mean", "rng.normal(std, size=...) makes std the MEAN (numpy's normal takes loc, then scale): "
     "rng.normal(0, np.sqrt(2 / fan_in), size=...).", lambda fi, fo, rng: rng.normal(np.sqrt(2 / fi), size=(fi, fo)),
     _DRAW, r"normal\(\s*(np\.)?sqrt|normal\(\s*std"),
    ("he_uniform", "these are uniform draws (He uniform, U(±sqrt(6/fan_in))); He normal draws from a normal "
     "distribution: rng.normal(0, np.sqrt(2 / fan_in), size=...).",
     lambda fi, fo, rng: rng.uniform(-np.sqrt(6 / fi), np.sqrt(6 / fi), size=(fi, fo)), _DRAW, r"uniform"),
    ("uniform_std_as_bound", "these are uniform draws between ±sqrt(2/fan_in); He normal draws from a NORMAL "
     "distribution with that standard deviation: rng.normal(0, np.sqrt(2 / fan_in), size=...).",
     lambda fi, fo, rng: rng.uniform(-np.sqrt(2 / fi), np.sqrt(2 / fi), size=(fi, fo)), _DRAW, r"uniform"),
))


def _generic(mine: Stats, want: Stats) -> Diagnosis:
    """How a draw no known mistake explains differs from He normal."""
    off = init.not_centered(mine, want)
    if off is not None:
        return off
    if mine.flat:
        return Diagnosis("wrong_distribution", "these look like uniform draws; He normal draws from a normal "
                         "(Gaussian) distribution: rng.normal(0, std, size=...).")
    return Diagnosis("wrong_scale", "the weights have the wrong spread: He normal uses std = sqrt(2 / fan_in), "
                     "variance 2/fan_in.")


register(Exercise(
    "init_reg.he_normal", "he_normal(fan_in, fan_out, rng) -> W (fan_in, fan_out) ~ N(0, 2/fan_in)",
    he_normal, init.cases, outputs=(Output("W"),), blocked=("kaiming_normal", "kaiming_normal_", "he_normal"),
    mistakes=_MISTAKES, verify=init.verifier("he_normal", he_normal, _MISTAKES, _generic), seed_args=("rng",),
    hints=frozenset({"sqrt"}),
))
