"""Lesson 01, fitting the line: the gradient of the mean squared error (dlkit's autograd on F.mse_loss) and the
exact least-squares fit by the normal equations (a lesson-only reference: numpy's lstsq)."""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._common import make_case, pick
from .._draw import F32_ATOL, F32_RTOL, float32
from .model import model_shapes


def loss_and_grads(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> tuple[object, object, object]:
    """(loss, w, b) as dlkit tensors after backward through mean((X @ w + b − y)²), all float64."""
    import dlkit.functional as F

    wt, bt = _dlkit.tensor64(w, requires_grad=True), _dlkit.tensor64(b, requires_grad=True)
    loss = F.mse_loss(_dlkit.tensor64(X) @ wt + bt, _dlkit.tensor64(y))
    loss.backward()
    return loss, wt, bt


@reference("linreg.mse_gradients reference")
def mse_gradients(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
    """Gradient of mean((X @ w + b - y)²) by dlkit's autograd: dw = 2/N Xᵀr, db = 2/N Σr with r = Xw + b − y."""
    _, wt, bt = loss_and_grads(X, y, w, b)
    return _dlkit.numpy(wt.grad), _dlkit.scalar(bt.grad)


def grad_cases(rng: np.random.Generator, hidden: bool, extra: dict | None = None):
    """Cases (X, y, w, b[, extra arguments drawn by ``extra[name](rng)``]) on the lesson's model shapes."""
    cases = []
    for i, (n, d) in enumerate(model_shapes(rng, hidden)):
        args = {"X": rng.normal(size=(n, d)), "y": rng.normal(size=n), "w": rng.normal(size=d),
                "b": float(rng.normal())}
        args.update({k: draw(rng) for k, draw in (extra or {}).items()})
        args = float32(args, "X", "y", "w") if i == 5 else args
        cases.append(make_case(args, factors={"N": n, "D": d}, note="float32" if i == 5 else ""))
    return cases


def residual(X, y, w, b):
    """r = X @ w + b − y, the prediction minus the target."""
    return X @ w + b - y


def _grads(X, y, w, b, two=2.0, by=None):
    r = residual(X, y, w, b)
    n = len(y) if by is None else by
    return two / n * (X.T @ r), two / n * float(np.sum(r))


_DW, _DB = "the line that computes dw", "the line that computes db"
_GRAD_MISTAKES = (
    KnownMistake("missing_two", "both gradients are half as large as they should be: the derivative of a square "
                 "brings a factor 2, dw = 2/N · Xᵀr and db = 2/N · Σr.", lambda X, y, w, b: _grads(X, y, w, b, 1.0),
                 _DW, r"/\s*(n|N|len)"),
    KnownMistake("missing_mean", "both gradients are N times too large: the loss is a MEAN, so its gradient has "
                 "the 1/N, dw = 2/N · Xᵀr.", lambda X, y, w, b: _grads(X, y, w, b, by=1), _DW, r"2\s*\*"),
    KnownMistake("divided_by_D", "divided by the number of FEATURES (X.shape[1]) instead of the number of "
                 "examples N = X.shape[0].", lambda X, y, w, b: _grads(X, y, w, b, by=X.shape[1]),
                 "the line that takes N from X's shape", r"shape\[\s*1\s*\]"),
    KnownMistake("sign", "both gradients have the wrong sign: the residual is prediction − target, "
                 "r = X @ w + b − y (y − prediction flips every gradient).",
                 lambda X, y, w, b: tuple(-np.asarray(g) for g in _grads(X, y, w, b)),
                 "the line that computes the residual", r"y\s*-"),
    KnownMistake("bias_missing", "the residual leaves out the bias: r = X @ w + b − y.",
                 lambda X, y, w, b: _grads(X, y, w, 0.0), "the line that computes the residual", r"@\s*w\s*-"),
    KnownMistake("target_missing", "the residual leaves out the target y: r = X @ w + b − y.",
                 lambda X, y, w, b: _grads(X, np.zeros_like(y), w, b), "the line that computes the residual",
                 r"@\s*w\s*\+\s*b\s*$"),
    KnownMistake("matmul_order", "X @ r multiplies in the wrong order (it fails unless N == D): dw = 2/N · Xᵀr, "
                 "X.T @ r, one entry per feature.",
                 lambda X, y, w, b: (2.0 / len(y) * (X @ residual(X, y, w, b)), _grads(X, y, w, b)[1]),
                 _DW, r"X\s*@\s*r"),
    KnownMistake("dw_not_summed", "dw kept one row per example ((N, D), X * r[:, None]): sum over the examples, "
                 "X.T @ r.", lambda X, y, w, b: (2.0 / len(y) * X * residual(X, y, w, b)[:, None],
                                                _grads(X, y, w, b)[1]), _DW, r"\*\s*r"),
    KnownMistake("wrong_axis", "dw was summed over the features (axis=1), one number per example: sum over the "
                 "examples, X.T @ r.", lambda X, y, w, b: (2.0 / len(y) * np.sum(X * residual(X, y, w, b)[:, None],
                                                                                axis=1), _grads(X, y, w, b)[1]),
                 _DW, r"axis\s*=\s*1"),
    KnownMistake("column_vector", "dw is a (D, 1) column: return shape (D,) like w (keep r 1-D).",
                 lambda X, y, w, b: (_grads(X, y, w, b)[0].reshape(-1, 1), _grads(X, y, w, b)[1]),
                 _DW, r"reshape|None"),
    KnownMistake("db_not_summed", "db is one number per example: the bias gradient SUMS the residuals over the "
                 "batch, db = 2/N · Σr.", lambda X, y, w, b: (_grads(X, y, w, b)[0],
                                                             2.0 / len(y) * residual(X, y, w, b)), _DB, r"db"),
    KnownMistake("swapped_outputs", "the two gradients are returned in the wrong order: return (dw, db).",
                 lambda X, y, w, b: _grads(X, y, w, b)[::-1], "the return line", r"return"),
)

register(Exercise(
    "linreg.mse_gradients", "mse_gradients(X, y, w, b) -> (dw (D,), db float)", mse_gradients, grad_cases,
    outputs=(Output("dw"), Output("db", "scalar")), blocked=("mse_loss", "numerical_grad"), mistakes=_GRAD_MISTAKES,
    oracles={"predict": "ex:linreg.predict"},  # r = predict(X, w, b) - y is a natural way to write it
    rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"residual", "matmul", "square", "bias", "batch"}),
))

