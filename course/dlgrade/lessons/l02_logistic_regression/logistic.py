"""Lesson 02, logistic and softmax regression.

Textbook convention: X is (N, D), W is (D, C), b is (C,), labels y are (N,) ints.
The lesson also reuses ``activations.sigmoid_forward`` and the ``losses.*`` exercises.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ...diagnosis import NONFINITE, SIGN, WRONG_SHAPE, WRONG_TYPE, Diagnosis, describe
from ...harness.guard import reference
from ...harness.wire import TestFunction
from ...registry import Case, Exercise, KnownMistake, Output, register
from .._common import make_case, pick

# ---------------------------------------------------------------------------------------
# binary cross-entropy on probabilities


@reference("logreg.bce_loss reference")
def bce_loss(p: np.ndarray, y: np.ndarray) -> float:
    """Mean over the batch of −[y log p + (1 − y) log(1 − p)], p in (0, 1), y in {0, 1}."""
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)))


def _bce_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for n in pick([5, 1, 8, 3], [7, 1, 12, 2], hidden):
        p = rng.uniform(0.02, 0.98, size=n)
        y = rng.integers(0, 2, size=n).astype(np.float64)
        if n > 1:  # both classes present, so a missing term always shows
            y[0], y[1] = 0.0, 1.0
        cases.append(make_case({"p": p, "y": y}, factors={"N": n}))
    return cases


def _bce_positive_only(p, y):
    return float(-np.mean(y * np.log(p)))


def _bce_swapped_terms(p, y):
    return float(-np.mean(y * np.log(1.0 - p) + (1.0 - y) * np.log(p)))


def _bce_log10(p, y):
    return float(-np.mean(y * np.log10(p) + (1.0 - y) * np.log10(1.0 - p)))


def _bce_squared(p, y):
    return float(np.mean((p - y) ** 2))


# ---------------------------------------------------------------------------------------
# numerical gradient by centered differences


@reference("logreg.numerical_gradient reference")
def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float) -> np.ndarray:
    """Centered differences (f(x + h e_i) − f(x − h e_i)) / 2h for every index i of x."""
    grad = np.zeros(x.shape, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        grad[idx] = (float(f(xp)) - float(f(xm))) / (2.0 * h)
    return grad


def _numgrad_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    if not hidden:
        n, d = 12, 3
        X = rng.normal(size=(n, d))
        y = rng.integers(0, 2, size=n).astype(np.float64)
        cases.append(make_case({"f": TestFunction("logistic_loss", {"X": X, "y": y}), "x": rng.normal(size=d), "h": 1e-5},
                               note="logistic loss of w"))
        cases.append(make_case({"f": TestFunction("wavy", {"a": rng.normal(size=(3, 4))}), "x": rng.normal(size=(3, 4)),
                                "h": 1e-5}, note="sum(a·sin 3x + x³)"))
        cases.append(make_case({"f": TestFunction("exp_sum"), "x": rng.normal(size=1) * 0.5, "h": 1e-5},
                               note="sum(exp 2x)"))
        yc = rng.integers(0, 4, size=2)
        cases.append(make_case({"f": TestFunction("softmax_ce", {"y": yc}), "x": rng.normal(size=(2, 4)), "h": 1e-4},
                               note="cross-entropy of logits"))
    else:
        n, d = 9, 5
        X = rng.normal(size=(n, d))
        y = rng.integers(0, 2, size=n).astype(np.float64)
        cases.append(make_case({"f": TestFunction("logistic_loss", {"X": X, "y": y}), "x": rng.normal(size=d), "h": 1e-4},
                               note="logistic loss of w"))
        cases.append(make_case({"f": TestFunction("wavy", {"a": rng.normal(size=(2, 3, 2))}), "x": rng.normal(size=(2, 3, 2)),
                                "h": 1e-5}, note="sum(a·sin 3x + x³)"))
        yc = rng.integers(0, 3, size=5)
        cases.append(make_case({"f": TestFunction("softmax_ce", {"y": yc}), "x": rng.normal(size=(5, 3)), "h": 1e-5},
                               note="cross-entropy of logits"))
        cases.append(make_case({"f": TestFunction("exp_sum"), "x": rng.normal(size=(1, 1)) * 0.5, "h": 1e-5},
                               note="sum(exp 2x)"))
    return cases


def _ng_forward(f, x, h):
    grad = np.zeros(x.shape)
    f0 = float(f(x))
    for idx in np.ndindex(x.shape):
        xp = x.copy()
        xp[idx] += h
        grad[idx] = (float(f(xp)) - f0) / h
    return grad


def _ng_all_at_once(f, x, h):
    return np.full(x.shape, (float(f(x + h)) - float(f(x - h))) / (2.0 * h))


def _ng_rows_only(f, x, h):
    grad = np.zeros(x.shape)
    for i in range(x.shape[0]):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        grad[i] = (float(f(xp)) - float(f(xm))) / (2.0 * h)
    return grad


def _ng_not_divided(f, x, h):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        grad[idx] = float(f(xp)) - float(f(xm))
    return grad


# ---------------------------------------------------------------------------------------
# training a softmax (multinomial logistic) regression classifier


ACCURACY_THRESHOLD = 0.9


@dataclass
class _TrainCase(Case):
    """A training case that also carries held-out data for the accuracy check."""

    X_test: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    y_test: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))


def _stable_softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@reference("logreg.train_logistic_regression reference")
def train_logistic_regression(X: np.ndarray, y: np.ndarray, num_classes: int, lr: float, epochs: int,
                              reg: float) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch gradient descent from W = 0, b = 0 on mean cross-entropy + reg/(2N)·ΣW²."""
    n, d = X.shape
    W, b = np.zeros((d, num_classes)), np.zeros(num_classes)
    Y = np.eye(num_classes)[y]
    for _ in range(epochs):
        G = (_stable_softmax(X @ W + b) - Y) / n
        W = W - lr * (X.T @ G + reg / n * W)
        b = b - lr * G.sum(axis=0)
    return W, b


