"""Lesson 02, training a softmax (multinomial logistic) regression classifier: full-batch gradient descent from
zeros on the mean cross-entropy plus the L2 penalty λ/2·ΣW² (dlkit's F.cross_entropy, autograd and
dlkit.optim.SGD with weight_decay=λ on W, none on b). The check asks for held-out accuracy; a run that misses
it is compared with the catalogued training mistakes, computed on the same data.

Textbook convention: X is (N, D), W is (D, C), b is (C,), labels y are (N,) ints.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...diagnosis import NONFINITE, SIGN, WRONG_SHAPE, WRONG_TYPE, Diagnosis, describe
from ...harness.guard import reference
from ...harness.guard import suspended as guard_suspended
from ...registry import Case, Exercise, KnownMistake, Output, Training, register
from .. import _dlkit
from .._common import pick
from .cross_entropy import CE_BLOCKED

ACCURACY_THRESHOLD = 0.9


@dataclass
class _TrainCase(Case):
    """A training case that also carries held-out data for the accuracy check."""

    X_test: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    y_test: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@reference("logreg.train_logistic_regression reference")
def train_logistic_regression(X: np.ndarray, y: np.ndarray, num_classes: int, lr: float, epochs: int,
                              reg: float) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch gradient descent from W = 0, b = 0 on mean cross-entropy + reg/2·ΣW² (gradient reg·W): dlkit's
    F.cross_entropy, autograd, and SGD with weight_decay=reg on W only."""
    import dlkit.functional as F
    from dlkit.optim import SGD

    W = _dlkit.tensor64(np.zeros((X.shape[1], num_classes)), requires_grad=True)
    b = _dlkit.tensor64(np.zeros(num_classes), requires_grad=True)
    Xt, yt = _dlkit.tensor64(X), _dlkit.labels(y)
    opt = SGD([{"params": [W], "weight_decay": reg}, {"params": [b]}], lr=lr)
    for _ in range(epochs):
        opt.zero_grad()
        F.cross_entropy(Xt @ W + b, yt).backward()
        opt.step()
    return _dlkit.numpy(W), _dlkit.numpy(b)


def _train_gradient(args: dict[str, Any], params: Any) -> tuple[np.ndarray, np.ndarray]:
    """The gradient of mean cross-entropy + reg/2·ΣW² at (W, b): what one training step follows."""
    (W, b), X, y = params, args["X"], args["y"]
    G = (_softmax(X @ W + b) - np.eye(W.shape[1])[y]) / len(y)
    return X.T @ G + args["reg"] * W, G.sum(axis=0)


def _loop(X, y, num_classes, lr, epochs, reg, *, sign=1.0, probs=_softmax, onehot=True, steps=None,
          reg_scale: float | str = 1.0, w_uses_X=True):
    """The training loop as a learner writes it, with the switches the catalogued mistakes flip."""
    n, d = X.shape
    W, b = np.zeros((d, num_classes)), np.zeros(num_classes)
    Y = np.eye(num_classes)[y] if onehot else y[:, None].astype(float)
    for _ in range(epochs if steps is None else steps):
        G = (probs(X @ W + b) - Y) / n
        penalty = reg * {"N": n, "1/N": 1.0 / n}.get(reg_scale, reg_scale) * W  # type: ignore[call-overload]
        W = W - sign * lr * ((X.T @ G if w_uses_X else G.sum(axis=0)) + penalty)
        b = b - sign * lr * G.sum(axis=0)
    return W, b


def _with(**switches):
    return lambda X, y, c, lr, epochs, reg: _loop(X, y, c, lr, epochs, reg, **switches)


_STEP = "the update of W and b"
_TRAIN_MISTAKES = (
    KnownMistake("ascent", "the update steps UPHILL: subtract the gradient, W = W - lr * (X.T @ G + reg * W), with "
                 "G = (softmax(scores) - onehot(y)) / N.", _with(sign=-1.0), _STEP, r"\+=|\+\s*lr"),
    KnownMistake("labels_not_onehot", "the labels were subtracted as numbers (softmax(scores) - y[:, None]): the "
                 "gradient needs them one-hot, softmax(scores) - onehot(y), one column per class.",
                 _with(onehot=False), "the line that computes G", r"y\[\s*:\s*,\s*None"),
    KnownMistake("scores_not_probabilities", "the gradient uses the raw scores X @ W + b instead of their softmax: "
                 "G = (softmax(scores) - onehot(y)) / N; without the softmax the steps grow until they blow up.",
                 _with(probs=lambda z: z), "the line that computes G", r"@\s*W\s*\+\s*b\s*-"),
    KnownMistake("softmax_wrong_axis", "the softmax was normalised over the wrong axis (each column, axis=0): each "
                 "example's row must sum to 1, axis=1.", _with(probs=lambda z: _softmax(z.T).T), "the softmax line",
                 r"axis\s*=\s*0"),
    KnownMistake("w_gradient_without_X", "W's gradient leaves out the inputs (G summed over the batch, like b's): "
                 "dW = X.T @ G + reg * W, one row per feature.", _with(w_uses_X=False), "the update of W",
                 r"W\s*-.*sum"),
    KnownMistake("reg_times_n", "the penalty's gradient is N times too large (reg * N * W, the λ/(2N) convention of "
                 "other texts): this lesson adds reg/2·ΣW² to the MEAN loss, so its gradient is reg * W.",
                 _with(reg_scale="N"), "the penalty term", r"reg\s*\*\s*(N|n|len)"),
    KnownMistake("reg_over_n", "the penalty's gradient is N times too small (reg / N * W, the λ/(2N) convention of "
                 "other texts): this lesson adds reg/2·ΣW² to the MEAN loss, so its gradient is reg * W.",
                 _with(reg_scale="1/N"), "the penalty term", r"reg\s*/\s*(N|n|len)|/\s*(N|n)\s*\)?\s*\*\s*W"),
    KnownMistake("return_inside_loop", "only ONE step was taken: the `return` sits inside the epoch loop. Dedent it "
                 "so that all `epochs` steps run first.", _with(steps=1), "the return line", r"^\s{8,}return"),
)


