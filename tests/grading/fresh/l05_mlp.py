"""Lesson 05 · Multilayer networks: linear_forward/backward, relu_forward/backward, sigmoid_backward,
softmax_cross_entropy_forward/backward, two_layer_net, train_two_layer_net."""
import numpy as np

from ._fresh import correct, wrong

L = "05"

# ---- layers.linear_forward(x, W, b) -------------------------------------------------------------


@wrong("layers.linear_forward", L, ["transpos"], "x @ W.T + b (dlkit's layout)")
def linear_forward(x, W, b):
    return x @ W.T + b


@wrong("layers.linear_forward", L, ["bias", "+ b"], "forgets the bias")
def linear_forward(x, W, b):  # noqa: F811
    return x @ W


@wrong("layers.linear_forward", L, ["order", "operand", "transpos"], "W.T @ x.T: the transposed output")
def linear_forward(x, W, b):  # noqa: F811
    return W.T @ x.T + b[:, None]


@wrong("layers.linear_forward", L, ["bias", "broadcast", "shape"], "b[:, None]: the bias added as a column")
def linear_forward(x, W, b):  # noqa: F811
    return x @ W + b[:, None]


@correct("layers.linear_forward", L, "einsum")
def linear_forward(x, W, b):  # noqa: F811
    return np.einsum("nd,dm->nm", x, W) + b


# ---- layers.linear_backward(dout, x, W, b) ------------------------------------------------------------------


@wrong("layers.linear_backward", L, ["transpos"], "dW = dout.T @ x: the transpose")
def linear_backward(dout, x, W, b):
    return dout @ W.T, dout.T @ x, dout.sum(axis=0)


@wrong("layers.linear_backward", L, ["sum", "mean", "1/n", "factor"], "db = dout.mean(axis=0)")
def linear_backward(dout, x, W, b):  # noqa: F811
    return dout @ W.T, x.T @ dout, dout.mean(axis=0)


@wrong("layers.linear_backward", L, ["axis"], "db = dout.sum(axis=1)")
def linear_backward(dout, x, W, b):  # noqa: F811
    return dout @ W.T, x.T @ dout, dout.sum(axis=1)


@wrong("layers.linear_backward", L, ["transpos"], "dx = dout @ W (no transpose)")
def linear_backward(dout, x, W, b):  # noqa: F811
    return dout @ W, x.T @ dout, dout.sum(axis=0)


@wrong("layers.linear_backward", L, ["order", "swap"], "returns (dW, dx, db)")
def linear_backward(dout, x, W, b):  # noqa: F811
    return x.T @ dout, dout @ W.T, dout.sum(axis=0)


@wrong("layers.linear_backward", L, ["axis", "shape", "scalar", "sum over", "single number"], "db = dout.sum(): one number")
def linear_backward(dout, x, W, b):  # noqa: F811
    return dout @ W.T, x.T @ dout, dout.sum()


@correct("layers.linear_backward", L, "einsum for all three")
def linear_backward(dout, x, W, b):  # noqa: F811
    return np.einsum("nm,dm->nd", dout, W), np.einsum("nd,nm->dm", x, dout), np.einsum("nm->m", dout)


# ---- activations.relu_forward(x), relu_backward(dout, x) --------------------------------------------------------


@wrong("activations.relu_forward", L, ["in place", "in-place", "modif", "changed"], "x[x < 0] = 0; return x")
def relu_forward(x):
    x[x < 0] = 0
    return x


@wrong("activations.relu_forward", L, ["np.maximum", "maximum", "reduc", "shape", "max("], "np.max(x, 0): a reduction over axis 0")
def relu_forward(x):  # noqa: F811
    return np.max(x, 0)


@wrong("activations.relu_forward", L, ["leaky", "negative", "zero"], "a leaky ReLU with slope 0.01")
def relu_forward(x):  # noqa: F811
    return np.where(x > 0, x, 0.01 * x)


@correct("activations.relu_forward", L, "x * (x > 0)")
def relu_forward(x):  # noqa: F811
    return x * (x > 0)


@wrong("activations.relu_backward", L, ["mask", "input", "x > 0", "dout > 0"], "masks with dout > 0 instead of x > 0")
def relu_backward(dout, x):
    return dout * (dout > 0)


