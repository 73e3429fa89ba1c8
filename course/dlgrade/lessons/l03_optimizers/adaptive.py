"""Lesson 03, a step size per parameter: AdaGrad and RMSProp as pure functions on arrays, dlkit.optim.Adagrad and
dlkit.optim.RMSprop (PyTorch's rules) on float64 tensors; eps goes outside the square root, as in PyTorch.

- adagrad:  s ← s + dw²;              w ← w − lr·dw / (√s + eps)
- rmsprop:  s ← α·s + (1 − α)·dw²;    w ← w − lr·dw / (√s + eps)
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._draw import F32_ATOL, F32_RTOL
from .cases import BLOCKED, lr, state_not_returned, step_cases, swapped_outputs, uphill


@reference("optim.adagrad reference")
def adagrad(w: np.ndarray, dw: np.ndarray, s: np.ndarray, lr: float, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """(w − lr·dw/(√s' + eps), s') with s' = s + dw²: dlkit.optim.Adagrad."""
    new_w, state = _dlkit.optimizer_step("Adagrad", w, dw, {"step": 0, "sum": s}, lr=lr, eps=eps)
    return new_w, state["sum"]


@reference("optim.rmsprop reference")
def rmsprop(w: np.ndarray, dw: np.ndarray, s: np.ndarray, lr: float, alpha: float, eps: float
            ) -> tuple[np.ndarray, np.ndarray]:
    """(w − lr·dw/(√s' + eps), s') with s' = α·s + (1 − α)·dw²: dlkit.optim.RMSprop."""
    new_w, state = _dlkit.optimizer_step("RMSprop", w, dw, {"step": 0, "square_avg": s}, lr=lr, alpha=alpha,
                                         eps=eps)
    return new_w, state["square_avg"]


def _divided(dw, s, eps, lr=1.0):
    # lr * dw first, as learners write it: a known mistake whose output holds a nan must match bit for bit
    return lr * dw / (np.sqrt(s) + eps)


def _adagrad(accumulate=lambda s, dw: s + dw * dw, step=lambda dw, s, old, lr, eps: _divided(dw, s, eps, lr)):
    """An AdaGrad rule from the new accumulator and the step w − step(dw, s', s, lr, eps)."""
    def rule(w, dw, s, lr, eps):
        new_s = accumulate(s, dw)
        return w - step(dw, new_s, s, lr, eps), new_s
    return rule


def _rmsprop(average=lambda s, dw, a: a * s + (1 - a) * dw * dw,
             step=lambda dw, s, old, lr, eps: _divided(dw, s, eps, lr)):
    """An RMSProp rule from the new average and the step w − step(dw, s', s, lr, eps)."""
    def rule(w, dw, s, lr, alpha, eps):
        new_s = average(s, dw, alpha)
        return w - step(dw, new_s, s, lr, eps), new_s
    return rule


_EPS = "eps goes outside the square root: dw / (sqrt(s) + eps)."
_SQRT = "the square root is missing: divide by sqrt(s) + eps."
_STALE = "the step used the OLD s: update the state first, then step with the new one."
_STEP, _S = "the line that updates w", "the line that updates s"


def _step_mistakes(rule):
    """The mistakes in the step that AdaGrad and RMSProp share, on top of the rule's own state update."""
    return (
        KnownMistake("eps_placement", _EPS, rule(step=lambda dw, s, old, lr, eps: lr * dw / np.sqrt(s + eps)),
                     _STEP, r"sqrt\([^)]*\+\s*eps"),
        KnownMistake("missing_sqrt", _SQRT, rule(step=lambda dw, s, old, lr, eps: lr * dw / (s + eps)), _STEP,
                     r"/\s*\(\s*s\s*\+"),
        KnownMistake("eps_missing", "eps is missing from the denominator: dw / (sqrt(s) + eps).",
                     rule(step=lambda dw, s, old, lr, eps: lr * dw / np.sqrt(s)), _STEP, r"sqrt"),
        KnownMistake("precedence", "w − lr·dw/√s + eps adds eps to w: the brackets are missing, "
                     "lr * dw / (np.sqrt(s) + eps).", rule(step=lambda dw, s, old, lr, eps: lr * dw / np.sqrt(s) - eps),
                     _STEP, r"sqrt\([^)]*\)\s*\+\s*eps"),
        KnownMistake("stale_state", _STALE, rule(step=lambda dw, s, old, lr, eps: _divided(dw, old, eps, lr)),
                     _STEP, r"sqrt"),
        KnownMistake("multiplied_not_divided", "the gradient was MULTIPLIED by √s + eps: the adaptive step divides by "
                     "it, lr·dw / (√s + eps).", rule(step=lambda dw, s, old, lr, eps: lr * dw * (np.sqrt(s) + eps)),
                     _STEP, r"\*\s*\(?\s*np\.sqrt"),
        KnownMistake("gradient_squared_in_step", "the step uses dw² (the state's quantity): it is lr·dw / (√s + eps).",
                     rule(step=lambda dw, s, old, lr, eps: _divided(dw * dw, s, eps, lr)), _STEP, r"dw\s*\*\*\s*2"),
    )


_ADAGRAD_MISTAKES = (
    uphill(adagrad),
    *_step_mistakes(_adagrad),
    KnownMistake("missing_square", "the accumulator adds dw, not dw²: s ← s + dw².",
                 _adagrad(accumulate=lambda s, dw: s + dw), _S, r"s\s*\+\s*dw\s*$|\+=\s*dw\s*$"),
    KnownMistake("no_accumulation", "s holds only this step's dw²: AdaGrad ADDS every step's, s ← s + dw².",
                 _adagrad(accumulate=lambda s, dw: dw * dw), _S, r"s\s*="),
    KnownMistake("shared_accumulator", "one accumulator for all parameters (dw² summed over the array): each "
                 "parameter keeps its own, s ← s + dw² element-wise.",
                 _adagrad(accumulate=lambda s, dw: s + np.sum(dw * dw)), _S, r"sum"),
    state_not_returned(adagrad, "s", 2),
    swapped_outputs(adagrad, "(w, s)"),
)

register(Exercise(
    "optim.adagrad", "adagrad(w, dw, s, lr, eps) -> (w, s)", adagrad,
    lambda r, h: step_cases(r, h, ("s",), lambda r, i: {"lr": lr(r), "eps": 0.05}),
    outputs=(Output("w"), Output("s")), blocked=BLOCKED, mistakes=_ADAGRAD_MISTAKES, rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"update", "sqrt"}),
))

