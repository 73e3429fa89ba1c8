"""Lesson 10, sanity checks before training: the initial loss, a gradient check of a whole model, update ratios.

- sanity.initial_loss(logits (N, C), y (N,)) -> (loss, expected): the mean softmax cross-entropy of the logits
  (dlkit's F.cross_entropy) and log C, what that loss is when every class gets probability 1/C.
- sanity.gradient_check(f, params, grads, h) -> errors (P,): for every parameter array p_k of the list
  ``params``, the relative error ‖g_k − n_k‖ / (‖g_k‖ + ‖n_k‖) between the given analytic gradient g_k and the
  centered-difference gradient n_k of the scalar function ``f(params)``, with step ``h``. The learner perturbs
  each array in place with the lesson's ``numerical_gradient(f, x, h)`` (lesson 02's, given in a locked cell), so
  that ``f(params)`` sees the change. ``f`` is the test function ``mlp_loss`` (a tanh MLP's cross-entropy in
  dlkit's (out, in) layout); ``grads`` are its exact gradients with bugs planted in some arrays (doubled, one
  entry off, transposed values, signs flipped, zero), as a broken backward pass gives them.
- sanity.update_ratios(before, after) -> ratios (L,): ‖after_k − before_k‖ / ‖before_k‖ for each parameter array,
  the size of one optimizer step relative to the weights it changes.
"""
from __future__ import annotations

import math

import numpy as np

from ...harness.guard import reference
from ...harness.wire import TestFunction
from ...registry import Case, Exercise, KnownMistake, Output, register
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


# ---------------------------------------------------------------------------------------------- gradient check

# (D, hidden sizes, C, N, h, planted bugs): the parameters are [W1, b1, W2, b2, ...] of a tanh MLP. A step h of
# 1e-2 makes the centered difference's own O(h²) error visible, so a function that ignores h shows.
_CHECK = ([(5, (4,), 3, 6, 1e-5, {1: "double"}), (4, (3,), 2, 1, 1e-5, {}),
           (3, (5, 4), 3, 4, 1e-4, {0: "one_entry", 5: "zero"}), (6, (3,), 4, 5, 1e-2, {2: "sign", 3: "permuted"})],
          [(4, (5,), 3, 5, 1e-5, {0: "double", 3: "permuted"}), (2, (3,), 4, 1, 1e-5, {1: "zero"}),
           (5, (3, 3), 2, 3, 1e-4, {4: "one_entry"}), (3, (4,), 3, 7, 1e-2, {2: "sign"})])


