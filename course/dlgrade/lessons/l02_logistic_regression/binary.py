"""Lesson 02, the binary model: the sigmoid (dlkit's F.sigmoid) and the binary cross-entropy on probabilities
(dlkit's F.binary_cross_entropy), both on float64 tensors."""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import STABLE_SIGMOID, Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._common import away_from_zero, make_case
from .._draw import F32_ATOL, F32_RTOL, float32, shapes

# ------------------------------------------------------------------------------------------------ sigmoid


@reference("activations.sigmoid_forward reference")
def sigmoid_forward(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) element-wise, for any shape, computed stably: dlkit's F.sigmoid."""
    import dlkit.functional as F

    return _dlkit.numpy(F.sigmoid(_dlkit.tensor64(x)))


# any shape: 2-D, batch 1, 3-D, 1-D and 0-d; the last one float32
_SIG_VISIBLE = [(4, 5), (1, 3), (2, 3, 4), (6,), (), (3, 3)]
_SIG_HIDDEN = [(3, 7), (1, 1), (5, 2, 2), (8,), (), (2, 5)]


def _sigmoid_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for i, shape in enumerate(shapes(rng, hidden, _SIG_VISIBLE, _SIG_HIDDEN, [(2, 9), (2, 9)], extra=1)):
        args = {"x": np.asarray(away_from_zero(rng, shape) * 2.0)}
        args = float32(args, "x") if i == 5 else args
        cases.append(make_case(args, note="float32" if i == 5 else "0-d array" if shape == () else ""))
    # the stability the lesson promises: exactly ±900 and ±1000, among other large values
    x = np.concatenate([[-1000.0, -900.0, 900.0, 1000.0], away_from_zero(rng, (8,)) * 900.0]).reshape(3, 4)
    cases.append(make_case({"x": x}, stress=True, note="|x| up to 1000"))
    return cases


def _where(x, e, positive, negative):
    return np.where(x >= 0, positive(e), negative(e))


_SIGMOID_MISTAKES = (
    KnownMistake("sign_in_exp", "exp(x) where the formula has exp(−x) (or the two np.where branches swapped): "
                 "this is σ(−x) = 1 − σ(x), so large inputs go to 0 instead of 1.", lambda x: 1.0 / (1.0 + np.exp(x)), "the exponent", r"exp\(\s*[a-z]"),
    KnownMistake("missing_one", "the 1 + is missing: 1 / exp(−x) is exp(x), not the sigmoid 1 / (1 + exp(−x)).",
                 lambda x: 1.0 / np.exp(-x), "the denominator", r"/\s*np\.exp"),
    KnownMistake("not_inverted", "this is the denominator 1 + exp(−x) itself: the sigmoid is its reciprocal, "
                 "1 / (1 + exp(−x)).", lambda x: 1.0 + np.exp(-x), "the return line", r"return"),
    KnownMistake("minus_in_denominator", "1 − exp(−x) in the denominator: the sigmoid is 1 / (1 + exp(−x)) "
                 "(plus).", lambda x: 1.0 / (1.0 - np.exp(-x)), "the denominator", r"1\s*-\s*np\.exp"),
    KnownMistake("approximate_e", "e was typed as a number (2.718…): use np.exp, which is exact to the last "
                 "digit.", lambda x: 1.0 / (1.0 + 2.718 ** -x), "the power of e", r"2\.71"),
    KnownMistake("unstable_ratio", "exp(x) / (1 + exp(x)) overflows for large x (inf / inf = nan): the lesson's "
                 "stable form never exponentiates a positive number, e = exp(−|x|) with np.where.",
                 lambda x: np.exp(x) / (1.0 + np.exp(x)), "the return line", r"exp\(\s*[a-z]\w*\s*\)\s*/"),
    KnownMistake("abs_sign", "e = exp(|x|) instead of exp(−|x|): both np.where branches then give σ(−x), and "
                 "exp overflows for large |x| (nan). The stable form exponentiates only −|x| ≤ 0.",
                 lambda x: _where(x, np.exp(np.abs(x)), lambda e: 1 / (1 + e), lambda e: e / (1 + e)),
                 "the line that computes e", r"exp\(\s*(np\.)?abs"),
    KnownMistake("exp_not_of_abs", "e = exp(−x) instead of exp(−|x|): the x < 0 branch e / (1 + e) then gives "
                 "σ(−x), and overflows to nan for very negative x.",
                 lambda x: _where(x, np.exp(-x), lambda e: 1 / (1 + e), lambda e: e / (1 + e)),
                 "the line that computes e", r"exp\(\s*-\s*[a-z]"),
    KnownMistake("tanh", "this is tanh(x); the sigmoid is 1 / (1 + exp(−x)), which maps to (0, 1), not (−1, 1).",
                 lambda x: np.tanh(x), "the return line", r"tanh"),
    KnownMistake("tanh_identity_scale", "(tanh(x) + 1) / 2 is σ(2x): the identity is σ(x) = (tanh(x / 2) + 1) / 2.",
                 lambda x: (np.tanh(x) + 1.0) / 2.0, "the tanh line", r"tanh"),
    KnownMistake("softmax_not_sigmoid", "exp(x) / sum(exp(x)) is a softmax over the whole array: the sigmoid works "
                 "on each element alone, 1 / (1 + exp(−x)).", lambda x: np.exp(x) / np.sum(np.exp(x)),
                 "the return line", r"sum"),
    KnownMistake("hard_threshold", "this is a step (1 where x > 0, else 0): the sigmoid is smooth, "
                 "1 / (1 + exp(−x)).", lambda x: (x > 0).astype(float), "the return line", r">\s*0"),
)

