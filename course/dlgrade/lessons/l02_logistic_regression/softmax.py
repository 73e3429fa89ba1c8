"""Softmax and losses on logits: x and logits are (N, C), labels y are (N,) ints."""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .._common import make_case, pick

_SHAPES = ([(4, 3), (1, 5), (6, 2), (3, 3)], [(5, 4), (1, 2), (8, 10), (2, 7)])
_CE_BLOCKED = ("softmax", "log_softmax", "cross_entropy", "nll_loss", "logsumexp")


@reference("log_softmax helper")
def _log_softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=1, keepdims=True)  # the max trick: exp never overflows
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


@reference("losses.softmax reference")
def softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (N, C) scores."""
    return np.exp(_log_softmax(x))


@reference("losses.cross_entropy reference")
def cross_entropy(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean over the batch of −log softmax(logits)[i, y_i]."""
    n = logits.shape[0]
    return float(-_log_softmax(logits)[np.arange(n), y].mean())


@reference("losses.cross_entropy_backward reference")
def cross_entropy_backward(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d(mean cross-entropy)/d logits = (softmax(logits) − onehot(y)) / N."""
    n = logits.shape[0]
    p = np.exp(_log_softmax(logits))
    p[np.arange(n), y] -= 1.0
    return p / n


@reference("losses.mse_backward reference")
def mse_backward(y_pred: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d mean((y_pred − y)²) / d y_pred = 2 (y_pred − y) / y_pred.size."""
    return 2.0 * (y_pred - y) / y_pred.size


def _logit_cases(rng: np.random.Generator, hidden: bool, labels: bool):
    cases = []
    for n, c in pick(*_SHAPES, hidden):
        x = rng.normal(size=(n, c)) * 2.0
        args = {"logits": x, "y": rng.integers(0, c, size=n)} if labels else {"x": x}
        cases.append(make_case(args, factors={"N": n, "C": c}))
    # Large logits: per-row offsets up to ±1000 (exp overflows without the max trick, and a
    # global max leaves whole rows at 0/0), and confidently wrong rows whose label is 800
    # below the row's max (its probability underflows to 0, so log(softmax) gives -inf).
    x = rng.normal(size=(4, 5)) * 10.0 + rng.uniform(-1000, 1000, size=(4, 1))
    y = rng.integers(0, 5, size=4)
    x[[0, 2], y[[0, 2]]] = x[[0, 2]].max(axis=1) - 800.0
    args = {"logits": x, "y": y} if labels else {"x": x}
    cases.append(make_case(args, factors={"N": 4, "C": 5}, stress=True, note="large logits"))
    return cases


def _mse_cases(rng: np.random.Generator, hidden: bool):
    shapes = pick([(5,), (1,), (4, 3), (2, 6)], [(7,), (3, 2), (1, 4), (6, 1)], hidden)
    cases = []
    for shape in shapes:
        y = rng.normal(size=shape)
        k = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        cases.append(make_case({"y_pred": y + rng.normal(size=shape), "y": y},
                               factors={"N": shape[0], "K": k, "size": int(np.prod(shape))}))
    return cases


def _ce_no_normalizer(logits, y):
    return float(-logits[np.arange(len(y)), y].mean())


register(Exercise(
    "losses.softmax", "softmax(x (N, C)) -> (N, C), each row sums to 1", softmax,
    lambda r, h: _logit_cases(r, h, False), blocked=_CE_BLOCKED,
    mistakes=(
        KnownMistake("wrong_axis", "normalised over the wrong axis: each row (axis=1, one example) "
                     "must sum to 1, not each column.", lambda x: np.exp(x) / np.exp(x).sum(axis=0, keepdims=True)),
        KnownMistake("wrong_axis", "normalised over the whole array: each row (axis=1) must sum to 1.",
                     lambda x: np.exp(x) / np.exp(x).sum()),
        KnownMistake("wrong_axis", "the max was taken over the wrong axis: subtract each row's max "
                     "(axis=1, keepdims=True); only a per-row constant leaves the softmax unchanged.",
                     lambda x: (lambda e: e / e.sum(axis=1, keepdims=True))(np.exp(x - x.max(axis=0, keepdims=True)))),
    ),
))
register(Exercise(
    "losses.cross_entropy", "cross_entropy(logits (N, C), y (N,) ints) -> float, mean over the batch",
    cross_entropy, lambda r, h: _logit_cases(r, h, True), outputs=(Output("loss", "scalar"),),
    blocked=_CE_BLOCKED,
    mistakes=(
        KnownMistake("missing_normalizer", "the log of the softmax's denominator is missing: the loss is "
                     "−logits[y] + log Σ exp(logits), not just −logits[y].", _ce_no_normalizer),
        KnownMistake("wrong_indexing", "logits[:, y] picks a column per label for every row (an (N, N) "
                     "array): use logits[np.arange(N), y] to pick one entry per row.",
                     lambda lg, y: float(-_log_softmax(lg)[:, y].mean())),
    ),
))
register(Exercise(
    "losses.cross_entropy_backward", "cross_entropy_backward(logits (N, C), y (N,)) -> dlogits (N, C)",
    cross_entropy_backward, lambda r, h: _logit_cases(r, h, True), blocked=_CE_BLOCKED,
    mistakes=(
        KnownMistake("missing_onehot", "the one-hot term is missing: the gradient is (softmax − onehot(y)) / N.",
                     lambda lg, y: np.exp(_log_softmax(lg)) / len(y)),
        KnownMistake("wrong_indexing", "the −1 went to the wrong entries: subtract 1 at [np.arange(N), y] "
                     "only (one entry per row).",
                     lambda lg, y: (np.exp(_log_softmax(lg)) - np.isin(np.arange(lg.shape[1]), y)) / len(y)),
    ),
))
register(Exercise(
    "losses.mse_backward", "mse_backward(y_pred, y) -> d mean((y_pred - y)**2) / d y_pred", mse_backward,
    _mse_cases, blocked=("mse_loss",),
))