_RMSPROP_MISTAKES = (
    uphill(rmsprop),
    *_step_mistakes(_rmsprop),
    KnownMistake("swapped_decay", "α and 1 − α are swapped: s ← α·s + (1 − α)·dw² keeps most of the old average.",
                 _rmsprop(average=lambda s, dw, a: (1 - a) * s + a * dw * dw), _S, r"\(\s*1\s*-\s*alpha\s*\)\s*\*\s*s"),
    KnownMistake("missing_square", "the running average is of dw², not of dw.",
                 _rmsprop(average=lambda s, dw, a: a * s + (1 - a) * dw), _S, r"\*\s*dw\s*$"),
    KnownMistake("no_dampening", "the new dw² is not scaled by (1 − α): s ← α·s + (1 − α)·dw².",
                 _rmsprop(average=lambda s, dw, a: a * s + dw * dw), _S, r"alpha\s*\*\s*s\s*\+\s*dw"),
    KnownMistake("no_decay", "s ← s + dw² is AdaGrad's sum: RMSProp keeps a moving average, s ← α·s + (1 − α)·dw².",
                 _rmsprop(average=lambda s, dw, a: s + dw * dw), _S, r"s\s*\+\s*dw"),
    KnownMistake("old_average_not_decayed", "the old average is not multiplied by α: s ← α·s + (1 − α)·dw².",
                 _rmsprop(average=lambda s, dw, a: s + (1 - a) * dw * dw), _S, r"s\s*\+\s*\(\s*1"),
    KnownMistake("lr_alpha_swapped", "lr and alpha are used the other way round: alpha (ρ) decays the average, lr "
                 "scales the step (check the argument order, rmsprop(w, dw, s, lr, alpha, eps)).",
                 lambda w, dw, s, lr, a, eps: _rmsprop()(w, dw, s, a, lr, eps), _S, r"lr\s*\*\s*s"),
    state_not_returned(rmsprop, "s", 2),
    swapped_outputs(rmsprop, "(w, s)"),
)

register(Exercise(
    "optim.rmsprop", "rmsprop(w, dw, s, lr, alpha, eps) -> (w, s)", rmsprop,
    lambda r, h: step_cases(r, h, ("s",), lambda r, i: {"lr": lr(r), "alpha": float(r.uniform(0.8, 0.99)),
                                                        "eps": 0.05}),
    outputs=(Output("w"), Output("s")), blocked=BLOCKED, mistakes=_RMSPROP_MISTAKES, rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"update", "sqrt"}),
))
