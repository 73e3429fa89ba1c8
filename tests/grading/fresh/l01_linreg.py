"""Lesson 01 · Linear regression: predict, mse, mse_gradients, gd_step, train_linear, normal_equations."""
import numpy as np

from ._fresh import correct, wrong

L = "01"

# ---- linreg.predict(X, w, b) ---------------------------------------------------------------------


@wrong("linreg.predict", L, ["transpos"], "X.T @ w")
def predict(X, w, b):
    return X.T @ w + b


@wrong("linreg.predict", L, ["bias", "+ b"], "forgets the bias")
def predict(X, w, b):  # noqa: F811
    return X @ w


@wrong("linreg.predict", L, ["(n, 1)", "(n,)", "shape", "column", "flatten", "ravel"],
       "X @ w[:, None] + b: an (N, 1) column instead of (N,)")
def predict(X, w, b):  # noqa: F811
    return X @ w[:, None] + b


@wrong("linreg.predict", L, ["sign", "minus", "subtract"], "subtracts the bias")
def predict(X, w, b):  # noqa: F811
    return np.dot(X, w) - b


@wrong("linreg.predict", L, ["axis"], "(X * w).sum(axis=0): sums over the examples")
def predict(X, w, b):  # noqa: F811
    return (X * w).sum(axis=0) + b


@correct("linreg.predict", L, "einsum")
def predict(X, w, b):  # noqa: F811
    return np.einsum("nd,d->n", X, w) + b


# ---- linreg.mse(y_pred, y) ------------------------------------------------------------------------


@wrong("linreg.mse", L, ["mean", "average", "1/n", "divide by n", "factor n"], "sum instead of mean")
def mse(y_pred, y):
    return float(np.sum((y_pred - y) ** 2))


@wrong("linreg.mse", L, ["square root", "rmse", "sqrt"], "root mean squared error")
def mse(y_pred, y):  # noqa: F811
    return float(np.sqrt(np.mean((y_pred - y) ** 2)))


@wrong("linreg.mse", L, ["absolute", "square", "mae"], "mean absolute error")
def mse(y_pred, y):  # noqa: F811
    return float(np.mean(np.abs(y_pred - y)))


@wrong("linreg.mse", L, ["float", "type", "0-d", "ndarray"], "returns a 0-d ndarray instead of a Python float")
def mse(y_pred, y):  # noqa: F811
    return np.array(np.mean((y_pred - y) ** 2))


@wrong("linreg.mse", L, ["broadcast", "(n, 1)", "(n, n)"], "y_pred.reshape(-1, 1) - y broadcasts to (N, N)")
def mse(y_pred, y):  # noqa: F811
    return float(np.mean((y_pred.reshape(-1, 1) - y) ** 2))


@wrong("linreg.mse", L, ["n - 1", "n-1", "(n-1)", "1/n", "divide by n"], "divides by N - 1")
def mse(y_pred, y):  # noqa: F811
    return float(np.sum((y_pred - y) ** 2) / (len(y) - 1))


@wrong("linreg.mse", L, ["1/2", "half", "0.5", "factor 2", "factor of 2", "twice"], "half the mean squared error")
def mse(y_pred, y):  # noqa: F811
    return float(0.5 * np.mean((y_pred - y) ** 2))


@correct("linreg.mse", L, "dot product of the residual with itself")
def mse(y_pred, y):  # noqa: F811
    r = np.asarray(y_pred, dtype=float) - y
    return float(r @ r / r.size)


# ---- linreg.mse_gradients(X, y, w, b) -----------------------------------------------------------------


@wrong("linreg.mse_gradients", L, ["factor 2", "factor of 2", "2/n", "half", "twice"], "forgets the 2")
def mse_gradients(X, y, w, b):
    r = X @ w + b - y
    return X.T @ r / len(y), float(np.sum(r) / len(y))


@wrong("linreg.mse_gradients", L, ["1/n", "n times", "mean", "average", "divide by n"], "forgets the 1/N")
def mse_gradients(X, y, w, b):  # noqa: F811
    r = X @ w + b - y
    return 2 * X.T @ r, float(2 * np.sum(r))


