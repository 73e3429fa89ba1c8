"""Lesson 05, the two-layer network: the loss and gradients of relu(X @ W1 + b1) @ W2 + b2 under the mean softmax
cross-entropy. Textbook convention: X is (N, D), W1 (D, H), b1 (H,), W2 (H, C), b2 (C,), labels y (N,) ints.

The reference is dlkit's autograd (F.linear, F.relu, F.cross_entropy on float64 tensors). While it is checked,
the learner's ``two_layer_net`` sees the grader's ``linear_forward``, ``linear_backward``, ``relu_forward`` and
``relu_backward`` (graded above): the exercise is about composing them, and a mistake inside one costs points
once, where it is. Known mistakes are the composition slips of cs231n's two-layer net and of lesson 05's table.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._common import make_case
from .._draw import F32_ATOL, F32_RTOL, drawn

BLOCKED = ("cross_entropy", "softmax", "log_softmax", "relu", "linear", "nll_loss", "logsumexp")
LAYER_ORACLES = {"linear_forward": "ex:layers.linear_forward", "linear_backward": "ex:layers.linear_backward",
                 "relu_forward": "ex:activations.relu_forward", "relu_backward": "ex:activations.relu_backward"}


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax with the max trick."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(scores: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of the logits ``scores`` for labels ``y`` (log-sum-exp with the max trick)."""
    m = scores.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(scores - m).sum(axis=1))
    return float(np.mean(lse - scores[np.arange(len(y)), y]))


def net(X, y, W1, b1, W2, b2, *, slip: str = "") -> tuple:
    """The forward and backward pass by hand; ``slip`` names one typical mistake to make (see _SLIPS)."""
    n = X.shape[0]
    z1 = X @ W1 + b1
    h = z1 if slip == "no_relu" else np.maximum(z1, 0.0)
    scores = h @ W2 + b2
    loss = cross_entropy(scores, y)
    p = softmax(scores)
    if slip == "fancy_index":
        loss = float(-np.mean(np.log(p[:, y])))
    loss = {"summed_loss": loss * n, "loss_sign": -loss,
            "max_not_added": loss - float(np.mean(scores.max(axis=1)))}.get(slip, loss)
    ds = p.copy()
    if slip != "missing_onehot":
        ds[np.arange(n), y] -= 1.0
    ds = ds if slip == "gradient_not_averaged" else ds / n
    dW2 = (z1 if slip == "pre_activation" else h).T @ ds / (n if slip == "double_mean" else 1)
    dh = ds @ W2 if slip == "W2_not_transposed" else ds @ W2.T
    mask = {"missing_relu_backward": 1.0, "no_relu": 1.0, "mask_from_gradient": dh > 0,
            "mask_times_value": h}.get(slip, z1 > 0)
    dz1 = dh * mask
    dW1 = dz1.T @ X if slip == "dW1_transposed" else X.T @ dz1 / (n if slip == "double_mean" else 1)
    db1 = (dh if slip == "db1_before_mask" else dz1)
    if slip == "bias_not_summed":
        return loss, dW1, db1, dW2, ds
    return loss, dW1, db1.sum(axis=0), dW2, ds.sum(axis=0)


@reference("mlp.two_layer_net reference")
def two_layer_net(X: np.ndarray, y: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray,
                  b2: np.ndarray) -> tuple:
    """(loss, dW1, db1, dW2, db2): dlkit's autograd of F.cross_entropy(F.linear(F.relu(F.linear(X, ...))))."""
    import dlkit.functional as F

    params = [_dlkit.tensor64(p, requires_grad=True) for p in (W1, b1, W2, b2)]
    h = F.relu(F.linear(_dlkit.tensor64(X), params[0].T, params[1]))
    loss = F.cross_entropy(F.linear(h, params[2].T, params[3]), _dlkit.labels(y))
    loss.backward()
    return (_dlkit.scalar(loss), *(_dlkit.numpy(p.grad) for p in params))


def _cases(rng: np.random.Generator, hidden: bool) -> list:
    # (N, D, H, C): non-square on every axis first, then batch 1, then a square one; hidden adds drawn shapes
    shapes = [(5, 3, 4, 2), (1, 4, 3, 3), (6, 2, 7, 4), (3, 3, 3, 3), (7, 5, 3, 4)]
    if hidden:
        shapes = [(7, 5, 3, 4), (1, 2, 5, 2), (4, 6, 2, 3), (2, 3, 6, 5), (4, 4, 4, 4)] \
            + drawn(rng, 2, [(2, 9), (1, 6), (2, 7), (2, 5)])
    cases = []
    for i, (n, d, hdim, c) in enumerate(shapes):
        for _ in range(1000):  # keep every hidden pre-activation away from ReLU's kink at 0, one unit alive
            X, W1, b1 = rng.normal(size=(n, d)), rng.normal(size=(d, hdim)), rng.normal(size=hdim) * 0.5
            if np.abs(X @ W1 + b1).min() > 0.1 and (X @ W1 + b1 > 0).any():
                break
        y = rng.integers(0, c, size=n)
        if n >= c:  # one class never appears among the labels (its gradient is all softmax)
            y = np.where(y == c - 1, 0, y)
        args = {"X": X, "y": y, "W1": W1, "b1": b1, "W2": rng.normal(size=(hdim, c)), "b2": rng.normal(size=c) * 0.5}
        note = ""
        if i == 4:  # float32 data and weights: the learner's code must work for both
            args, note = {k: (v.astype(np.float32) if k != "y" else v) for k, v in args.items()}, "float32"
        cases.append(make_case(args, factors={"N": n, "D": d, "H": hdim, "C": c}, note=note))
    return cases


