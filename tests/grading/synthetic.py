"""Small unregistered exercises for testing the diagnosis rules end to end (through the in-process caller)."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from dlgrade.calling import InProcessCaller
from dlgrade.diagnosis.source import source_of
from dlgrade.registry import Case, Exercise, Output
from dlgrade.runner import Report, run_exercise


def exercise(reference: Callable[..., Any], cases: Sequence[Case] | Callable[[np.random.Generator], Sequence[Case]],
             outputs: Sequence[Output] = (Output("out"),), name: str = "synthetic.ex", **kw: Any) -> Exercise:
    """An exercise with fixed cases (or cases drawn from the seed), not in the registry."""
    make = cases if callable(cases) else (lambda rng: list(cases))
    return Exercise(name, f"{name}(...)", reference, lambda rng, hidden: make(rng), outputs=tuple(outputs), **kw)


def run(ex: Exercise, fn: Callable[..., Any]) -> Report:
    """The report of the learner's ``fn`` on the exercise's visible cases."""
    return run_exercise(ex, InProcessCaller(fn), source=source_of(fn))


def diagnosis(ex: Exercise, fn: Callable[..., Any]) -> Any:
    """The diagnosis of the first failure (None when every case passed)."""
    r = run(ex, fn).first_failure
    return None if r is None else r.diagnosis
