"""Lesson 05: the two-layer network's loss and gradients, and its training loop."""
import numpy as np

from ._catalogue import correct, wrong


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _forward(X, W1, b1, W2, b2):
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    return z1, h, h @ W2 + b2


def _loss(scores, y):
    p = _softmax(scores)
    return float(-np.mean(np.log(p[np.arange(len(y)), y])))


def _dscores(scores, y):
    d = _softmax(scores)
    d[np.arange(len(y)), y] -= 1
    return d / len(y)


# ----------------------------------------------------------------------------- two_layer_net


@correct("mlp.two_layer_net")
def two_layer_net(X, y, W1, b1, W2, b2):
    """Layer by layer, each backward fed with what its forward saw (cs231n's caches)."""
    z1, h, scores = _forward(X, W1, b1, W2, b2)
    loss = _loss(scores, y)
    ds = _dscores(scores, y)
    dW2, db2 = h.T @ ds, ds.sum(axis=0)
    dz1 = (ds @ W2.T) * (z1 > 0)
    return loss, X.T @ dz1, dz1.sum(axis=0), dW2, db2


@correct("mlp.two_layer_net")
def two_layer_net_onehot(X, y, W1, b1, W2, b2):
    """One-hot matrix, log-sum-exp loss, ReLU mask taken from h instead of z1 (the same where h > 0)."""
    n, c = X.shape[0], W2.shape[1]
    Y = np.eye(c)[y]
    h = np.maximum(0, X @ W1 + b1)
    s = h @ W2 + b2
    m = s.max(axis=1, keepdims=True)
    lse = m + np.log(np.exp(s - m).sum(axis=1, keepdims=True))
    loss = np.mean(lse[:, 0] - (s * Y).sum(axis=1))
    ds = (np.exp(s - lse) - Y) / n
    dh = ds @ W2.T
    dh[h <= 0] = 0
    return loss, X.T @ dh, dh.sum(0), h.T @ ds, ds.sum(0)


@wrong("mlp.two_layer_net", "missing_relu_backward")
def two_layer_net_no_mask(X, y, W1, b1, W2, b2):
    """Backward goes straight from the second layer to the first, skipping the ReLU."""
    z1, h, scores = _forward(X, W1, b1, W2, b2)
    ds = _dscores(scores, y)
    dh = ds @ W2.T
    return _loss(scores, y), X.T @ dh, dh.sum(0), h.T @ ds, ds.sum(0)


@wrong("mlp.two_layer_net", "pre_activation")
def two_layer_net_dW2_from_z1(X, y, W1, b1, W2, b2):
    """Uses the pre-activation z1 as the second layer's input in dW2."""
    z1, h, scores = _forward(X, W1, b1, W2, b2)
    ds = _dscores(scores, y)
    dz1 = (ds @ W2.T) * (z1 > 0)
    return _loss(scores, y), X.T @ dz1, dz1.sum(0), z1.T @ ds, ds.sum(0)


@wrong("mlp.two_layer_net", "double_mean")
def two_layer_net_divides_again(X, y, W1, b1, W2, b2):
    """Divides the weight gradients by N although dscores already has the 1/N."""
    n = X.shape[0]
    z1, h, scores = _forward(X, W1, b1, W2, b2)
    ds = _dscores(scores, y)
    dz1 = (ds @ W2.T) * (z1 > 0)
    return _loss(scores, y), X.T @ dz1 / n, dz1.sum(0), h.T @ ds / n, ds.sum(0)


@wrong("mlp.two_layer_net", "missing_onehot")
def two_layer_net_no_onehot(X, y, W1, b1, W2, b2):
    """dscores = softmax / N: forgot to subtract the one-hot labels."""
    z1, h, scores = _forward(X, W1, b1, W2, b2)
    ds = _softmax(scores) / len(y)
    dz1 = (ds @ W2.T) * (z1 > 0)
    return _loss(scores, y), X.T @ dz1, dz1.sum(0), h.T @ ds, ds.sum(0)


@wrong("mlp.two_layer_net", "batch_not_reduced")
def two_layer_net_db_per_example(X, y, W1, b1, W2, b2):
    """Returns the per-example bias gradients, without the sum over the batch."""
    z1, h, scores = _forward(X, W1, b1, W2, b2)
    ds = _dscores(scores, y)
    dz1 = (ds @ W2.T) * (z1 > 0)
    return _loss(scores, y), X.T @ dz1, dz1, h.T @ ds, ds


@wrong("mlp.two_layer_net", "scale")
def two_layer_net_sum_loss(X, y, W1, b1, W2, b2):
    """The loss is summed over the batch, not averaged (gradients are right)."""
    z1, h, scores = _forward(X, W1, b1, W2, b2)
    ds = _dscores(scores, y)
    dz1 = (ds @ W2.T) * (z1 > 0)
    return _loss(scores, y) * len(y), X.T @ dz1, dz1.sum(0), h.T @ ds, ds.sum(0)


