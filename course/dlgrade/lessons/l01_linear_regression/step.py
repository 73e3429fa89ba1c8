"""Lesson 01, one step of gradient descent on the mean squared error: dlkit.optim.SGD applied to the gradients
dlkit's autograd computes (the learner calls their ``mse_gradients``; the check gives them the grader's)."""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._draw import F32_ATOL, F32_RTOL
from .fit import grad_cases, loss_and_grads, residual


def sgd_on_mse(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, lr: float) -> tuple[np.ndarray, float]:
    """(w, b) after one dlkit.optim.SGD step of size ``lr`` on mean((X @ w + b − y)²)."""
    from dlkit.optim import SGD

    _, wt, bt = loss_and_grads(X, y, w, b)
    SGD([wt, bt], lr=lr).step()
    return _dlkit.numpy(wt), _dlkit.scalar(bt)


@reference("linreg.gd_step reference")
def gd_step(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, lr: float) -> tuple[np.ndarray, float]:
    """One gradient-descent step on mean((X @ w + b − y)²): (w − lr·dw, b − lr·db), both from the old w, b."""
    return sgd_on_mse(X, y, w, b, lr)


def grads(X, y, w, b):
    """(dw, db) of the mean squared error, as a learner computes them."""
    r = residual(X, y, w, b)
    return 2.0 / len(y) * (X.T @ r), 2.0 / len(y) * float(np.sum(r))


def _cases(rng: np.random.Generator, hidden: bool):
    return grad_cases(rng, hidden, {"lr": lambda r: float(r.uniform(0.05, 0.3))})


def _step(dw_scale=1.0, db_scale=1.0, w_lr=True, b_lr=True):
    """w − lr·dw_scale·dw and b − lr·db_scale·db, with the learning rate left out where asked."""
    def step(X, y, w, b, lr):
        dw, db = grads(X, y, w, b)
        return w - (lr if w_lr else 1.0) * dw_scale * dw, b - (lr if b_lr else 1.0) * db_scale * db
    return step


def _sequential(X, y, w, b, lr):
    dw, _ = grads(X, y, w, b)
    w_new = w - lr * dw
    return w_new, b - lr * grads(X, y, w_new, b)[1]


def _swapped(X, y, w, b, lr):
    dw, db = grads(X, y, w, b)
    return w - lr * db, b - lr * dw


_W, _B = "the line that updates w", "the line that updates b"
_MISTAKES = (
    KnownMistake("ascent", "the step goes UPHILL: subtract the gradient (w - lr * dw), do not add it.",
                 _step(-1.0, -1.0), _W, r"\+\s*lr|\+="),
    KnownMistake("no_lr", "the full gradient was subtracted: multiply it by the learning rate `lr` first.",
                 _step(w_lr=False, b_lr=False), _W, r"-\s*dw"),
    KnownMistake("lr_on_w_only", "w's step has the learning rate but b's does not: b - lr * db.",
                 _step(b_lr=False), _B, r"-\s*db"),
    KnownMistake("lr_divides", "the gradient was DIVIDED by the learning rate: multiply, w - lr * dw.",
                 lambda X, y, w, b, lr: _step(1.0 / lr ** 2, 1.0 / lr ** 2)(X, y, w, b, lr), _W, r"/\s*lr"),
    KnownMistake("returns_gradient", "you returned the gradients (dw, db); return the NEW parameters "
                 "w - lr * dw and b - lr * db.", lambda X, y, w, b, lr: grads(X, y, w, b), "the return line",
                 r"return"),
    KnownMistake("not_assigned", "w and b come back unchanged: the updated values were computed but not kept "
                 "(assign them, or return w - lr * dw and b - lr * db).", lambda X, y, w, b, lr: (w, b),
                 "the return line", r"return"),
    KnownMistake("bias_not_updated", "`b_new` equals the old b: the bias needs its own step, b - lr * db.",
                 lambda X, y, w, b, lr: (_step()(X, y, w, b, lr)[0], b), _B, r"return"),
    KnownMistake("w_not_updated", "`w_new` equals the old w: the weights need their step, w - lr * dw.",
                 lambda X, y, w, b, lr: (w, _step()(X, y, w, b, lr)[1]), _W, r"return"),
    KnownMistake("swapped_gradients", "w was stepped with db and b with dw: `mse_gradients` returns (dw, db) "
                 "in that order.", _swapped, "the line that unpacks the gradients", r"db\s*,\s*dw\s*="),
    KnownMistake("sequential_update", "b's gradient was computed after w had already moved. Compute both "
                 "gradients from the OLD w and b first, then update both.", _sequential,
                 "the second call of mse_gradients", r"mse_gradients"),
    KnownMistake("missing_mean", "the step is N times too large: the gradient of a MEAN has a 1/N "
                 "(dw = 2/N · Xᵀr).", lambda X, y, w, b, lr: _step(len(y), len(y))(X, y, w, b, lr), _W,
                 r"2\s*\*"),
    KnownMistake("missing_two", "the step is half as long as it should be: the derivative of a square brings "
                 "a factor 2 (dw = 2/N · Xᵀr).", _step(0.5, 0.5), _W, r"/\s*(n|N|len)"),
    KnownMistake("divided_by_n_again", "the step is N times too small: `mse_gradients` already averages over the "
                 "batch, so do not divide by N again.",
                 lambda X, y, w, b, lr: _step(1.0 / len(y), 1.0 / len(y))(X, y, w, b, lr), _W,
                 r"/\s*(n|N|len)"),
)

register(Exercise(
    "linreg.gd_step", "gd_step(X, y, w, b, lr) -> (w_new (D,), b_new float)", gd_step, _cases,
    outputs=(Output("w_new"), Output("b_new", "scalar")), blocked=("mse_loss", "SGD"),
    oracles={"mse_gradients": "ex:linreg.mse_gradients", "predict": "ex:linreg.predict"}, mistakes=_MISTAKES,
    rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"update", "residual", "matmul", "square", "bias", "batch"}),
))