@wrong("linreg.mse_gradients", L, ["sum", "vector", "scalar", "single number", "a number", "float"],
       "db is the vector 2/N * r, not its sum")
def mse_gradients(X, y, w, b):  # noqa: F811
    r = X @ w + b - y
    return 2 / len(y) * X.T @ r, 2 / len(y) * r


@wrong("linreg.mse_gradients", L, ["sign"], "residual y - prediction: both gradients have the wrong sign")
def mse_gradients(X, y, w, b):  # noqa: F811
    r = y - (X @ w + b)
    return 2 / len(y) * X.T @ r, float(2 / len(y) * np.sum(r))


@wrong("linreg.mse_gradients", L, ["transpos"], "X @ r instead of X.T @ r")
def mse_gradients(X, y, w, b):  # noqa: F811
    r = X @ w + b - y
    return 2 / len(y) * X @ r, float(2 / len(y) * np.sum(r))


@wrong("linreg.mse_gradients", L, ["factor 2", "factor of 2", "2/n", "half", "twice"], "db = mean(r): the 2 forgotten in db only")
def mse_gradients(X, y, w, b):  # noqa: F811
    r = X @ w + b - y
    return 2 / len(y) * X.T @ r, float(np.mean(r))


@wrong("linreg.mse_gradients", L, ["bias", "+ b", "residual"], "the residual leaves out b")
def mse_gradients(X, y, w, b):  # noqa: F811
    r = X @ w - y
    return 2 / len(y) * X.T @ r, float(2 / len(y) * np.sum(r))


@correct("linreg.mse_gradients", L, "einsum and an explicit mean")
def mse_gradients(X, y, w, b):  # noqa: F811
    r = np.einsum("nd,d->n", X, w) + b - y
    return 2.0 * np.einsum("nd,n->d", X, r) / X.shape[0], 2.0 * float(r.mean())


# ---- linreg.gd_step(X, y, w, b, lr) -----------------------------------------------------------------------


def _grads(X, y, w, b):
    r = X @ w + b - y
    return 2 / len(y) * X.T @ r, float(2 / len(y) * np.sum(r))


@wrong("linreg.gd_step", L, ["sign", "ascent", "uphill", "minus"], "steps up the gradient")
def gd_step(X, y, w, b, lr):
    dw, db = _grads(X, y, w, b)
    return w + lr * dw, b + lr * db


@wrong("linreg.gd_step", L, ["in place", "in-place", "modif", "caller", "changed"], "w -= lr * dw changes the caller's array")
def gd_step(X, y, w, b, lr):  # noqa: F811
    dw, db = _grads(X, y, w, b)
    w -= lr * dw
    return w, b - lr * db


@wrong("linreg.gd_step", L, ["old", "before", "both gradients", "sequential", "simultaneous", "new w", "same point"],
       "moves w first, then computes db at the new w")
def gd_step(X, y, w, b, lr):  # noqa: F811
    dw, _ = _grads(X, y, w, b)
    w_new = w - lr * dw
    _, db = _grads(X, y, w_new, b)
    return w_new, b - lr * db


@wrong("linreg.gd_step", L, ["order", "swap"], "returns (b, w)")
def gd_step(X, y, w, b, lr):  # noqa: F811
    dw, db = _grads(X, y, w, b)
    return b - lr * db, w - lr * dw


@wrong("linreg.gd_step", L, ["learning rate", "step size"], "forgets the learning rate on b")
def gd_step(X, y, w, b, lr):  # noqa: F811
    dw, db = _grads(X, y, w, b)
    return w - lr * dw, b - db


@wrong("linreg.gd_step", L, ["factor 2", "factor of 2", "2/n", "half", "twice"], "its own gradient without the 2: a half step")
def gd_step(X, y, w, b, lr):  # noqa: F811
    r = X @ w + b - y
    return w - lr * X.T @ r / len(y), b - lr * float(np.mean(r))


