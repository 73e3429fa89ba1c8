"""Lesson 02, more learner-like mistakes: sigmoid, bce_loss, numerical_gradient and train_logistic_regression,
one per catalogued mistake, written the way a learner writes them."""
import numpy as np

from ._catalogue import correct, wrong

# ---------------------------------------------------------------------------------------- sigmoid


@correct("activations.sigmoid_forward")
def sigmoid_logaddexp(x):
    """exp(−log(1 + e^(−x))) through logaddexp: stable, unusual, right (float32 stays float32)."""
    return np.exp(-np.logaddexp(0, -x)).astype(np.result_type(x, np.float32))


@wrong("activations.sigmoid_forward", "missing_one")
def sigmoid_no_one(x):
    return 1 / np.exp(-x)


@wrong("activations.sigmoid_forward", "not_inverted")
def sigmoid_denominator(x):
    return 1 + np.exp(-x)


@wrong("activations.sigmoid_forward", "minus_in_denominator")
def sigmoid_minus(x):
    return 1 / (1 - np.exp(-x))


@wrong("activations.sigmoid_forward", "approximate_e")
def sigmoid_e_literal(x):
    e = 2.718
    return 1 / (1 + e ** (-x))


@wrong("activations.sigmoid_forward", "abs_sign")
def sigmoid_abs_sign(x):
    e = np.exp(np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


@wrong("activations.sigmoid_forward", "exp_not_of_abs")
def sigmoid_where_no_abs(x):
    e = np.exp(-x)
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


@wrong("activations.sigmoid_forward", "tanh_identity_scale")
def sigmoid_from_tanh(x):
    return (np.tanh(x) + 1) / 2


@wrong("activations.sigmoid_forward", "softmax_not_sigmoid")
def sigmoid_softmax(x):
    e = np.exp(x)
    return e / e.sum()


@wrong("activations.sigmoid_forward", "hard_threshold")
def sigmoid_step(x):
    return np.where(x > 0, 1.0, 0.0)


# ---------------------------------------------------------------------------------------- bce_loss


@correct("logreg.bce_loss")
def bce_loss_where(p, y):
    """Picks log p or log(1 − p) per example with np.where."""
    return float(-np.mean(np.where(y == 1, np.log(p), np.log(1 - p))))


@wrong("logreg.bce_loss", "missing_positive_term")
def bce_loss_negatives_only(p, y):
    return -np.mean((1 - y) * np.log(1 - p))


@wrong("logreg.bce_loss", "copy_paste_log")
def bce_loss_copy_paste(p, y):
    return -np.mean(y * np.log(p) + (1 - y) * np.log(p))


@wrong("logreg.bce_loss", "log_one_plus_p")
def bce_loss_one_plus(p, y):
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 + p))


@wrong("logreg.bce_loss", "precedence")
def bce_loss_brackets(p, y):
    return -np.mean(y * np.log(p) + 1 - y * np.log(1 - p))


@wrong("logreg.bce_loss", "halved")
def bce_loss_stacked(p, y):
    terms = np.stack([y * np.log(p), (1 - y) * np.log(1 - p)])
    return -terms.mean()


@wrong("logreg.bce_loss", "logit_formula")
def bce_loss_logit_form(p, y):
    """The with-logits formula from the next cell, fed probabilities."""
    return np.mean(np.maximum(p, 0) - p * y + np.log1p(np.exp(-np.abs(p))))


# ---------------------------------------------------------------------------------------- numerical_gradient


@correct("logreg.numerical_gradient")
def numerical_gradient_nditer(f, x, h=1e-5):
    """cs231n's nditer loop, nudging and restoring one entry of a copy."""
    x = x.astype(float)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
        it.iternext()
    return grad


def _loop(f, x, h, entry):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[idx] += h
        x_minus[idx] -= h
        grad[idx] = entry(f(x_plus), f(x_minus), f(x))
    return grad


@wrong("logreg.numerical_gradient", "backward_difference")
def numerical_gradient_backward(f, x, h):
    return _loop(f, x, h, lambda fp, fm, f0: (f0 - fm) / h)


@wrong("logreg.numerical_gradient", "forward_over_2h")
def numerical_gradient_half_forward(f, x, h):
    return _loop(f, x, h, lambda fp, fm, f0: (fp - f0) / (2 * h))


@wrong("logreg.numerical_gradient", "precedence")
def numerical_gradient_no_brackets(f, x, h):
    return _loop(f, x, h, lambda fp, fm, f0: (fp - fm) / 2 * h)


@wrong("logreg.numerical_gradient", "sign")
def numerical_gradient_minus_first(f, x, h):
    return _loop(f, x, h, lambda fp, fm, f0: (fm - fp) / (2 * h))


@wrong("logreg.numerical_gradient", "relative_step")
def numerical_gradient_relative(f, x, h):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[idx] *= 1 + h
        x_minus[idx] *= 1 - h
        grad[idx] = (f(x_plus) - f(x_minus)) / (2 * h)
    return grad


@wrong("logreg.numerical_gradient", "one_number")
def numerical_gradient_scalar(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


@wrong("logreg.numerical_gradient", "not_restored")
def numerical_gradient_no_restore(f, x, h):
    """cs231n's loop on a copy, without putting the entry back."""
    x = x.copy()
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x[idx] += h
        fp = f(x)
        x[idx] -= 2 * h
        fm = f(x)
        grad[idx] = (fp - fm) / (2 * h)
    return grad


from . import logreg_training  # noqa: F401,E402  (train_logistic_regression)
