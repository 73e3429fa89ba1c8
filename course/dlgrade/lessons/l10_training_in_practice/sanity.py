"""Lesson 10, sanity checks before training (1 of 3): the initial loss.

- sanity.initial_loss(logits (N, C), y (N,)) -> (loss, expected): the mean softmax cross-entropy of the logits
  (dlkit's F.cross_entropy) and log C, what that loss is when every class gets probability 1/C.
"""

import math

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._common import make_case
from .._draw import F32_ATOL, F32_RTOL, drawn

# ------------------------------------------------------------------------------------------------ initial loss

# (N, C, how the logits are drawn): small logits as at initialization, larger ones, a batch of one, N == C, two
# classes, a last class that is never a label (so C is not max(y) + 1), and logits near ±1000.
_LOSS = ([(6, 10, "init"), (1, 4, "trained"), (5, 5, "trained"), (8, 3, "missing"), (7, 2, "init32"),
          (4, 6, "huge")],
         [(9, 7, "init"), (1, 3, "trained"), (6, 6, "trained"), (10, 4, "missing"), (5, 2, "init32"),
          (3, 8, "huge")])


@reference("sanity.initial_loss reference")
def initial_loss(logits: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(mean cross-entropy by dlkit's F.cross_entropy, log C)."""
    import dlkit.functional as F

    loss = F.cross_entropy(_dlkit.tensor64(logits), _dlkit.labels(y))
    return _dlkit.scalar(loss), math.log(np.shape(logits)[1])


def _loss_cases(rng: np.random.Generator, hidden: bool) -> list:
    cases = []
    rows = _LOSS[1] + [(*drawn(rng, 1, [(2, 12), (3, 12)])[0], "trained")] if hidden else _LOSS[0]
    for n, c, kind in rows:
        scale = {"init": 0.05, "init32": 0.05, "trained": 3.0, "missing": 2.0, "huge": 10.0}[kind]
        z = rng.normal(size=(n, c)) * scale
        y = rng.integers(0, c - 1 if kind == "missing" else c, size=n)
        if kind == "missing":
            y[0] = 0
        note = {"init": "logits near 0", "init32": "logits near 0, float32", "trained": "large logits",
                "missing": "the last class is never a label", "huge": "logits near ±1000"}[kind]
        if kind == "huge":
            z = z + rng.uniform(-1000, 1000, size=(n, 1))
        if kind == "init32":
            z = z.astype(np.float32)
        cases.append(make_case({"logits": z, "y": y}, factors={"N": n, "C": c}, stress=kind == "huge", note=note))
    return cases


def _lse(z: np.ndarray) -> np.ndarray:
    m = z.max(axis=1)
    return m + np.log(np.exp(z - m[:, None]).sum(axis=1))


def _ce(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each example's cross-entropy, stable."""
    return _lse(z) - z[np.arange(len(y)), y]


def _loss_with(expected=None, per_example=None, reduce=np.mean):
    """The exercise with the loss or the expected value computed another way."""
    def run(logits, y):
        z = np.asarray(logits, dtype=np.float64)
        loss = float(reduce(per_example(z, y) if per_example else _ce(z, y)))
        return loss, (math.log(z.shape[1]) if expected is None else float(expected(z, y)))
    return run


_EXP, _LOSS_LINE = "the line of the expected value", "the line that computes the loss"
_LOSS_MISTAKES = (
    KnownMistake("log10", "log C is the NATURAL logarithm (np.log): the loss is −ln(1/C), not log10.",
                 _loss_with(expected=lambda z, y: math.log10(z.shape[1])), _EXP, r"log10"),
    KnownMistake("log2", "log C is the NATURAL logarithm (np.log), as in the cross-entropy; log2 counts bits.",
                 _loss_with(expected=lambda z, y: math.log2(z.shape[1])), _EXP, r"log2"),
    KnownMistake("probability_not_loss", "the expected value is the LOSS at a uniform guess, −log(1/C) = log C, "
                 "not the probability 1/C itself.", _loss_with(expected=lambda z, y: 1.0 / z.shape[1]), _EXP,
                 r"1\s*/"),
    KnownMistake("sign", "log(1/C) is negative; the loss is −log(1/C) = +log C.",
                 _loss_with(expected=lambda z, y: -math.log(z.shape[1])), _EXP, r"-\s*np\.log|log\(\s*1\s*/"),
    KnownMistake("classes_from_labels", "C is the number of classes the model scores, logits.shape[1]; the labels "
                 "of one batch need not contain the last class, so y.max() + 1 can be smaller.",
                 _loss_with(expected=lambda z, y: math.log(int(np.max(y)) + 1)), _EXP, r"max\(\)|\.max"),
    KnownMistake("classes_from_batch", "C is the number of classes, logits.shape[1], not the number of examples "
                 "logits.shape[0] (len(y)).", _loss_with(expected=lambda z, y: math.log(len(y))), _EXP,
                 r"len\(|shape\[0\]"),
    KnownMistake("sum_not_mean", "the loss is the MEAN over the batch of −log p[i, y_i], not the sum.",
                 _loss_with(reduce=np.sum), _LOSS_LINE, r"sum\("),
    KnownMistake("no_max_trick", "exp of logits near 1000 overflows (inf): subtract each row's max m first and add "
                 "it back, m + log Σ exp(z − m).",
                 _loss_with(per_example=lambda z, y: np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y]),
                 _LOSS_LINE, r"exp\(\s*logits\s*\)"),
    KnownMistake("max_not_added_back", "after subtracting each row's max m, the picked score must be shifted too: "
                 "log Σ exp(z − m) − (z_y − m); here z_y was taken from the unshifted logits.",
                 _loss_with(per_example=lambda z, y: np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1))
                            - z[np.arange(len(y)), y]), _LOSS_LINE, r"logits\[|\[.*np\.arange"),
    KnownMistake("wrong_indexing", "z[:, y] picks a column per label for every row (an (N, N) array): pick one "
                 "entry per row, z[np.arange(N), y].",
                 _loss_with(per_example=lambda z, y: (_lse(z)[:, None] - z[:, y]).ravel()), _LOSS_LINE,
                 r"\[\s*:\s*,\s*y\s*\]"),
    KnownMistake("label_ignored", "the log-probabilities of ALL classes were averaged: the loss takes only the "
                 "label's, −log p[i, y_i].", _loss_with(per_example=lambda z, y: (_lse(z)[:, None] - z).ravel()),
                 _LOSS_LINE, r"mean\("),
    KnownMistake("loss_sign", "the cross-entropy is −log p (positive): log p[i, y_i] was averaged without the minus.",
                 _loss_with(per_example=lambda z, y: -_ce(z, y)), _LOSS_LINE, r"mean\("),
    KnownMistake("softmax_over_batch", "the softmax normalises each ROW (the C scores of one example, axis=1), not "
                 "each column.", _loss_with(per_example=lambda z, y: (_lse(z.T)[None, :] - z)[np.arange(len(y)), y]),
                 _LOSS_LINE, r"axis\s*=\s*0"),
)

register(Exercise(
    "sanity.initial_loss", "initial_loss(logits (N, C), y (N,)) -> (loss, expected): mean cross-entropy, log C",
    initial_loss, _loss_cases, outputs=(Output("loss", "scalar"), Output("expected", "scalar")),
    blocked=("cross_entropy", "log_softmax", "softmax", "logsumexp", "nll"), mistakes=_LOSS_MISTAKES,
    rtol=F32_RTOL, atol=F32_ATOL,
))
