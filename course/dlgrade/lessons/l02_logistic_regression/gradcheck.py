"""Lesson 02, trust but verify: the numerical gradient by centered differences (dlkit.gradcheck.numerical_grad,
float64, on the grader's test functions)."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ...harness.guard import reference
from ...harness.wire import TestFunction
from ...registry import Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._common import make_case


@reference("logreg.numerical_gradient reference")
def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float) -> np.ndarray:
    """Centered differences (f(x + h e_i) − f(x − h e_i)) / 2h for every index i of x: dlkit's numerical_grad."""
    import dlkit
    from dlkit.gradcheck import numerical_grad

    def scalar(t: object) -> object:
        return dlkit.tensor(np.float64(f(_dlkit.numpy(t))))

    return numerical_grad(scalar, _dlkit.tensor64(x, requires_grad=True), eps=h)[0]


def _logistic(rng, n, d, h):
    X = rng.normal(size=(n, d))
    y = rng.integers(0, 2, size=n).astype(np.float64)
    return make_case({"f": TestFunction("logistic_loss", {"X": X, "y": y}), "x": rng.normal(size=d), "h": h},
                     note="logistic loss of w")


def _wavy(rng, shape, h):
    return make_case({"f": TestFunction("wavy", {"a": rng.normal(size=shape)}), "x": rng.normal(size=shape),
                      "h": h}, note="sum(a·sin 3x + x³)")


def _exp_sum(rng, shape, h):
    return make_case({"f": TestFunction("exp_sum"), "x": rng.normal(size=shape) * 0.5, "h": h}, note="sum(exp 2x)")


def _softmax_ce(rng, n, c, h):
    return make_case({"f": TestFunction("softmax_ce", {"y": rng.integers(0, c, size=n)}),
                      "x": rng.normal(size=(n, c)), "h": h}, note="cross-entropy of logits")


def _cases(rng: np.random.Generator, hidden: bool):
    # x of 1, 2 and 3 dimensions, one entry, h of 1e-4 and 1e-5
    if not hidden:
        return [_logistic(rng, 12, 3, 1e-5), _wavy(rng, (3, 4), 1e-5), _exp_sum(rng, (1,), 1e-5),
                _softmax_ce(rng, 2, 4, 1e-4)]
    return [_logistic(rng, 9, 5, 1e-4), _wavy(rng, (2, 3, 2), 1e-5), _softmax_ce(rng, 5, 3, 1e-5),
            _exp_sum(rng, (1, 1), 1e-5)]


def _each(f, x, h, value):
    """grad[idx] = value(f, x_plus, x_minus, x, idx, h) for every index, on fresh copies of x."""
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        grad[idx] = value(f, xp, xm, x, idx, h)
    return grad


def _centered(f, xp, xm, x, idx, h):
    return (float(f(xp)) - float(f(xm))) / (2.0 * h)


def _variant(value):
    return lambda f, x, h: _each(f, x, h, value)


def _rows_only(f, x, h):
    grad = np.zeros(x.shape)
    for i in range(x.shape[0]):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        grad[i] = (float(f(xp)) - float(f(xm))) / (2.0 * h)
    return grad


def _not_restored(f, x, h):
    xc, grad = x.copy(), np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        xc[idx] += h
        fp = float(f(xc))
        xc[idx] -= 2 * h
        grad[idx] = (fp - float(f(xc))) / (2 * h)
    return grad


def _relative(f, x, h):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] *= 1 + h
        xm[idx] *= 1 - h
        grad[idx] = (float(f(xp)) - float(f(xm))) / (2 * h)
    return grad


def _aliased(f, x, h):
    """x_plus = x and x_minus = x name ONE array: +h then −h put it back, and f is evaluated twice at x."""
    xc, grad = x.copy(), np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        xc[idx] += h
        xc[idx] -= h
        grad[idx] = (float(f(xc)) - float(f(xc))) / (2.0 * h)
    return grad


