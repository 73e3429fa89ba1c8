"""Lesson 02 · Logistic and softmax regression: sigmoid, bce_loss, softmax, cross_entropy,
cross_entropy_grad, numerical_gradient, train_logistic_regression."""
import math

import numpy as np

from ._fresh import correct, wrong

L = "02"

# ---- activations.sigmoid_forward: sigmoid(z) ---------------------------------------------------------


@wrong("activations.sigmoid_forward", L, ["overflow", "stabl", "exp(-z)", "large negative"],
       "the naive 1 / (1 + exp(-z)): overflows for z = -1000 (the spec asks for no overflow)")
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


@wrong("activations.sigmoid_forward", L, ["overflow", "nan", "inf"], "exp(z) / (1 + exp(z)): inf / inf = nan for large z")
def sigmoid(z):  # noqa: F811
    return np.exp(z) / (1 + np.exp(z))


@wrong("activations.sigmoid_forward", L, ["sign", "mirror", "1 -", "sigmoid(-z)", "σ(-z)", "exp(-z)"],
       "1 / (1 + exp(z)): the sign in the exponent dropped")
def sigmoid(z):  # noqa: F811
    return 1 / (1 + np.exp(z))


@wrong("activations.sigmoid_forward", L, ["branch", "swap", "z >= 0", "z < 0", "np.where", "negative z", "positive z"],
       "the stable form with its two branches swapped (e = exp(-|z|); e / (1 + e) where z >= 0)")
def sigmoid(z):  # noqa: F811
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, e / (1 + e), 1 / (1 + e))


@wrong("activations.sigmoid_forward", L, ["overflow", "both branches", "warn", "abs"],
       "np.where with exp(-z) and exp(z) unguarded: np.where evaluates both branches, so exp overflows")
def sigmoid(z):  # noqa: F811
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


@wrong("activations.sigmoid_forward", L, ["math.exp", "array", "element-wise", "elementwise", "scalar", "any shape"],
       "math.exp: works on one number only")
def sigmoid(z):  # noqa: F811
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


@wrong("activations.sigmoid_forward", L, ["tanh", "z/2", "z / 2", "factor", "scale"], "0.5 * (1 + tanh(z)): forgot to halve z")
def sigmoid(z):  # noqa: F811
    return 0.5 * (1 + np.tanh(z))


@correct("activations.sigmoid_forward", L, "0.5 * (1 + tanh(z / 2)), which never overflows")
def sigmoid(z):  # noqa: F811
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


@correct("activations.sigmoid_forward", L, "exp(-logaddexp(0, -z))")
def sigmoid(z):  # noqa: F811
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


# ---- logreg.bce_loss(p, y) -------------------------------------------------------------------------------


@wrong("logreg.bce_loss", L, ["mean", "average", "1/n", "divide by n"], "sum instead of mean")
def bce_loss(p, y):
    return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))


@wrong("logreg.bce_loss", L, ["sign", "minus", "negative"], "forgets the minus sign")
def bce_loss(p, y):  # noqa: F811
    return float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


@wrong("logreg.bce_loss", L, ["1 - y", "(1-y)", "1-y", "second term"], "y * log(1 - p) instead of (1 - y) * log(1 - p)")
def bce_loss(p, y):  # noqa: F811
    return float(-np.mean(y * np.log(p) + y * np.log(1 - p)))


@wrong("logreg.bce_loss", L, ["log10", "natural log", "base", "ln"], "np.log10")
def bce_loss(p, y):  # noqa: F811
    return float(-np.mean(y * np.log10(p) + (1 - y) * np.log10(1 - p)))


@wrong("logreg.bce_loss", L, ["1 - y", "(1-y)", "1-y", "second term", "y = 0", "label 0", "negative"],
       "only the y log p term")
def bce_loss(p, y):  # noqa: F811
    return float(-np.mean(y * np.log(p)))


@wrong("logreg.bce_loss", L, ["mean", "float", "scalar", "average", "single number"], "returns the per-example losses")
def bce_loss(p, y):  # noqa: F811
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


@correct("logreg.bce_loss", L, "np.where picks log p or log(1 - p) per example")
def bce_loss(p, y):  # noqa: F811
    return float(np.mean(np.where(y == 1, -np.log(p), -np.log1p(-p))))


# ---- losses.softmax(x) --------------------------------------------------------------------------------------


@wrong("losses.softmax", L, ["max", "overflow", "nan", "stab"], "no max subtraction")
def softmax(x):
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)


@wrong("losses.softmax", L, ["axis"], "normalises the columns (axis=0)")
def softmax(x):  # noqa: F811
    e = np.exp(x - x.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


@wrong("losses.softmax", L, ["keepdims", "broadcast", "axis"], "e / e.sum(axis=1) without keepdims")
def softmax(x):  # noqa: F811
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1)