# --------------------------------------------------------------------------------------- normal_equations


def _lstsq(A, y):
    return np.linalg.lstsq(A, y, rcond=None)[0]


def _ones(X):
    return np.ones((X.shape[0], 1))


def _fit(X, y):
    theta = _theta(X, y)
    return theta[:-1], float(theta[-1])


@reference("linreg.normal_equations reference")
def normal_equations(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Least squares with an intercept: (w, b) minimising ||X w + b − y||² (numpy's lstsq on [X 1])."""
    return _fit(X, y)


def _fit_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    # (N, D): D = 1, N = D + 2 (nearly determined), many examples
    for n, d in pick([(12, 3), (10, 1), (25, 5), (6, 4)], [(15, 2), (40, 6), (9, 4), (30, 1), (7, 5)], hidden):
        X = rng.normal(size=(n, d)) + rng.normal(size=d)  # not centred, so the intercept matters
        y = X @ rng.normal(size=d) + 3.0 * rng.normal() + 0.1 * rng.normal(size=n)
        cases.append(make_case({"X": X, "y": y}, factors={"N": n, "D": d}))
    return cases


def _no_intercept(X, y):
    return _lstsq(X, y)


def _theta(X, y, ones_first=False):
    """The least-squares coefficients with the ones column first or last."""
    return _lstsq(np.hstack([_ones(X), X] if ones_first else [X, _ones(X)]), y)


_THETA = "the line that splits θ into w and b"
_FIT_MISTAKES = (
    KnownMistake("missing_intercept", "the fit has no intercept: append a column of ONES to X (the last coefficient "
                 "is b) before solving.", lambda X, y: (_no_intercept(X, y), 0.0), "the matrix you solve with",
                 r"solve|lstsq|inv"),
    KnownMistake("separate_fits", "w was fitted without an intercept and b set to mean(y) afterwards: fit both at "
                 "once, on [X 1], so that w accounts for the intercept.",
                 lambda X, y: (_no_intercept(X, y), float(np.mean(y))), "the line that computes b", r"mean"),
    KnownMistake("intercept_after_fit", "b = mean(y − X @ w) with w fitted without an intercept: both must come "
                 "from one least-squares fit on [X 1].",
                 lambda X, y: (_no_intercept(X, y), float(np.mean(y - X @ _no_intercept(X, y)))),
                 "the line that computes b", r"mean"),
    KnownMistake("bias_mean_y_only", "w is right but b = mean(y): the intercept is mean(y) − mean(X) @ w (the line "
                 "passes through the point of means).", lambda X, y: (_fit(X, y)[0],
                                                                     float(np.mean(y))),
                 "the line that computes b", r"mean"),
    KnownMistake("ones_first_unpacked_last", "the ones column is FIRST in your matrix, so θ[0] is b, but you took "
                 "b = θ[-1]: with [1 X], b = θ[0] and w = θ[1:].",
                 lambda X, y: (_theta(X, y, True)[:-1], float(_theta(X, y, True)[-1])), _THETA,
                 r"\[\s*-\s*1\s*\]|:\s*-\s*1"),
    KnownMistake("bias_is_first_coefficient", "the ones column is LAST in your matrix, so b = θ[-1], but you took "
                 "b = θ[0]: with [X 1], w = θ[:-1] and b = θ[-1].",
                 lambda X, y: (_theta(X, y)[1:], float(_theta(X, y)[0])), _THETA,
                 r"\[\s*0\s*\]|\[\s*1\s*:"),
    KnownMistake("w_includes_b", "w still holds the intercept (all D + 1 coefficients): w = θ[:-1], b = θ[-1].",
                 lambda X, y: (_theta(X, y), _fit(X, y)[1]), _THETA,
                 r"return"),
    KnownMistake("swapped_outputs", "w and b are returned in the wrong order: return (w, b).",
                 lambda X, y: _fit(X, y)[::-1], "the return line", r"return"),
    KnownMistake("no_solve", "θ = Xᵀy is only the right-hand side: solve the system XᵀX θ = Xᵀy (with the ones "
                 "column), np.linalg.solve(A.T @ A, A.T @ y).",
                 lambda X, y: ((np.hstack([X, _ones(X)]).T @ y)[:-1], float((np.hstack([X, _ones(X)]).T @ y)[-1])),
                 "the line that computes θ", r"\.T\s*@\s*y"),
)

register(Exercise(
    "linreg.normal_equations", "normal_equations(X, y) -> (w (D,), b float)", normal_equations, _fit_cases,
    outputs=(Output("w"), Output("b", "scalar")), blocked=("lstsq",), mistakes=_FIT_MISTAKES,
))
