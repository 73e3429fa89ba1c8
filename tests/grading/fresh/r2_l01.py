"""Round-2 fresh entries for lesson 01 (linear regression)."""
import numpy as np

from ._fresh import correct, wrong


def _grads(X, y, w, b):
    r = X @ w + b - y
    n = X.shape[0]
    return 2.0 / n * (X.T @ r), 2.0 / n * float(np.sum(r))


def _step(X, y, w, b, lr):
    dw, db = _grads(X, y, w, b)
    return w - lr * dw, b - lr * db


def _mse(y_pred, y):
    return float(np.mean((y_pred - y) ** 2))


# ---------------------------------------------------------------- predict


@wrong("linreg.predict", "01", ["bias", "+ b", "intercept"],
       "returns X @ w and forgets to add the bias b")
def predict(X, w, b):
    return X @ w


@correct("linreg.predict", "01", "np.einsum for the weighted sums")
def predict(X, w, b):  # noqa: F811
    return np.einsum("nd,d->n", X, w) + b


# ---------------------------------------------------------------- mse


@wrong("linreg.mse", "01", ["broadcast", "(n, 1)", "(n, n)", "shape", "column"],
       "reshapes the targets into a column, so (N,) - (N, 1) broadcasts to an (N, N) table of errors")
def mse(y_pred, y):
    return float(np.mean((y_pred - np.reshape(y, (-1, 1))) ** 2))


@wrong("linreg.mse", "01", ["1/2", "half", "0.5", "factor"],
       "uses the 1/2 * mean convention from other textbooks, halving the loss")
def mse(y_pred, y):  # noqa: F811
    return float(0.5 * np.mean((y_pred - y) ** 2))


# ---------------------------------------------------------------- mse_gradients


@wrong("linreg.mse_gradients", "01", ["number of examples", "batch size", "shape[0]", "features", "1/n"],
       "divides by X.shape[1] (the number of features D) instead of the number of examples N")
def mse_gradients(X, y, w, b):
    r = X @ w + b - y
    d = X.shape[1]
    return 2.0 / d * (X.T @ r), 2.0 / d * float(np.sum(r))


@correct("linreg.mse_gradients", "01", "averages residual times feature with np.mean over the batch axis")
def mse_gradients(X, y, w, b):  # noqa: F811
    r = (X @ w + b) - y
    dw = 2.0 * np.mean(r[:, None] * X, axis=0)
    db = 2.0 * float(np.mean(r))
    return dw, db


# ---------------------------------------------------------------- gd_step


@wrong("linreg.gd_step", "01", ["in place", "in-place", "modif", "mutat", "copy"],
       "updates w with w -= lr * dw, changing the caller's array")
def gd_step(X, y, w, b, lr):
    dw, db = _grads(X, y, w, b)
    w -= lr * dw
    b -= lr * db
    return w, b


@wrong("linreg.gd_step", "01", ["old", "before", "same point", "one after the other", "both gradients"],
       "moves w first and then computes the bias gradient at the new w (two moves, not one)")
def gd_step(X, y, w, b, lr):  # noqa: F811
    dw, _ = _grads(X, y, w, b)
    w_new = w - lr * dw
    _, db = _grads(X, y, w_new, b)
    return w_new, b - lr * db


# ---------------------------------------------------------------- train_linear


@wrong("linreg.train_linear", "01", ["rng", "global", "np.random", "generator", "seed"],
       "shuffles with np.random.permutation instead of the rng it is given")
def train_linear(X, y, lr, epochs, batch_size, rng):
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    losses = []
    for _ in range(epochs):
        order = np.random.permutation(n)
        for start in range(0, n, batch_size):
            rows = order[start:start + batch_size]
            w, b = _step(X[rows], y[rows], w, b, lr)
        losses.append(_mse(X @ w + b, y))
    return w, b, np.array(losses)


@wrong("linreg.train_linear", "01", ["every epoch", "each epoch", "once", "new order", "same order"],
       "draws the permutation once before the epoch loop, so every epoch uses the same batches")
def train_linear(X, y, lr, epochs, batch_size, rng):  # noqa: F811
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    losses = []
    order = rng.permutation(n)
    for _ in range(epochs):
        for start in range(0, n, batch_size):
            rows = order[start:start + batch_size]
            w, b = _step(X[rows], y[rows], w, b, lr)
        losses.append(_mse(X @ w + b, y))
    return w, b, np.array(losses)


@wrong("linreg.train_linear", "01", ["last batch", "partial", "smaller", "left over", "remainder"],
       "loops range(0, n - batch_size + 1, batch_size), dropping the last, smaller batch")
def train_linear(X, y, lr, epochs, batch_size, rng):  # noqa: F811
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    losses = []
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):
            rows = order[start:start + batch_size]
            w, b = _step(X[rows], y[rows], w, b, lr)
        losses.append(_mse(X @ w + b, y))
    return w, b, np.array(losses)


# ---------------------------------------------------------------- normal_equations


@wrong("linreg.normal_equations", "01", ["first", "last", "order", "column of ones", "swap"],
       "puts the column of ones first but still reads w = theta[:-1], b = theta[-1]")
def normal_equations(X, y):
    X_tilde = np.hstack([np.ones((X.shape[0], 1)), X])
    theta = np.linalg.lstsq(X_tilde, y, rcond=None)[0]
    return theta[:-1], float(theta[-1])


@correct("linreg.normal_equations", "01", "ones column first, theta from the pseudo-inverse, read back as b = theta[0]")
def normal_equations(X, y):  # noqa: F811
    X_tilde = np.column_stack([np.ones(X.shape[0]), X])
    theta = np.linalg.pinv(X_tilde) @ y
    return theta[1:], float(theta[0])
