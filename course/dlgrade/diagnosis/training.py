"""A training loop that goes wrong: does its first step go uphill, or downhill and then diverge?

"The update steps uphill" is said only when the first step points along the gradient. The probe calls the
learner's loop for 0 and for 1 step (``Exercise.training``, a ``registry.Training``), takes the step
between the two returned parameter sets and the loss gradient at the first, and compares their directions.
"""
from __future__ import annotations

from typing import Any, Collection, Mapping, Sequence

import numpy as np

from . import hints
from .core import DIVERGES, NONFINITE, SIGN, VALUES, Diagnosis, fmt
from .outputs import quiet
from .probes import Probe

_CLEAR = 0.1  # |cos| below this: the step is not along the gradient either way


def _flat(arrays: Sequence[Any]) -> np.ndarray | None:
    try:
        parts = [np.asarray(a, dtype=np.float64).ravel() for a in arrays]
    except (TypeError, ValueError):
        return None
    flat = np.concatenate(parts) if parts else np.zeros(0)
    return flat if np.all(np.isfinite(flat)) else None


def direction(step: np.ndarray, gradient: np.ndarray) -> float | None:
    """cos of the angle between a step and the downhill direction −gradient (None for a zero vector)."""
    ns, ng = float(np.linalg.norm(step)), float(np.linalg.norm(gradient))
    if ns == 0.0 or ng == 0.0:
        return None
    return float(step @ -gradient) / (ns * ng)


def first_step(training: Any, args: Mapping[str, Any], verdict: Diagnosis, scope: Collection[str]) -> Probe:
    """Probe the loop with 0 and 1 steps; judge whether the first step is uphill, or downhill and diverging."""
    calls = [{**args, training.steps: 0}, {**args, training.steps: 1}]
    facts_of_check = verdict.detail or "\n".join(verdict.message.splitlines()[1:])

    def judge(reports: Sequence[Mapping[str, Any]]) -> Diagnosis | None:
        if any(r.get("error") for r in reports):
            return None
        try:
            p0, p1 = training.params(reports[0].get("value")), training.params(reports[1].get("value"))
            with quiet():
                grad = _flat(training.gradient(dict(args), p0))
        except Exception:  # a returned value of the wrong structure: the verdict already says so
            return None
        a, b = _flat(p0), _flat(p1)
        if a is None or b is None or grad is None or a.shape != b.shape or a.shape != grad.shape:
            return None
        cos = direction(b - a, grad)
        if cos is None:
            return None
        facts = f"(cos {fmt(round(cos, 3))} between your first step and −gradient)"
        if cos < -_CLEAR:
            return Diagnosis(SIGN, f"the first step goes uphill {facts}: it moves along the gradient, so the loss "
                             f"grows. Subtract lr × gradient.{hints.hint(hints.RESIDUAL, scope)}", facts_of_check,
                             {"cos": cos})
        if cos > _CLEAR and verdict.code in (SIGN, NONFINITE):
            extra = f" {training.diverges}" if training.diverges else ""
            return Diagnosis(DIVERGES, f"the first step goes downhill {facts}, but training then diverges: the "
                             f"steps are too large, or the gradient's size is off.{extra}", facts_of_check,
                             {"cos": cos})
        if abs(cos) <= _CLEAR and verdict.code == SIGN:
            return Diagnosis(VALUES, "the loss ended above where it started, and your first step is not "
                             f"along the gradient either way {facts}: the gradient your loop uses is wrong. "
                             "Check it on its own first.", facts_of_check, {"cos": cos})
        return None
    return Probe(calls, judge)
