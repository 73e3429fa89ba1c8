"""Lesson 02: bce_loss, numerical_gradient, train_logistic_regression."""
import numpy as np

from ._catalogue import correct, wrong

# ---------------------------------------------------------------------------------- bce_loss


@correct("logreg.bce_loss")
def bce_loss(p, y):
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


@correct("logreg.bce_loss")
def bce_loss_where(p, y):
    """Picks the probability of the true class first, then averages −log of it."""
    p_true = np.where(y == 1, p, 1 - p)
    return float(np.mean(-np.log(p_true)))


@wrong("logreg.bce_loss", "sum_not_mean")
def bce_loss_sum(p, y):
    """Sum over the batch instead of the mean."""
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


@wrong("logreg.bce_loss", "missing_minus")
def bce_loss_no_minus(p, y):
    """Forgot the minus sign: the log-likelihood, not the loss."""
    return np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


@wrong("logreg.bce_loss", "missing_term")
def bce_loss_positive_only(p, y):
    """Only the y = 1 term."""
    return -np.mean(y * np.log(p))


@wrong("logreg.bce_loss", "swapped_terms")
def bce_loss_swapped(p, y):
    return -np.mean(y * np.log(1 - p) + (1 - y) * np.log(p))


@wrong("logreg.bce_loss", "log_base")
def bce_loss_log10(p, y):
    return -np.mean(y * np.log10(p) + (1 - y) * np.log10(1 - p))


@wrong("logreg.bce_loss", "batch_not_reduced")
def bce_loss_per_example(p, y):
    """Forgot the mean."""
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


@wrong("logreg.bce_loss", "mse_not_bce")
def bce_loss_squared(p, y):
    """The squared error habit from lesson 01."""
    return np.mean((p - y) ** 2)


# -------------------------------------------------------------------------- numerical_gradient


@correct("logreg.numerical_gradient")
def numerical_gradient(f, x, h):
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[idx] += h
        x_minus[idx] -= h
        grad[idx] = (f(x_plus) - f(x_minus)) / (2 * h)
    return grad


@correct("logreg.numerical_gradient")
def numerical_gradient_in_place(f, x, h):
    """Nudges x itself and restores the saved value (cs231n style)."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
        it.iternext()
    return grad


@wrong("logreg.numerical_gradient", "forward_difference")
def numerical_gradient_forward(f, x, h):
    grad = np.zeros_like(x)
    fx = f(x)
    for idx in np.ndindex(x.shape):
        x_plus = x.copy()
        x_plus[idx] += h
        grad[idx] = (f(x_plus) - fx) / h
    return grad


@wrong("logreg.numerical_gradient", "divided_by_h")
def numerical_gradient_over_h(f, x, h):
    """Divides by h instead of 2h."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[idx] += h
        x_minus[idx] -= h
        grad[idx] = (f(x_plus) - f(x_minus)) / h
    return grad


@wrong("logreg.numerical_gradient", "all_at_once")
def numerical_gradient_whole_array(f, x, h):
    """Nudges every entry at once."""
    grad = np.zeros_like(x)
    grad[...] = (f(x + h) - f(x - h)) / (2 * h)
    return grad


@wrong("logreg.numerical_gradient", "rows_only")
def numerical_gradient_rows(f, x, h):
    """range(len(x)) with x[i]: a whole row at a time for a 2-D x."""
    grad = np.zeros_like(x)
    for i in range(len(x)):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[i] += h
        x_minus[i] -= h
        grad[i] = (f(x_plus) - f(x_minus)) / (2 * h)
    return grad


@wrong("logreg.numerical_gradient", "not_divided")
def numerical_gradient_no_division(f, x, h):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[idx] += h
        x_minus[idx] -= h
        grad[idx] = f(x_plus) - f(x_minus)
    return grad


@wrong("logreg.numerical_gradient", "mutated_input")
def numerical_gradient_alias(f, x, h):
    """x_plus = x is not a copy: both names point at the same array, which is left changed."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x_plus = x
        x_plus[idx] = old + h
        plus = f(x_plus)
        x_minus = x
        x_minus[idx] = old - h
        grad[idx] = (plus - f(x_minus)) / (2 * h)
    return grad


# ------------------------------------------------------------------- train_logistic_regression


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@correct("logreg.train_logistic_regression")
def train_logistic_regression(X, y, num_classes, lr, epochs, reg):
    n, d = X.shape
    W, b = np.zeros((d, num_classes)), np.zeros(num_classes)
    Y = np.eye(num_classes)[y]
    for _ in range(epochs):
        G = (_softmax(X @ W + b) - Y) / n
        W -= lr * (X.T @ G + reg * W)
        b -= lr * G.sum(axis=0)
    return W, b


@correct("logreg.train_logistic_regression")
def train_logistic_regression_bias_column(X, y, num_classes, lr, epochs, reg):
    """Folds the bias into W with a column of ones, regularizing the weights' rows only."""
    n = X.shape[0]
    Xb = np.hstack([X, np.ones((n, 1))])
    theta = np.zeros((Xb.shape[1], num_classes))
    mask = np.ones((Xb.shape[1], 1))
    mask[-1] = 0.0
    for _ in range(epochs):
        G = _softmax(Xb @ theta)
        G[np.arange(n), y] -= 1
        theta = theta - lr * (Xb.T @ G / n + reg * mask * theta)
    return theta[:-1], theta[-1]


