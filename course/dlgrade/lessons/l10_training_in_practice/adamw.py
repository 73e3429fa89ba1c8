"""Lesson 10, AdamW's step as a pure function on arrays: dlkit.optim.AdamW (torch's rule) on float64 tensors.

    w ← w·(1 − lr·λ)                                   (decoupled weight decay, first)
    m ← β1·m + (1 − β1)·dw;   v ← β2·v + (1 − β2)·dw²   (the moments see the data gradient only)
    w ← w − lr·m̂ / (√v̂ + eps),   m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ)

``t`` is the 1-based number of this step; the function returns (w, m, v), the new state uncorrected. The cases
are lesson 03's update-rule cases (shapes that vary every size, a float32 case, a state equal in value to dw)
with a weight decay λ large enough that where the decay goes shows in the numbers.
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._draw import F32_ATOL, F32_RTOL
from ..l03_optimizers.cases import BLOCKED, lr, state_not_returned, step_cases, uphill


@reference("adamw.step reference")
def adamw_step(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """(w', m', v') of one AdamW step: dlkit.optim.AdamW after t − 1 steps."""
    new_w, state = _dlkit.optimizer_step("AdamW", w, dw, {"step": int(t) - 1, "exp_avg": m, "exp_avg_sq": v},
                                         lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)
    return new_w, state["exp_avg"], state["exp_avg_sq"]


def _hyper(rng: np.random.Generator, i: int) -> dict:
    # t = 1 and later steps (one a numpy integer); lr·λ between about 0.01 and 0.25
    t = [3, 1, 6, 2, 9, 4][i % 6]
    return {"t": np.int64(t) if i == 2 else t, "lr": lr(rng), "beta1": 0.9, "beta2": 0.99, "eps": 0.05,
            "weight_decay": float(rng.uniform(0.1, 0.5))}


def _variant(decay="first", coupled=False, decay_factor=None, decay_in_step=False, correct=True, eps_inside=False,
             bc_t=None, betas_swapped=False, square=True, return_corrected=False):
    """AdamW with one switch flipped: the catalogued mistakes (the defaults are the rule itself)."""
    def step(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):
        w = np.asarray(w, dtype=np.float64)
        dw, m, v = (np.asarray(a, dtype=np.float64) for a in (dw, m, v))
        b1, b2 = (beta2, beta1) if betas_swapped else (beta1, beta2)
        factor = (1 - lr * weight_decay) if decay_factor is None else decay_factor(lr, weight_decay)
        g = dw + weight_decay * w if coupled else dw
        if decay == "first":
            w = w * factor
        new_m = b1 * m + (1 - b1) * g
        new_v = b2 * v + (1 - b2) * (g * g if square else g)
        tt = t if bc_t is None else bc_t(t)
        mhat = new_m / (1 - b1 ** tt) if correct else new_m
        vhat = new_v / (1 - b2 ** tt) if correct else new_v
        root = np.sqrt(vhat + eps) if eps_inside else np.sqrt(vhat) + eps
        numerator = mhat + weight_decay * w if decay_in_step else mhat
        w = w - lr * numerator / root
        if decay == "after":
            w = w * factor
        return (w, mhat, vhat) if return_corrected else (w, new_m, new_v)
    return step


_DECAY, _W, _BC = "the weight-decay line", "the line that updates w", "the bias-correction lines"
_MISTAKES = (
    uphill(adamw_step),
    KnownMistake("l2_not_decoupled", "this is Adam with an L2 penalty: λ·w was added to the GRADIENT, so it went "
                 "through m and v and was divided by √v̂. AdamW decays the weights directly, w·(1 − lr·λ), and the "
                 "moments see dw alone.", _variant(decay="none", coupled=True), "the line that adds λ·w",
                 r"dw\s*\+|\+\s*weight_decay\s*\*\s*w"),
    KnownMistake("decay_twice", "the decay is applied twice: λ·w was added to the gradient AND the weights were "
                 "multiplied by (1 − lr·λ). AdamW only does the second.", _variant(coupled=True),
                 "the line that adds λ·w", r"dw\s*\+|\+\s*weight_decay\s*\*\s*w"),
    KnownMistake("no_decay", "the weight decay is missing: this is plain Adam. Multiply w by (1 − lr·λ) first.",
                 _variant(decay="none"), _DECAY, r"return"),
    KnownMistake("decay_after_step", "the decay was applied AFTER the Adam step, so it also shrank the step: torch "
                 "(and dlkit) decay the old weights first, w·(1 − lr·λ), then subtract lr·m̂/(√v̂ + eps).",
                 _variant(decay="after"), _DECAY, r"\(\s*1\s*-\s*lr\s*\*"),
    KnownMistake("decay_without_lr", "the decay factor is (1 − lr·λ): the learning rate scales the decay too "
                 "(this is what 'decoupled' keeps from SGD's weight decay).",
                 _variant(decay_factor=lambda lr, wd: 1 - wd), _DECAY, r"1\s*-\s*weight_decay"),
    KnownMistake("decay_sign", "(1 + lr·λ) makes the weights GROW: decay multiplies them by (1 − lr·λ).",
                 _variant(decay_factor=lambda lr, wd: 1 + lr * wd), _DECAY, r"1\s*\+\s*lr"),
    KnownMistake("decay_by_lr_only", "the decay factor is (1 − lr·λ): λ (weight_decay) is missing from it.",
                 _variant(decay_factor=lambda lr, wd: 1 - lr), _DECAY, r"1\s*-\s*lr\s*\)"),
    KnownMistake("decay_through_adam", "λ·w was added to m̂ and so divided by √v̂ + eps: the decay must not go "
                 "through Adam's denominator; multiply w by (1 − lr·λ) on its own.",
                 _variant(decay="none", decay_in_step=True), _W, r"\+\s*weight_decay\s*\*\s*w"),
    KnownMistake("bias_correction", "the bias correction is missing: divide m by (1 − β1ᵗ) and v by (1 − β2ᵗ) "
                 "before the step.", _variant(correct=False), _BC, r"m_?hat|v_?hat"),
    KnownMistake("eps_placement", "eps goes outside the square root: m̂ / (sqrt(v̂) + eps).",
                 _variant(eps_inside=True), _W, r"sqrt\([^)]*\+\s*eps"),
    KnownMistake("off_by_one", "the bias correction uses the wrong step number: t is this step's 1-based count, use "
                 "β1**t (not t − 1 or t + 1).", _variant(bc_t=lambda t: t + 1), _BC, r"t\s*[+-]\s*1"),
    KnownMistake("off_by_one", "the bias correction uses the wrong step number: t is this step's 1-based count, use "
                 "β1**t (not t − 1 or t + 1).", _variant(bc_t=lambda t: t - 1), _BC, r"t\s*[+-]\s*1"),
    KnownMistake("betas_swapped", "β1 and β2 are swapped: β1 (0.9) averages the gradients, β2 (0.99) their "
                 "squares.", _variant(betas_swapped=True), "the lines that update m and v", r"beta2\s*\*\s*m"),
    KnownMistake("missing_square", "the second moment averages dw², not dw.", _variant(square=False),
                 "the line that updates v", r"\)\s*\*\s*dw\s*$"),
    KnownMistake("corrected_state_returned", "the bias-corrected m̂ and v̂ were returned as the new state: only the "
                 "step uses them; return the raw m and v.", _variant(return_corrected=True), "the return line",
                 r"return"),
    state_not_returned(adamw_step, "m and v", 2),
)

register(Exercise(
    "adamw.step", "adamw_step(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay) -> (w, m, v)", adamw_step,
    lambda r, h: step_cases(r, h, ("m", "v"), _hyper), outputs=(Output("w"), Output("m"), Output("v")),
    blocked=BLOCKED + ("adamw",), mistakes=_MISTAKES, rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"update", "sqrt"}),
))
