"""Lesson 02, cross-entropy on logits and its gradient: dlkit's F.cross_entropy and its autograd, float64.

The learner's ``cross_entropy`` and ``cross_entropy_grad`` may call their ``softmax``; the checks give them the
grader's, so a softmax mistake costs points once, in its own exercise.
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import STABLE_SOFTMAX, Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._draw import F32_ATOL, F32_RTOL
from .softmax import CE_BLOCKED, log_softmax, logit_cases, probabilities

_ORACLES = {"softmax": "ex:losses.softmax"}


def _dlkit_ce(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """The mean cross-entropy and its gradient with respect to the logits, by dlkit."""
    import dlkit.functional as F

    z = _dlkit.tensor64(logits, requires_grad=True)
    loss = F.cross_entropy(z, _dlkit.labels(y))
    loss.backward()
    return _dlkit.scalar(loss), _dlkit.numpy(z.grad)


@reference("losses.cross_entropy reference")
def cross_entropy(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean over the batch of −log softmax(logits)[i, y_i]: dlkit's F.cross_entropy."""
    return _dlkit_ce(logits, y)[0]


@reference("losses.cross_entropy_backward reference")
def cross_entropy_backward(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d(mean cross-entropy)/d logits = (softmax(logits) − onehot(y)) / N: dlkit's autograd."""
    return _dlkit_ce(logits, y)[1]


def _rows(y):
    return np.arange(len(y))


def _lse(z):
    m = z.max(axis=1)
    return m + np.log(np.exp(z - m[:, None]).sum(axis=1))


def _picked(z, y):
    return z[_rows(y), y]


def _mean(per_example):
    return float(np.mean(per_example))


def _probs(z):
    return probabilities(z)


_PICK, _LSE = "the line that picks the label's score", "the log-sum-exp line"
_CE_MISTAKES = (
    KnownMistake("missing_normalizer", "the log of the softmax's denominator is missing: the loss is −logits[y] + "
                 "log Σ exp(logits), not just −logits[y].", lambda z, y: _mean(-_picked(z, y)), _LSE, r"return"),
    KnownMistake("wrong_indexing", "logits[:, y] picks a column per label for every row (an (N, N) array): use "
                 "logits[np.arange(N), y] to pick one entry per row.", lambda z, y: _mean(-log_softmax(z)[:, y]),
                 _PICK, r"\[\s*:\s*,\s*y\s*\]"),
    KnownMistake("rows_indexed_by_label", "logp[y] picks ROWS numbered by the labels: pick one entry per row, "
                 "logp[np.arange(N), y].", lambda z, y: _mean(-log_softmax(z)[y]), _PICK, r"\[\s*y\s*\]"),
    KnownMistake("argmax_not_label", "the score picked is the largest one (argmax), not the label's: the loss "
                 "reads logits[np.arange(N), y].", lambda z, y: _mean(_lse(z) - z.max(axis=1)), _PICK, r"argmax"),
    KnownMistake("label_ignored", "the log-probabilities of ALL classes were averaged: the loss takes only the "
                 "label's, −log p[i, y_i], one per example.", lambda z, y: _mean(-log_softmax(z)), _PICK,
                 r"mean\("),
    KnownMistake("no_max_trick", "log Σ exp(logits) overflows (exp(1000) = inf): subtract each row's max m first "
                 "and add it back, m + log Σ exp(logits − m).", lambda z, y: _mean(np.log(np.exp(z).sum(axis=1))
                                                                                 - _picked(z, y)),
                 _LSE, r"exp\(\s*logits\s*\)"),
    KnownMistake("log_of_softmax", "log(softmax) in two steps: a probability that underflows to 0 gives −log 0 = "
                 "inf. Use the log-sum-exp form, −logits[y] + m + log Σ exp(logits − m).",
                 lambda z, y: _mean(-np.log(_probs(z)[_rows(y), y])), _LSE, r"log\(\s*(softmax|p)"),
    KnownMistake("max_not_added_back", "the max m was subtracted inside the log-sum-exp but not added back: "
                 "log Σ exp(z) = m + log Σ exp(z − m).",
                 lambda z, y: _mean(np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1)) - _picked(z, y)),
                 _LSE, r"log\("),
    KnownMistake("max_added_twice", "the shifted scores z − m were used for the label's score while m was also "
                 "added back: use the same scores in both terms (either z with m + log Σ exp(z − m), or z − m with "
                 "log Σ exp(z − m)).", lambda z, y: _mean(_lse(z) - _picked(z, y) + z.max(axis=1)), _PICK,
                 r"\[\s*np\.arange"),
    KnownMistake("wrong_axis", "the softmax was taken over the wrong axis (each column, axis=0): normalise each "
                 "row, axis=1.", lambda z, y: _mean(-log_softmax(z.T).T[_rows(y), y]), _LSE, r"axis\s*=\s*0"),
    KnownMistake("sign", "the loss is negative: cross-entropy is MINUS the log-probability of the label.",
                 lambda z, y: -_mean(_lse(z) - _picked(z, y)), _PICK, r"mean"),
    KnownMistake("sum_not_mean", "the losses were SUMMED over the batch: take their mean (divide by N).",
                 lambda z, y: float(np.sum(_lse(z) - _picked(z, y))), "the reduction", r"sum"),
    KnownMistake("mean_over_classes_too", "the mean ran over all N × C entries of onehot · log p: sum over the "
                 "classes first, then average over the N examples (the loss is C times too small).",
                 lambda z, y: _mean(_lse(z) - _picked(z, y)) / z.shape[1], "the reduction", r"mean"),
    KnownMistake("no_reduction", "one loss per example was returned: average them into one number.",
                 lambda z, y: _lse(z) - _picked(z, y), "the return line", r"return"),
)