@wrong("activations.relu_backward", L, ["dout", "upstream", "multiply"], "returns the mask x > 0 without dout")
def relu_backward(dout, x):  # noqa: F811
    return (x > 0).astype(float)


@wrong("activations.relu_backward", L, [">= 0", ">=", "x == 0", "zero", "x > 0"], "mask x >= 0: passes gradient at x == 0")
def relu_backward(dout, x):  # noqa: F811
    return dout * (x >= 0)


@wrong("activations.relu_backward", L, ["in place", "in-place", "modif", "changed"], "dout[x <= 0] = 0; return dout")
def relu_backward(dout, x):  # noqa: F811
    dout[x <= 0] = 0
    return dout


@correct("activations.relu_backward", L, "np.where")
def relu_backward(dout, x):  # noqa: F811
    return np.where(x > 0, dout, 0.0)


# ---- activations.sigmoid_backward(dout, x) ----------------------------------------------------------------------


@wrong("activations.sigmoid_backward", L, ["sigmoid(x)", "input", "s = ", "σ(x)", "sigmoid of"],
       "dout * x * (1 - x): uses the input instead of sigma(x)")
def sigmoid_backward(dout, x):
    return dout * x * (1 - x)


@wrong("activations.sigmoid_backward", L, ["overflow", "stabl"], "the naive sigmoid: exp overflows at x = -900")
def sigmoid_backward(dout, x):  # noqa: F811
    s = 1 / (1 + np.exp(-x))
    return dout * s * (1 - s)


@wrong("activations.sigmoid_backward", L, ["dout", "upstream"], "forgets dout")
def sigmoid_backward(dout, x):  # noqa: F811
    e = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return s * (1 - s)


@wrong("activations.sigmoid_backward", L, ["overflow", "nan", "inf"], "exp(x) / (1 + exp(x)): nan at x = 900")
def sigmoid_backward(dout, x):  # noqa: F811
    s = np.exp(x) / (1 + np.exp(x))
    return dout * s * (1 - s)


# Relabelled after measurement (written as a correct answer): its values are right, but cosh(450)**2 overflows
# and numpy warns in the learner's cell, which exercise 4 rules out in words ("compute the sigmoid so that exp
# only ever sees non-positive numbers"; its check includes x = ±900), the naive sigmoid's catalogued mistake.
@wrong("activations.sigmoid_backward", L, ["overflow"], "sigma(1 - sigma) = 1 / (4 cosh^2(x / 2))")
def sigmoid_backward(dout, x):  # noqa: F811
    return dout * 0.25 / np.cosh(0.5 * np.clip(x, -1400, 1400)) ** 2


# ---- losses.cross_entropy / cross_entropy_backward (lesson 05's names) -----------------------------------------


@wrong("losses.cross_entropy", L, ["max", "overflow", "nan", "inf", "stab"], "no max subtraction before exp")
def softmax_cross_entropy_forward(logits, y):
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(len(y)), y]))


@wrong("losses.cross_entropy", L, ["mean", "average", "1/n", "divide by n"], "sum over the batch")
def softmax_cross_entropy_forward(logits, y):  # noqa: F811
    s = logits - logits.max(axis=1, keepdims=True)
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    return float(-np.sum(log_p[np.arange(len(y)), y]))


@wrong("losses.cross_entropy_backward", L, ["1/n", "divide by n", "mean", "n times"], "forgets the 1/N")
def softmax_cross_entropy_backward(logits, y):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p


@wrong("losses.cross_entropy_backward", L, ["one-hot", "onehot", "subtract", "label", "true class"],
       "returns softmax / N without subtracting the one-hot labels")
def softmax_cross_entropy_backward(logits, y):  # noqa: F811
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True) / len(y)


# ---- mlp.two_layer_net(X, y, W1, b1, W2, b2) ---------------------------------------------------------------------


def _sce(s, y):
    s = s - s.max(axis=1, keepdims=True)
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    p = np.exp(log_p)
    N = len(y)
    loss = float(-np.mean(log_p[np.arange(N), y]))
    ds = p.copy()
    ds[np.arange(N), y] -= 1
    return loss, ds / N


