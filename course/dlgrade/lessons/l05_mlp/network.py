"""Lesson 05, multilayer networks: a two-layer ReLU network's loss and gradients, and its training loop.

Textbook convention: X is (N, D), W1 is (D, H), b1 (H,), W2 is (H, C), b2 (C,), labels y are (N,) ints.
The network is scores = relu(X @ W1 + b1) @ W2 + b2, with the mean softmax cross-entropy as its loss.
The lesson also reuses ``layers.linear_*``, ``activations.relu_*``/``sigmoid_backward`` and
``losses.cross_entropy``/``cross_entropy_backward`` for the single layers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...diagnosis import NONFINITE, SIGN, WRONG_SHAPE, WRONG_TYPE, Diagnosis, describe
from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, Training, register
from .._common import make_case, pick

_BLOCKED = ("cross_entropy", "softmax", "log_softmax", "relu", "linear", "nll_loss", "logsumexp")

# ---------------------------------------------------------------------------------------
# the two-layer network: loss and gradients


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _ce(scores: np.ndarray, y: np.ndarray) -> float:
    m = scores.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(scores - m).sum(axis=1))
    return float(np.mean(lse - scores[np.arange(len(y)), y]))


def _net(X, y, W1, b1, W2, b2, *, mask=True, h_for_dW2="h", n_extra=1.0, onehot=True):
    """The forward and backward pass, with switches that turn it into the typical mistakes."""
    n = X.shape[0]
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0.0)
    scores = h @ W2 + b2
    loss = _ce(scores, y)
    dscores = _softmax(scores)
    if onehot:
        dscores[np.arange(n), y] -= 1.0
    dscores /= n
    dW2 = (h if h_for_dW2 == "h" else z1).T @ dscores / n_extra
    db2 = dscores.sum(axis=0)
    dh = dscores @ W2.T
    dz1 = dh * (z1 > 0) if mask else dh
    dW1 = X.T @ dz1 / n_extra
    db1 = dz1.sum(axis=0)
    return loss, dW1, db1, dW2, db2


@reference("mlp.two_layer_net reference")
def two_layer_net(X: np.ndarray, y: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray,
                  b2: np.ndarray):
    """(loss, dW1, db1, dW2, db2) of the mean cross-entropy of relu(X @ W1 + b1) @ W2 + b2."""
    return _net(X, y, W1, b1, W2, b2)


def _net_cases(rng: np.random.Generator, hidden: bool):
    # (N, D, H, C): non-square on every axis first, then batch 1, then a square one.
    shapes = pick([(5, 3, 4, 2), (1, 4, 3, 3), (6, 2, 7, 4), (3, 3, 3, 3)],
                  [(7, 5, 3, 4), (1, 2, 5, 2), (4, 6, 2, 3), (2, 3, 6, 5), (4, 4, 4, 4)], hidden)
    cases = []
    for n, d, h, c in shapes:
        for _ in range(1000):  # keep every hidden pre-activation away from ReLU's kink at 0
            X, W1, b1 = rng.normal(size=(n, d)), rng.normal(size=(d, h)), rng.normal(size=h) * 0.5
            if np.abs(X @ W1 + b1).min() > 0.1 and (n == 1 or (X @ W1 + b1 > 0).any()):
                break
        args = {"X": X, "y": rng.integers(0, c, size=n), "W1": W1, "b1": b1,
                "W2": rng.normal(size=(h, c)), "b2": rng.normal(size=c) * 0.5}
        cases.append(make_case(args, factors={"N": n, "D": d, "H": h, "C": c}))
    return cases


# ---------------------------------------------------------------------------------------
# training the network


ACCURACY_THRESHOLD = 0.9


@dataclass
class _TrainCase(Case):
    """A training case that also carries held-out data for the accuracy check."""

    X_test: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    y_test: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))


def _init(d: int, h: int, c: int, seed: int):
    """He initialisation: weights N(0, 2 / fan_in), biases zero."""
    rng = np.random.default_rng(seed)
    W1 = rng.normal(size=(d, h)) * np.sqrt(2.0 / d)
    W2 = rng.normal(size=(h, c)) * np.sqrt(2.0 / h)
    return W1, np.zeros(h), W2, np.zeros(c)


@reference("mlp.train_two_layer_net reference")
def train_two_layer_net(X: np.ndarray, y: np.ndarray, hidden_size: int, num_classes: int, lr: float,
                        epochs: int, seed: int):
    """Full-batch gradient descent on the two-layer net from He-initialised weights and zero biases."""
    W1, b1, W2, b2 = _init(X.shape[1], hidden_size, num_classes, seed)
    for _ in range(epochs):
        _, dW1, db1, dW2, db2 = _net(X, y, W1, b1, W2, b2)
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2


def _rings(rng: np.random.Generator, n: int, classes: int):
    """Concentric noisy rings, one class per ring, shifted away from the origin: no line separates them."""
    y = rng.integers(0, classes, size=n)
    t = rng.uniform(0, 2 * np.pi, size=n)
    r = 1.0 + y + 0.15 * rng.normal(size=n)
    return np.stack([r * np.cos(t), r * np.sin(t)], 1) * 0.6 + np.array([0.5, -0.3]), y


def _spirals(rng: np.random.Generator, n: int, classes: int):
    """Interleaved spiral arms (one and a half turns in all), with a little noise."""
    y = rng.integers(0, classes, size=n)
    r = rng.uniform(0.1, 1.0, size=n)
    t = 4.0 * r + 2 * np.pi * y / classes + 0.15 * rng.normal(size=n)
    return np.stack([r * np.sin(t), r * np.cos(t)], 1) * 2.0, y


def _xor(rng: np.random.Generator, n: int, classes: int):
    """Four Gaussian clusters at (±1, ±1) in D = 3 (a third, useless feature); class 1 where the signs differ."""
    corners = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)
    k = rng.integers(0, 4, size=n)
    X = np.concatenate([corners[k] + 0.3 * rng.normal(size=(n, 2)), rng.normal(size=(n, 1))], 1)
    return X, (k >= 2).astype(np.int64)


_DATA = {"rings": _rings, "spirals": _spirals, "xor": _xor}


def _train_case(rng: np.random.Generator, kind: str, classes: int, n: int, hidden: int) -> _TrainCase:
    X, y = _DATA[kind](rng, n, classes)
    X_test, y_test = _DATA[kind](rng, 300, classes)
    args = {"X": X, "y": y, "hidden_size": hidden, "num_classes": classes, "lr": 1.0, "epochs": 600,
            "seed": int(rng.integers(0, 1000))}
    label = f"{kind}, X {X.shape}, {classes} classes, H = {hidden}; held-out accuracy ≥ {ACCURACY_THRESHOLD:.0%}"
    return _TrainCase(args=args, label=label, factors={"N": n, "C": classes}, X_test=X_test, y_test=y_test)


def _train_cases(rng: np.random.Generator, hidden: bool):
    specs = pick([("rings", 2, 300, 20), ("spirals", 3, 300, 50), ("xor", 2, 200, 8)],
                 [("rings", 3, 300, 30), ("spirals", 2, 240, 40), ("xor", 2, 150, 10)], hidden)
    return [_train_case(rng, *s) for s in specs]


def _predict(X, W1, b1, W2, b2) -> np.ndarray:
    return np.argmax(np.maximum(X @ W1 + b1, 0.0) @ W2 + b2, axis=1)


def _verify_training(case: Case, args: dict[str, Any], got: Any) -> Diagnosis | None:
    assert isinstance(case, _TrainCase)
    X, y = case.args["X"], case.args["y"]
    d, h, c = X.shape[1], case.args["hidden_size"], case.args["num_classes"]
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        return Diagnosis(WRONG_TYPE, f"train_two_layer_net returned {describe(got)}; expected a tuple "
                         "(W1, b1, W2, b2).")
    if not all(isinstance(p, np.ndarray) for p in got):
        return Diagnosis(WRONG_TYPE, "W1, b1, W2 and b2 must all be numpy arrays; got "
                         + ", ".join(describe(p) for p in got) + ".")
    W1, b1, W2, b2 = got
    for name, p, shape in (("W1", W1, (d, h)), ("b1", b1, (h,)), ("W2", W2, (h, c)), ("b2", b2, (c,))):
        if p.shape != shape:
            hint = " It is transposed: this lesson keeps weights as (inputs, outputs), so X @ W1." \
                if p.ndim == 2 and p.shape == shape[::-1] else ""
            return Diagnosis(WRONG_SHAPE, f"{name} has shape {p.shape}, expected {shape}.{hint}")
    if not all(np.all(np.isfinite(p)) for p in got):
        return Diagnosis(NONFINITE, "the weights contain NaN or inf: training blew up. Do the updates "
                         "step downhill (W = W - lr * dW, not +)? Is every gradient divided by N once (the "
                         "1/N of the mean)? Does the softmax subtract each row's max before exp?")
    if h > 1 and np.allclose(W1, W1[:, :1]) and np.allclose(b1, b1[0]):
        return Diagnosis("symmetry", "every hidden unit has the same weights: they started equal (zeros "
                         "or one constant), so each got the same gradient and they never became different. "
                         "The network then acts like one with a single hidden unit. Initialise W1 and W2 "
                         "with random numbers (rng.normal(...) * scale), the biases with zeros.")
    acc = float(np.mean(_predict(case.X_test, W1, b1, W2, b2) == case.y_test))
    if acc >= ACCURACY_THRESHOLD:
        return None
    train_acc = float(np.mean(_predict(X, W1, b1, W2, b2) == y))
    loss = _ce(np.maximum(X @ W1 + b1, 0.0) @ W2 + b2, y)
    facts = (f"held-out accuracy {acc:.1%} (training accuracy {train_acc:.1%}); the check needs "
             f"≥ {ACCURACY_THRESHOLD:.0%}. Final training loss {loss:.4g}; guessing uniformly gives "
             f"log C = {np.log(c):.4g}.")
    # the loss at a typical random start (the reference's initial weights)
    W1_0, _, W2_0, _ = _init(d, h, c, case.args["seed"])
    start = _ce(np.maximum(X @ W1_0, 0.0) @ W2_0, y)
    # a first large step may overshoot, but a loss that ends several times above the start climbed
    if loss > 5.0 * max(start, np.log(c)):
        return Diagnosis(SIGN, "the loss ended far above where training starts: the updates step uphill "
                         "(subtract lr * gradient) or the gradient has the wrong sign "
                         "(softmax − onehot(y), not the other way round).\n" + facts)
    if not np.any(b1) and not np.any(b2):
        return Diagnosis("bias_not_trained", "b1 and b2 are still all zeros: the biases are never "
                         "updated. Their gradients are the sums over the batch of dz1 and dscores.\n" + facts)
    return Diagnosis("low_accuracy", "the network is not accurate enough. Did you run all `epochs` "
                     "full-batch steps with the given learning rate, apply the ReLU in the forward pass and "
                     "its mask in the backward pass, and update all four parameters? Check two_layer_net "
                     "on its own first.\n" + facts)


# ---------------------------------------------------------------------------------------

register(Exercise(
    "mlp.two_layer_net",
    "two_layer_net(X (N, D), y (N,), W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)) -> (loss, dW1, db1, dW2, db2)",
    two_layer_net, _net_cases,
    outputs=(Output("loss", "scalar"), Output("dW1"), Output("db1"), Output("dW2"), Output("db2")),
    blocked=_BLOCKED,
    mistakes=(
        KnownMistake("missing_relu_backward", "dW1 and db1 are off: the gradient went back through the ReLU "
                     "unchanged. Multiply dh by the ReLU's mask (z1 > 0) before the first layer's backward.",
                     lambda X, y, W1, b1, W2, b2: _net(X, y, W1, b1, W2, b2, mask=False)),
        KnownMistake("pre_activation", "dW2 used the hidden layer BEFORE the ReLU: the second layer's input "
                     "is h = relu(z1), so dW2 = h.T @ dscores.",
                     lambda X, y, W1, b1, W2, b2: _net(X, y, W1, b1, W2, b2, h_for_dW2="z1")),
        KnownMistake("double_mean", "the weight gradients are divided by N twice: dscores already carries "
                     "the 1/N of the mean, so dW = x.T @ dout with no further division.",
                     lambda X, y, W1, b1, W2, b2: _net(X, y, W1, b1, W2, b2, n_extra=X.shape[0])),
        KnownMistake("missing_onehot", "the one-hot term is missing: dscores = (softmax(scores) − onehot(y)) / N.",
                     lambda X, y, W1, b1, W2, b2: _net(X, y, W1, b1, W2, b2, onehot=False)),
    ),
))
register(Exercise(
    "mlp.train_two_layer_net",
    "train_two_layer_net(X, y, hidden_size, num_classes, lr, epochs, seed) -> (W1, b1, W2, b2)",
    train_two_layer_net, _train_cases, outputs=(Output("W1"), Output("b1"), Output("W2"), Output("b2")),
    blocked=_BLOCKED, verify=_verify_training,
    training=Training("epochs", params=list, gradient=lambda a, p: _net(a["X"], a["y"], *p)[1:],
                      diverges="Does the softmax subtract each row's max before exp, and is every gradient "
                      "divided by N once?"),
))
