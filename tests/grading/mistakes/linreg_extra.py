"""Lesson 01, continued: gd_step."""
import numpy as np

from ._catalogue import correct, wrong


def _mse_gradients(X, y, w, b):
    """The learner's exercise-3 function, as it sits in their notebook."""
    r = X @ w + b - y
    return 2 * X.T @ r / len(y), 2 * r.mean()


@correct("linreg.gd_step")
def gd_step(X, y, w, b, lr):
    dw, db = _mse_gradients(X, y, w, b)
    return w - lr * dw, b - lr * db


@correct("linreg.gd_step")
def gd_step_inline(X, y, w, b, lr):
    """Everything in one place."""
    r = X @ w + b - y
    n = X.shape[0]
    return w - lr * (2 / n) * X.T @ r, float(b - lr * (2 / n) * r.sum())


@wrong("linreg.gd_step", "ascent")
def gd_step_plus(X, y, w, b, lr):
    dw, db = _mse_gradients(X, y, w, b)
    return w + lr * dw, b + lr * db


@wrong("linreg.gd_step", "no_lr")
def gd_step_no_lr(X, y, w, b, lr):
    dw, db = _mse_gradients(X, y, w, b)
    return w - dw, b - db


@wrong("linreg.gd_step", "returns_gradient")
def gd_step_gradient(X, y, w, b, lr):
    return _mse_gradients(X, y, w, b)


@wrong("linreg.gd_step", "bias_not_updated")
def gd_step_no_bias(X, y, w, b, lr):
    dw, _ = _mse_gradients(X, y, w, b)
    return w - lr * dw, b


@wrong("linreg.gd_step", "sequential_update")
def gd_step_sequential(X, y, w, b, lr):
    """w moves first, then b's gradient is taken at the new w."""
    dw, _ = _mse_gradients(X, y, w, b)
    w = w - lr * dw
    _, db = _mse_gradients(X, y, w, b)
    return w, b - lr * db


@wrong("linreg.gd_step", "mutated_input")
def gd_step_in_place(X, y, w, b, lr):
    """w -= ... changes the caller's array."""
    dw, db = _mse_gradients(X, y, w, b)
    w -= lr * dw
    return w, b - lr * db


@wrong("linreg.gd_step", "scale")
def gd_step_sum(X, y, w, b, lr):
    """Gradient of the summed, not the mean, squared error."""
    r = X @ w + b - y
    return w - lr * 2 * X.T @ r, b - lr * 2 * r.sum()


@wrong("linreg.gd_step", "wrong_shape")
def gd_step_column(X, y, w, b, lr):
    """w comes back as an (D, 1) column."""
    dw, db = _mse_gradients(X, y, w, b)
    return (w - lr * dw).reshape(-1, 1), b - lr * db


@wrong("linreg.gd_step", "wrong_type")
def gd_step_single(X, y, w, b, lr):
    """Returns only w."""
    dw, _ = _mse_gradients(X, y, w, b)
    return w - lr * dw