@correct("linreg.gd_step", L, "copies, then in-place updates on the copies")
def gd_step(X, y, w, b, lr):  # noqa: F811
    dw, db = _grads(X, y, w, b)
    w_new = np.array(w, dtype=float, copy=True)
    w_new -= lr * dw
    return w_new, float(b) - lr * db


# ---- linreg.train_linear(X, y, lr, epochs, batch_size, rng) -----------------------------------------------


def _mse(y_pred, y):
    return float(np.mean((y_pred - y) ** 2))


def _step(X, y, w, b, lr):
    dw, db = _grads(X, y, w, b)
    return w - lr * dw, b - lr * db


@wrong("linreg.train_linear", L, ["rng", "random generator", "global", "np.random"],
       "np.random.permutation (the global generator) instead of the given rng")
def train_linear(X, y, lr, epochs, batch_size, rng):
    N, D = X.shape
    w, b, losses = np.zeros(D), 0.0, []
    for _ in range(epochs):
        order = np.random.permutation(N)
        for start in range(0, N, batch_size):
            rows = order[start:start + batch_size]
            w, b = _step(X[rows], y[rows], w, b, lr)
        losses.append(_mse(X @ w + b, y))
    return w, b, np.array(losses)


@wrong("linreg.train_linear", L, ["shuffle", "permutation", "rng", "order"], "never shuffles: order = np.arange(N)")
def train_linear(X, y, lr, epochs, batch_size, rng):  # noqa: F811
    N, D = X.shape
    w, b, losses = np.zeros(D), 0.0, []
    for _ in range(epochs):
        order = np.arange(N)
        for start in range(0, N, batch_size):
            rows = order[start:start + batch_size]
            w, b = _step(X[rows], y[rows], w, b, lr)
        losses.append(_mse(X @ w + b, y))
    return w, b, np.array(losses)


@wrong("linreg.train_linear", L, ["same rows", "y[rows]", "target", "mismatch", "labels"],
       "shuffles X but takes y[start:start + B] in the original order")
def train_linear(X, y, lr, epochs, batch_size, rng):  # noqa: F811
    N, D = X.shape
    w, b, losses = np.zeros(D), 0.0, []
    for _ in range(epochs):
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            rows = order[start:start + batch_size]
            w, b = _step(X[rows], y[start:start + batch_size], w, b, lr)
        losses.append(_mse(X @ w + b, y))
    return w, b, np.array(losses)


@wrong("linreg.train_linear", L, ["last batch", "smaller batch", "leftover", "remainder", "range(0, n"],
       "range(0, N - batch_size, batch_size) drops the last batch")
def train_linear(X, y, lr, epochs, batch_size, rng):  # noqa: F811
    N, D = X.shape
    w, b, losses = np.zeros(D), 0.0, []
    for _ in range(epochs):
        order = rng.permutation(N)
        for start in range(0, N - batch_size, batch_size):
            rows = order[start:start + batch_size]
            w, b = _step(X[rows], y[rows], w, b, lr)
        losses.append(_mse(X @ w + b, y))
    return w, b, np.array(losses)


@wrong("linreg.train_linear", L, ["one per epoch", "per epoch", "length", "number of losses", "too many"],
       "records the loss after every batch instead of every epoch")
def train_linear(X, y, lr, epochs, batch_size, rng):  # noqa: F811
    N, D = X.shape
    w, b, losses = np.zeros(D), 0.0, []
    for _ in range(epochs):
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            rows = order[start:start + batch_size]
            w, b = _step(X[rows], y[rows], w, b, lr)
            losses.append(_mse(X @ w + b, y))
    return w, b, np.array(losses)


@wrong("linreg.train_linear", L, ["list", "np.array", "ndarray", "numpy array"], "returns losses as a Python list")
def train_linear(X, y, lr, epochs, batch_size, rng):  # noqa: F811
    N, D = X.shape
    w, b, losses = np.zeros(D), 0.0, []
    for _ in range(epochs):
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            rows = order[start:start + batch_size]
            w, b = _step(X[rows], y[rows], w, b, lr)
        losses.append(_mse(X @ w + b, y))
    return w, b, losses