@wrong("mlp.two_layer_net", "transposed")
def two_layer_net_dW1_transposed(X, y, W1, b1, W2, b2):
    """dz1.T @ X: the first layer's weight gradient comes out (H, D)."""
    z1, h, scores = _forward(X, W1, b1, W2, b2)
    ds = _dscores(scores, y)
    dz1 = (ds @ W2.T) * (z1 > 0)
    return _loss(scores, y), dz1.T @ X, dz1.sum(0), h.T @ ds, ds.sum(0)


# ------------------------------------------------------------------------- train_two_layer_net


def _train(X, y, hidden_size, num_classes, lr, epochs, seed, *, init="he", relu=True, sign=1.0,
           biases=True, steps=None):
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    if init == "he":
        W1 = rng.normal(size=(d, hidden_size)) * np.sqrt(2 / d)
        W2 = rng.normal(size=(hidden_size, num_classes)) * np.sqrt(2 / hidden_size)
    else:
        W1, W2 = np.full((d, hidden_size), init), np.full((hidden_size, num_classes), init)
    b1, b2 = np.zeros(hidden_size), np.zeros(num_classes)
    for _ in range(epochs if steps is None else steps):
        z1 = X @ W1 + b1
        h = np.maximum(z1, 0) if relu else z1
        ds = _dscores(h @ W2 + b2, y)
        dz1 = (ds @ W2.T) * ((z1 > 0) if relu else 1.0)
        W1 = W1 - sign * lr * (X.T @ dz1)
        W2 = W2 - sign * lr * (h.T @ ds)
        if biases:
            b1 = b1 - sign * lr * dz1.sum(0)
            b2 = b2 - sign * lr * ds.sum(0)
    return W1, b1, W2, b2


@correct("mlp.train_two_layer_net")
def train_two_layer_net(X, y, hidden_size, num_classes, lr, epochs, seed):
    return _train(X, y, hidden_size, num_classes, lr, epochs, seed)


@correct("mlp.train_two_layer_net")
def train_two_layer_net_small_init(X, y, hidden_size, num_classes, lr, epochs, seed):
    """cs231n's habit: weights from N(0, 0.1²), biases zero, in-place updates."""
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
    return _train(X, y, hidden_size, num_classes, lr, epochs, seed, init=0.0)


@wrong("mlp.train_two_layer_net", "symmetry")
def train_two_layer_net_constant_init(X, y, hidden_size, num_classes, lr, epochs, seed):
    """Starts every weight at 0.1: the hidden units move in lockstep."""
    return _train(X, y, hidden_size, num_classes, lr, epochs, seed, init=0.1)


@wrong("mlp.train_two_layer_net", "low_accuracy")
def train_two_layer_net_no_relu(X, y, hidden_size, num_classes, lr, epochs, seed):
    """Forgets the nonlinearity: two linear layers are one linear map."""
    return _train(X, y, hidden_size, num_classes, lr, epochs, seed, relu=False)


@wrong("mlp.train_two_layer_net", "sign")  # the first step goes uphill (seen against the gradient)
def train_two_layer_net_ascent(X, y, hidden_size, num_classes, lr, epochs, seed):
    """Adds the gradient: gradient ascent on the loss, which blows up (the message names the sign)."""
    return _train(X, y, hidden_size, num_classes, lr, epochs, seed, sign=-1.0)


@wrong("mlp.train_two_layer_net", "low_accuracy")
def train_two_layer_net_one_step(X, y, hidden_size, num_classes, lr, epochs, seed):
    """The update sits outside the loop: a single step of training."""
    return _train(X, y, hidden_size, num_classes, lr, epochs, seed, steps=1)


@wrong("mlp.train_two_layer_net", "wrong_shape")
def train_two_layer_net_torch_layout(X, y, hidden_size, num_classes, lr, epochs, seed):
    """Returns the weights in nn.Linear's (out, in) layout."""
    W1, b1, W2, b2 = _train(X, y, hidden_size, num_classes, lr, epochs, seed)
    return W1.T, b1, W2.T, b2


@wrong("mlp.train_two_layer_net", "sign")
def train_two_layer_net_flipped_gradient(X, y, hidden_size, num_classes, lr, epochs, seed):
    """onehot − softmax instead of softmax − onehot, for a few steps: the loss climbs."""
    return _train(X, y, hidden_size, num_classes, lr, epochs, seed, sign=-1.0, steps=3)


@wrong("mlp.train_two_layer_net", "wrong_type")
def train_two_layer_net_dict(X, y, hidden_size, num_classes, lr, epochs, seed):
    """Returns a dict of parameters (cs231n's params) instead of the tuple."""
    W1, b1, W2, b2 = _train(X, y, hidden_size, num_classes, lr, epochs, seed)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
