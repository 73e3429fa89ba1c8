"""Lesson 02, learner-like mistakes of train_logistic_regression (the learner's loop calls their softmax and
cross_entropy_grad; the check gives them the grader's)."""
import numpy as np

from ._catalogue import correct, wrong


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy_grad(logits, y):
    p = softmax(logits)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def _start(X, num_classes):
    return np.zeros((X.shape[1], num_classes)), np.zeros(num_classes)


@correct("logreg.train_logistic_regression")
def train_with_grad_helper(X, y, num_classes, lr, epochs, reg):
    """The notebook's recipe on top of cross_entropy_grad."""
    W, b = _start(X, num_classes)
    for _ in range(epochs):
        G = cross_entropy_grad(X @ W + b, y)
        W = W - lr * (X.T @ G + reg * W)
        b = b - lr * G.sum(axis=0)
    return W, b


@wrong("logreg.train_logistic_regression", "ascent")
def train_plus(X, y, num_classes, lr, epochs, reg):
    W, b = _start(X, num_classes)
    for _ in range(epochs):
        G = cross_entropy_grad(X @ W + b, y)
        W += lr * (X.T @ G + reg * W)
        b += lr * G.sum(axis=0)
    return W, b


@wrong("logreg.train_logistic_regression", "labels_not_onehot")
def train_label_column(X, y, num_classes, lr, epochs, reg):
    W, b = _start(X, num_classes)
    for _ in range(epochs):
        G = (softmax(X @ W + b) - y[:, None]) / len(y)
        W = W - lr * (X.T @ G + reg * W)
        b = b - lr * G.sum(axis=0)
    return W, b


@wrong("logreg.train_logistic_regression", "scores_not_probabilities")
def train_raw_scores(X, y, num_classes, lr, epochs, reg):
    W, b = _start(X, num_classes)
    Y = np.eye(num_classes)[y]
    for _ in range(epochs):
        G = (X @ W + b - Y) / len(y)
        W = W - lr * (X.T @ G + reg * W)
        b = b - lr * G.sum(axis=0)
    return W, b


@wrong("logreg.train_logistic_regression", "softmax_wrong_axis")
def train_inline_softmax_axis0(X, y, num_classes, lr, epochs, reg):
    W, b = _start(X, num_classes)
    Y = np.eye(num_classes)[y]
    for _ in range(epochs):
        z = X @ W + b
        e = np.exp(z - z.max(axis=0, keepdims=True))
        G = (e / e.sum(axis=0, keepdims=True) - Y) / len(y)
        W = W - lr * (X.T @ G + reg * W)
        b = b - lr * G.sum(axis=0)
    return W, b


@wrong("logreg.train_logistic_regression", "w_gradient_without_X")
def train_w_like_b(X, y, num_classes, lr, epochs, reg):
    W, b = _start(X, num_classes)
    for _ in range(epochs):
        G = cross_entropy_grad(X @ W + b, y)
        W = W - lr * (G.sum(axis=0) + reg * W)
        b = b - lr * G.sum(axis=0)
    return W, b


@wrong("logreg.train_logistic_regression", "reg_times_n")
def train_reg_over_2n_habit(X, y, num_classes, lr, epochs, reg):
    W, b = _start(X, num_classes)
    n = X.shape[0]
    for _ in range(epochs):
        G = cross_entropy_grad(X @ W + b, y)
        W = W - lr * (X.T @ G + reg * n * W)
        b = b - lr * G.sum(axis=0)
    return W, b


@wrong("logreg.train_logistic_regression", "return_inside_loop")
def train_return_indented(X, y, num_classes, lr, epochs, reg):
    W, b = _start(X, num_classes)
    for _ in range(epochs):
        G = cross_entropy_grad(X @ W + b, y)
        W = W - lr * (X.T @ G + reg * W)
        b = b - lr * G.sum(axis=0)
        return W, b