@wrong("losses.softmax", L, ["row", "max", "overflow", "underflow", "nan"], "subtracts the global max, not each row's")
def softmax(x):  # noqa: F811
    e = np.exp(x - x.max())
    return e / e.sum(axis=1, keepdims=True)


@wrong("losses.softmax", L, ["in place", "in-place", "modif", "changed"], "x -= row max, in place on the caller's array")
def softmax(x):  # noqa: F811
    x -= x.max(axis=1, keepdims=True)
    np.exp(x, out=x)
    x /= x.sum(axis=1, keepdims=True)
    return x


@wrong("losses.softmax", L, ["keepdims", "broadcast", "axis"], "x - x.max(axis=1) without keepdims")
def softmax(x):  # noqa: F811
    e = np.exp(x - x.max(axis=1))
    return e / e.sum(axis=1, keepdims=True)


@correct("losses.softmax", L, "exp(x - logsumexp(x)) with np.logaddexp.reduce")
def softmax(x):  # noqa: F811
    return np.exp(x - np.logaddexp.reduce(x, axis=1, keepdims=True))


@correct("losses.softmax", L, "a loop over rows, each with its own max, on a copy")
def softmax(x):  # noqa: F811
    out = np.array(x, dtype=float, copy=True)
    for i in range(out.shape[0]):
        out[i] = np.exp(out[i] - out[i].max())
        out[i] /= out[i].sum()
    return out


# ---- losses.cross_entropy(logits, y) ------------------------------------------------------------------------


def _lse(z):
    m = z.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]


@wrong("losses.cross_entropy", L, ["np.arange", "arange", "column", "logits[:, y]", "fancy", "one entry per row"],
       "logits[:, y] picks whole columns")
def cross_entropy(logits, y):
    return float(np.mean(_lse(logits)[:, None] - logits[:, y]))


@wrong("losses.cross_entropy", L, ["log-sum-exp", "logsumexp", "log(softmax", "underflow", "log 0", "log(0)", "inf"],
       "log of a (stable) softmax: the true class's probability underflows to 0")
def cross_entropy(logits, y):  # noqa: F811
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(y)), y])))


@wrong("losses.cross_entropy", L, ["add back", "added back", "max", "+ m", "m +"], "log-sum-exp without adding the max back")
def cross_entropy(logits, y):  # noqa: F811
    m = logits.max(axis=1, keepdims=True)
    lse = np.log(np.exp(logits - m).sum(axis=1))
    return float(np.mean(lse - logits[np.arange(len(y)), y]))


@wrong("losses.cross_entropy", L, ["mean", "average", "1/n", "divide by n"], "sum over the batch, not mean")
def cross_entropy(logits, y):  # noqa: F811
    return float(np.sum(_lse(logits) - logits[np.arange(len(y)), y]))


@wrong("losses.cross_entropy", L, ["sign", "minus", "negative"], "z_y - LSE: the sign flipped")
def cross_entropy(logits, y):  # noqa: F811
    return float(np.mean(logits[np.arange(len(y)), y] - _lse(logits)))


@wrong("losses.cross_entropy", L, ["axis"], "log-sum-exp over axis 0")
def cross_entropy(logits, y):  # noqa: F811
    m = logits.max(axis=0, keepdims=True)
    lse = m + np.log(np.exp(logits - m).sum(axis=0, keepdims=True))
    return float(np.mean(lse[0, y] - logits[np.arange(len(y)), y]))


@correct("losses.cross_entropy", L, "np.logaddexp.reduce for the log-sum-exp, np.take_along_axis for the pick")
def cross_entropy(logits, y):  # noqa: F811
    y = np.asarray(y)
    picked = np.take_along_axis(logits, y[:, None], axis=1)[:, 0]
    return float(np.mean(np.logaddexp.reduce(logits, axis=1) - picked))


# ---- losses.cross_entropy_backward: cross_entropy_grad(logits, y) --------------------------------------------


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@wrong("losses.cross_entropy_backward", L, ["1/n", "divide by n", "mean", "n times"], "forgets the 1/N")
def cross_entropy_grad(logits, y):
    p = _softmax(logits)
    p[np.arange(len(y)), y] -= 1
    return p


@wrong("losses.cross_entropy_backward", L, ["sign"], "(Y - P) / N")
def cross_entropy_grad(logits, y):  # noqa: F811
    p = _softmax(logits)
    p[np.arange(len(y)), y] -= 1
    return -p / len(y)


@wrong("losses.cross_entropy_backward", L, ["in place", "in-place", "modif", "changed"],
       "shifts and exponentiates logits in place: the caller's logits change")
