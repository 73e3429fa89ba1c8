"""Lesson 02, the softmax (dlkit's F.softmax on float64 tensors) and the cases every exercise on logits shares:
x and logits are (N, C), labels y are (N,) ints."""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import STABLE_SOFTMAX, Exercise, KnownMistake, register
from .. import _dlkit
from .._common import make_case
from .._draw import F32_ATOL, F32_RTOL, float32, shapes

CE_BLOCKED = ("softmax", "log_softmax", "cross_entropy", "nll_loss", "logsumexp")

# (N, C): N == C (so a sum without keepdims runs), batch 1, C = 2, N > C and N < C; then ties, float32
_VISIBLE = [(4, 3), (1, 5), (6, 2), (3, 3), (2, 7), (5, 4), (4, 6)]
_HIDDEN = [(5, 4), (1, 2), (8, 10), (4, 4), (7, 3), (6, 5), (3, 8)]


def log_softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax with the max trick, as a learner writes it (for the known mistakes)."""
    z = x - x.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def logit_cases(rng: np.random.Generator, hidden: bool, labels: bool):
    """Scores of shapes that vary N and C on their own, ties, float32, and two stress cases: large logits where
    the label has a fair share, and confidently wrong rows where the label's probability underflows to 0."""
    cases = []
    for i, (n, c) in enumerate(shapes(rng, hidden, _VISIBLE, _HIDDEN, [(1, 12), (2, 10)])):
        x = rng.normal(size=(n, c)) * 2.0
        note = ""
        if i == 5:  # ties: a repeated maximum in each row, and one row of equal scores
            x[:, 1] = x.max(axis=1)
            x[0] = 0.75
            note = "tied scores"
        y = rng.integers(0, c - 1 if i == 4 else c, size=n)  # case 5: the last class never a label
        args = {"logits": x, "y": y} if labels else {"x": x}
        if i == 6:
            args, note = float32(args, "logits", "x"), "float32"
        cases.append(make_case(args, factors={"N": n, "C": c}, note=note))
    # Per-row offsets up to ±1000: exp overflows without the max trick, and a global max leaves whole rows at
    # 0/0. The first: labels on each row's largest score; the second: rows whose label is 800 below the max.
    for wrong in (False, True):
        x = rng.normal(size=(4, 5)) * 10.0 + rng.uniform(-1000, 1000, size=(4, 1))
        y = np.argmax(x, axis=1) if not wrong else rng.integers(0, 5, size=4)
        if wrong:
            x[[0, 2], y[[0, 2]]] = x[[0, 2]].max(axis=1) - 800.0
        args = {"logits": x, "y": y} if labels else {"x": x}
        note = "logits near ±1000" + (", confidently wrong rows" if wrong else "")
        cases.append(make_case(args, factors={"N": 4, "C": 5}, stress=True, note=note))
    return cases if labels else cases[:-1]


def probabilities(x: np.ndarray) -> np.ndarray:
    """dlkit's F.softmax(dim=1) on float64: what a learner's softmax call returns while their cross-entropy is
    checked (the grader answers it), so the known mistakes built on it match the learner's bits."""
    import dlkit.functional as F

    return _dlkit.numpy(F.softmax(_dlkit.tensor64(x), dim=1))


@reference("losses.softmax reference")
def softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (N, C) scores: dlkit's F.softmax(dim=1)."""
    return probabilities(x)


def _normalized(e, axis=1):
    return e / e.sum(axis=axis, keepdims=True)


def _shift(x):
    return x - x.max(axis=1, keepdims=True)


