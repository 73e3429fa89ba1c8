"""Inverted dropout with a given keep-mask (lesson 07): ``mask`` is a boolean array, True where a unit is kept; ``p``
is the probability of DROPPING, so kept units are scaled by 1/(1 − p) (PyTorch's convention).

- dropout_forward(x, mask, p) -> x · mask / (1 − p);
- dropout_backward(dout, mask, p) -> dout · mask / (1 − p).
The reference is dlkit's own dropout op (the Function behind F.dropout) with the given mask and scale 1/(1 − p),
forward and, through dlkit's autograd, backward. dropout_backward may call the learner's dropout_forward (the same
arithmetic): while it is checked that name answers with the reference.
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, register
from .. import _dlkit
from .._common import make_case, pick
from .._draw import F32_ATOL, F32_RTOL

# shapes: batch 1, odd sizes, 1-D and 3-D; p values that keep 1/p and 1/(1 − p) apart (p = 0.5 once)
_SHAPES = ([(4, 5), (1, 3), (2, 3, 2), (7, 4)], [(6, 2), (1, 7), (3, 4, 2), (5,), (9, 3)])
_PS = [0.25, 0.5, 0.4, 0.3, 0.2]


def _through(a: np.ndarray, mask: np.ndarray, p: float, grad: np.ndarray | None) -> np.ndarray:
    """dlkit's Dropout op on ``a`` (float64), or, with ``grad``, the gradient it sends back to ``a``."""
    from dlkit.functional.dropout import Dropout

    t = _dlkit.tensor64(a, requires_grad=grad is not None)
    out = Dropout.apply(t, mask=np.asarray(mask, dtype=bool), scale=1.0 / (1.0 - p))
    if grad is None:
        return _dlkit.numpy(out)
    out.backward(_dlkit.tensor64(grad))
    return _dlkit.numpy(t.grad)


@reference("regularization.dropout_forward reference")
def dropout_forward(x, mask, p):
    """x · mask / (1 − p)."""
    return _through(x, mask, p, None).astype(np.result_type(x, np.float32))


@reference("regularization.dropout_backward reference")
def dropout_backward(dout, mask, p):
    """dout · mask / (1 − p)."""
    return _through(np.zeros_like(dout, dtype=np.float64), mask, p, dout)


def _cases(rng: np.random.Generator, hidden: bool, backward: bool):
    cases = []
    for i, shape in enumerate(pick(*_SHAPES, hidden)):
        p = _PS[i % len(_PS)]
        mask = rng.random(shape) >= p
        mask.flat[0], mask.flat[-1] = True, False  # both kept and dropped units in every case
        values = rng.normal(size=shape).astype(np.float32 if i == 3 else np.float64)
        args = {"dout" if backward else "x": values, "mask": mask, "p": p}
        cases.append(make_case(args, factors={"N": shape[0]}, note="float32" if i == 3 else ""))
    return cases


_SCALE, _MASK = "the line that scales", "the line that applies the mask"


def _mistakes(a: str) -> tuple[KnownMistake, ...]:
    """The mistakes of either pass; ``a`` names its first argument (x or dout) in the messages."""
    return tuple(KnownMistake(code, msg, fn, look, rx) for code, msg, fn, look, rx in (
        ("missing_rescale", f"kept units must be scaled by 1/(1 − p) (inverted dropout), so that the expected value "
         f"is unchanged: {a} * mask / (1 - p).", lambda v, m, p: v * m, _SCALE, r"^(?!.*1\s*-\s*p).*mask"),
        ("scaled_by_keep_prob", "multiplying by the keep probability (1 − p) is the OLD test-time correction; "
         f"inverted dropout DIVIDES the kept units by it during training: {a} * mask / (1 - p).",
         lambda v, m, p: v * m * (1 - p), _SCALE, r"\*\s*\(\s*1\s*-\s*p\s*\)"),
        ("divided_by_p", "p is the probability of DROPPING a unit (PyTorch's convention); divide by the keep "
         "probability, 1 − p.", lambda v, m, p: v * m / p, _SCALE, r"/\s*p\b"),
        ("times_p", "p is the probability of dropping, and the kept units are DIVIDED by the keep probability: "
         f"{a} * mask / (1 - p).", lambda v, m, p: v * m * p, _SCALE, r"\*\s*p\b"),
        ("scale_squared", "the scale 1/(1 − p) was applied twice: once, in the same place as in forward.",
         lambda v, m, p: v * m / (1 - p) ** 2, _SCALE, r"\*\*\s*2|/\s*\(\s*1\s*-\s*p\s*\).*/\s*\(\s*1\s*-\s*p"),
        ("empirical_keep_rate", "divide by 1 − p, the keep PROBABILITY, not by the fraction this mask happens to "
         "keep (mask.mean()): the scale must not depend on the draw.", lambda v, m, p: v * m / m.mean(), _SCALE,
         r"mean\(|sum\("),
        ("inverted_mask", "the mask is inverted: True means KEEP.", lambda v, m, p: v * ~m / (1 - p), _MASK,
         r"~\s*mask|1\s*-\s*mask|logical_not|==\s*(0|False)"),
        ("mask_ignored", f"the mask is not applied: dropped units must give 0, {a} * mask / (1 - p).",
         lambda v, m, p: v / (1 - p), _SCALE, r"^(?!.*mask).*1\s*-\s*p"),
        ("dropped_not_zeroed", "only the kept units were touched: the dropped ones must become 0, not keep their "
         f"value ({a} * mask / (1 - p)).", lambda v, m, p: np.where(m, v / (1 - p), v), _MASK,
         r"\[\s*mask\s*\]\s*(/|\*)="),
        ("mask_only", f"that is the scaled mask alone: multiply it by {a}, {a} * mask / (1 - p).",
         lambda v, m, p: m / (1 - p), "the return line", r"return\s+mask"),
        ("precedence", f"operator precedence: {a} * mask / 1 - p divides by 1 and then subtracts p; put the keep "
         "probability in brackets, / (1 - p).", lambda v, m, p: v * m / 1 - p, _SCALE, r"/\s*1\s*-\s*p"),
        ("boolean_indexing", f"{a}[mask] keeps only the kept units, as a flat array: the output has the shape of "
         f"{a}, with zeros where units were dropped ({a} * mask / (1 - p)).", lambda v, m, p: v[m] / (1 - p), _MASK,
         r"\[\s*mask\s*\]"),
    ))


_BLOCKED = ("dropout", "Dropout")

register(Exercise(
    "regularization.dropout_forward", "dropout_forward(x, mask (bool, True = keep), p) -> x * mask / (1 - p)",
    dropout_forward, lambda r, h: _cases(r, h, False), blocked=_BLOCKED, mistakes=_mistakes("x"),
    rtol=F32_RTOL, atol=F32_ATOL, hints=frozenset({"mask"}),
))
register(Exercise(
    "regularization.dropout_backward", "dropout_backward(dout, mask, p) -> dx", dropout_backward,
    lambda r, h: _cases(r, h, True), blocked=_BLOCKED,
    mistakes=_mistakes("dout") + (KnownMistake(
        "passthrough", "dropout's gradient is not the upstream gradient unchanged: a dropped unit contributed "
        "nothing and gets 0, a kept one passes dout on scaled by 1/(1 − p).", lambda d, m, p: d.copy(),
        "the return line", r"return\s+dout\s*$"),),
    oracles={"dropout_forward": "ex:regularization.dropout_forward"}, rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"mask"}),
))
