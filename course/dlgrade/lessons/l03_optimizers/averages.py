"""Lesson 03, the exponential moving average of a series along axis 0, starting from v_0 = 0:
v_t = β·v_{t−1} + (1 − β)·x_t for t = 1 … T; returns v_1 … v_T (the shape of xs). The reference applies
``dlkit.optim.ema_``, the average every dlkit optimizer is built from, once per row."""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .._common import make_case
from .._draw import F32_ATOL, F32_RTOL, float32, shapes

_VISIBLE = [(6,), (5, 3), (1, 4), (4, 2, 3), (7, 2)]
_HIDDEN = [(8,), (4, 2, 3), (1,), (7, 2), (5, 4)]


@reference("optim.ema reference")
def ema(xs: np.ndarray, beta: float) -> np.ndarray:
    """v_1 … v_T of v_t = β·v_{t−1} + (1 − β)·x_t with v_0 = 0, along axis 0: dlkit.optim.ema_ row by row."""
    from dlkit.optim.optimizer import ema_

    xs = np.asarray(xs, dtype=np.float64)
    average, out = np.zeros(xs.shape[1:]), np.empty_like(xs)
    for t in range(xs.shape[0]):
        ema_(average, xs[t], beta)
        out[t] = average
    return out


def _cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for i, shape in enumerate(shapes(rng, hidden, _VISIBLE, _HIDDEN, [(2, 9), (2, 5)], extra=1)):
        xs = rng.normal(size=shape) + 1.0  # a non-zero mean, so starting at 0 versus x_1 shows
        args = {"xs": xs, "beta": float(rng.uniform(0.5, 0.95))}
        args = float32(args, "xs") if i == 4 else args
        cases.append(make_case(args, factors={"T": shape[0]}, note="float32" if i == 4 else ""))
    return cases


def _run(update, xs, beta, *, start_first=False, store_before=False, debias=False):
    """v_t = update(v, x_t, β, t) for t = 1 … T from v_0 = 0 (or v_1 = x_1), stored after (or before) it."""
    out = np.empty(xs.shape, dtype=np.float64)
    v = np.zeros(xs.shape[1:])
    for t in range(xs.shape[0]):
        before = v
        v = xs[0] if start_first and t == 0 else update(v, xs[t], beta, t + 1)
        out[t] = before if store_before else v / (1 - beta ** (t + 1)) if debias else v
    return out


def _plain(v, x, beta, t):
    return beta * v + (1 - beta) * x


def _rule(update=_plain, **switches):
    return lambda xs, beta: _run(update, xs, beta, **switches)


def _shifted_input(xs, beta):
    return _run(_plain, np.roll(xs, 1, axis=0), beta)


def _last_axis(xs, beta):
    return np.moveaxis(_run(_plain, np.moveaxis(xs, -1, 0), beta), 0, -1)


_LINE = "the line that updates v"
_MISTAKES = (
    KnownMistake("swapped_decay", "β and 1 − β are swapped: β is the weight of the old average (the memory), 1 − β "
                 "the weight of the new value, v ← β·v + (1 − β)·x.",
                 _rule(lambda v, x, b, t: (1 - b) * v + b * x), _LINE, r"\(\s*1\s*-\s*beta\s*\)\s*\*\s*v"),
    KnownMistake("no_dampening", "the new value is not scaled by (1 − β): v ← β·v + x is the momentum buffer's form, "
                 "which settles at 1/(1 − β) times the average. Use v ← β·v + (1 − β)·x.",
                 _rule(lambda v, x, b, t: b * v + x), _LINE, r"beta\s*\*\s*v\s*\+\s*x"),
    KnownMistake("old_average_not_decayed", "the old average is not multiplied by β: v ← β·v + (1 − β)·x.",
                 _rule(lambda v, x, b, t: v + (1 - b) * x), _LINE, r"v\s*\+\s*\(\s*1"),
    KnownMistake("decay_to_power_t", "the decay was raised to the step number (βᵗ): the average uses the same β at "
                 "every step, v ← β·v + (1 − β)·x.", _rule(lambda v, x, b, t: b ** t * v + (1 - b ** t) * x), _LINE,
                 r"\*\*\s*\(?\s*t"),
    KnownMistake("running_mean", "this is the plain running mean, where every value counts the same. An exponential "
                 "moving average weights a value k steps old by (1 − β)·βᵏ.",
                 _rule(lambda v, x, b, t: v + (x - v) / t), _LINE, r"/\s*\(?\s*t"),
    KnownMistake("start_at_first", "the average starts at the first value (v_1 = x_1); here it starts at v_0 = 0, so "
                 "v_1 = (1 − β)·x_1. (Starting at 0 makes early averages too small; Adam's bias correction undoes "
                 "exactly that.)", _rule(start_first=True), "the line that starts v", r"=\s*xs\[\s*0\s*\]"),
    KnownMistake("bias_corrected", "you divided by (1 − βᵗ): that is the bias-corrected average (Adam's m̂). This "
                 "function returns the raw average v_t.", _rule(debias=True), "the line that stores v",
                 r"1\s*-\s*beta\s*\*\*"),
    KnownMistake("stored_before_update", "each row holds the average BEFORE its value was added (v_0 … v_(T−1)): "
                 "update v first, then store it, so row t is v_t.", _rule(store_before=True), "the line that stores v",
                 r"append|\]\s*=\s*v"),
    KnownMistake("aliased_rows", "every row holds the LAST average: v was updated in place (v *= β; v += …) and "
                 "the same array stored at every step. Store a copy (v.copy()) or build a new v each step "
                 "(v = β·v + (1 − β)·x).", lambda xs, beta: np.broadcast_to(_rule()(xs, beta)[-1], xs.shape).copy(),
                 "the line that updates v in place", r"\*=|\+="),
    KnownMistake("input_index_off_by_one", "row t averaged in x_(t−1) (xs[t - 1], which wraps to the LAST row at t = "
                 "0): the average of step t takes xs[t].", _shifted_input, _LINE, r"xs\[\s*t\s*-\s*1\s*\]"),
    KnownMistake("wrong_axis", "the average ran along the LAST axis: the series runs along axis 0 (one reading per "
                 "row), so loop over xs.shape[0].", _last_axis, "the loop", r"shape\[\s*(1|-1)\s*\]|\.T\b"),
    KnownMistake("includes_v0", "you returned T + 1 rows, including the starting v_0 = 0; return v_1 … v_T, one average "
                 "per row of xs.", lambda xs, b: np.concatenate([np.zeros((1,) + xs.shape[1:]), _rule()(xs, b)]),
                 "the return line", r"return"),
    KnownMistake("last_only", "you returned only the last average; return the whole series v_1 … v_T (one row per "
                 "step, the same shape as xs).", lambda xs, b: _rule()(xs, b)[-1], "the return line", r"return"),
)

register(Exercise(
    "optim.ema", "ema(xs, beta) -> array of xs's shape: v_t = beta·v_{t-1} + (1 - beta)·xs[t], v_0 = 0",
    ema, _cases, outputs=(Output("v"),), blocked=("ema", "newton", "hessian"), mistakes=_MISTAKES,
    rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset(),
))
