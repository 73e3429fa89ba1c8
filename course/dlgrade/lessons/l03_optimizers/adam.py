"""Lesson 03, Adam as a pure function on arrays: dlkit.optim.Adam (PyTorch's rule, with bias correction) on
float64 tensors. ``t`` is the 1-based number of this step.

    m ← β1·m + (1 − β1)·dw;   v ← β2·v + (1 − β2)·dw²;   w ← w − lr·m̂ / (√v̂ + eps),
    m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ)   (only the step uses m̂ and v̂; the state stays m, v)
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._draw import F32_ATOL, F32_RTOL
from .cases import BLOCKED, lr, state_not_returned, step_cases, uphill


@reference("optim.adam reference")
def adam(w: np.ndarray, dw: np.ndarray, m: np.ndarray, v: np.ndarray, t: int, lr: float, beta1: float,
         beta2: float, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(w', m', v') of one Adam step with bias correction: dlkit.optim.Adam after t − 1 steps."""
    new_w, state = _dlkit.optimizer_step("Adam", w, dw, {"step": int(t) - 1, "exp_avg": m, "exp_avg_sq": v},
                                         lr=lr, betas=(beta1, beta2), eps=eps)
    return new_w, state["exp_avg"], state["exp_avg_sq"]


def _hyper(rng: np.random.Generator, i: int) -> dict:
    # t = 1 (the first step), small and large t; one t a numpy integer (an int of another type)
    t = [3, 1, 7, 2, 12, 5][i % 6]
    return {"t": np.int64(t) if i == 2 else t, "lr": lr(rng), "beta1": 0.9, "beta2": 0.99, "eps": 0.05}


def _variant(bc_t=None, eps_inside=False, square=True, correct_m=True, correct_v=True, correction="divide",
             stale=False, betas_swapped=False, swap_m=False, sqrt=True, eps_scaled=False, precedence=False,
             return_corrected=False, use_eps=True, skip_at_zero=False):
    """Adam with one switch flipped: the catalogued mistakes."""
    def step(w, dw, m, v, t, lr, beta1, beta2, eps):
        b1, b2 = (beta2, beta1) if betas_swapped else (beta1, beta2)
        new_m = (1 - b1) * m + b1 * dw if swap_m else b1 * m + (1 - b1) * dw
        new_v = b2 * v + (1 - b2) * (dw * dw if square else dw)
        m_used, v_used = (m, v) if stale else (new_m, new_v)
        tt = t if bc_t is None else bc_t(t)
        c1, c2 = (1 - b1 ** tt, 1 - b2 ** tt) if correction != "no_power" else (1 - b1, 1 - b2)
        if skip_at_zero and tt == 0:  # the learner's guard against 1 − β⁰ = 0 on the first step
            c1, c2 = 1.0, 1.0
        if correction == "multiply":
            c1, c2 = 1 / c1, 1 / c2
        mhat = m_used / c1 if correct_m else m_used
        vhat = v_used / c2 if correct_v else v_used
        e = eps if use_eps else 0.0
        if precedence:
            new_w = w - lr * mhat / np.sqrt(vhat) + e
        else:
            root = np.sqrt(vhat + e) if eps_inside else (np.sqrt(vhat) if sqrt else vhat) + e
            if eps_scaled:  # the step divided by (√v + eps)/√(1 − β2ᵗ): eps corrected with v
                root = (np.sqrt(v_used) + e) / np.sqrt(c2)
            new_w = w - lr * mhat / root
        return (new_w, mhat, vhat) if return_corrected else (new_w, new_m, new_v)
    return step


def _reordered(out):
    return out[0], out[2], out[1]


