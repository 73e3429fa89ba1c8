"""Lesson 05: the two-layer network's loss and gradients, composed from the lesson's layer functions (which the
check replaces by the grader's), and inline versions of the same slips."""
import numpy as np

from . import mlp_training  # noqa: F401  (the training loop's entries, registered after these)
from ._catalogue import correct, wrong


def linear_forward(x, W, b):
    return x @ W + b


def linear_backward(dout, x, W, b):
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def relu_forward(x):
    return np.maximum(x, 0)


def relu_backward(dout, x):
    return dout * (x > 0)


def softmax_cross_entropy_forward(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(y)), y].mean())


def softmax_cross_entropy_backward(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@correct("mlp.two_layer_net")
def two_layer_net(X, y, W1, b1, W2, b2):
    """The lesson's table, layer by layer."""
    z1 = linear_forward(X, W1, b1)
    h = relu_forward(z1)
    z2 = linear_forward(h, W2, b2)
    loss = softmax_cross_entropy_forward(z2, y)
    dz2 = softmax_cross_entropy_backward(z2, y)
    dh, dW2, db2 = linear_backward(dz2, h, W2, b2)
    dz1 = relu_backward(dh, z1)
    _, dW1, db1 = linear_backward(dz1, X, W1, b1)
    return loss, dW1, db1, dW2, db2


@correct("mlp.two_layer_net")
def two_layer_net_onehot(X, y, W1, b1, W2, b2):
    """Inline: one-hot matrix, log-sum-exp loss, ReLU mask taken from h instead of z1 (the same where h > 0)."""
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


def _layers(X, y, W1, b1, W2, b2, *, skip_mask=False, z1_in_second=False, mask_from=None, h_is_z1=False):
    """The table with one composition slip (what the switch says), each layer right (the grader's)."""
    z1 = linear_forward(X, W1, b1)
    h = z1 if h_is_z1 else relu_forward(z1)
    z2 = linear_forward(h, W2, b2)
    loss = softmax_cross_entropy_forward(z2, y)
    dz2 = softmax_cross_entropy_backward(z2, y)
    dh, dW2, db2 = linear_backward(dz2, z1 if z1_in_second else h, W2, b2)
    dz1 = dh if skip_mask or h_is_z1 else relu_backward(dh, z1 if mask_from is None else mask_from(dh))
    _, dW1, db1 = linear_backward(dz1, X, W1, b1)
    return loss, dW1, db1, dW2, db2


@wrong("mlp.two_layer_net", "missing_relu_backward")
def two_layer_net_no_mask(X, y, W1, b1, W2, b2):
    """Backward goes straight from the second layer to the first, skipping the ReLU."""
    return _layers(X, y, W1, b1, W2, b2, skip_mask=True)


@wrong("mlp.two_layer_net", "pre_activation")
def two_layer_net_dW2_from_z1(X, y, W1, b1, W2, b2):
    """Hands z1 to the second layer's backward as its input."""
    return _layers(X, y, W1, b1, W2, b2, z1_in_second=True)


@wrong("mlp.two_layer_net", "no_relu")
def two_layer_net_no_relu(X, y, W1, b1, W2, b2):
    return _layers(X, y, W1, b1, W2, b2, h_is_z1=True)


@wrong("mlp.two_layer_net", "mask_from_gradient")
def two_layer_net_mask_dh(X, y, W1, b1, W2, b2):
    """relu_backward(dh, dh): the mask from the gradient."""
    return _layers(X, y, W1, b1, W2, b2, mask_from=lambda dh: dh)


def _inline(X, y, W1, b1, W2, b2):
    """The forward pass and dscores written out, for the inline slips below."""
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    s = h @ W2 + b2
    p = _softmax(s)
    ds = p.copy()
    ds[np.arange(len(y)), y] -= 1
    return z1, h, s, p, ds / len(y)


def _rest(X, z1, h, W2, ds):
    dz1 = (ds @ W2.T) * (z1 > 0)
    return X.T @ dz1, dz1.sum(0), h.T @ ds, ds.sum(0)


@wrong("mlp.two_layer_net", "double_mean")
def two_layer_net_divides_again(X, y, W1, b1, W2, b2):
    """Divides the weight gradients by N although dscores already has the 1/N."""
    n = X.shape[0]
    z1, h, s, p, ds = _inline(X, y, W1, b1, W2, b2)
    dz1 = (ds @ W2.T) * (z1 > 0)
    return softmax_cross_entropy_forward(s, y), X.T @ dz1 / n, dz1.sum(0), h.T @ ds / n, ds.sum(0)


@wrong("mlp.two_layer_net", "missing_onehot")
def two_layer_net_no_onehot(X, y, W1, b1, W2, b2):
    """dscores = softmax / N: forgot to subtract the one-hot labels."""
    z1, h, s, p, _ = _inline(X, y, W1, b1, W2, b2)
    return (softmax_cross_entropy_forward(s, y), *_rest(X, z1, h, W2, p / len(y)))


@wrong("mlp.two_layer_net", "bias_not_summed")
def two_layer_net_db_per_example(X, y, W1, b1, W2, b2):
    """Returns the per-example bias gradients, without the sum over the batch."""
    z1, h, s, p, ds = _inline(X, y, W1, b1, W2, b2)
    dz1 = (ds @ W2.T) * (z1 > 0)
    return softmax_cross_entropy_forward(s, y), X.T @ dz1, dz1, h.T @ ds, ds


@wrong("mlp.two_layer_net", "summed_loss")
def two_layer_net_sum_loss(X, y, W1, b1, W2, b2):
    """The loss is summed over the batch, not averaged (gradients are right)."""
    z1, h, s, p, ds = _inline(X, y, W1, b1, W2, b2)
    return (-np.sum(np.log(p[np.arange(len(y)), y])), *_rest(X, z1, h, W2, ds))


@wrong("mlp.two_layer_net", "dW1_transposed")
def two_layer_net_dW1_transposed(X, y, W1, b1, W2, b2):
    """dz1.T @ X: the first layer's weight gradient comes out (H, D)."""
    z1, h, s, p, ds = _inline(X, y, W1, b1, W2, b2)
    dz1 = (ds @ W2.T) * (z1 > 0)
    return softmax_cross_entropy_forward(s, y), dz1.T @ X, dz1.sum(0), h.T @ ds, ds.sum(0)


@wrong("mlp.two_layer_net", "loss_sign")
def two_layer_net_loss_sign(X, y, W1, b1, W2, b2):
    z1, h, s, p, ds = _inline(X, y, W1, b1, W2, b2)
    return (np.mean(np.log(p[np.arange(len(y)), y])), *_rest(X, z1, h, W2, ds))


@wrong("mlp.two_layer_net", "gradient_not_averaged")
def two_layer_net_ds_sum(X, y, W1, b1, W2, b2):
    z1, h, s, p, ds = _inline(X, y, W1, b1, W2, b2)
    return (softmax_cross_entropy_forward(s, y), *_rest(X, z1, h, W2, ds * len(y)))


@wrong("mlp.two_layer_net", "fancy_index")
def two_layer_net_fancy(X, y, W1, b1, W2, b2):
    """p[:, y] picks an (N, N) block instead of one probability per example."""
    z1, h, s, p, ds = _inline(X, y, W1, b1, W2, b2)
    return (-np.mean(np.log(p[:, y])), *_rest(X, z1, h, W2, ds))


@wrong("mlp.two_layer_net", "max_not_added")
def two_layer_net_lse_no_max(X, y, W1, b1, W2, b2):
    z1, h, s, p, ds = _inline(X, y, W1, b1, W2, b2)
    z = s - s.max(axis=1, keepdims=True)
    loss = np.mean(np.log(np.exp(z).sum(axis=1)) - s[np.arange(len(y)), y])
    return (loss, *_rest(X, z1, h, W2, ds))


@wrong("mlp.two_layer_net", "db1_before_mask")
def two_layer_net_db1_from_dh(X, y, W1, b1, W2, b2):
    z1, h, s, p, ds = _inline(X, y, W1, b1, W2, b2)
    dh = ds @ W2.T
    dz1 = dh * (z1 > 0)
    return softmax_cross_entropy_forward(s, y), X.T @ dz1, dh.sum(0), h.T @ ds, ds.sum(0)


@wrong("mlp.two_layer_net", "W2_not_transposed")
def two_layer_net_W2(X, y, W1, b1, W2, b2):
    z1, h, s, p, ds = _inline(X, y, W1, b1, W2, b2)
    dz1 = (ds @ W2) * (z1 > 0)
    return softmax_cross_entropy_forward(s, y), X.T @ dz1, dz1.sum(0), h.T @ ds, ds.sum(0)


@wrong("mlp.two_layer_net", "mask_times_value")
def two_layer_net_times_h(X, y, W1, b1, W2, b2):
    z1, h, s, p, ds = _inline(X, y, W1, b1, W2, b2)
    dz1 = (ds @ W2.T) * h
    return softmax_cross_entropy_forward(s, y), X.T @ dz1, dz1.sum(0), h.T @ ds, ds.sum(0)