_DIFF = "the line that computes one entry of the gradient"
_MISTAKES = (
    KnownMistake("forward_difference", "this is the one-sided difference (f(x + h) − f(x)) / h, whose error shrinks "
                 "only like h. Use the centered difference (f(x + h) − f(x − h)) / (2h), accurate to about h².",
                 _variant(lambda f, xp, xm, x, i, h: (float(f(xp)) - float(f(x))) / h), _DIFF, r"f\(\s*x\s*\)"),
    KnownMistake("backward_difference", "this is the backward difference (f(x) − f(x − h)) / h: use the centered "
                 "difference (f(x + h) − f(x − h)) / (2h).",
                 _variant(lambda f, xp, xm, x, i, h: (float(f(x)) - float(f(xm))) / h), _DIFF, r"f\(\s*x\s*\)"),
    KnownMistake("forward_over_2h", "(f(x + h) − f(x)) / (2h) mixes the two formulas: the centered difference "
                 "nudges both ways, (f(x + h) − f(x − h)) / (2h).",
                 _variant(lambda f, xp, xm, x, i, h: (float(f(xp)) - float(f(x))) / (2 * h)), _DIFF,
                 r"f\(\s*x\s*\)"),
    KnownMistake("not_divided", "the difference was not divided by 2h: the gradient is a slope, rise over run, "
                 "(f(x + h) − f(x − h)) / (2h).",
                 _variant(lambda f, xp, xm, x, i, h: float(f(xp)) - float(f(xm))), _DIFF, r"-\s*f\("),
    KnownMistake("divided_by_h", "twice too large: the two points are 2h apart, so divide by 2h, not h.",
                 _variant(lambda f, xp, xm, x, i, h: (float(f(xp)) - float(f(xm))) / h), _DIFF, r"/\s*h"),
    KnownMistake("precedence", "/ 2 * h multiplies by h: write / (2 * h), with the brackets.",
                 _variant(lambda f, xp, xm, x, i, h: (float(f(xp)) - float(f(xm))) / 2 * h), _DIFF,
                 r"/\s*2\s*\*\s*h"),
    KnownMistake("sign", "the gradient has the wrong sign: (f(x + h) − f(x − h)) / (2h), the nudge up first.",
                 _variant(lambda f, xp, xm, x, i, h: (float(f(xm)) - float(f(xp))) / (2 * h)), _DIFF,
                 r"-\s*f\("),
    KnownMistake("relative_step", "x was nudged by a FRACTION h of itself (x·(1 ± h)): nudge by h itself, "
                 "x[i] ± h; the step must not depend on x.", _relative, "the lines that nudge x", r"\*=|1\s*[+-]\s*h"),
    KnownMistake("all_at_once", "every entry has the same value: x + h nudges ALL entries at once. Nudge one entry "
                 "at a time (copy x, change index i only) and store the result at index i.",
                 lambda f, x, h: np.full(x.shape, (float(f(x + h)) - float(f(x - h))) / (2.0 * h)),
                 "the lines that nudge x", r"x\s*\+\s*h"),
    KnownMistake("one_number", "one number for the whole array: x + h nudges every entry at once. Return an array "
                 "of x's shape, nudging one entry at a time.",
                 lambda f, x, h: (float(f(x + h)) - float(f(x - h))) / (2.0 * h), "the lines that nudge x",
                 r"x\s*\+\s*h"),
    KnownMistake("rows_only", "x[i] with one index picks a whole row of a 2-D array, so a whole row was nudged at "
                 "once. Loop over every index with np.ndindex(x.shape).", _rows_only, "the loop",
                 r"range\(\s*len"),
    KnownMistake("aliased_nudges", "every entry is 0: f was evaluated at the same point twice. x_plus = x (and "
                 "x_minus = x) does not copy: all three names are one array, so the +h and the −h cancel. Take "
                 "x_plus = x.copy() and x_minus = x.copy() (or nothing was ever stored in grad[i]).",
                 _aliased, "the lines that make x_plus and x_minus", r"x_(plus|minus)\s*=\s*x\s*$"),
    KnownMistake("not_restored", "x was nudged in place and never put back: each later entry is measured at a "
                 "shifted point. Nudge a fresh copy for every entry (x_plus = x.copy()), or restore x[i].",
                 _not_restored, "the lines that nudge x", r"-=\s*2\s*\*\s*h"),
)

register(Exercise(
    "logreg.numerical_gradient", "numerical_gradient(f, x, h) -> array of x's shape: centered differences",
    numerical_gradient, _cases, outputs=(Output("grad"),),
    blocked=("numerical_gradient", "numerical_grad", "gradcheck", "numerical_jacobian"), mistakes=_MISTAKES,
    hints=frozenset(),
))
