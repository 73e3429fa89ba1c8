"""Lesson 01, linear regression, continued: one step of gradient descent on the mean squared error.

Kept apart from ``linreg.py`` (whose four exercises other tests depend on); the topic is the same.
"""
from __future__ import annotations

import numpy as np

from ..guard import reference
from ..registry import Exercise, KnownMistake, Output, register
from ._common import make_case, pick

_SHAPES = ([(6, 3), (1, 3), (5, 1), (4, 7)], [(9, 2), (1, 5), (3, 3), (12, 4), (2, 8)])


def _grads(X, y, w, b):
    r = X @ w + b - y
    n = X.shape[0]
    return 2.0 / n * (X.T @ r), 2.0 / n * float(np.sum(r))


@reference("linreg.gd_step reference")
def gd_step(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, lr: float) -> tuple[np.ndarray, float]:
    """One gradient-descent step on mean((X @ w + b − y)²): (w − lr·dw, b − lr·db), both from the old w, b."""
    dw, db = _grads(X, y, w, b)
    return w - lr * dw, float(b - lr * db)


def _cases(rng: np.random.Generator, hidden: bool):
    return [make_case({"X": rng.normal(size=(n, d)), "y": rng.normal(size=n), "w": rng.normal(size=d),
                       "b": float(rng.normal()), "lr": float(rng.uniform(0.05, 0.3))},
                      factors={"N": n, "D": d})
            for n, d in pick(*_SHAPES, hidden)]


def _ascent(X, y, w, b, lr):
    dw, db = _grads(X, y, w, b)
    return w + lr * dw, b + lr * db


def _no_lr(X, y, w, b, lr):
    dw, db = _grads(X, y, w, b)
    return w - dw, b - db


def _returns_gradient(X, y, w, b, lr):
    return _grads(X, y, w, b)


def _bias_kept(X, y, w, b, lr):
    dw, _ = _grads(X, y, w, b)
    return w - lr * dw, b


def _sequential(X, y, w, b, lr):
    dw, _ = _grads(X, y, w, b)
    w_new = w - lr * dw
    _, db = _grads(X, y, w_new, b)
    return w_new, b - lr * db


def _no_mean(X, y, w, b, lr):
    r = X @ w + b - y
    return w - lr * 2.0 * (X.T @ r), b - lr * 2.0 * float(np.sum(r))


def _no_two(X, y, w, b, lr):
    dw, db = _grads(X, y, w, b)
    return w - lr * dw / 2.0, b - lr * db / 2.0


register(Exercise(
    "linreg.gd_step", "gd_step(X, y, w, b, lr) -> (w_new (D,), b_new float)", gd_step, _cases,
    outputs=(Output("w_new"), Output("b_new", "scalar")), blocked=("mse_loss",),
    mistakes=(
        KnownMistake("ascent", "the step goes UPHILL: subtract the gradient (w - lr * dw), do not add it.",
                     _ascent),
        KnownMistake("no_lr", "the full gradient was subtracted: multiply it by the learning rate `lr` "
                     "first.", _no_lr),
        KnownMistake("returns_gradient", "you returned the gradients (dw, db); return the NEW parameters "
                     "w - lr * dw and b - lr * db.", _returns_gradient),
        KnownMistake("bias_not_updated", "`b_new` equals the old b: the bias needs its own step, "
                     "b - lr * db.", _bias_kept),
        KnownMistake("sequential_update", "b's gradient was computed after w had already moved. Compute "
                     "both gradients from the OLD w and b first, then update both.", _sequential),
        KnownMistake("scale", "the step is N times too large: the gradient of a MEAN has a 1/N "
                     "(dw = 2/N · Xᵀr).", _no_mean),
        KnownMistake("scale", "the step is half as long as it should be: the derivative of a square "
                     "brings a factor 2 (dw = 2/N · Xᵀr).", _no_two),
    ),
))
