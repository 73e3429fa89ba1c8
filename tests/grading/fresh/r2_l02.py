"""Round-2 fresh entries for lesson 02 (logistic and softmax regression)."""
import numpy as np

from ._fresh import correct, wrong


def _softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _ce_grad(logits, y):
    n = logits.shape[0]
    g = _softmax(logits)
    g[np.arange(n), y] -= 1.0
    return g / n


# ---------------------------------------------------------------- sigmoid


@wrong("activations.sigmoid_forward", "02", ["overflow", "warning", "both branches", "np.where", "evaluat"],
       "puts the two naive formulas inside np.where, which evaluates both on every element and overflows")
def sigmoid(z):
    return np.where(z >= 0, 1.0 / (1.0 + np.exp(-z)), np.exp(z) / (1.0 + np.exp(z)))


@wrong("activations.sigmoid_forward", "02", ["branch", "swap", "sigmoid(-z)", "σ(-z)", "mirror"],
       "swaps the two branches of the stable formula, computing sigmoid(-z)")
def sigmoid(z):  # noqa: F811
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, e / (1.0 + e), 1.0 / (1.0 + e))


@correct("activations.sigmoid_forward", "02", "exp(-log(1 + exp(-z))) with np.logaddexp, stable everywhere")
def sigmoid(z):  # noqa: F811
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


# ---------------------------------------------------------------- bce_loss


@wrong("logreg.bce_loss", "02", ["mean", "1/n", "average", "sum"],
       "sums the per-example losses instead of averaging them")
def bce_loss(p, y):
    return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))


# ---------------------------------------------------------------- softmax


@wrong("losses.softmax", "02", ["each row", "per row", "row max", "global", "keepdims"],
       "subtracts the single largest score of the whole array instead of each row's maximum")
def softmax(x):
    e = np.exp(x - np.max(x))
    return e / e.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------- cross_entropy


@wrong("losses.cross_entropy", "02", ["np.arange", "whole column", "one entry per row", "logits[:, y]", "columns"],
       "picks the true-class scores with logits[:, y], which takes whole columns (an (N, N) block)")
def cross_entropy(logits, y):
    m = logits.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
    return float(np.mean(lse - logits[:, y]))


@wrong("losses.cross_entropy", "02", ["log-sum-exp", "logsumexp", "underflow", "log(0)", "log of 0"],
       "takes -log of the (stable) softmax, whose entries underflow to 0 for very wrong logits")
def cross_entropy(logits, y):  # noqa: F811
    n = logits.shape[0]
    return float(-np.mean(np.log(_softmax(logits)[np.arange(n), y])))


@correct("losses.cross_entropy", "02", "log-sum-exp with np.logaddexp.reduce along the class axis")
def cross_entropy(logits, y):  # noqa: F811
    n = logits.shape[0]
    lse = np.logaddexp.reduce(logits, axis=1)
    return float(np.sum(lse - logits[np.arange(n), y]) / n)


# ---------------------------------------------------------------- cross_entropy_grad


@wrong("losses.cross_entropy_backward", "02", ["in place", "in-place", "modif", "mutat", "copy"],
       "computes the softmax in the logits array itself (-=, np.exp(out=)), overwriting the caller's logits")
def cross_entropy_grad(logits, y):
    n = logits.shape[0]
    logits -= logits.max(axis=1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=1, keepdims=True)
    logits[np.arange(n), y] -= 1.0
    return logits / n


# ---------------------------------------------------------------- numerical_gradient


@wrong("logreg.numerical_gradient", "02", ["copy", "alias", "same array", "in place", "view"],
       "x_plus = x_minus = x without copies: both nudges land on the same array and cancel")
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        x_plus = x
        x_minus = x
        x_plus[idx] += h
        x_minus[idx] -= h
        grad[idx] = (f(x_plus) - f(x_minus)) / (2 * h)
    return grad


@wrong("logreg.numerical_gradient", "02", ["2h", "2 * h", "2*h", "factor", "twice"],
       "divides the centered difference by h instead of 2h")
def numerical_gradient(f, x, h=1e-5):  # noqa: F811
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[idx] += h
        x_minus[idx] -= h
        grad[idx] = (f(x_plus) - f(x_minus)) / h
    return grad


@correct("logreg.numerical_gradient", "02", "one flat float copy, nudged and restored entry by entry")
def numerical_gradient(f, x, h=1e-5):  # noqa: F811
    work = np.array(x, dtype=float, copy=True)
    flat = work.reshape(-1)
    grad = np.zeros(flat.shape)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = f(work)
        flat[i] = old - h
        fm = f(work)
        flat[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad.reshape(x.shape)


# ---------------------------------------------------------------- train_logistic_regression


@wrong("logreg.train_logistic_regression", "02", ["bias", "penal", "regulari", "reg * b"],
       "adds the L2 term reg * b to the bias gradient too (the bias is not penalised)")
def train_logistic_regression(X, y, num_classes, lr, epochs, reg):
    d = X.shape[1]
    W = np.zeros((d, num_classes))
    b = np.zeros(num_classes)
    for _ in range(epochs):
        G = _ce_grad(X @ W + b, y)
        W = W - lr * (X.T @ G + reg * W)
        b = b - lr * (G.sum(axis=0) + reg * b)
    return W, b
