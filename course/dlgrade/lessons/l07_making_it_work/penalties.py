"""Weight penalties (lesson 07), each returning (penalty, its gradient with respect to W):

- l2_penalty(W, lam) -> (lam/2 · Σ W², lam · W);
- l1_penalty(W, lam) -> (lam · Σ |W|, lam · sign(W)), the subgradient 0 where W == 0.
References: dlkit's F.l2_penalty (Σ w², no ½) and F.l1_penalty (Σ |w|) on float64 tensors, scaled by lam/2 and lam,
with their gradients by dlkit's autograd (|w|'s gradient is sign(w), 0 at 0).
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._common import make_case, pick
from .._draw import F32_ATOL, F32_RTOL

# W shapes: 2-D with rows ≠ columns, a single row, 1-D, 3-D, a single weight; the last visible one float32.
_SHAPES = ([(4, 3), (1, 5), (6,), (3, 4, 2)], [(7, 2), (3, 4, 2), (1, 1), (5, 6), (2, 9)])
_LAMS = [0.1, 0.37, 2.0, 0.05, 0.6]


def _penalty(name: str, scale: float, W: np.ndarray) -> tuple[float, np.ndarray]:
    """scale · F.<name>(W) and its gradient, by dlkit."""
    import dlkit.functional as F

    w = _dlkit.tensor64(W, requires_grad=True)
    p = getattr(F, name)(w) * scale
    p.backward()
    return _dlkit.scalar(p), _dlkit.numpy(w.grad)


@reference("init_reg.l2_penalty reference")
def l2_penalty(W, lam):
    """(lam/2 · Σ W², lam · W)."""
    return _penalty("l2_penalty", lam / 2, W)


@reference("init_reg.l1_penalty reference")
def l1_penalty(W, lam):
    """(lam · Σ |W|, lam · sign(W)) with sign(0) = 0."""
    return _penalty("l1_penalty", lam, W)


def _cases(rng: np.random.Generator, hidden: bool, zeros: bool):
    cases = []
    for i, shape in enumerate(pick(*_SHAPES, hidden)):
        W = rng.normal(size=shape) * 1.5
        if zeros:  # some weights exactly zero, where |w| has a kink
            W.flat[::3] = 0.0
        if i == 3:
            W = W.astype(np.float32)
        cases.append(make_case({"W": W, "lam": _LAMS[i % len(_LAMS)]}, factors={"N": shape[0], "size": W.size},
                               note="float32" if i == 3 else ""))
    return cases


_PEN, _GRAD = "the penalty line", "the gradient line"
_L2 = tuple(KnownMistake(code, msg, fn, look, rx) for code, msg, fn, look, rx in (
    ("missing_half", "the penalty is (λ/2)·Σw²: the ½ is missing (it is there so that the 2 from the square "
     "cancels in the gradient λ·w).", lambda W, lam: (lam * np.sum(W * W), lam * W), _PEN,
     r"^(?!.*(/\s*2|0?\.5|\bhalf)).*sum"),
    ("double_gradient", "the gradient of (λ/2)·Σw² is λ·w, not 2λ·w: the 2 from the square cancels the ½.",
     lambda W, lam: (0.5 * lam * np.sum(W * W), 2 * lam * W), _GRAD, r"2\s*\*"),
    ("grad_halved", "the gradient of (λ/2)·Σw² is λ·w: the ½ cancels against the 2 from the square, so it does "
     "not stay in the gradient.", lambda W, lam: (0.5 * lam * np.sum(W * W), 0.5 * lam * W), _GRAD,
     r"/\s*2|0?\.5"),
    ("l1_instead", "that is the L1 penalty (absolute values); L2 squares the weights: (λ/2)·Σw², gradient λ·w.",
     lambda W, lam: (lam * np.sum(np.abs(W)), lam * np.sign(W)), _PEN, r"abs"),
    ("norm_not_squared", "np.linalg.norm(W) is sqrt(Σw²), the norm itself; the L2 penalty uses its SQUARE: "
     "(λ/2)·Σw² (np.sum(W ** 2)).", lambda W, lam: (0.5 * lam * np.sqrt(np.sum(W * W)), lam * W), _PEN,
     r"norm\(|sqrt"),
    ("square_of_sum", "the penalty squares each weight before summing: Σw², not (Σw)² (np.sum(W ** 2), not "
     "np.sum(W) ** 2).", lambda W, lam: (0.5 * lam * np.sum(W) ** 2, lam * W), _PEN, r"sum\([^)]*\)\s*\*\*"),
    ("mean_not_sum", "the penalty sums the squared weights, it does not average them.",
     lambda W, lam: (0.5 * lam * np.mean(W * W), lam * W / W.size), _PEN, r"mean"),
    ("divided_by_n", "λ/(2N)·Σw² is another course's convention (with N times this λ); here the penalty is "
     "(λ/2)·Σw², gradient λ·w, with no division by the number of rows.",
     lambda W, lam: (0.5 * lam * np.sum(W * W) / W.shape[0], lam * W / W.shape[0]), _PEN,
     r"/\s*\(?\s*(2\s*\*\s*)?(len|n\b|N\b|W\.shape)"),
    ("not_summed", "the penalty is one number, the SUM over all weights: (λ/2)·Σw², np.sum(W ** 2).",
     lambda W, lam: (0.5 * lam * W * W, lam * W), _PEN, r"^(?!.*sum).*\*\*\s*2"),
    ("lam_missing_penalty", "λ is missing from the penalty: (λ/2)·Σw².",
     lambda W, lam: (0.5 * np.sum(W * W), lam * W), _PEN, r"^(?!.*lam).*sum"),
    ("lam_missing_gradient", "λ is missing from the gradient: the gradient of (λ/2)·Σw² is λ·w.",
     lambda W, lam: (0.5 * lam * np.sum(W * W), W.copy()), _GRAD, r"return"),
    ("sign", "the gradient points the wrong way: the penalty grows with |w|, so its gradient λ·w has the sign "
     "of w (a step against it shrinks w).", lambda W, lam: (0.5 * lam * np.sum(W * W), -lam * W), _GRAD,
     r"-\s*lam"),
))
_L1 = tuple(KnownMistake(code, msg, fn, look, rx) for code, msg, fn, look, rx in (
    ("l2_gradient", "that is the L2 gradient λ·w; the L1 subgradient is λ·sign(w): the same push towards 0 for "
     "every weight, however small.", lambda W, lam: (lam * np.sum(np.abs(W)), lam * W), _GRAD, r"return"),
    ("l2_instead", "that is the L2 penalty; L1 sums absolute values: λ·Σ|w|, subgradient λ·sign(w).",
     lambda W, lam: (0.5 * lam * np.sum(W * W), lam * W), _PEN, r"\*\*\s*2|W\s*\*\s*W"),
    ("kink_at_zero", "at w = 0 the subgradient is 0 (np.sign(0) == 0): a weight that is exactly zero gets no "
     "push. Yours pushes it anyway.", lambda W, lam: (lam * np.sum(np.abs(W)), lam * np.where(W >= 0, 1.0, -1.0)),
     _GRAD, r"where|>=|>\s*0"),
    ("kink_at_zero", "at w = 0 the subgradient is 0 (np.sign(0) == 0): a weight that is exactly zero gets no "
     "push. Yours pushes it anyway.", lambda W, lam: (lam * np.sum(np.abs(W)), lam * np.where(W > 0, 1.0, -1.0)),
     _GRAD, r"where|>=|>\s*0"),
    ("division_at_zero", "w/|w| is 0/0 = NaN where w == 0: use np.sign(w), which is 0 there (the usual "
     "subgradient at the kink).", lambda W, lam: (lam * np.sum(np.abs(W)), lam * W / np.abs(W)), _GRAD,
     r"/\s*(np\.)?abs"),
    ("sign", "the subgradient points the wrong way: it is +λ for positive weights (a step against it moves them "
     "towards 0).", lambda W, lam: (lam * np.sum(np.abs(W)), -lam * np.sign(W)), _GRAD, r"-\s*lam"),
    ("missing_abs", "the penalty sums the weights themselves: positive and negative ones cancel. L1 sums their "
     "ABSOLUTE values, λ·Σ|w|.", lambda W, lam: (lam * np.sum(W), lam * np.sign(W)), _PEN, r"^(?!.*abs).*sum"),
    ("abs_of_sum", "the absolute value goes on each weight, Σ|w|, not on the sum, |Σw|.",
     lambda W, lam: (lam * np.abs(np.sum(W)), lam * np.sign(W)), _PEN, r"abs\(\s*(np\.)?sum"),
    ("half_factor", "the L1 penalty has no ½: it is λ·Σ|w| (the ½ of L2 is there only to cancel the square's 2).",
     lambda W, lam: (0.5 * lam * np.sum(np.abs(W)), lam * np.sign(W)), _PEN, r"/\s*2|0?\.5"),
    ("mean_not_sum", "the penalty sums the absolute weights, it does not average them.",
     lambda W, lam: (lam * np.mean(np.abs(W)), lam * np.sign(W) / W.size), _PEN, r"mean"),
    ("divided_by_n", "λ/N·Σ|w| is another course's convention; here the penalty is λ·Σ|w|, subgradient "
     "λ·sign(w), with no division by the number of rows.",
     lambda W, lam: (lam * np.sum(np.abs(W)) / W.shape[0], lam * np.sign(W) / W.shape[0]), _PEN,
     r"/\s*\(?\s*(len|n\b|N\b|W\.shape)"),
    ("not_summed", "the penalty is one number, the SUM over all weights: λ·Σ|w|, np.sum(np.abs(W)).",
     lambda W, lam: (lam * np.abs(W), lam * np.sign(W)), _PEN, r"^(?!.*sum).*abs"),
    ("lam_missing_penalty", "λ is missing from the penalty: λ·Σ|w|.",
     lambda W, lam: (np.sum(np.abs(W)), lam * np.sign(W)), _PEN, r"^(?!.*lam).*sum"),
    ("lam_missing_gradient", "λ is missing from the subgradient: it is λ·sign(w).",
     lambda W, lam: (lam * np.sum(np.abs(W)), np.sign(W)), _GRAD, r"return"),
))

register(Exercise(
    "init_reg.l2_penalty", "l2_penalty(W, lam) -> (penalty = lam/2 * sum(W**2), dW = lam * W)",
    l2_penalty, lambda r, h: _cases(r, h, False), outputs=(Output("penalty", "scalar"), Output("dW")),
    mistakes=_L2, rtol=F32_RTOL, atol=F32_ATOL, hints=frozenset({"square"}),
))
register(Exercise(
    "init_reg.l1_penalty", "l1_penalty(W, lam) -> (penalty = lam * sum(|W|), dW = lam * sign(W), 0 where W == 0)",
    l1_penalty, lambda r, h: _cases(r, h, True), outputs=(Output("penalty", "scalar"), Output("dW")),
    mistakes=_L1, rtol=F32_RTOL, atol=F32_ATOL, hints=frozenset(),
))
