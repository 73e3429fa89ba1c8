"""Lesson 05: the training loop, calling two_layer_net (the grader's while checked) as the lesson asks, or
computing the gradients inline."""
import numpy as np

from ._catalogue import correct, wrong


def _dscores(scores, y):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    d = e / e.sum(axis=1, keepdims=True)
    d[np.arange(len(y)), y] -= 1
    return d / len(y)


def two_layer_net(X, y, W1, b1, W2, b2):
    """The learner's own network (replaced by the grader's while the loop is checked)."""
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    ds = _dscores(h @ W2 + b2, y)
    dz1 = (ds @ W2.T) * (z1 > 0)
    return 0.0, X.T @ dz1, dz1.sum(0), h.T @ ds, ds.sum(0)


def _he(X, hidden_size, num_classes, seed):
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    W1 = rng.normal(size=(d, hidden_size)) * np.sqrt(2 / d)
    W2 = rng.normal(size=(hidden_size, num_classes)) * np.sqrt(2 / hidden_size)
    return W1, np.zeros(hidden_size), W2, np.zeros(num_classes)


@correct("mlp.train_two_layer_net")
def train_two_layer_net(X, y, hidden_size, num_classes, lr, epochs, seed):
    W1, b1, W2, b2 = _he(X, hidden_size, num_classes, seed)
    for _ in range(epochs):
        _, dW1, db1, dW2, db2 = two_layer_net(X, y, W1, b1, W2, b2)
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2


@correct("mlp.train_two_layer_net")
def train_two_layer_net_inline(X, y, hidden_size, num_classes, lr, epochs, seed):
    """The recipe with the scale as normal's argument, in-place updates and the gradients written inline."""
    rng = np.random.default_rng(seed)
    W1 = rng.normal(0.0, np.sqrt(2 / X.shape[1]), size=(X.shape[1], hidden_size))
    W2 = rng.normal(0.0, (2 / hidden_size) ** 0.5, size=(hidden_size, num_classes))
    b1, b2 = np.zeros(hidden_size), np.zeros(num_classes)
    for _ in range(epochs):
        z1 = X @ W1 + b1
        h = np.maximum(z1, 0)
        ds = _dscores(h @ W2 + b2, y)
        dz1 = ds @ W2.T * (z1 > 0)
        dW2, db2, dW1, db1 = h.T @ ds, ds.sum(0), X.T @ dz1, dz1.sum(0)
        W2 -= lr * dW2
        b2 -= lr * db2
        W1 -= lr * dW1
        b1 -= lr * db1
    return W1, b1, W2, b2


@wrong("mlp.train_two_layer_net", "init_scale")
def train_two_layer_net_variance(X, y, hidden_size, num_classes, lr, epochs, seed):
    """He's variance 2 / D used as the scale (accurate enough on these datasets all the same)."""
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    W1 = rng.normal(size=(d, hidden_size)) * (2 / d)
    W2 = rng.normal(size=(hidden_size, num_classes)) * (2 / hidden_size)
    b1, b2 = np.zeros(hidden_size), np.zeros(num_classes)
    for _ in range(epochs):
        _, dW1, db1, dW2, db2 = two_layer_net(X, y, W1, b1, W2, b2)
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2


@wrong("mlp.train_two_layer_net", "off_the_run")
def train_two_layer_net_small_init(X, y, hidden_size, num_classes, lr, epochs, seed):
    """cs231n's habit, not the lesson's recipe: weights from N(0, 0.1²), biases zero, in-place updates."""
    rng = np.random.default_rng(seed)
    W1 = 0.1 * rng.standard_normal((X.shape[1], hidden_size))
    W2 = 0.1 * rng.standard_normal((hidden_size, num_classes))
    b1, b2 = np.zeros(hidden_size), np.zeros(num_classes)
    for _ in range(epochs):
        z1 = X @ W1 + b1
        h = np.maximum(z1, 0)
        ds = _dscores(h @ W2 + b2, y)
        dz1 = ds @ W2.T * (z1 > 0)
        W2 -= lr * h.T @ ds
        b2 -= lr * ds.sum(0)
        W1 -= lr * X.T @ dz1
        b1 -= lr * dz1.sum(0)
    return W1, b1, W2, b2


@wrong("mlp.train_two_layer_net", "symmetry")
def train_two_layer_net_zero_init(X, y, hidden_size, num_classes, lr, epochs, seed):
    """Starts from all-zero weights."""
    W1, b1 = np.zeros((X.shape[1], hidden_size)), np.zeros(hidden_size)
    W2, b2 = np.zeros((hidden_size, num_classes)), np.zeros(num_classes)
    for _ in range(epochs):
        _, dW1, db1, dW2, db2 = two_layer_net(X, y, W1, b1, W2, b2)
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2


@wrong("mlp.train_two_layer_net", "symmetry")
def train_two_layer_net_constant_init(X, y, hidden_size, num_classes, lr, epochs, seed):
    """Starts every weight at 0.1: the hidden units move in lockstep."""
    W1, b1 = np.full((X.shape[1], hidden_size), 0.1), np.zeros(hidden_size)
    W2, b2 = np.full((hidden_size, num_classes), 0.1), np.zeros(num_classes)
    for _ in range(epochs):
        _, dW1, db1, dW2, db2 = two_layer_net(X, y, W1, b1, W2, b2)
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2