def _blobs(rng: np.random.Generator, centres: np.ndarray, per_class: int, std: float):
    X = np.concatenate([c + std * rng.normal(size=(per_class, centres.shape[1])) for c in centres])
    y = np.repeat(np.arange(len(centres)), per_class)
    order = rng.permutation(len(y))
    return X[order], y[order]


def _train_case(rng: np.random.Generator, c: int, d: int, per_class: int) -> _TrainCase:
    # Class centres on a circle of radius 3 in a random plane, around a centre away from the
    # origin (so the bias matters); each class a Gaussian blob with std 0.6.
    Q, _ = np.linalg.qr(rng.normal(size=(d, 2)))
    angles = 2 * np.pi * np.arange(c) / c + rng.uniform(0, 2 * np.pi)
    centres = 3.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1) @ Q.T + 1.5 * rng.normal(size=d)
    X, y = _blobs(rng, centres, per_class, 0.6)
    X_test, y_test = _blobs(rng, centres, 40, 0.6)
    args = {"X": X, "y": y, "num_classes": c, "lr": 0.3, "epochs": 200, "reg": 0.01}
    label = f"X {X.shape}, {c} classes; held-out accuracy ≥ {ACCURACY_THRESHOLD:.0%}"
    return _TrainCase(args=args, label=label, factors={"N": len(y), "C": c}, X_test=X_test, y_test=y_test)


def _train_cases(rng: np.random.Generator, hidden: bool):
    shapes = pick([(3, 2, 50), (2, 2, 40), (4, 5, 30)], [(3, 3, 45), (2, 4, 35), (5, 2, 40)], hidden)
    return [_train_case(rng, c, d, k) for c, d, k in shapes]


def _loss(X: np.ndarray, y: np.ndarray, W: np.ndarray, b: np.ndarray) -> float:
    z = X @ W + b
    m = z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    return float(np.mean(lse - z[np.arange(len(y)), y]))