_BC, _W = "the bias-correction lines", "the line that updates w"
_MISTAKES = (
    uphill(adam),
    KnownMistake("bias_correction", "the bias correction is missing: divide m by (1 − β1ᵗ) and v by (1 − β2ᵗ) before "
                 "the step (both start at zero, so early steps are too small).",
                 _variant(correct_m=False, correct_v=False), _BC, r"mhat|m_hat"),
    KnownMistake("bias_correction", "only the first moment is bias-corrected: divide v by (1 − β2ᵗ) too.",
                 _variant(correct_v=False), _BC, r"vhat|v_hat"),
    KnownMistake("bias_correction", "only the second moment is bias-corrected: divide m by (1 − β1ᵗ) too.",
                 _variant(correct_m=False), _BC, r"mhat|m_hat"),
    KnownMistake("correction_multiplied", "the bias correction MULTIPLIES by (1 − βᵗ): divide, m̂ = m / (1 − β1ᵗ).",
                 _variant(correction="multiply"), _BC, r"\*\s*\(\s*1\s*-\s*beta"),
    KnownMistake("correction_without_power", "the bias correction uses 1 − β instead of 1 − βᵗ: raise β to the step "
                 "number, beta1 ** t.", _variant(correction="no_power"), _BC, r"1\s*-\s*beta[12]\s*\)"),
    KnownMistake("power_two", "the bias correction uses β² (a fixed power) instead of βᵗ: beta1 ** t, t the step "
                 "number.", _variant(bc_t=lambda t: 2), _BC, r"\*\*\s*2"),
    KnownMistake("off_by_one", "the bias correction uses the wrong step number: t is this step's 1-based count, "
                 "use β1**t (not t − 1 or t + 1).", _variant(bc_t=lambda t: t + 1), _BC, r"t\s*[+-]\s*1"),
    KnownMistake("off_by_one", "the bias correction uses the wrong step number: t is this step's 1-based count, "
                 "use β1**t (not t − 1 or t + 1).", _variant(bc_t=lambda t: t - 1), _BC, r"t\s*[+-]\s*1"),
    KnownMistake("off_by_one", "the bias correction counts steps from 0 (β**(t − 1), skipped on the first step): t is "
                 "this step's 1-based count, so use β1**t; 1 − β1**t is never 0 for t ≥ 1.",
                 _variant(bc_t=lambda t: t - 1, skip_at_zero=True), _BC, r"t\s*-\s*1"),
    KnownMistake("corrected_state_returned", "the bias-corrected m̂ and v̂ were returned as the new state: only the "
                 "step uses them; return the raw m and v, or the correction compounds step after step.",
                 _variant(return_corrected=True), "the return line", r"return"),
    KnownMistake("eps_placement", "eps goes outside the square root: m̂ / (sqrt(v̂) + eps).",
                 _variant(eps_inside=True), _W, r"sqrt\([^)]*\+\s*eps"),
    KnownMistake("eps_bias_corrected", "eps was divided by the bias correction together with √v: add eps to √v̂ "
                 "itself, m̂ / (√v̂ + eps).", _variant(eps_scaled=True), _W, r"sqrt\(\s*1\s*-"),
    KnownMistake("eps_missing", "eps is missing from the denominator: m̂ / (sqrt(v̂) + eps).",
                 _variant(use_eps=False), _W, r"sqrt"),
    KnownMistake("precedence", "w − lr·m̂/√v̂ + eps adds eps to w: the brackets are missing, "
                 "m_hat / (np.sqrt(v_hat) + eps).", _variant(precedence=True), _W, r"sqrt\([^)]*\)\s*\+\s*eps"),
    KnownMistake("missing_sqrt", "the square root is missing: divide by sqrt(v̂) + eps.", _variant(sqrt=False),
                 _W, r"/\s*\(\s*v"),
    KnownMistake("missing_square", "the second moment averages dw², not dw.", _variant(square=False),
                 "the line that updates v", r"\)\s*\*\s*dw\s*$"),
    KnownMistake("stale_state", "the step used the OLD m and v: update both moments first, then correct and step.",
                 _variant(stale=True), _BC, r"/\s*\(\s*1"),
    KnownMistake("betas_swapped", "β1 and β2 are swapped: β1 (0.9) averages the gradients, β2 (0.999) their "
                 "squares.", _variant(betas_swapped=True), "the lines that update m and v", r"beta2\s*\*\s*m"),
    KnownMistake("swapped_decay", "β1 and 1 − β1 are swapped in m: m ← β1·m + (1 − β1)·dw.", _variant(swap_m=True),
                 "the line that updates m", r"\(\s*1\s*-\s*beta1\s*\)\s*\*\s*m"),
    state_not_returned(adam, "m and v", 2),
    KnownMistake("swapped_outputs", "m and v are returned in the wrong order: return (w, m, v).",
                 lambda *args: _reordered(adam(*args)), "the return line", r"return"),
)

register(Exercise(
    "optim.adam", "adam(w, dw, m, v, t, lr, beta1, beta2, eps) -> (w, m, v)", adam,
    lambda r, h: step_cases(r, h, ("m", "v"), _hyper), outputs=(Output("w"), Output("m"), Output("v")),
    blocked=BLOCKED, mistakes=_MISTAKES, rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"update", "sqrt"}),
))