@wrong("logreg.train_logistic_regression", "off_the_run")
def train_logistic_regression_bias_penalised(X, y, num_classes, lr, epochs, reg):
    """A bias column that is regularized too: accurate, but not gradient descent on J."""
    n = X.shape[0]
    Xb = np.hstack([X, np.ones((n, 1))])
    theta = np.zeros((Xb.shape[1], num_classes))
    for _ in range(epochs):
        G = _softmax(Xb @ theta)
        G[np.arange(n), y] -= 1
        theta = theta - lr * (Xb.T @ G / n + reg * theta)
    return theta[:-1], theta[-1]


@wrong("logreg.train_logistic_regression", "reg_over_n")
def train_logistic_regression_reg_per_example(X, y, num_classes, lr, epochs, reg):
    """cs231n-style λ/(2N): the penalty averaged with the data term."""
    n, d = X.shape
    W, b = np.zeros((d, num_classes)), np.zeros(num_classes)
    for _ in range(epochs):
        P = _softmax(X @ W + b)
        P[np.arange(n), y] -= 1
        dW = (X.T @ P + reg * W) / n
        W, b = W - lr * dW, b - lr * P.sum(axis=0) / n
    return W, b


@wrong("logreg.train_logistic_regression", "sign")
def train_logistic_regression_ascent(X, y, num_classes, lr, epochs, reg):
    """Adds the gradient: steps uphill."""
    n, d = X.shape
    W, b = np.zeros((d, num_classes)), np.zeros(num_classes)
    Y = np.eye(num_classes)[y]
    for _ in range(epochs):
        G = (_softmax(X @ W + b) - Y) / n
        W += lr * X.T @ G
        b += lr * G.sum(axis=0)
    return W, b


@wrong("logreg.train_logistic_regression", "bias_not_trained")
def train_logistic_regression_no_bias_update(X, y, num_classes, lr, epochs, reg):
    n, d = X.shape
    W, b = np.zeros((d, num_classes)), np.zeros(num_classes)
    Y = np.eye(num_classes)[y]
    for _ in range(epochs):
        W -= lr * (X.T @ (_softmax(X @ W + b) - Y) / n + reg / n * W)
    return W, b


@wrong("logreg.train_logistic_regression", "wrong_shape")
def train_logistic_regression_torch_layout(X, y, num_classes, lr, epochs, reg):
    """Keeps W as (C, D), like nn.Linear's weight, and returns it that way."""
    n, d = X.shape
    W, b = np.zeros((num_classes, d)), np.zeros(num_classes)
    Y = np.eye(num_classes)[y]
    for _ in range(epochs):
        G = (_softmax(X @ W.T + b) - Y) / n
        W -= lr * (G.T @ X + reg / n * W)
        b -= lr * G.sum(axis=0)
    return W, b


@wrong("logreg.train_logistic_regression", "wrong_type")
def train_logistic_regression_only_w(X, y, num_classes, lr, epochs, reg):
    """Returns W alone."""
    return train_logistic_regression(X, y, num_classes, lr, epochs, reg)[0]


@wrong("logreg.train_logistic_regression", "hardcoded_shape")
def train_logistic_regression_three_classes(X, y, num_classes, lr, epochs, reg):
    """Three classes hard-coded (the notebook's example)."""
    return train_logistic_regression(X, y, 3, lr, epochs, reg)


@wrong("logreg.train_logistic_regression", "low_accuracy")
def train_logistic_regression_labels_not_onehot(X, y, num_classes, lr, epochs, reg):
    """Subtracts the integer labels from every column instead of a one-hot matrix."""
    n, d = X.shape
    W, b = np.zeros((d, num_classes)), np.zeros(num_classes)
    for _ in range(epochs):
        G = (_softmax(X @ W + b) - y[:, None]) / n
        W -= lr * (X.T @ G + reg / n * W)
        b -= lr * G.sum(axis=0)
    return W, b


from . import logreg_more  # noqa: F401,E402  (one entry per catalogued mistake added with issue #20)