def cross_entropy_grad(logits, y):  # noqa: F811
    p = logits
    p -= p.max(axis=1, keepdims=True)
    np.exp(p, out=p)
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    p /= len(y)
    return p


@wrong("losses.cross_entropy_backward", L, ["np.arange", "arange", "column", "fancy", "one entry per row"],
       "p[:, y] -= 1 subtracts from whole columns")
def cross_entropy_grad(logits, y):  # noqa: F811
    p = _softmax(logits)
    p[:, y] -= 1
    return p / len(y)


@wrong("losses.cross_entropy_backward", L, ["axis"], "softmax over axis 0")
def cross_entropy_grad(logits, y):  # noqa: F811
    e = np.exp(logits - logits.max(axis=0, keepdims=True))
    p = e / e.sum(axis=0, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


@wrong("losses.cross_entropy_backward", L, ["1/n", "divide by n", "number of classes", "factor", "/ c"],
       "divides by the number of classes C instead of N")
def cross_entropy_grad(logits, y):  # noqa: F811
    p = _softmax(logits)
    p[np.arange(len(y)), y] -= 1
    return p / logits.shape[1]


@correct("losses.cross_entropy_backward", L, "builds the one-hot matrix with np.eye and subtracts it")
def cross_entropy_grad(logits, y):  # noqa: F811
    return (_softmax(logits) - np.eye(logits.shape[1])[y]) / logits.shape[0]


# ---- logreg.numerical_gradient(f, x, h=1e-5) -------------------------------------------------------------------


@wrong("logreg.numerical_gradient", L, ["one-sided", "centered", "centred", "forward difference", "2h", "2 h"],
       "one-sided difference (f(x + h) - f(x)) / h")
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    fx = f(x)
    for idx in np.ndindex(x.shape):
        xp = x.copy()
        xp[idx] += h
        grad[idx] = (f(xp) - fx) / h
    return grad


@wrong("logreg.numerical_gradient", L, ["2h", "2 h", "factor 2", "factor of 2", "twice", "half"], "divides by h instead of 2h")
def numerical_gradient(f, x, h=1e-5):  # noqa: F811
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        grad[idx] = (f(xp) - f(xm)) / h
    return grad


@wrong("logreg.numerical_gradient", L, ["copy", "in place", "in-place", "modif", "alias", "changed"],
       "x_plus = x and x_minus = x without copying: both alias x, so f(x - h) is really f(x) (the estimate halves) "
       "and x is nudged in place during the call")
def numerical_gradient(f, x, h=1e-5):  # noqa: F811
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        x_plus = x
        x_plus[idx] += h
        fp = f(x_plus)
        x_minus = x
        x_minus[idx] -= h
        fm = f(x_minus)
        grad[idx] = (fp - fm) / (2 * h)
    return grad


@wrong("logreg.numerical_gradient", L, ["one entry", "each entry", "e_i", "every entry", "all entries", "one at a time"],
       "nudges every entry at once: every component gets the directional derivative along all ones")
def numerical_gradient(f, x, h=1e-5):  # noqa: F811
    g = (f(x + h) - f(x - h)) / (2 * h)
    return np.full(x.shape, g, dtype=float)


@wrong("logreg.numerical_gradient", L, ["shape", "reshape", "flatten", "ravel"], "returns a flat (x.size,) array")
def numerical_gradient(f, x, h=1e-5):  # noqa: F811
    out = []
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        out.append((f(xp) - f(xm)) / (2 * h))
    return np.array(out)


@wrong("logreg.numerical_gradient", L, ["float32", "precision", "float64", "rounding"], "nudges a float32 copy of x")
def numerical_gradient(f, x, h=1e-5):  # noqa: F811
    grad = np.zeros(x.shape, dtype=np.float32)
    x32 = x.astype(np.float32)
    for idx in np.ndindex(x.shape):
        xp, xm = x32.copy(), x32.copy()
        xp[idx] += h
        xm[idx] -= h
        grad[idx] = (f(xp) - f(xm)) / (2 * h)
    return grad


@wrong("logreg.numerical_gradient", L, ["one-sided", "centered", "centred", "x - h", "factor 2", "2h", "half"],
       "restores x before the minus evaluation: f(x - h) is really f(x)")
def numerical_gradient(f, x, h=1e-5):  # noqa: F811
    x = x.copy()
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        fp = f(x)
        x[idx] = old
        fm = f(x)
        grad[idx] = (fp - fm) / (2 * h)
    return grad


@correct("logreg.numerical_gradient", L, "nudges a single working copy in place and restores each entry")
def numerical_gradient(f, x, h=1e-5):  # noqa: F811
    xw = np.array(x, dtype=float, copy=True)
    grad = np.empty_like(xw)
    it = np.nditer(xw, flags=["multi_index"])
    for _ in it:
        idx = it.multi_index
        old = xw[idx]
        xw[idx] = old + h
        fp = f(xw)
        xw[idx] = old - h
        fm = f(xw)
        xw[idx] = old
        grad[idx] = (fp - fm) / (2 * h)
    return grad


# ---- logreg.train_logistic_regression(X, y, num_classes, lr, epochs, reg) ------------------------------------


def _ce_grad(Z, y):
    p = _softmax(Z)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


@wrong("logreg.train_logistic_regression", L, ["sign", "ascent"], "steps up the gradient: W + lr * dW")
def train_logistic_regression(X, y, num_classes, lr, epochs, reg):
    N, D = X.shape
    W, b = np.zeros((D, num_classes)), np.zeros(num_classes)
    for _ in range(epochs):
        G = _ce_grad(X @ W + b, y)
        W = W + lr * (X.T @ G + reg / N * W)
        b = b + lr * G.sum(axis=0)
    return W, b


@wrong("logreg.train_logistic_regression", L, ["transpos"], "dW = X @ G: shapes do not fit")
def train_logistic_regression(X, y, num_classes, lr, epochs, reg):  # noqa: F811
    N, D = X.shape
    W, b = np.zeros((D, num_classes)), np.zeros(num_classes)
    for _ in range(epochs):
        G = _ce_grad(X @ W + b, y)
        W = W - lr * (X @ G + reg / N * W)
        b = b - lr * G.sum(axis=0)
    return W, b


@wrong("logreg.train_logistic_regression", L, ["axis", "softmax"], "softmax over axis 0 inside the gradient")
def train_logistic_regression(X, y, num_classes, lr, epochs, reg):  # noqa: F811
    N, D = X.shape
    W, b = np.zeros((D, num_classes)), np.zeros(num_classes)
    for _ in range(epochs):
        Z = X @ W + b
        e = np.exp(Z - Z.max(axis=0, keepdims=True))
        P = e / e.sum(axis=0, keepdims=True)
        P[np.arange(N), y] -= 1
        G = P / N
        W = W - lr * (X.T @ G + reg / N * W)
        b = b - lr * G.sum(axis=0)
    return W, b


@wrong("logreg.train_logistic_regression", L, ["transpos", "(d, c)", "shape"], "returns W.T, shape (C, D)")
def train_logistic_regression(X, y, num_classes, lr, epochs, reg):  # noqa: F811
    N, D = X.shape
    W, b = np.zeros((D, num_classes)), np.zeros(num_classes)
    for _ in range(epochs):
        G = _ce_grad(X @ W + b, y)
        W = W - lr * (X.T @ G + reg / N * W)
        b = b - lr * G.sum(axis=0)
    return W.T, b


@wrong("logreg.train_logistic_regression", L, ["axis", "db", "bias", "shape"], "db = G.sum(axis=1): a vector per example")
def train_logistic_regression(X, y, num_classes, lr, epochs, reg):  # noqa: F811
    N, D = X.shape
    W, b = np.zeros((D, num_classes)), np.zeros(num_classes)
    for _ in range(epochs):
        G = _ce_grad(X @ W + b, y)
        W = W - lr * (X.T @ G + reg / N * W)
        b = b - lr * G.sum(axis=1)
    return W, b


@wrong("logreg.train_logistic_regression", L, ["bias", "penal", "regulari"], "also penalises the bias (reg / N * b)")
def train_logistic_regression(X, y, num_classes, lr, epochs, reg):  # noqa: F811
    N, D = X.shape
    W, b = np.zeros((D, num_classes)), np.zeros(num_classes)
    for _ in range(epochs):
        G = _ce_grad(X @ W + b, y)
        W = W - lr * (X.T @ G + reg / N * W)
        b = b - lr * (G.sum(axis=0) + reg / N * b)
    return W, b


# Relabelled after the first measurement (written as a correct answer): its penalty is (reg / N) * W, which the
# lesson's exercise 7 text names as another text's convention (λ/(2N)), not J's gradient reg * W.
@wrong("logreg.train_logistic_regression", L, ["n times too small", "reg / n", "λ/(2n)"],
       "one-hot matrix, einsum for dW, softmax via logaddexp; the penalty's gradient written (reg / N) * W")
def train_logistic_regression(X, y, num_classes, lr, epochs, reg):  # noqa: F811
    N, D = X.shape
    Y = np.eye(num_classes)[y]
    W, b = np.zeros((D, num_classes)), np.zeros(num_classes)
    for _ in range(epochs):
        Z = X @ W + b
        P = np.exp(Z - np.logaddexp.reduce(Z, axis=1, keepdims=True))
        G = (P - Y) / N
        W, b = W - lr * (np.einsum("nd,nc->dc", X, G) + (reg / N) * W), b - lr * G.sum(axis=0)
    return W, b
