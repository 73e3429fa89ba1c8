"""Round-2 fresh entries for lesson 05 (MLP)."""
import numpy as np

from ._fresh import correct, wrong


def _ce(z, y):
    n = z.shape[0]
    m = z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    return float(np.mean(lse - z[np.arange(n), y]))


def _ce_grad(z, y):
    n = z.shape[0]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    g = e / e.sum(axis=1, keepdims=True)
    g[np.arange(n), y] -= 1.0
    return g / n


def _net(X, y, W1, b1, W2, b2):
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    z2 = h @ W2 + b2
    dz2 = _ce_grad(z2, y)
    dh = dz2 @ W2.T
    dz1 = dh * (z1 > 0)
    return _ce(z2, y), X.T @ dz1, dz1.sum(axis=0), h.T @ dz2, dz2.sum(axis=0)


# ---------------------------------------------------------------- linear_forward / backward


@wrong("layers.linear_forward", "05", ["transpos", "layout", "(d, m)", "w.t"],
       "uses PyTorch's layout, x @ W.T + b, although W here is (D, M)")
def linear_forward(x, W, b):
    return x @ W.T + b


@wrong("layers.linear_backward", "05", ["sum", "mean", "1/n", "average"],
       "averages dout over the batch for db instead of summing it")
def linear_backward(dout, x, W, b):
    return dout @ W.T, x.T @ dout, dout.mean(axis=0)


@wrong("layers.linear_backward", "05", ["transpos", "x.t @ dout", "(d, m)", "(m, d)"],
       "computes dW as dout.T @ x, the transpose of the right gradient")
def linear_backward(dout, x, W, b):  # noqa: F811
    return dout @ W.T, dout.T @ x, dout.sum(axis=0)


@correct("layers.linear_backward", "05", "all three gradients with np.einsum")
def linear_backward(dout, x, W, b):  # noqa: F811
    dx = np.einsum("nm,dm->nd", dout, W)
    dW = np.einsum("nd,nm->dm", x, dout)
    db = np.einsum("nm->m", dout)
    return dx, dW, db


# ---------------------------------------------------------------- relu


@wrong("activations.relu_forward", "05", ["in place", "in-place", "modif", "mutat", "copy"],
       "zeroes the negative entries of x itself (x[x < 0] = 0) and returns x")
def relu_forward(x):
    x[x < 0] = 0
    return x


@wrong("activations.relu_backward", "05", ["x > 0", "dout > 0", "sign of dout", "input x", "instead of x"],
       "masks with the sign of the upstream gradient (dout > 0) instead of the ReLU's input")
def relu_backward(dout, x):
    return dout * (dout > 0)


# ---------------------------------------------------------------- sigmoid_backward


@wrong("activations.sigmoid_backward", "05", ["sigmoid(x)", "σ(x)", "compute s", "apply the sigmoid", "x itself"],
       "uses x itself as s in dout * s * (1 - s), forgetting that x is the sigmoid's input")
def sigmoid_backward(dout, x):
    return dout * x * (1 - x)


@correct("activations.sigmoid_backward", "05", "the symmetric form sigma'(x) = e^-|x| / (1 + e^-|x|)^2")
def sigmoid_backward(dout, x):  # noqa: F811
    e = np.exp(-np.abs(x))
    return dout * e / (1.0 + e) ** 2


# ---------------------------------------------------------------- two_layer_net


@wrong("mlp.two_layer_net", "05", ["relu", "mask", "activation"],
       "passes dh straight to the first layer, skipping the ReLU's backward")
def two_layer_net(X, y, W1, b1, W2, b2):
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    z2 = h @ W2 + b2
    dz2 = _ce_grad(z2, y)
    dh = dz2 @ W2.T
    return _ce(z2, y), X.T @ dh, dh.sum(axis=0), h.T @ dz2, dz2.sum(axis=0)


@wrong("mlp.two_layer_net", "05", ["pre-activation", "z1", "relu output", "post-activation", "hidden activations"],
       "feeds the second layer's backward the pre-activation z1 instead of h = relu(z1), so dW2 is wrong")
def two_layer_net(X, y, W1, b1, W2, b2):  # noqa: F811
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    z2 = h @ W2 + b2
    dz2 = _ce_grad(z2, y)
    dh, dW2, db2 = dz2 @ W2.T, z1.T @ dz2, dz2.sum(axis=0)
    dz1 = dh * (z1 > 0)
    return _ce(z2, y), X.T @ dz1, dz1.sum(axis=0), dW2, db2


@correct("mlp.two_layer_net", "05", "masks with h > 0 instead of z1 > 0 and folds softmax and loss into one log-softmax")
def two_layer_net(X, y, W1, b1, W2, b2):  # noqa: F811
    n = X.shape[0]
    h = np.maximum(X @ W1 + b1, 0.0)
    z2 = h @ W2 + b2
    shifted = z2 - z2.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_p[np.arange(n), y].sum() / n)
    dz2 = np.exp(log_p)
    dz2[np.arange(n), y] -= 1.0
    dz2 /= n
    dh = dz2 @ W2.T
    dh[h <= 0] = 0.0
    return loss, X.T @ dh, dh.sum(axis=0), h.T @ dz2, dz2.sum(axis=0)


# ---------------------------------------------------------------- train_two_layer_net


@wrong("mlp.train_two_layer_net", "05", ["rng", "generator", "seed", "once", "same numbers"],
       "creates a fresh default_rng(seed) for W2 as well, so W2 starts from the same numbers as W1")
def train_two_layer_net(X, y, hidden_size, num_classes, lr, epochs, seed):
    D = X.shape[1]
    W1 = np.random.default_rng(seed).normal(size=(D, hidden_size)) * np.sqrt(2 / D)
    W2 = np.random.default_rng(seed).normal(size=(hidden_size, num_classes)) * np.sqrt(2 / hidden_size)
    b1, b2 = np.zeros(hidden_size), np.zeros(num_classes)
    for _ in range(epochs):
        _, dW1, db1, dW2, db2 = _net(X, y, W1, b1, W2, b2)
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2


@wrong("mlp.train_two_layer_net", "05", ["scale", "sqrt(2", "2 / d", "he", "initial"],
       "scales the initial weights by sqrt(1 / fan_in) instead of sqrt(2 / fan_in)")
def train_two_layer_net(X, y, hidden_size, num_classes, lr, epochs, seed):  # noqa: F811
    rng = np.random.default_rng(seed)
    D = X.shape[1]
    W1 = rng.normal(size=(D, hidden_size)) * np.sqrt(1 / D)
    W2 = rng.normal(size=(hidden_size, num_classes)) * np.sqrt(1 / hidden_size)
    b1, b2 = np.zeros(hidden_size), np.zeros(num_classes)
    for _ in range(epochs):
        _, dW1, db1, dW2, db2 = _net(X, y, W1, b1, W2, b2)
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2