def _named(case: Case, W: np.ndarray, b: np.ndarray) -> KnownMistake | None:
    """The catalogued training mistake whose run gives this W and b, if any."""
    for m in _TRAIN_MISTAKES:
        with np.errstate(all="ignore"):
            mW, mb = m.compute(*case.fresh().values())
        if np.allclose(mW, W, rtol=1e-6, atol=1e-9, equal_nan=True) and \
                np.allclose(mb, b, rtol=1e-6, atol=1e-9, equal_nan=True):
            return m
    return None


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
    # 30 steps of 0.5 reach ≥ 97.5% on every case, and every catalogued mistake misses 90% on some case; few
    # steps keep the check quick (each step asks the grader for cross_entropy_grad)
    args = {"X": X, "y": y, "num_classes": c, "lr": 0.5, "epochs": 30, "reg": 0.01}
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


def _off_the_run(case: Case, W: np.ndarray, b: np.ndarray, acc: float) -> Diagnosis | None:
    """Accurate enough, but is it gradient descent on J? From the same start (zeros) with the same epochs, lr and
    reg, the weights are determined: any other W and b is another algorithm (an L2 term on b, reg/N, a step
    too many), whatever its accuracy."""
    with guard_suspended():
        W_ref, b_ref = train_logistic_regression(*case.fresh().values())
    scale = max(1.0, float(np.max(np.abs(W_ref))))
    if np.allclose(W, W_ref, rtol=1e-5, atol=1e-7 * scale) and np.allclose(b, b_ref, rtol=1e-5, atol=1e-7 * scale):
        return None
    known = _named(case, W, b)
    facts = (f"held-out accuracy {acc:.1%} is fine, but from the same start (zeros) with the same epochs, lr "
             "and reg gradient descent gives other weights")
    if known is not None:
        return Diagnosis(known.code, known.message, facts + ".")
    worst = np.unravel_index(int(np.argmax(np.abs(W - W_ref))), W.shape)
    return Diagnosis("off_the_run", "W and b are not the ones gradient descent on J reaches from zeros in "
                     "`epochs` steps: check that the L2 term reg·W is added to dW only (not to db), that nothing is "
                     "divided by N twice, and that exactly `epochs` full-batch steps are taken.",
                     f"{facts}; W{tuple(int(i) for i in worst)}: expected {W_ref[worst]:.6g}, got {W[worst]:.6g}.")


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
    finite = bool(np.all(np.isfinite(W)) and np.all(np.isfinite(b)))
    acc = float(np.mean(np.argmax(case.X_test @ W + b, axis=1) == case.y_test)) if finite else 0.0
    if acc >= ACCURACY_THRESHOLD and np.any(b):
        return _off_the_run(case, W, b, acc)
    known = _named(case, W, b)
    if known is not None:
        return Diagnosis(known.code, known.message, f"held-out accuracy {acc:.1%}; the check needs "
                         f"≥ {ACCURACY_THRESHOLD:.0%}.")
    if not finite:
        return Diagnosis(NONFINITE, "W or b contains NaN or inf: the training blew up. Overflow in exp "
                         "(use the max trick in softmax), or a learning rate used with a gradient that "
                         "was not divided by N?")
    if not np.any(b):  # after any real training the bias is never exactly zero
        return Diagnosis("bias_not_trained", "b is still all zeros: the bias is never updated (or a "
                         "fresh zero array was returned). Its gradient is the sum over the batch of "
                         "softmax(scores) - onehot(y), divided by N.")
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


register(Exercise(
    "logreg.train_logistic_regression",
    "train_logistic_regression(X, y, num_classes, lr, epochs, reg) -> (W (D, C), b (C,))",
    train_logistic_regression, _train_cases, outputs=(Output("W"), Output("b")),
    blocked=CE_BLOCKED, verify=_verify_training, mistakes=_TRAIN_MISTAKES,
    oracles={"cross_entropy_grad": "ex:losses.cross_entropy_backward", "softmax": "ex:losses.softmax",
             "cross_entropy": "ex:losses.cross_entropy"},
    training=Training("epochs", params=list, gradient=_train_gradient,
                      diverges="Are the softmax's probabilities normalised (each row divided by its sum, after "
                      "subtracting the row's max), and the gradient divided by N once?"),
    hints=frozenset({"exp", "update", "matmul", "batch"}),
))
