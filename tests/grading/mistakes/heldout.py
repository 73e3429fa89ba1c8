"""Held-out mistakes: written after the recognizers were frozen, without changing the grader,
to measure how the diagnoses generalise beyond the entries they were built alongside.
Tags are what a tutor would say; the catalogue test reports these separately."""
import numpy as np

from ._catalogue import correct, wrong

HELDOUT = "heldout"


@wrong("linreg.predict", "column_vector")
def predict_column_weights(X, w, b):
    return X @ w.reshape(-1, 1) + b


@wrong("linreg.mse", "half")
def mse_half(y_pred, y):
    """The 1/2 convention of some textbooks."""
    return np.mean(np.square(y - y_pred)) / 2


@wrong("linreg.mse_gradients", "scale")
def mse_gradients_over_d(X, y, w, b):
    """Divides dw by the number of features."""
    r = X @ w + b - y
    return 2 * X.T @ r / len(y) * (len(y) / X.shape[1]), 2 * r.mean()


@correct("linreg.mse_gradients")
def mse_gradients_row_form(X, y, w, b):
    r = X @ w + b - y
    return 2 / len(y) * (r @ X), 2 * np.mean(r)


@wrong("layers.linear_backward", "db_wrong_axis")
def linear_backward_db_wrong_axis(dout, x, W, b):
    return dout @ W.T, x.T @ dout, dout.sum(axis=1)


@wrong("activations.relu_backward", "wrong_mask")
def relu_backward_threshold(dout, x):
    """A threshold of 0.5 instead of 0."""
    return dout * (x > 0.5)


@correct("activations.tanh_backward")
def tanh_backward_factored(dout, x):
    t = np.tanh(x)
    return dout * (1 - t) * (1 + t)


@wrong("losses.softmax", "wrong_axis")
def softmax_column_max(x):
    """Subtracts the max of each column, which changes each row's softmax."""
    e = np.exp(x - x.max(axis=0, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@wrong("losses.cross_entropy", "nonfinite")
def cross_entropy_naive(logits, y):
    p = np.exp(logits[np.arange(len(y)), y]) / np.exp(logits).sum(axis=1)
    return -np.mean(np.log(p))


@wrong("losses.cross_entropy_backward", "divided_by_size")
def cross_entropy_backward_mean_all(logits, y):
    """Averages over classes as well as examples."""
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = z / z.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / p.size


@wrong("optim.adam", "bias_correction")
def adam_only_m_corrected(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    return w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v) + eps), m, v


@wrong("regularization.dropout_forward", "wrong_keep_prob")
def dropout_forward_where_over_p(x, mask, p):
    return np.where(mask, x, 0) * (1 / p)


@wrong("regularization.batchnorm_forward", "wrong_axis")
def batchnorm_forward_global_stats(x, gamma, beta, eps):
    """Normalises with the mean and variance of the whole array."""
    return gamma * (x - x.mean()) / np.sqrt(x.var() + eps) + beta


@wrong("cnn.conv2d_backward", "batch_not_reduced")
def conv2d_backward_db_spatial_only(dout, x, weight, b, stride, padding):
    from .conv import _conv_back
    dx, dw = _conv_back(dout, x, weight, stride, padding)
    return dx, dw, dout.sum(axis=(2, 3))


@wrong("cnn.max_pool_forward", "wrong_shape")
def max_pool_forward_no_plus_one(x, kernel_size, stride):
    n, c, h, w = x.shape
    ho, wo = (h - kernel_size) // stride, (w - kernel_size) // stride
    out = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + kernel_size, j * stride:j * stride + kernel_size].max(axis=(2, 3))
    return out


@wrong("autodiff.topological_sort", "no_leaves")
def topological_sort_skips_leaves(root):
    order, seen = [], set()

    def visit(v):
        if v not in seen and v._prev:
            seen.add(v)
            for c in v._prev:
                visit(c)
            order.append(v)
    visit(root)
    return order