def _verify_training(case: Case, args: dict[str, Any], got: Any) -> Diagnosis | None:
    assert isinstance(case, _TrainCase)
    X, y, c = case.args["X"], case.args["y"], case.args["num_classes"]
    d = X.shape[1]
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return Diagnosis(WRONG_TYPE, f"train_logistic_regression returned {describe(got)}; expected a "
                         "tuple (W, b) with W of shape (D, C) and b of shape (C,).")
    W, b = got
    if not isinstance(W, np.ndarray) or not isinstance(b, np.ndarray):
        return Diagnosis(WRONG_TYPE, f"W is {describe(W)} and b is {describe(b)}; both must be numpy arrays.")
    if W.shape != (d, c):
        hint = " It is transposed: this lesson keeps W as (D, C), so scores are X @ W + b." \
            if W.shape == (c, d) and c != d else ""
        return Diagnosis(WRONG_SHAPE, f"W has shape {W.shape}, expected (D, C) = {(d, c)}.{hint}")
    if b.shape != (c,):
        return Diagnosis(WRONG_SHAPE, f"b has shape {b.shape}, expected (C,) = {(c,)}: one bias per class "
                         "(sum the per-example gradient over the batch, axis 0).")
    if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
        return Diagnosis(NONFINITE, "W or b contains NaN or inf: the training blew up. Overflow in exp "
                         "(use the max trick in softmax), or a learning rate used with a gradient that "
                         "was not divided by N?")
    if not np.any(b):  # after any real training the bias is never exactly zero
        return Diagnosis("bias_not_trained", "b is still all zeros: the bias is never updated (or a "
                         "fresh zero array was returned). Its gradient is the sum over the batch of "
                         "softmax(scores) - onehot(y), divided by N.")
    acc = float(np.mean(np.argmax(case.X_test @ W + b, axis=1) == case.y_test))
    if acc >= ACCURACY_THRESHOLD:
        return None
    train_acc = float(np.mean(np.argmax(X @ W + b, axis=1) == y))
    start = float(np.log(c))  # the loss at W = 0, b = 0: every class gets probability 1/C
    loss = _loss(X, y, W, b)
    facts = (f"held-out accuracy {acc:.1%} (training accuracy {train_acc:.1%}); the check needs "
             f"≥ {ACCURACY_THRESHOLD:.0%}. Final training loss {loss:.4g}; at W = 0, b = 0 it is "
             f"log C = {start:.4g}.")
    if loss > start + 1e-6:
        return Diagnosis(SIGN, "the loss went UP during training: the update steps uphill. Subtract "
                         "the gradient (W = W - lr * dW), and check that the gradient is "
                         "softmax(scores) - onehot(y), not the other way round.\n" + facts)
    return Diagnosis("low_accuracy", "the classifier is not accurate enough. Did you run all `epochs` "
                     "steps with the given learning rate, start from zeros, and use one-hot labels "
                     "(softmax(scores) - onehot(y)) in the gradient? Check each helper on its own "
                     "first.\n" + facts)


# ---------------------------------------------------------------------------------------

register(Exercise(
    "logreg.bce_loss", "bce_loss(p (N,) probabilities, y (N,) 0/1 labels) -> float, mean over the batch",
    bce_loss, _bce_cases, outputs=(Output("loss", "scalar"),),
    blocked=("binary_cross_entropy", "bce_loss", "binary_cross_entropy_with_logits"),
    mistakes=(
        KnownMistake("missing_term", "only the positive-class term is there: for y = 0 the loss must "
                     "be −log(1 − p). Add (1 − y)·log(1 − p) inside the mean.", _bce_positive_only),
        KnownMistake("swapped_terms", "the two terms are swapped: y = 1 goes with log p and y = 0 with "
                     "log(1 − p).", _bce_swapped_terms),
        KnownMistake("log_base", "you used log10 (or log2): cross-entropy uses the natural log, np.log.",
                     _bce_log10),
        KnownMistake("mse_not_bce", "this is the mean squared error of the probabilities, not the "
                     "cross-entropy −[y log p + (1 − y) log(1 − p)].", _bce_squared),
    ),
))
register(Exercise(
    "logreg.numerical_gradient", "numerical_gradient(f, x, h) -> array of x's shape: centered differences",
    numerical_gradient, _numgrad_cases, outputs=(Output("grad"),),
    blocked=("numerical_gradient", "gradcheck", "numerical_jacobian"),
    mistakes=(
        KnownMistake("forward_difference", "this is the one-sided difference (f(x + h) − f(x)) / h, "
                     "whose error shrinks only like h. Use the centered difference "
                     "(f(x + h) − f(x − h)) / (2h), accurate to about h².", _ng_forward),
        KnownMistake("all_at_once", "every entry has the same value: x + h nudges ALL entries at once. "
                     "Nudge one entry at a time (copy x, change index i only) and store the result "
                     "at index i.", _ng_all_at_once),
        KnownMistake("rows_only", "x[i] with one index picks a whole row of a 2-D array, so a whole "
                     "row was nudged at once. Loop over every index with np.ndindex(x.shape).",
                     _ng_rows_only),
        KnownMistake("not_divided", "the difference was not divided by 2h: the gradient is a slope, "
                     "rise over run, (f(x + h) − f(x − h)) / (2h).", _ng_not_divided),
    ),
))
register(Exercise(
    "logreg.train_logistic_regression",
    "train_logistic_regression(X, y, num_classes, lr, epochs, reg) -> (W (D, C), b (C,))",
    train_logistic_regression, _train_cases, outputs=(Output("W"), Output("b")),
    blocked=("cross_entropy", "softmax", "log_softmax"), verify=_verify_training,
))
