"""Lesson 03, optimizers: the exercises beyond the update rules of ``optim.py``.

- optim.ema:         the exponential moving average of a series along axis 0, starting from v_0 = 0:
                     v_t = β·v_{t−1} + (1 − β)·x_t for t = 1 … T; returns v_1 … v_T (same shape as xs).
                     The same average as ``dlkit.optim.ema_`` applied once per row.
- optim.newton_step: one Newton–Raphson step w − lr·H⁻¹g, with H⁻¹g found by solving H·d = g
                     (``dlkit.optim.newton_step`` on arrays: the gradient and Hessian are given).
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .._common import make_case, pick

_EMA_SHAPES = ([(6,), (5, 3), (1, 4)], [(8,), (4, 2, 3), (1,), (7, 2)])
_NEWTON_SIZES = ([2, 3, 1], [4, 2, 5, 1, 3])
_BLOCKED = ("ema", "newton", "hessian")


@reference("optim.ema reference")
def ema(xs: np.ndarray, beta: float) -> np.ndarray:
    """v_1 … v_T of v_t = β·v_{t−1} + (1 − β)·x_t with v_0 = 0, along axis 0."""
    out = np.empty_like(xs, dtype=np.float64)
    v = np.zeros(xs.shape[1:])
    for t in range(xs.shape[0]):
        v = beta * v + (1 - beta) * xs[t]
        out[t] = v
    return out


@reference("optim.newton_step reference")
def newton_step(w: np.ndarray, grad: np.ndarray, hess: np.ndarray, lr: float) -> np.ndarray:
    """w − lr·d where H·d = g."""
    return w - lr * np.linalg.solve(hess, grad)


def _ema_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for shape in pick(*_EMA_SHAPES, hidden):
        xs = rng.normal(size=shape) + 1.0  # a non-zero mean, so starting at 0 versus x_1 shows
        cases.append(make_case({"xs": xs, "beta": float(rng.uniform(0.5, 0.95))}, factors={"T": shape[0]}))
    return cases


def _newton_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for n in pick(*_NEWTON_SIZES, hidden):
        a = rng.normal(size=(n, n))
        hess = a @ a.T + 0.5 * np.eye(n)  # symmetric positive definite, like a Hessian at a minimum
        cases.append(make_case({"w": rng.normal(size=n), "grad": rng.normal(size=n), "hess": hess,
                                "lr": float(rng.uniform(0.3, 0.9))}, factors={"n": n}))
    return cases


def _ema_variant(swap=False, start_first=False, dampen=True, debias=False, running_mean=False):
    def run(xs, beta):
        out = np.empty_like(xs, dtype=np.float64)
        v = np.zeros(xs.shape[1:])
        for t in range(xs.shape[0]):
            if running_mean:
                v = v + (xs[t] - v) / (t + 1)
            elif start_first and t == 0:
                v = xs[0]
            elif swap:
                v = (1 - beta) * v + beta * xs[t]
            else:
                v = beta * v + ((1 - beta) if dampen else 1.0) * xs[t]
            out[t] = v / (1 - beta ** (t + 1)) if debias else v
        return out
    return run


def _ema_with_v0(xs, beta):
    return np.concatenate([np.zeros((1,) + xs.shape[1:]), _ema_variant()(xs, beta)])


def _ema_last(xs, beta):
    return _ema_variant()(xs, beta)[-1]


def _solve(hess, grad):
    return np.linalg.solve(hess, grad)


register(Exercise(
    "optim.ema", "ema(xs, beta) -> array of xs's shape: v_t = beta·v_{t-1} + (1 - beta)·xs[t], v_0 = 0",
    ema, _ema_cases, outputs=(Output("v"),), blocked=_BLOCKED,
    mistakes=(
        KnownMistake("swapped_decay", "β and 1 − β are swapped: β is the weight of the old average (the "
                     "memory), 1 − β the weight of the new value, v ← β·v + (1 − β)·x.", _ema_variant(swap=True)),
        KnownMistake("start_at_first", "the average starts at the first value (v_1 = x_1); here it starts at "
                     "v_0 = 0, so v_1 = (1 − β)·x_1. (Starting at 0 makes early averages too small; Adam's bias "
                     "correction undoes exactly that.)", _ema_variant(start_first=True)),
        KnownMistake("no_dampening", "the new value is not scaled by (1 − β): v ← β·v + x is the momentum "
                     "buffer's form, which settles at 1/(1 − β) times the average. Use v ← β·v + (1 − β)·x.",
                     _ema_variant(dampen=False)),
        KnownMistake("bias_corrected", "you divided by (1 − βᵗ): that is the bias-corrected average (Adam's "
                     "m̂). This function returns the raw average v_t.", _ema_variant(debias=True)),
        KnownMistake("running_mean", "this is the plain running mean, where every value counts the same. "
                     "An exponential moving average weights a value k steps old by (1 − β)·βᵏ.",
                     _ema_variant(running_mean=True)),
        KnownMistake("includes_v0", "you returned T + 1 rows, including the starting v_0 = 0; return v_1 … v_T, "
                     "one average per row of xs.", _ema_with_v0),
        KnownMistake("last_only", "you returned only the last average; return the whole series v_1 … v_T "
                     "(one row per step, the same shape as xs).", _ema_last),
    ),
))

register(Exercise(
    "optim.newton_step", "newton_step(w, grad, hess, lr) -> new w: w - lr · solve(hess, grad)",
    newton_step, _newton_cases, outputs=(Output("w"),), blocked=_BLOCKED,
    mistakes=(
        KnownMistake("sign", "the step goes uphill: subtract it, w − lr·H⁻¹g.",
                     lambda w, g, h, lr: w + lr * _solve(h, g)),
        KnownMistake("returned_step", "you returned the step (−lr·H⁻¹g) instead of the new point w − lr·H⁻¹g.",
                     lambda w, g, h, lr: -lr * _solve(h, g)),
        KnownMistake("hessian_not_inverted", "you multiplied the gradient by H; Newton divides by the "
                     "curvature: solve H·d = g (np.linalg.solve(hess, grad)) and step w − lr·d.",
                     lambda w, g, h, lr: w - lr * h @ g),
        KnownMistake("diagonal_only", "you used only the diagonal of H (each coordinate's own curvature). "
                     "The Newton step solves the linear system with the whole H, so the couplings between "
                     "coordinates (the off-diagonal entries) count too.",
                     lambda w, g, h, lr: w - lr * g / np.diag(h)),
        KnownMistake("elementwise_divide", "g / H divides element by element and broadcasts to an (n, n) "
                     "matrix; 'dividing by a matrix' means solving the linear system H·d = g "
                     "(np.linalg.solve(hess, grad)).", lambda w, g, h, lr: w - lr * g / h),
        KnownMistake("gradient_step", "this is a plain gradient step w − lr·g: the Hessian is not used. "
                     "Newton rescales the gradient by the inverse curvature, w − lr·H⁻¹g.",
                     lambda w, g, h, lr: w - lr * g),
    ),
))
