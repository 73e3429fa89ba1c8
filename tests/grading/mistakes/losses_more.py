"""Lesson 02, more learner-like mistakes: softmax, cross_entropy, cross_entropy_backward (the notebook's
cross_entropy_grad) and mse_backward, one per catalogued mistake, written the way a learner writes them."""
import numpy as np

from ._catalogue import correct, wrong

# ---------------------------------------------------------------------------------------- softmax


@correct("losses.softmax")
def softmax_logsumexp(x):
    """exp(x − logsumexp(x)) per row, float32 kept float32."""
    m = x.max(axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(x - m), axis=1, keepdims=True))
    return np.exp(x - lse)


@wrong("losses.softmax", "max_keepdims_missing")
def softmax_max_no_keepdims(x):
    e = np.exp(x - np.max(x, axis=1))
    return e / e.sum(axis=1, keepdims=True)


@wrong("losses.softmax", "max_only_in_numerator")
def softmax_shift_top_only(x):
    shifted = x - x.max(axis=1, keepdims=True)
    return np.exp(shifted) / np.sum(np.exp(x), axis=1, keepdims=True)


@wrong("losses.softmax", "mean_not_sum")
def softmax_mean(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.mean(axis=1, keepdims=True)


@wrong("losses.softmax", "not_normalized")
def softmax_no_division(x):
    return np.exp(x - x.max(axis=1, keepdims=True))


@wrong("losses.softmax", "returned_log_softmax")
def softmax_log(x):
    z = x - x.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


@wrong("losses.softmax", "sigmoid_per_element")
def softmax_sigmoid(x):
    return 1 / (1 + np.exp(-x))


# ---------------------------------------------------------------------------------------- cross_entropy


def softmax(x):
    """The learner's exercise 3 (the checks of cross_entropy and its gradient give them the grader's)."""
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _log_probs(logits):
    m = logits.max(axis=1, keepdims=True)
    return logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))


@correct("losses.cross_entropy")
def cross_entropy_via_softmax_and_clip(logits, y):
    """The label's log-probability from the log-sum-exp, one row at a time."""
    total = 0.0
    for i, label in enumerate(y):
        row = logits[i]
        m = row.max()
        total += m + np.log(np.exp(row - m).sum()) - row[label]
    return total / len(y)


@wrong("losses.cross_entropy", "rows_indexed_by_label")
def cross_entropy_rows(logits, y):
    return -np.mean(_log_probs(logits)[y])


@wrong("losses.cross_entropy", "argmax_not_label")
def cross_entropy_argmax(logits, y):
    logp = _log_probs(logits)
    return -np.mean(logp[np.arange(len(y)), logits.argmax(axis=1)])


@wrong("losses.cross_entropy", "label_ignored")
def cross_entropy_all_classes(logits, y):
    return -np.mean(_log_probs(logits))


@wrong("losses.cross_entropy", "no_max_trick")
def cross_entropy_naive_lse(logits, y):
    lse = np.log(np.sum(np.exp(logits), axis=1))
    return np.mean(lse - logits[np.arange(len(y)), y])


@wrong("losses.cross_entropy", "max_not_added_back")
def cross_entropy_forgot_m(logits, y):
    m = logits.max(axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(logits - m), axis=1))
    return np.mean(lse - logits[np.arange(len(y)), y])


@wrong("losses.cross_entropy", "max_added_twice")
def cross_entropy_mixed_shift(logits, y):
    m = logits.max(axis=1, keepdims=True)
    z = logits - m
    lse = m[:, 0] + np.log(np.exp(z).sum(axis=1))
    return np.mean(lse - z[np.arange(len(y)), y])


@wrong("losses.cross_entropy", "mean_over_classes_too")
def cross_entropy_onehot_mean(logits, y):
    Y = np.eye(logits.shape[1])[y]
    return -np.mean(Y * _log_probs(logits))


@wrong("losses.cross_entropy", "wrong_axis")
def cross_entropy_axis0(logits, y):
    m = logits.max(axis=0, keepdims=True)
    logp = logits - m - np.log(np.exp(logits - m).sum(axis=0, keepdims=True))
    return -np.mean(logp[np.arange(len(y)), y])


# ---------------------------------------------------------------------------------------- cross_entropy_grad


@correct("losses.cross_entropy_backward")
def cross_entropy_grad_onehot(logits, y):
    """The notebook's formula with an explicit one-hot matrix built from C = logits.shape[1]."""
    Y = np.zeros_like(logits, dtype=float)
    Y[np.arange(len(y)), y] = 1.0
    return (softmax(logits) - Y) / len(y)


@wrong("losses.cross_entropy_backward", "rows_indexed_by_label")
def cross_entropy_grad_rows(logits, y):
    p = softmax(logits)
    p[y] -= 1
    return p / len(y)


@wrong("losses.cross_entropy_backward", "onehot_size_from_labels")
def cross_entropy_grad_eye_max(logits, y):
    Y = np.eye(y.max() + 1)[y]
    return (softmax(logits) - Y) / len(y)


@wrong("losses.cross_entropy_backward", "divided_twice")
def cross_entropy_grad_twice(logits, y):
    n = len(y)
    p = softmax(logits) / n
    p[np.arange(n), y] -= 1 / n
    return p / n


@wrong("losses.cross_entropy_backward", "precedence")
def cross_entropy_grad_brackets(logits, y):
    Y = np.eye(logits.shape[1])[y]
    return softmax(logits) - Y / len(y)


@wrong("losses.cross_entropy_backward", "log_probabilities")
def cross_entropy_grad_logp(logits, y):
    g = _log_probs(logits)
    g[np.arange(len(y)), y] -= 1
    return g / len(y)


@wrong("losses.cross_entropy_backward", "gradient_of_log")
def cross_entropy_grad_wrt_p(logits, y):
    Y = np.eye(logits.shape[1])[y]
    return -Y / (len(y) * softmax(logits))


@wrong("losses.cross_entropy_backward", "wrong_axis")
def cross_entropy_grad_inline_axis0(logits, y):
    e = np.exp(logits - logits.max(axis=0, keepdims=True))
    p = e / e.sum(axis=0, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


# ---------------------------------------------------------------------------------------- mse_backward


@wrong("losses.mse_backward", "residual_only")
def mse_backward_residual(y_pred, y):
    return y_pred - y


@wrong("losses.mse_backward", "returns_loss")
def mse_backward_loss(y_pred, y):
    return np.mean((y_pred - y) ** 2)


@wrong("losses.mse_backward", "squared_residual")
def mse_backward_squared(y_pred, y):
    return 2 * (y_pred - y) ** 2 / y_pred.size
