"""Softmax, cross-entropy forward/backward on logits, MSE backward."""
import numpy as np

from ._catalogue import correct, wrong


def _softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@correct("losses.softmax")
def softmax(x):
    return _softmax(x)


@wrong("losses.softmax", "no_max_trick")
def softmax_naive(x):
    """No max trick: exp overflows on large logits."""
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)


@wrong("losses.softmax", "global_max")
def softmax_global_max(x):
    """Subtracts the global max: rows far below it underflow to 0/0."""
    e = np.exp(x - x.max())
    return e / e.sum(axis=1, keepdims=True)


@wrong("losses.softmax", "wrong_axis")
def softmax_axis0(x):
    e = np.exp(x - x.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


@wrong("losses.softmax", "wrong_axis")
def softmax_all(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return np.exp(x) / np.exp(x).sum() + 0 * e


@wrong("losses.softmax", "keepdims_missing")
def softmax_no_keepdims(x):
    """(N, C) / (N,) broadcasting fails (or silently mis-aligns when N == C)."""
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1)


@wrong("losses.softmax", "no_exp")
def softmax_no_exp(x):
    """Normalises the raw scores."""
    return x / x.sum(axis=1, keepdims=True)


@correct("losses.cross_entropy")
def cross_entropy(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].mean()


@wrong("losses.cross_entropy", "log_of_softmax")
def cross_entropy_log_of_softmax(logits, y):
    """log(softmax): log(0) = -inf when a probability underflows."""
    return -np.log(_softmax(logits)[np.arange(len(y)), y]).mean()


@wrong("losses.cross_entropy", "sum_not_mean")
def cross_entropy_sum(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].sum()


@wrong("losses.cross_entropy", "sign")
def cross_entropy_no_minus(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return logp[np.arange(len(y)), y].mean()


@wrong("losses.cross_entropy", "missing_normalizer")
def cross_entropy_no_logsumexp(logits, y):
    """Only the correct class's logit."""
    return -logits[np.arange(len(y)), y].mean()


@wrong("losses.cross_entropy", "wrong_indexing")
def cross_entropy_column_index(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -logp[:, y].mean()


@wrong("losses.cross_entropy", "no_reduction")
def cross_entropy_per_example(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y]


@correct("losses.cross_entropy_backward")
def cross_entropy_backward(logits, y):
    p = _softmax(logits)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


@wrong("losses.cross_entropy_backward", "missing_mean")
def cross_entropy_backward_no_mean(logits, y):
    p = _softmax(logits)
    p[np.arange(len(y)), y] -= 1
    return p


@wrong("losses.cross_entropy_backward", "sign")
def cross_entropy_backward_sign(logits, y):
    onehot = np.eye(logits.shape[1])[y]
    return (onehot - _softmax(logits)) / len(y)


@wrong("losses.cross_entropy_backward", "missing_onehot")
def cross_entropy_backward_no_onehot(logits, y):
    return _softmax(logits) / len(y)


@wrong("losses.cross_entropy_backward", "no_max_trick")
def cross_entropy_backward_naive(logits, y):
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


@wrong("losses.cross_entropy_backward", "wrong_indexing")
def cross_entropy_backward_column(logits, y):
    """p[:, y] -= 1 subtracts in every row, for every label in the batch."""
    p = _softmax(logits)
    p[:, y] -= 1
    return p / len(y)


@wrong("losses.cross_entropy_backward", "scale")
def cross_entropy_backward_over_c(logits, y):
    """Divides by the number of classes instead of the batch size."""
    p = _softmax(logits)
    p[np.arange(len(y)), y] -= 1
    return p / logits.shape[1]


@correct("losses.mse_backward")
def mse_backward(y_pred, y):
    return 2 * (y_pred - y) / y_pred.size


@wrong("losses.mse_backward", "missing_two")
def mse_backward_no_two(y_pred, y):
    return (y_pred - y) / y_pred.size


@wrong("losses.mse_backward", "missing_mean")
def mse_backward_no_mean(y_pred, y):
    return 2 * (y_pred - y)


@wrong("losses.mse_backward", "sign")
def mse_backward_sign(y_pred, y):
    return 2 * (y - y_pred) / y_pred.size


@wrong("losses.mse_backward", "divided_by_rows")
def mse_backward_over_n(y_pred, y):
    """Divides by len(y): right for (N,), off by K for (N, K)."""
    return 2 * (y_pred - y) / len(y)


@wrong("losses.mse_backward", "wrong_shape")
def mse_backward_mean(y_pred, y):
    """Returns the mean gradient, a single number."""
    return np.mean(2 * (y_pred - y))


@wrong("losses.mse_backward", "mutated_input")
def mse_backward_inplace(y_pred, y):
    y_pred -= y
    return 2 * y_pred / y_pred.size


from . import losses_more  # noqa: F401,E402  (one entry per catalogued mistake added with issue #20)