def mlp_gradients(params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """The exact gradients of the test function mlp_loss (a tanh MLP, mean cross-entropy) by backpropagation."""
    hs = [x]
    for k in range(0, len(params) - 2, 2):
        hs.append(np.tanh(hs[-1] @ params[k].T + params[k + 1]))
    z = hs[-1] @ params[-2].T + params[-1]
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dz = p
    dz[np.arange(len(y)), y] -= 1
    dz /= len(y)
    grads: list[np.ndarray] = []
    for k in range(len(params) - 2, -1, -2):
        grads[:0] = [dz.T @ hs[k // 2], dz.sum(axis=0)]
        if k:
            dz = (dz @ params[k]) * (1 - hs[k // 2] ** 2)
    return grads


def _plant(g: np.ndarray, bug: str, rng: np.random.Generator) -> np.ndarray:
    g = g.copy()
    if bug == "double":
        return 2 * g
    if bug == "zero":
        return np.zeros_like(g)
    if bug == "sign":
        return -g
    if bug == "one_entry":
        g.flat[int(rng.integers(g.size))] += 0.5 * np.abs(g).max() + 0.1
        return g
    return g.ravel()[::-1].reshape(g.shape)  # permuted: the right numbers in the wrong places


def _check_cases(rng: np.random.Generator, hidden: bool) -> list:
    cases = []
    for d, hiddens, c, n, h, bugs in _CHECK[1] if hidden else _CHECK[0]:
        sizes = (d, *hiddens, c)
        params = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            params += [rng.normal(size=(b, a)) / np.sqrt(a), 0.3 * rng.normal(size=b)]
        x, y = rng.normal(size=(n, d)), rng.integers(0, c, size=n)
        grads = [_plant(g, bugs[k], rng) if k in bugs else g
                 for k, g in enumerate(mlp_gradients(params, x, y))]
        label = (f"a tanh MLP {' → '.join(map(str, sizes))} on {n} example{'s' if n > 1 else ''}, {len(params)} "
                 f"arrays, h={h:g}" + (f", wrong gradients in arrays {sorted(bugs)}" if bugs else ", every gradient right"))
        args = {"f": TestFunction("mlp_loss", {"x": x, "y": y}), "params": params, "grads": grads, "h": h}
        cases.append(Case(args=args, label=label, factors={"N": n, "P": len(params)}))
    return cases


def _numerical(f, params: list[np.ndarray], h: float) -> list[np.ndarray]:
    """Centered differences of f(params) for every entry of every array (each array perturbed in place)."""
    out = []
    for p in params:
        num = np.zeros_like(p, dtype=np.float64)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            plus = f(params)
            p[i] = old - h
            minus = f(params)
            p[i] = old
            num[i] = (plus - minus) / (2 * h)
        out.append(num)
    return out


def _norm_error(g: np.ndarray, n: np.ndarray) -> float:
    """‖g − n‖ / (‖g‖ + ‖n‖); 0/0 (both zero) is nan, as the learner's division gives it."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.float64(np.linalg.norm(g - n)) / (np.linalg.norm(g) + np.linalg.norm(n)))


@reference("sanity.gradient_check reference")
def gradient_check(f, params, grads, h):
    """‖g − n‖ / (‖g‖ + ‖n‖) per parameter array, n the centered-difference gradient of f(params) with step h."""
    nums = _numerical(f, [np.array(p, dtype=np.float64) for p in params], h)
    return np.array([_norm_error(np.asarray(g, dtype=np.float64), n) for g, n in zip(grads, nums)])


def _check_with(error=None, h=None, numerical=None, order=None, combine=None):
    """The gradient check with one part done another way."""
    def run(f, params, grads, step):
        ps = [np.array(p, dtype=np.float64) for p in params]
        nums = numerical(f, ps, step) if numerical else _numerical(f, ps, step if h is None else h)
        gs = [np.asarray(g, dtype=np.float64) for g in grads]
        if order is not None:
            gs = order(gs)
        if combine is not None:
            return combine(gs, nums)
        return np.array([(error or _norm_error)(g, n) for g, n in zip(gs, nums)])
    return run


def _copied(f, params, h):
    """numerical_gradient given a copy of the array: f(params) never sees the perturbation."""
    return [np.zeros_like(p) for p in params]


def _forward(f, params, h):
    out = []
    base = f(params)
    for p in params:
        num = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            num[i] = (f(params) - base) / h
            p[i] = old
        out.append(num)
    return out


_ERR = "the line that computes the relative error"
_CHECK_MISTAKES = (
    KnownMistake("perturbed_a_copy", "the numerical gradient is all zeros: numerical_gradient changed a COPY of the "
                 "array, so f(params) never saw the change. Pass the array itself, p (from params), so that "
                 "f(params) reads the perturbed entry.", _check_with(numerical=_copied), "the numerical_gradient line",
                 r"copy\(|np\.array\("),
    KnownMistake("elementwise_error", "this is the largest ELEMENTWISE relative error (lesson 02's rel_error): for a "
                 "whole array the lesson compares the vectors, ‖g − n‖ / (‖g‖ + ‖n‖), which a few near-zero entries "
                 "cannot inflate.", _check_with(error=lambda g, n: float(np.max(
                     np.abs(g - n) / np.maximum(1e-8, np.abs(g) + np.abs(n))))), _ERR, r"max\("),
    KnownMistake("absolute_error", "‖g − n‖ alone depends on the size of the gradient: divide by ‖g‖ + ‖n‖ to get a "
                 "relative error.", _check_with(error=lambda g, n: float(np.linalg.norm(g - n))), _ERR, r"norm"),
    KnownMistake("relative_to_analytic", "divide by ‖g‖ + ‖n‖, not by ‖g‖ alone: an analytic gradient that is wrongly "
                 "zero would divide by zero.",
                 _check_with(error=lambda g, n: float(np.linalg.norm(g - n) / np.linalg.norm(g))), _ERR, r"/"),
    KnownMistake("relative_to_numerical", "divide by ‖g‖ + ‖n‖, not by ‖n‖ alone.",
                 _check_with(error=lambda g, n: float(np.linalg.norm(g - n) / np.linalg.norm(n))), _ERR, r"/"),
    KnownMistake("squared_norms", "the norms are missing their square roots: ‖v‖ = sqrt(Σ v²), np.linalg.norm(v).",
                 _check_with(error=lambda g, n: float(np.sum((g - n) ** 2) / (np.sum(g ** 2) + np.sum(n ** 2)))),
                 _ERR, r"\*\*\s*2|sum\("),
    KnownMistake("difference_of_norms", "‖g‖ − ‖n‖ compares only the lengths: take the norm of the DIFFERENCE, "
                 "‖g − n‖ (a gradient with the right length but wrong entries must fail).",
                 _check_with(error=lambda g, n: float(abs(np.linalg.norm(g) - np.linalg.norm(n))
                                                      / (np.linalg.norm(g) + np.linalg.norm(n)))), _ERR, r"norm"),
    KnownMistake("l1_norms", "these are sums of absolute values (L1 norms): the lesson's error uses the Euclidean "
                 "norm, np.linalg.norm(g - n) / (np.linalg.norm(g) + np.linalg.norm(n)).",
                 _check_with(error=lambda g, n: float(np.abs(g - n).sum() / (np.abs(g).sum() + np.abs(n).sum()))),
                 _ERR, r"abs\("),
    KnownMistake("one_number", "return one error PER PARAMETER ARRAY (an array of len(params) numbers): the point is "
                 "to see which layer is wrong.",
                 _check_with(combine=lambda gs, ns: np.array(_norm_error(np.concatenate([g.ravel() for g in gs]),
                                                                         np.concatenate([n.ravel() for n in ns])))),
                 "the return line", r"return"),
    KnownMistake("mean_of_errors", "return one error PER PARAMETER ARRAY, not their mean: the point is to see which "
                 "layer is wrong.", _check_with(combine=lambda gs, ns: np.array(np.mean(
                     [_norm_error(g, n) for g, n in zip(gs, ns)]))), "the return line", r"mean\("),
    KnownMistake("h_ignored", "the step h was not passed on: numerical_gradient(..., h) must use the h given (with a "
                 "large h the centered difference's own error shows).", _check_with(h=1e-5), "the numerical_gradient line",
                 r"numerical_gradient\("),
    KnownMistake("forward_difference", "(f(x + h) − f(x)) / h is a one-sided difference, accurate only to O(h): use "
                 "the centered difference (f(x + h) − f(x − h)) / 2h (the lesson's numerical_gradient).",
                 _check_with(numerical=_forward), "the numerical_gradient line", r"/\s*h\b"),
    KnownMistake("order", "the errors are in reverse order: one per array of params, in the order of params.",
                 _check_with(combine=lambda gs, ns: np.array([_norm_error(g, n) for g, n in zip(gs, ns)])[::-1]),
                 "the return line", r"reversed|\[::-1\]"),
)

register(Exercise(
    "sanity.gradient_check",
    "gradient_check(f, params (list of arrays), grads (list of arrays), h) -> errors (len(params),): "
    "‖g − n‖ / (‖g‖ + ‖n‖) per array",
    gradient_check, _check_cases, outputs=(Output("errors"),), blocked=("numerical", "gradcheck", "rel_error"),
    mistakes=_CHECK_MISTAKES, rtol=1e-4, atol=1e-8, hints=frozenset(),
))


# ----------------------------------------------------------------------------------------------- update ratios

# Per case: the shapes of the parameter arrays (weights (out, in), biases), the typical size of each step
# relative to its array (1e-1 to 1e-5), one float32 case and one with a single array.
_RATIOS = ([([(4, 3), (4,), (2, 4), (2,)], [1e-3, 1e-2, 1e-4, 1e-1], "float64"), ([(3, 5)], [1e-3], "float64"),
            ([(6, 4), (6,), (3, 6), (3,)], [1e-2, 1e-5, 1e-3, 1e-3], "float32"),
            ([(2, 7), (5, 2), (5,)], [1e-1, 1e-3, 1e-2], "float64")],
           [([(5, 2), (5,), (3, 5), (3,)], [1e-2, 1e-3, 1e-1, 1e-4], "float64"), ([(4, 4)], [1e-2], "float64"),
            ([(3, 6), (3,), (4, 3)], [1e-3, 1e-2, 1e-5], "float32"),
            ([(7, 3), (7,), (2, 7), (2,)], [1e-4, 1e-1, 1e-3, 1e-2], "float64")])


@reference("sanity.update_ratios reference")
def update_ratios(before, after):
    """‖after_k − before_k‖ / ‖before_k‖ for every parameter array."""
    return np.array([np.linalg.norm(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))
                     / np.linalg.norm(np.asarray(b, dtype=np.float64)) for b, a in zip(before, after)])


def _ratio_cases(rng: np.random.Generator, hidden: bool) -> list:
    cases = []
    for shapes, scales, dtype in _RATIOS[1] if hidden else _RATIOS[0]:
        before = [rng.normal(size=s) * rng.uniform(0.05, 2.0) + 0.3 * rng.normal() for s in shapes]
        after = [b + rng.normal(size=b.shape) * scale * np.sqrt(np.mean(b ** 2)) for b, scale in zip(before, scales)]
        before, after = [b.astype(dtype) for b in before], [a.astype(dtype) for a in after]
        label = f"{len(shapes)} array{'s' if len(shapes) > 1 else ''} of shapes {', '.join(str(s) for s in shapes)}, {dtype}"
        cases.append(Case(args={"before": before, "after": after}, label=label, factors={"L": len(shapes)}))
    return cases


def _ratios_with(per=None, combine=None):
    def run(before, after):
        bs = [np.asarray(b) for b in before]   # in the arrays' own dtype, as a learner computes
        as_ = [np.asarray(a) for a in after]
        if combine is not None:
            return combine(bs, as_)
        return np.array([per(b, a) for b, a in zip(bs, as_)])
    return run


def _norm(v: np.ndarray) -> float:
    return float(np.linalg.norm(v))


_RATIO = "the line that computes the ratio"
_RATIO_MISTAKES = (
    KnownMistake("inverted", "the ratio is upside down: the size of the STEP divided by the size of the weights, "
                 "‖after − before‖ / ‖before‖ (about 1e-3, not 1e3).",
                 _ratios_with(lambda b, a: _norm(b) / _norm(a - b)), _RATIO, r"norm\(\s*(before|b|w)\w*\s*\)\s*/"),
    KnownMistake("divided_by_after", "divide by the size of the weights BEFORE the step, ‖before‖.",
                 _ratios_with(lambda b, a: _norm(a - b) / _norm(a)), _RATIO, r"/\s*np\.linalg\.norm\(\s*a"),
    KnownMistake("difference_of_norms", "‖after‖ − ‖before‖ compares only the lengths (a step can turn the weights "
                 "without changing their length): take the norm of the DIFFERENCE, ‖after − before‖.",
                 _ratios_with(lambda b, a: abs(_norm(a) - _norm(b)) / _norm(b)), _RATIO, r"norm\(\s*a\w*\s*\)\s*-"),
    KnownMistake("signed_difference_of_norms", "‖after‖ − ‖before‖ compares only the lengths: take the norm of the "
                 "DIFFERENCE, ‖after − before‖.", _ratios_with(lambda b, a: (_norm(a) - _norm(b)) / _norm(b)), _RATIO,
                 r"norm\(\s*a\w*\s*\)\s*-"),
    KnownMistake("squared_norms", "the norms are missing their square roots: ‖v‖ = sqrt(Σ v²), np.linalg.norm(v).",
                 _ratios_with(lambda b, a: float(np.sum((a - b) ** 2) / np.sum(b ** 2))), _RATIO, r"\*\*\s*2"),
    KnownMistake("mean_absolute", "mean |Δw| / mean |w| uses absolute values (L1): the lesson's ratio uses the "
                 "Euclidean norm, np.linalg.norm(after - before) / np.linalg.norm(before).",
                 _ratios_with(lambda b, a: float(np.mean(np.abs(a - b)) / np.mean(np.abs(b)))), _RATIO, r"abs\("),
    KnownMistake("max_absolute", "the largest |Δw| over the largest |w| looks at one entry each: use the norms of the "
                 "whole arrays.", _ratios_with(lambda b, a: float(np.abs(a - b).max() / np.abs(b).max())), _RATIO,
                 r"max\("),
    KnownMistake("std_ratio", "np.std subtracts the mean first: the ratio compares the norms, ‖after − before‖ / "
                 "‖before‖ (a constant shift of every weight must count).",
                 _ratios_with(lambda b, a: float(np.std(a - b) / np.std(b))), _RATIO, r"std\("),
    KnownMistake("elementwise_mean", "the mean of |Δw| / |w| per entry is dominated by weights near 0: divide the "
                 "norms of the whole arrays.", _ratios_with(lambda b, a: float(np.mean(np.abs(a - b) / np.abs(b)))),
                 _RATIO, r"mean\("),
    KnownMistake("spectral_norm", "np.linalg.norm(W, 2) of a matrix is its largest singular value, not the length of "
                 "all its entries: call np.linalg.norm(W) (no 2), or flatten first.",
                 _ratios_with(lambda b, a: float(np.linalg.norm(a - b, 2) / np.linalg.norm(b, 2))
                              if b.ndim == 2 else _norm(a - b) / _norm(b)), _RATIO, r"norm\([^)]*,\s*(2|ord)"),
    KnownMistake("one_number", "return one ratio PER PARAMETER ARRAY: each layer can be too fast or too slow on its "
                 "own.", _ratios_with(combine=lambda bs, as_: np.array(
                     _norm(np.concatenate([(a - b).ravel() for b, a in zip(bs, as_)]))
                     / _norm(np.concatenate([b.ravel() for b in bs])))), "the return line", r"return"),
    KnownMistake("step_only", "‖after − before‖ alone is the size of the step: divide it by ‖before‖, the size of "
                 "the weights, to compare layers of different scales.", _ratios_with(lambda b, a: _norm(a - b)),
                 _RATIO, r"norm\(\s*a\w*\s*-\s*b\w*\s*\)\s*(for|\)|$)"),
    KnownMistake("log10", "return the ratio itself (about 1e-3), not its log10: the plot puts it on a log scale.",
                 _ratios_with(lambda b, a: float(np.log10(_norm(a - b) / _norm(b)))), _RATIO, r"log10"),
)

register(Exercise(
    "sanity.update_ratios",
    "update_ratios(before (list of arrays), after (list of arrays)) -> ratios (len(before),): ‖after − before‖ / ‖before‖",
    update_ratios, _ratio_cases, outputs=(Output("ratios"),), mistakes=_RATIO_MISTAKES, rtol=F32_RTOL, atol=1e-12,
))