@wrong("mlp.two_layer_net", L, ["relu", "mask"], "forgets the ReLU's backward: dz1 = dh")
def two_layer_net(X, y, W1, b1, W2, b2):
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    loss, ds = _sce(h @ W2 + b2, y)
    dW2, db2, dh = h.T @ ds, ds.sum(0), ds @ W2.T
    dz1 = dh
    return loss, X.T @ dz1, dz1.sum(0), dW2, db2


@wrong("mlp.two_layer_net", L, ["dw1", "mask", "relu"], "a typo: dW1 = X.T @ dh (the unmasked gradient), db1 from dz1")
def two_layer_net(X, y, W1, b1, W2, b2):  # noqa: F811
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    loss, ds = _sce(h @ W2 + b2, y)
    dW2, db2, dh = h.T @ ds, ds.sum(0), ds @ W2.T
    dz1 = dh * (z1 > 0)
    return loss, X.T @ dh, dz1.sum(0), dW2, db2


@wrong("mlp.two_layer_net", L, ["mean", "1/n", "average", "divide by n", "n times"],
       "the loss and its gradient summed over the batch instead of averaged")
def two_layer_net(X, y, W1, b1, W2, b2):  # noqa: F811
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    loss, ds = _sce(h @ W2 + b2, y)
    N = len(y)
    loss, ds = loss * N, ds * N
    dW2, db2, dh = h.T @ ds, ds.sum(0), ds @ W2.T
    dz1 = dh * (z1 > 0)
    return loss, X.T @ dz1, dz1.sum(0), dW2, db2


@wrong("mlp.two_layer_net", L, ["order", "swap"], "returns (loss, dW2, db2, dW1, db1)")
def two_layer_net(X, y, W1, b1, W2, b2):  # noqa: F811
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    loss, ds = _sce(h @ W2 + b2, y)
    dW2, db2, dh = h.T @ ds, ds.sum(0), ds @ W2.T
    dz1 = dh * (z1 > 0)
    return loss, dW2, db2, X.T @ dz1, dz1.sum(0)


@wrong("mlp.two_layer_net", L, ["b1", "bias"], "forgets b1 in the forward pass")
def two_layer_net(X, y, W1, b1, W2, b2):  # noqa: F811
    z1 = X @ W1
    h = np.maximum(z1, 0)
    loss, ds = _sce(h @ W2 + b2, y)
    dW2, db2, dh = h.T @ ds, ds.sum(0), ds @ W2.T
    dz1 = dh * (z1 > 0)
    return loss, X.T @ dz1, dz1.sum(0), dW2, db2


@wrong("mlp.two_layer_net", L, ["db2", "axis"], "db2 = ds.sum(axis=1)")
def two_layer_net(X, y, W1, b1, W2, b2):  # noqa: F811
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    loss, ds = _sce(h @ W2 + b2, y)
    dW2, db2, dh = h.T @ ds, ds.sum(1), ds @ W2.T
    dz1 = dh * (z1 > 0)
    return loss, X.T @ dz1, dz1.sum(0), dW2, db2


@correct("mlp.two_layer_net", L, "ReLU mask taken from the output h > 0 (the same as z1 > 0)")
def two_layer_net(X, y, W1, b1, W2, b2):  # noqa: F811
    h = np.maximum(X @ W1 + b1, 0)
    loss, ds = _sce(h @ W2 + b2, y)
    dh = ds @ W2.T
    dz1 = np.where(h > 0, dh, 0.0)
    return loss, X.T @ dz1, dz1.sum(0), h.T @ ds, ds.sum(0)


# ---- mlp.train_two_layer_net(X, y, hidden_size, num_classes, lr, epochs, seed) -----------------------------------


def _net(X, y, W1, b1, W2, b2):
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    loss, ds = _sce(h @ W2 + b2, y)
    dh = ds @ W2.T
    dz1 = dh * (z1 > 0)
    return loss, X.T @ dz1, dz1.sum(0), h.T @ ds, ds.sum(0)