register(Exercise(
    "activations.sigmoid_forward", "sigmoid_forward(x) -> 1 / (1 + exp(-x))", sigmoid_forward, _sigmoid_cases,
    blocked=("sigmoid",), mistakes=_SIGMOID_MISTAKES, rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"exp"}),
    stable=STABLE_SIGMOID,
))

# ------------------------------------------------------------------------------------------------- bce_loss


@reference("logreg.bce_loss reference")
def bce_loss(p: np.ndarray, y: np.ndarray) -> float:
    """Mean over the batch of −[y log p + (1 − y) log(1 − p)]: dlkit's F.binary_cross_entropy."""
    import dlkit.functional as F

    return _dlkit.scalar(F.binary_cross_entropy(_dlkit.tensor64(p), _dlkit.tensor64(y)))


def _bce_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for i, (n,) in enumerate(shapes(rng, hidden, [(5,), (1,), (8,), (3,), (6,)], [(7,), (1,), (12,), (2,), (9,)],
                                    [(2, 20)])):
        p = rng.uniform(0.02, 0.98, size=n)
        y = rng.integers(0, 2, size=n).astype(np.float64)
        if n > 1:  # both classes present, so a missing term always shows
            y[0], y[1] = 0.0, 1.0
        args = float32({"p": p, "y": y}, "p", "y") if i == 4 else {"p": p, "y": y}
        cases.append(make_case(args, factors={"N": n}, note="float32" if i == 4 else ""))
    return cases


def _terms(p, y, log=np.log):
    return y * log(p), (1.0 - y) * log(1.0 - p)


def _bce(p, y, log=np.log):
    pos, neg = _terms(p, y, log)
    return float(-np.mean(pos + neg))


_LINE = "the line that computes the loss"
_BCE_MISTAKES = (
    KnownMistake("missing_term", "only the positive-class term is there: for y = 0 the loss must be −log(1 − p). "
                 "Add (1 − y)·log(1 − p) inside the mean.", lambda p, y: float(-np.mean(_terms(p, y)[0])), _LINE,
                 r"log"),
    KnownMistake("missing_positive_term", "only the negative-class term is there: for y = 1 the loss must be "
                 "−log p. Add y·log p inside the mean.", lambda p, y: float(-np.mean(_terms(p, y)[1])), _LINE,
                 r"log"),
    KnownMistake("swapped_terms", "the two terms are swapped: y = 1 goes with log p and y = 0 with log(1 − p).",
                 lambda p, y: _bce(1.0 - p, y), _LINE, r"log"),
    KnownMistake("copy_paste_log", "both terms use log p: the y = 0 term is (1 − y)·log(1 − p).",
                 lambda p, y: float(-np.mean(y * np.log(p) + (1.0 - y) * np.log(p))), _LINE, r"log"),
    KnownMistake("log_one_plus_p", "log(1 + p) where the y = 0 term needs log(1 − p).",
                 lambda p, y: float(-np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 + p))), _LINE,
                 r"1\s*\+\s*p"),
    KnownMistake("precedence", "1 - y * log(1 - p) multiplies only y: the y = 0 term needs brackets, "
                 "(1 - y) * log(1 - p).", lambda p, y: float(-np.mean(y * np.log(p) + 1.0 - y * np.log(1.0 - p))),
                 _LINE, r"\+\s*1\s*-\s*y\s*\*"),
    KnownMistake("missing_minus", "the loss is negative: cross-entropy is MINUS the mean log-likelihood, "
                 "−mean(y log p + (1 − y) log(1 − p)).", lambda p, y: -_bce(p, y), _LINE, r"mean"),
    KnownMistake("sum_not_mean", "the losses were SUMMED over the batch: take their mean (divide by N).",
                 lambda p, y: _bce(p, y) * len(y), _LINE, r"sum"),
    KnownMistake("halved", "half the loss: the two terms were averaged as 2N numbers (np.mean of a stacked "
                 "array). Add the terms per example, then average over the N examples.",
                 lambda p, y: _bce(p, y) / 2.0, _LINE, r"mean"),
    KnownMistake("log_base", "you used log10: cross-entropy uses the natural log, np.log.",
                 lambda p, y: _bce(p, y, np.log10), _LINE, r"log10"),
    KnownMistake("log_base", "you used log2 (bits): cross-entropy here uses the natural log, np.log.",
                 lambda p, y: _bce(p, y, np.log2), _LINE, r"log2"),
    KnownMistake("logit_formula", "this is the formula for LOGITS, max(z, 0) − z·y + log(1 + exp(−|z|)), applied to "
                 "probabilities: p is already a probability, so use −[y log p + (1 − y) log(1 − p)].",
                 lambda p, y: float(np.mean(np.maximum(p, 0) - p * y + np.log1p(np.exp(-np.abs(p))))), _LINE,
                 r"maximum|log1p"),
    KnownMistake("mse_not_bce", "this is the mean squared error of the probabilities, not the cross-entropy "
                 "−[y log p + (1 − y) log(1 − p)].", lambda p, y: float(np.mean((p - y) ** 2)), _LINE,
                 r"\*\*\s*2"),
)

register(Exercise(
    "logreg.bce_loss", "bce_loss(p (N,) probabilities, y (N,) 0/1 labels) -> float, mean over the batch",
    bce_loss, _bce_cases, outputs=(Output("loss", "scalar"),),
    blocked=("binary_cross_entropy", "bce_loss", "binary_cross_entropy_with_logits"), mistakes=_BCE_MISTAKES,
    rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"log", "batch"}),
))
