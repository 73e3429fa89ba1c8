"""Lesson 03, one Newton–Raphson step w − lr·H⁻¹g with H⁻¹g found by solving H·d = g: dlkit.optim.newton_step on
float64 tensors (the gradient and the Hessian are given, so the loss is g·w, whose gradient is g)."""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._common import make_case, pick

_BLOCKED = ("ema", "newton", "hessian")


@reference("optim.newton_step reference")
def newton_step(w: np.ndarray, grad: np.ndarray, hess: np.ndarray, lr: float) -> np.ndarray:
    """w − lr·d where H·d = g: dlkit.optim.newton_step."""
    from dlkit.optim import newton_step as dlkit_newton

    g = _dlkit.tensor64(grad)
    out = dlkit_newton(lambda x: (g * x).sum(), _dlkit.tensor64(w), lr=lr, hessian_fn=lambda x: _dlkit.tensor64(hess))
    return _dlkit.numpy(out)


def _cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for n in pick([2, 3, 1, 4], [4, 2, 5, 1, 3], hidden):
        a = rng.normal(size=(n, n))
        hess = a @ a.T + 0.5 * np.eye(n)  # symmetric positive definite, like a Hessian at a minimum
        cases.append(make_case({"w": rng.normal(size=n), "grad": rng.normal(size=n), "hess": hess,
                                "lr": float(rng.uniform(0.3, 0.9))}, factors={"n": n}))
    return cases


def _solve(hess, grad):
    return np.linalg.solve(hess, grad)


_STEP = "the line that computes the step"
_MISTAKES = (
    KnownMistake("sign", "the step goes uphill: subtract it, w − lr·H⁻¹g.", lambda w, g, h, lr: w + lr * _solve(h, g),
                 "the line that updates w", r"w\s*\+"),
    KnownMistake("returned_step", "you returned the step (−lr·H⁻¹g) instead of the new point w − lr·H⁻¹g.",
                 lambda w, g, h, lr: -lr * _solve(h, g), "the return line", r"return"),
    KnownMistake("hessian_not_inverted", "you multiplied the gradient by H; Newton divides by the curvature: solve "
                 "H·d = g (np.linalg.solve(hess, grad)) and step w − lr·d.", lambda w, g, h, lr: w - lr * h @ g,
                 _STEP, r"hess\s*@|@\s*grad"),
    KnownMistake("diagonal_only", "you used only the diagonal of H (each coordinate's own curvature). The Newton step "
                 "solves the linear system with the whole H, so the couplings between coordinates (the off-diagonal "
                 "entries) count too.", lambda w, g, h, lr: w - lr * g / np.diag(h), _STEP, r"diag"),
    KnownMistake("elementwise_divide", "g / H divides element by element and broadcasts to an (n, n) matrix; "
                 "'dividing by a matrix' means solving the linear system H·d = g (np.linalg.solve(hess, grad)).",
                 lambda w, g, h, lr: w - lr * g / h, _STEP, r"grad\s*/\s*hess"),
    KnownMistake("elementwise_inverse", "1 / H inverts each ENTRY: the inverse of a matrix is not that. Solve "
                 "H·d = g with np.linalg.solve(hess, grad).", lambda w, g, h, lr: w - lr * (1.0 / h) @ g, _STEP,
                 r"1\s*/\s*hess"),
    KnownMistake("gradient_step", "this is a plain gradient step w − lr·g: the Hessian is not used. Newton rescales "
                 "the gradient by the inverse curvature, w − lr·H⁻¹g.", lambda w, g, h, lr: w - lr * g, _STEP,
                 r"lr\s*\*\s*grad"),
    KnownMistake("lr_ignored", "the full Newton step was taken: this is the damped step, multiply it by lr, "
                 "w − lr·H⁻¹g.", lambda w, g, h, lr: w - _solve(h, g), _STEP, r"w\s*-\s*np\.linalg"),
    KnownMistake("lr_divides", "the step was divided by lr: multiply, w − lr·H⁻¹g.",
                 lambda w, g, h, lr: w - _solve(h, g) / lr, _STEP, r"/\s*lr"),
    KnownMistake("half_step", "half the Newton step: the ½ of the quadratic model does not appear in the step, "
                 "w − lr·H⁻¹g.", lambda w, g, h, lr: w - 0.5 * lr * _solve(h, g), _STEP, r"0?\.5|/\s*2"),
    KnownMistake("solved_for_w", "the system was solved for w instead of the gradient: d solves H·d = grad, "
                 "np.linalg.solve(hess, grad).", lambda w, g, h, lr: w - lr * _solve(h, w), _STEP,
                 r"solve\(\s*hess\s*,\s*w\s*\)"),
)

register(Exercise(
    "optim.newton_step", "newton_step(w, grad, hess, lr) -> new w: w - lr · solve(hess, grad)",
    newton_step, _cases, outputs=(Output("w"),), blocked=_BLOCKED, mistakes=_MISTAKES,
    hints=frozenset({"update", "matmul"}),
))