register(Exercise(
    "losses.cross_entropy", "cross_entropy(logits (N, C), y (N,) ints) -> float, mean over the batch",
    cross_entropy, lambda r, h: logit_cases(r, h, True), outputs=(Output("loss", "scalar"),),
    blocked=CE_BLOCKED, oracles=_ORACLES, mistakes=_CE_MISTAKES, rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"exp", "log", "batch"}),
    stable=STABLE_SOFTMAX,
))


def _minus_one(p, y, rows=None):
    """p with 1 subtracted at (row, label) of every example, or at the rows given."""
    out = p.copy()
    if rows is None:
        out[_rows(y), y] -= 1.0
    else:
        out[rows] -= 1.0
    return out


def _onehot(z, y):
    return np.eye(z.shape[1])[y]


_GRAD = "the line that builds the gradient"
_GRAD_MISTAKES = (
    KnownMistake("missing_onehot", "the one-hot term is missing: the gradient is (softmax − onehot(y)) / N.",
                 lambda z, y: _probs(z) / len(y), _GRAD, r"return"),
    KnownMistake("wrong_indexing", "the −1 went to whole columns (p[:, y] -= 1): subtract 1 at "
                 "[np.arange(N), y] only, one entry per row.",
                 lambda z, y: (_probs(z) - np.isin(np.arange(z.shape[1]), y)) / len(y), _GRAD,
                 r"\[\s*:\s*,\s*y\s*\]"),
    KnownMistake("rows_indexed_by_label", "p[y] -= 1 changes whole ROWS numbered by the labels: subtract 1 at "
                 "[np.arange(N), y] only.", lambda z, y: _minus_one(_probs(z), y, rows=y) / len(y), _GRAD,
                 r"\[\s*y\s*\]"),
    KnownMistake("onehot_size_from_labels", "the one-hot matrix took its width from the labels (y.max() + 1): when "
                 "the batch misses the last class it has too few columns. Its width is C = logits.shape[1].",
                 lambda z, y: (_probs(z) - np.eye(int(y.max()) + 1)[y]) / len(y), "the one-hot line", r"max"),
    KnownMistake("sign", "the gradient has the wrong sign: it is (softmax − onehot(y)) / N, prediction minus "
                 "truth.", lambda z, y: (_onehot(z, y) - _probs(z)) / len(y), _GRAD, r"onehot|Y\s*-"),
    KnownMistake("missing_mean", "the gradient is N times too large: the loss is a MEAN over the batch, so divide "
                 "by N.", lambda z, y: _minus_one(_probs(z), y), _GRAD, r"return"),
    KnownMistake("divided_by_size", "divided by N·C (the number of entries): the loss averages over the N "
                 "examples only, so divide by N.", lambda z, y: _minus_one(_probs(z), y) / z.size, _GRAD,
                 r"size|mean"),
    KnownMistake("divided_twice", "divided by N twice: (softmax − onehot) / N is already the whole gradient.",
                 lambda z, y: _minus_one(_probs(z), y) / len(y) ** 2, _GRAD, r"/"),
    KnownMistake("precedence", "P - Y / N divides only the one-hot term: the brackets are missing, (P - Y) / N.",
                 lambda z, y: _probs(z) - _onehot(z, y) / len(y), _GRAD, r"-[^()]*/"),
    KnownMistake("log_probabilities", "log-probabilities were used: the gradient is built from the probabilities "
                 "themselves, softmax(logits) − onehot(y).", lambda z, y: _minus_one(log_softmax(z), y) / len(y),
                 _GRAD, r"log"),
    KnownMistake("gradient_of_log", "−onehot / (N·p) is the gradient with respect to the PROBABILITIES: through "
                 "the softmax, the gradient with respect to the logits is (p − onehot) / N.",
                 lambda z, y: -_onehot(z, y) / (len(y) * _probs(z)), _GRAD, r"/\s*\(?\s*(N|n|len)"),
    KnownMistake("no_max_trick", "exp of logits near 1000 overflows (inf / inf = nan): subtract each row's max "
                 "before np.exp (or use your softmax).",
                 lambda z, y: _minus_one(np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), y) / len(y),
                 "the line with np.exp", r"exp\(\s*logits\s*\)"),
    KnownMistake("wrong_axis", "the softmax was taken over the wrong axis (each column, axis=0): normalise each "
                 "row, axis=1.", lambda z, y: _minus_one(_probs(z.T).T, y) / len(y), "the softmax line",
                 r"axis\s*=\s*0"),
)

register(Exercise(
    "losses.cross_entropy_backward", "cross_entropy_backward(logits (N, C), y (N,)) -> dlogits (N, C)",
    cross_entropy_backward, lambda r, h: logit_cases(r, h, True), blocked=CE_BLOCKED, oracles=_ORACLES,
    mistakes=_GRAD_MISTAKES, rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"exp", "batch"}),
    stable=STABLE_SOFTMAX,
))