_EXP, _SUM = "the line with np.exp", "the line that divides by the sum"
_MISTAKES = (
    KnownMistake("wrong_axis", "normalised over the wrong axis: each row (axis=1, one example) must sum to 1, not "
                 "each column.", lambda x: _normalized(np.exp(x - x.max(axis=0, keepdims=True)), axis=0), _SUM,
                 r"axis\s*=\s*0"),
    KnownMistake("wrong_axis", "normalised over the whole array: each row (axis=1) must sum to 1.",
                 lambda x: np.exp(x) / np.exp(x).sum(), _SUM, r"sum\(\s*\)"),
    KnownMistake("wrong_axis", "the row maxima were subtracted but the exponentials normalised over the whole "
                 "array: each row (axis=1) must sum to 1, e / e.sum(axis=1, keepdims=True).",
                 lambda x: np.exp(_shift(x)) / np.exp(_shift(x)).sum(), _SUM, r"sum\(\s*\)"),
    KnownMistake("wrong_axis", "the max was taken over the wrong axis: subtract each row's max (axis=1, "
                 "keepdims=True); only a per-row constant leaves the softmax unchanged.",
                 lambda x: _normalized(np.exp(x - x.max(axis=0, keepdims=True))), "the line that subtracts the max",
                 r"max\(.*axis\s*=\s*0"),
    KnownMistake("no_max_trick", "exp of scores near 1000 overflows (inf / inf = nan): subtract each row's max "
                 "first, x - x.max(axis=1, keepdims=True); the softmax does not change.",
                 lambda x: _normalized(np.exp(x)), _EXP, r"exp\(\s*x\s*\)"),
    KnownMistake("global_max", "the max of the WHOLE array was subtracted: a row far below it underflows to 0 / 0. "
                 "Subtract each row's own max, x.max(axis=1, keepdims=True).",
                 lambda x: _normalized(np.exp(x - x.max())), "the line that subtracts the max", r"max\(\s*\)"),
    KnownMistake("keepdims_missing", "the row sums have shape (N,) and broadcast against the columns (this fails "
                 "unless N == C): keep them as a column, e.sum(axis=1, keepdims=True).",
                 lambda x: np.exp(_shift(x)) / np.exp(_shift(x)).sum(axis=1), _SUM, r"sum\(.*axis\s*=\s*1\s*\)"),
    KnownMistake("max_keepdims_missing", "the row maxima have shape (N,) and broadcast against the columns (this "
                 "fails unless N == C): x.max(axis=1, keepdims=True).",
                 lambda x: _normalized(np.exp(x - x.max(axis=1))), "the line that subtracts the max",
                 r"max\(.*axis\s*=\s*1\s*\)"),
    KnownMistake("max_only_in_numerator", "the max was subtracted in the numerator only: subtract it once from x "
                 "and use the shifted scores in both the numerator and the sum.",
                 lambda x: np.exp(_shift(x)) / np.exp(x).sum(axis=1, keepdims=True), _SUM, r"exp\(\s*x\s*\)"),
    KnownMistake("returned_log_softmax", "these are log-probabilities (x − logsumexp): the softmax is their "
                 "exponential, probabilities that sum to 1 per row.", log_softmax, "the return line", r"log"),
    KnownMistake("not_normalized", "exp(x − max) was returned without dividing by its row sum: the rows must sum "
                 "to 1.", lambda x: np.exp(_shift(x)), _SUM, r"return"),
    KnownMistake("mean_not_sum", "divided by the row's MEAN of exponentials (the rows sum to C): divide by their "
                 "sum.", lambda x: np.exp(_shift(x)) / np.exp(_shift(x)).mean(axis=1, keepdims=True), _SUM,
                 r"mean\("),
    KnownMistake("no_exp", "the scores were normalised without np.exp (x / sum(x)): a score can be negative; the "
                 "softmax divides exponentials, exp(x) / sum(exp(x)).", lambda x: _normalized(x), _EXP, r"/"),
    KnownMistake("sigmoid_per_element", "this is the sigmoid of each score: the softmax couples a row's scores, "
                 "exp(x) / (sum of the row's exp).", lambda x: 1.0 / (1.0 + np.exp(-x)), "the return line",
                 r"1\s*\+"),
)

register(Exercise(
    "losses.softmax", "softmax(x (N, C)) -> (N, C), each row sums to 1", softmax,
    lambda r, h: logit_cases(r, h, False), blocked=CE_BLOCKED, mistakes=_MISTAKES, rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"exp"}),
    stable=STABLE_SOFTMAX,
))