_SLIPS: tuple[tuple[str, str, str, str], ...] = (
    ("missing_relu_backward", "dW1 and db1 are off: the gradient went back through the ReLU unchanged. Pass dh "
     "through relu_backward(dh, z1) before the first layer's backward.", "the line that computes dz1",
     r"linear_backward\(\s*dh"),
    ("pre_activation", "dW2 used the hidden layer BEFORE the ReLU: the second layer's input is h = relu(z1), so "
     "linear_backward(dscores, h, W2, b2).", "the second layer's backward", r"linear_backward\(.*z1\s*,\s*W2"),
    ("double_mean", "the weight gradients are divided by N twice: dscores already carries the 1/N of the mean, "
     "so dW = x.T @ dout with no further division.", "the lines that compute dW1 and dW2", r"/\s*(?:N|n|len)"),
    ("missing_onehot", "the one-hot term is missing: dscores = (softmax(scores) − onehot(y)) / N.",
     "the line that computes dscores", r"dscores\s*="),
    ("no_relu", "the hidden layer has no ReLU: h = relu_forward(z1); without it the two layers are one linear "
     "map (and the backward pass needs its mask).", "the line that computes h", r"h\s*=\s*z1\b"),
    ("mask_from_gradient", "the ReLU's mask must come from its INPUT z1 (relu_backward(dh, z1)), not from the "
     "gradient dh.", "the ReLU's backward", r"relu_backward\(\s*dh\s*,\s*dh"),
    ("summed_loss", "the loss is the MEAN cross-entropy over the batch, not the sum (the gradients are right).",
     "the line that computes the loss", r"\.sum\(|np\.sum\("),
    ("loss_sign", "the loss is MINUS the mean log-probability of the true class (a positive number).",
     "the line that computes the loss", r"mean\(\s*np\.log|loss\s*="),
    ("gradient_not_averaged", "dscores misses the 1/N of the mean: the loss averages over the batch, so "
     "dscores = (softmax − onehot(y)) / N.", "the line that computes dscores", r"dscores\s*="),
    ("bias_not_summed", "db1 and db2 must be summed over the batch: each bias is added to every row, so its "
     "gradient is the sum of the rows (linear_backward's db).", "the bias gradients", r"db[12]\s*="),
    ("dW1_transposed", "dW1 has W1's shape (D, H): X.T @ dz1, not dz1.T @ X.", "the line that computes dW1",
     r"\.T\s*@\s*X"),
    ("fancy_index", "p[:, y] takes every example's probability of EVERY label in y, an (N, N) matrix: one per "
     "example is p[np.arange(N), y].", "the line that computes the loss", r"\[\s*:\s*,\s*y\s*\]"),
    ("max_not_added", "the max subtracted for stability must be added back: log Σ exp(s) = m + log Σ exp(s − m).",
     "the line that computes the loss", r"max\("),
    ("db1_before_mask", "db1 was summed before the ReLU's mask: the first layer's bias gets dz1 = dh · (z1 > 0), "
     "summed over the batch.", "the line that computes db1", r"db1\s*=.*dh"),
    ("W2_not_transposed", "dh = dscores @ W2.T: W2 is (H, C) and dscores (N, C), so the product that gives h's "
     "shape (N, H) uses W2.T.", "the line that computes dh", r"\w\s*@\s*W2\s*(?:$|[),*])"),
    ("mask_times_value", "the ReLU's local derivative is the 0/1 mask (z1 > 0), not the value relu(z1).",
     "the ReLU's backward", r"dh\s*\*\s*h\b"),
)


def _slipped(slip: str) -> Any:
    return lambda X, y, W1, b1, W2, b2: net(X, y, W1, b1, W2, b2, slip=slip)


register(Exercise(
    "mlp.two_layer_net",
    "two_layer_net(X (N, D), y (N,), W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)) -> (loss, dW1, db1, dW2, db2)",
    two_layer_net, _cases,
    outputs=(Output("loss", "scalar"), Output("dW1"), Output("db1"), Output("dW2"), Output("db2")),
    blocked=BLOCKED, oracles=LAYER_ORACLES, rtol=F32_RTOL, atol=F32_ATOL,
    mistakes=tuple(KnownMistake(code, message, _slipped(code), look_at, look_for)
                   for code, message, look_at, look_for in _SLIPS),
))