@wrong("mlp.train_two_layer_net", L, ["rng", "seed", "global"], "np.random.normal (the global generator) instead of the seeded rng")
def train_two_layer_net(X, y, hidden_size, num_classes, lr, epochs, seed):
    D = X.shape[1]
    W1 = np.random.normal(size=(D, hidden_size)) * np.sqrt(2 / D)
    W2 = np.random.normal(size=(hidden_size, num_classes)) * np.sqrt(2 / hidden_size)
    b1, b2 = np.zeros(hidden_size), np.zeros(num_classes)
    for _ in range(epochs):
        _, dW1, db1, dW2, db2 = _net(X, y, W1, b1, W2, b2)
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2


@wrong("mlp.train_two_layer_net", L, ["zero", "symmetr", "random", "initiali"], "starts every weight at zero")
def train_two_layer_net(X, y, hidden_size, num_classes, lr, epochs, seed):  # noqa: F811
    D = X.shape[1]
    W1, W2 = np.zeros((D, hidden_size)), np.zeros((hidden_size, num_classes))
    b1, b2 = np.zeros(hidden_size), np.zeros(num_classes)
    for _ in range(epochs):
        _, dW1, db1, dW2, db2 = _net(X, y, W1, b1, W2, b2)
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2


@wrong("mlp.train_two_layer_net", L, ["sign", "ascent", "diverg"], "adds the gradients")
def train_two_layer_net(X, y, hidden_size, num_classes, lr, epochs, seed):  # noqa: F811
    rng = np.random.default_rng(seed)
    D = X.shape[1]
    W1 = rng.normal(size=(D, hidden_size)) * np.sqrt(2 / D)
    W2 = rng.normal(size=(hidden_size, num_classes)) * np.sqrt(2 / hidden_size)
    b1, b2 = np.zeros(hidden_size), np.zeros(num_classes)
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            _, dW1, db1, dW2, db2 = _net(X, y, W1, b1, W2, b2)
            W1, b1, W2, b2 = W1 + lr * dW1, b1 + lr * db1, W2 + lr * dW2, b2 + lr * db2
    return W1, b1, W2, b2


@wrong("mlp.train_two_layer_net", L, ["sqrt", "standard deviation", "scale", "initiali", "variance"],
       "scales by 2 / D (the variance) instead of sqrt(2 / D)")
def train_two_layer_net(X, y, hidden_size, num_classes, lr, epochs, seed):  # noqa: F811
    rng = np.random.default_rng(seed)
    D = X.shape[1]
    W1 = rng.normal(size=(D, hidden_size)) * (2 / D)
    W2 = rng.normal(size=(hidden_size, num_classes)) * (2 / hidden_size)
    b1, b2 = np.zeros(hidden_size), np.zeros(num_classes)
    for _ in range(epochs):
        _, dW1, db1, dW2, db2 = _net(X, y, W1, b1, W2, b2)
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2


@wrong("mlp.train_two_layer_net", L, ["inside the loop", "every epoch", "recompute", "each step", "once", "stale"],
       "computes the gradients once, before the loop, and reuses them every epoch")
def train_two_layer_net(X, y, hidden_size, num_classes, lr, epochs, seed):  # noqa: F811
    rng = np.random.default_rng(seed)
    D = X.shape[1]
    W1 = rng.normal(size=(D, hidden_size)) * np.sqrt(2 / D)
    W2 = rng.normal(size=(hidden_size, num_classes)) * np.sqrt(2 / hidden_size)
    b1, b2 = np.zeros(hidden_size), np.zeros(num_classes)
    _, dW1, db1, dW2, db2 = _net(X, y, W1, b1, W2, b2)
    for _ in range(epochs):
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2


@correct("mlp.train_two_layer_net", L, "parameters kept in a list and updated in place on fresh arrays")
def train_two_layer_net(X, y, hidden_size, num_classes, lr, epochs, seed):  # noqa: F811
    rng = np.random.default_rng(seed)
    D = X.shape[1]
    params = [rng.normal(size=(D, hidden_size)) * np.sqrt(2 / D), np.zeros(hidden_size),
              rng.normal(size=(hidden_size, num_classes)) * np.sqrt(2 / hidden_size), np.zeros(num_classes)]
    for _ in range(epochs):
        grads = _net(X, y, *params)[1:]
        for p, g in zip(params, grads):
            p -= lr * g
    return tuple(params)