@wrong("linreg.train_linear", L, ["every epoch", "each epoch", "once", "new order"], "draws the permutation once, before the epochs")
def train_linear(X, y, lr, epochs, batch_size, rng):  # noqa: F811
    N, D = X.shape
    w, b, losses = np.zeros(D), 0.0, []
    order = rng.permutation(N)
    for _ in range(epochs):
        for start in range(0, N, batch_size):
            rows = order[start:start + batch_size]
            w, b = _step(X[rows], y[rows], w, b, lr)
        losses.append(_mse(X @ w + b, y))
    return w, b, np.array(losses)


@wrong("linreg.train_linear", L, ["after", "before", "shift", "initial", "start of"], "records the loss at the start of each epoch")
def train_linear(X, y, lr, epochs, batch_size, rng):  # noqa: F811
    N, D = X.shape
    w, b, losses = np.zeros(D), 0.0, []
    for _ in range(epochs):
        losses.append(_mse(X @ w + b, y))
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            rows = order[start:start + batch_size]
            w, b = _step(X[rows], y[rows], w, b, lr)
    return w, b, np.array(losses)


@correct("linreg.train_linear", L, "a while loop over batch starts, losses in a preallocated array")
def train_linear(X, y, lr, epochs, batch_size, rng):  # noqa: F811
    N, D = X.shape
    w, b = np.zeros(D), 0.0
    losses = np.empty(epochs)
    for e in range(epochs):
        order = rng.permutation(N)
        start = 0
        while start < N:
            rows = order[start:start + batch_size]
            w, b = _step(X[rows], y[rows], w, b, lr)
            start += batch_size
        losses[e] = _mse(X @ w + b, y)
    return w, b, losses


# ---- linreg.normal_equations(X, y) ----------------------------------------------------------------------------


@wrong("linreg.normal_equations", L, ["bias", "column of ones", "intercept"], "no column of ones: b = 0")
def normal_equations(X, y):
    w = np.linalg.solve(X.T @ X, X.T @ y)
    return w, 0.0


@wrong("linreg.normal_equations", L, ["order", "first column", "last column", "ones column", "swap"],
       "puts the ones column first but reads b from the last entry")
def normal_equations(X, y):  # noqa: F811
    Xt = np.hstack([np.ones((len(X), 1)), X])
    theta = np.linalg.lstsq(Xt, y, rcond=None)[0]
    return theta[:-1], float(theta[-1])


@wrong("linreg.normal_equations", L, ["float", "scalar", "shape ()", "(1,)", "single number"], "returns b as a 1-element array")
def normal_equations(X, y):  # noqa: F811
    Xt = np.hstack([X, np.ones((len(X), 1))])
    theta = np.linalg.lstsq(Xt, y, rcond=None)[0]
    return theta[:-1], theta[-1:]


@wrong("linreg.normal_equations", L, ["tuple", "(w, b)", "pair", "two values", "unpack"], "returns theta, one array")
def normal_equations(X, y):  # noqa: F811
    Xt = np.hstack([X, np.ones((len(X), 1))])
    return np.linalg.lstsq(Xt, y, rcond=None)[0]


@wrong("linreg.normal_equations", L, ["bias", "intercept", "centre", "center", "mean"],
       "fits w without a bias column, then sets b = mean(y)")
def normal_equations(X, y):  # noqa: F811
    w = np.linalg.lstsq(X, y, rcond=None)[0]
    return w, float(np.mean(y))


@correct("linreg.normal_equations", L, "an explicit inverse (the lesson advises against it, but it is right)")
def normal_equations(X, y):  # noqa: F811
    Xt = np.hstack([X, np.ones((len(X), 1))])
    theta = np.linalg.inv(Xt.T @ Xt) @ Xt.T @ y
    return theta[:-1], float(theta[-1])


@correct("linreg.normal_equations", L, "centre X and y, solve for w, then b = mean(y) - mean(X) @ w")
def normal_equations(X, y):  # noqa: F811
    mx, my = X.mean(axis=0), y.mean()
    w = np.linalg.lstsq(X - mx, y - my, rcond=None)[0]
    return w, float(my - mx @ w)
