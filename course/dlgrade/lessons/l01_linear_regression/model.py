"""Lesson 01, linear regression. Textbook convention: X is (N, D), w is (D,), b a float."""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .._common import make_case, pick

_PREDICT_SHAPES = ([(6, 3), (1, 3), (5, 1), (4, 7)], [(9, 2), (1, 5), (3, 3), (12, 4), (2, 8)])
_FIT_SHAPES = ([(12, 3), (10, 1), (25, 5)], [(15, 2), (40, 6), (9, 4), (30, 1)])


@reference("linreg.predict reference")
def predict(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """X @ w + b, shape (N,)."""
    return X @ w + b


@reference("linreg.mse reference")
def mse(y_pred: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error, a float."""
    return float(np.mean((y_pred - y) ** 2))


@reference("linreg.mse_gradients reference")
def mse_gradients(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
    """Gradient of mean((X @ w + b - y)²): dw = 2/N Xᵀr, db = 2/N Σr with r = Xw + b − y."""
    r = X @ w + b - y
    n = X.shape[0]
    return 2.0 / n * (X.T @ r), float(2.0 / n * np.sum(r))


@reference("linreg.normal_equations reference")
def normal_equations(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Least squares with an intercept: (w, b) minimising ||X w + b − y||²."""
    A = np.hstack([X, np.ones((X.shape[0], 1))])
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    return theta[:-1], float(theta[-1])


def _predict_cases(rng: np.random.Generator, hidden: bool):
    return [make_case({"X": rng.normal(size=(n, d)), "w": rng.normal(size=d), "b": float(rng.normal())},
                      factors={"N": n, "D": d}) for n, d in pick(*_PREDICT_SHAPES, hidden)]


def _mse_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for n, _ in pick(*_PREDICT_SHAPES, hidden):
        y = rng.normal(size=n)
        cases.append(make_case({"y_pred": y + rng.normal(size=n), "y": y}, factors={"N": n}))
    return cases


def _grad_cases(rng: np.random.Generator, hidden: bool):
    return [make_case({"X": rng.normal(size=(n, d)), "y": rng.normal(size=n), "w": rng.normal(size=d),
                       "b": float(rng.normal())}, factors={"N": n, "D": d})
            for n, d in pick(*_PREDICT_SHAPES, hidden)]


def _fit_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for n, d in pick(*_FIT_SHAPES, hidden):
        X = rng.normal(size=(n, d)) + rng.normal(size=d)  # not centred, so the intercept matters
        y = X @ rng.normal(size=d) + 3.0 * rng.normal() + 0.1 * rng.normal(size=n)
        cases.append(make_case({"X": X, "y": y}, factors={"N": n, "D": d}))
    return cases


def _no_intercept(X, y):
    return np.linalg.lstsq(X, y, rcond=None)[0], 0.0


register(Exercise(
    "linreg.predict", "predict(X, w, b) -> (N,) array: X @ w + b", predict, _predict_cases,
    outputs=(Output("y_pred"),), blocked=("linear", "matmul"),
))
register(Exercise(
    "linreg.mse", "mse(y_pred, y) -> float: mean of the squared errors", mse, _mse_cases,
    outputs=(Output("loss", "scalar"),), blocked=("mse_loss",),
    mistakes=(
        KnownMistake("missing_square", "the errors are not squared: mean((y_pred - y)**2), "
                     "not mean(y_pred - y) or mean(|y_pred - y|).",
                     lambda yp, y: float(np.mean(np.abs(yp - y)))),
        KnownMistake("missing_square", "the errors are not squared: mean((y_pred - y)**2), "
                     "not mean(y_pred - y).", lambda yp, y: float(np.mean(yp - y))),
        KnownMistake("rmse", "this is the root of the mean squared error (RMSE); the MSE has no square root.",
                     lambda yp, y: float(np.sqrt(np.mean((yp - y) ** 2)))),
        KnownMistake("broadcast", "an (N, 1) column minus an (N,) vector broadcast to (N, N): "
                     "every prediction was compared with every target. Make both (N,).",
                     lambda yp, y: float(np.mean((yp.reshape(-1, 1) - y) ** 2))),
    ),
))
register(Exercise(
    "linreg.mse_gradients", "mse_gradients(X, y, w, b) -> (dw (D,), db float)", mse_gradients, _grad_cases,
    outputs=(Output("dw"), Output("db", "scalar")), blocked=("mse_loss",),
))
register(Exercise(
    "linreg.normal_equations", "normal_equations(X, y) -> (w (D,), b float)", normal_equations, _fit_cases,
    outputs=(Output("w"), Output("b", "scalar")), blocked=("lstsq",),
    mistakes=(
        KnownMistake("missing_intercept", "the fit has no intercept: append a column of ones to X "
                     "(the last coefficient is b) before solving.", _no_intercept),
    ),
))
