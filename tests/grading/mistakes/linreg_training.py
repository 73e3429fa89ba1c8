"""Lesson 01, more learner-like mistakes of gd_step and train_linear (the learner's functions call their own
mse_gradients, gd_step, predict and mse; the checks give them the grader's)."""
import numpy as np

from ._catalogue import correct, wrong


def mse_gradients(X, y, w, b):
    """The learner's exercise 3 (the check replaces it with the grader's)."""
    r = X @ w + b - y
    return 2 * X.T @ r / len(y), 2 * r.mean()


def gd_step(X, y, w, b, lr):
    """The learner's exercise 4 (the check replaces it with the grader's)."""
    dw, db = mse_gradients(X, y, w, b)
    return w - lr * dw, b - lr * db


def mse(y_pred, y):
    return float(np.mean((y_pred - y) ** 2))


def predict(X, w, b):
    return X @ w + b


# ---------------------------------------------------------------------------------------- gd_step


@correct("linreg.gd_step")
def gd_step_tuple_unpack(X, y, w, b, lr):
    """Gradients unpacked in one line, b kept a Python float."""
    dw, db = mse_gradients(X, y, w, b)
    w_new, b_new = w - lr * dw, float(b - lr * db)
    return w_new, b_new


@wrong("linreg.gd_step", "lr_on_w_only")
def gd_step_b_no_lr(X, y, w, b, lr):
    dw, db = mse_gradients(X, y, w, b)
    return w - lr * dw, b - db


@wrong("linreg.gd_step", "lr_divides")
def gd_step_divide(X, y, w, b, lr):
    dw, db = mse_gradients(X, y, w, b)
    return w - dw / lr, b - db / lr


@wrong("linreg.gd_step", "not_assigned")
def gd_step_forgot_assign(X, y, w, b, lr):
    dw, db = mse_gradients(X, y, w, b)
    w - lr * dw
    b - lr * db
    return w, b


@wrong("linreg.gd_step", "w_not_updated")
def gd_step_only_b(X, y, w, b, lr):
    _, db = mse_gradients(X, y, w, b)
    return w, b - lr * db


@wrong("linreg.gd_step", "swapped_gradients")
def gd_step_unpack_order(X, y, w, b, lr):
    db, dw = mse_gradients(X, y, w, b)
    return w - lr * dw, b - lr * db


@wrong("linreg.gd_step", "missing_two")
def gd_step_inline_no_two(X, y, w, b, lr):
    r = X @ w + b - y
    return w - lr * X.T @ r / len(y), b - lr * r.mean()


@wrong("linreg.gd_step", "divided_by_n_again")
def gd_step_average_again(X, y, w, b, lr):
    dw, db = mse_gradients(X, y, w, b)
    n = len(y)
    return w - lr * dw / n, b - lr * db / n


# ---------------------------------------------------------------------------------------- train_linear


def _epochs(X, y, lr, epochs, batch_size, rng, batches, record=None):
    w, b = np.zeros(X.shape[1]), 0.0
    losses = []
    for _ in range(epochs):
        for rows in batches(len(y)):
            w, b = gd_step(X[rows], y[rows], w, b, lr)
            if record == "step":
                losses.append(mse(predict(X, w, b), y))
        if record == "last":
            losses.append(mse(predict(X[rows], w, b), y[rows]))
        elif record is None:
            losses.append(mse(predict(X, w, b), y))
    return w, b, np.array(losses)


@correct("linreg.train_linear")
def train_linear_while(X, y, lr, epochs, batch_size, rng):
    """A while loop over the batches."""
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        order, start = rng.permutation(len(y)), 0
        while start < len(y):
            rows = order[start:start + batch_size]
            w, b = gd_step(X[rows], y[rows], w, b, lr)
            start += batch_size
        losses.append(mse(predict(X, w, b), y))
    return w, b, np.array(losses)


@wrong("linreg.train_linear", "shuffle_every_batch")
def train_linear_shuffle_inside(X, y, lr, epochs, batch_size, rng):
    return _epochs(X, y, lr, epochs, batch_size, rng,
                   lambda n: (rng.permutation(n)[s:s + batch_size] for s in range(0, n, batch_size)))


@wrong("linreg.train_linear", "range_step_missing")
def train_linear_range_n(X, y, lr, epochs, batch_size, rng):
    def batches(n):
        order = rng.permutation(n)
        return [order[s:s + batch_size] for s in range(n)]
    return _epochs(X, y, lr, epochs, batch_size, rng, batches)


@wrong("linreg.train_linear", "whole_data_per_step")
def train_linear_all_rows(X, y, lr, epochs, batch_size, rng):
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            rows = order[start:start + batch_size]  # noqa: F841  (cut, then not used)
            w, b = gd_step(X, y, w, b, lr)
        losses.append(mse(predict(X, w, b), y))
    return w, b, np.array(losses)


@wrong("linreg.train_linear", "last_batch_loss")
def train_linear_batch_loss(X, y, lr, epochs, batch_size, rng):
    def batches(n):
        order = rng.permutation(n)
        return [order[s:s + batch_size] for s in range(0, n, batch_size)]
    return _epochs(X, y, lr, epochs, batch_size, rng, batches, record="last")


@wrong("linreg.train_linear", "loss_per_step")
def train_linear_every_step(X, y, lr, epochs, batch_size, rng):
    def batches(n):
        order = rng.permutation(n)
        return [order[s:s + batch_size] for s in range(0, n, batch_size)]
    return _epochs(X, y, lr, epochs, batch_size, rng, batches, record="step")