@wrong("mlp.train_two_layer_net", "sign")
def train_two_layer_net_ascent(X, y, hidden_size, num_classes, lr, epochs, seed):
    """Adds the gradient: gradient ascent on the loss."""
    W1, b1, W2, b2 = _he(X, hidden_size, num_classes, seed)
    for _ in range(epochs):
        _, dW1, db1, dW2, db2 = two_layer_net(X, y, W1, b1, W2, b2)
        W1, b1, W2, b2 = W1 + lr * dW1, b1 + lr * db1, W2 + lr * dW2, b2 + lr * db2
    return W1, b1, W2, b2


@wrong("mlp.train_two_layer_net", "one_step")
def train_two_layer_net_one_step(X, y, hidden_size, num_classes, lr, epochs, seed):
    """The update sits outside the loop: a single step of training."""
    W1, b1, W2, b2 = _he(X, hidden_size, num_classes, seed)
    for _ in range(epochs):
        _, dW1, db1, dW2, db2 = two_layer_net(X, y, W1, b1, W2, b2)
    W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2


@wrong("mlp.train_two_layer_net", "not_updated")
def train_two_layer_net_not_assigned(X, y, hidden_size, num_classes, lr, epochs, seed):
    """Computes the new weights but never assigns them."""
    W1, b1, W2, b2 = _he(X, hidden_size, num_classes, seed)
    for _ in range(epochs):
        _, dW1, db1, dW2, db2 = two_layer_net(X, y, W1, b1, W2, b2)
        new = (W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2)  # noqa: F841
    return W1, b1, W2, b2


@wrong("mlp.train_two_layer_net", "stale_gradient")
def train_two_layer_net_gradients_once(X, y, hidden_size, num_classes, lr, epochs, seed):
    W1, b1, W2, b2 = _he(X, hidden_size, num_classes, seed)
    _, dW1, db1, dW2, db2 = two_layer_net(X, y, W1, b1, W2, b2)
    for _ in range(epochs):
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2


@wrong("mlp.train_two_layer_net", "lr_divided")
def train_two_layer_net_lr_over_n(X, y, hidden_size, num_classes, lr, epochs, seed):
    """Divides by N once more, as if the gradients were sums."""
    W1, b1, W2, b2 = _he(X, hidden_size, num_classes, seed)
    n = len(y)
    for _ in range(epochs):
        _, dW1, db1, dW2, db2 = two_layer_net(X, y, W1, b1, W2, b2)
        W1, b1, W2, b2 = W1 - lr * dW1 / n, b1 - lr * db1 / n, W2 - lr * dW2 / n, b2 - lr * db2 / n
    return W1, b1, W2, b2


@wrong("mlp.train_two_layer_net", "last_layer_only")
def train_two_layer_net_w2_only(X, y, hidden_size, num_classes, lr, epochs, seed):
    W1, b1, W2, b2 = _he(X, hidden_size, num_classes, seed)
    for _ in range(epochs):
        _, dW1, db1, dW2, db2 = two_layer_net(X, y, W1, b1, W2, b2)
        W2, b2 = W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2


@wrong("mlp.train_two_layer_net", "low_accuracy")
def train_two_layer_net_no_relu(X, y, hidden_size, num_classes, lr, epochs, seed):
    """Forgets the nonlinearity in its own inline gradients: two linear layers are one linear map."""
    W1, b1, W2, b2 = _he(X, hidden_size, num_classes, seed)
    for _ in range(epochs):
        h = X @ W1 + b1
        ds = _dscores(h @ W2 + b2, y)
        dh = ds @ W2.T
        W1, b1, W2, b2 = W1 - lr * X.T @ dh, b1 - lr * dh.sum(0), W2 - lr * h.T @ ds, b2 - lr * ds.sum(0)
    return W1, b1, W2, b2


@wrong("mlp.train_two_layer_net", "wrong_shape")
def train_two_layer_net_torch_layout(X, y, hidden_size, num_classes, lr, epochs, seed):
    """Returns the weights in nn.Linear's (out, in) layout."""
    W1, b1, W2, b2 = train_two_layer_net(X, y, hidden_size, num_classes, lr, epochs, seed)
    return W1.T, b1, W2.T, b2


@wrong("mlp.train_two_layer_net", "wrong_type")
def train_two_layer_net_dict(X, y, hidden_size, num_classes, lr, epochs, seed):
    """Returns a dict of parameters (cs231n's params) instead of the tuple."""
    W1, b1, W2, b2 = train_two_layer_net(X, y, hidden_size, num_classes, lr, epochs, seed)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


@wrong("mlp.train_two_layer_net", "unseeded_random")
def train_two_layer_net_global_rng(X, y, hidden_size, num_classes, lr, epochs, seed):
    """Draws the initial weights from numpy's global generator, ignoring the seed; trains for only a few steps."""
    d = X.shape[1]
    W1, W2 = np.random.randn(d, hidden_size) * 0.01, np.random.randn(hidden_size, num_classes) * 0.01
    b1, b2 = np.zeros(hidden_size), np.zeros(num_classes)
    for _ in range(3):
        _, dW1, db1, dW2, db2 = two_layer_net(X, y, W1, b1, W2, b2)
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2
