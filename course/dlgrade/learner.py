"""The notebook-facing checks: ``check`` (pass or raise) and ``grade`` (partial credit)."""
from __future__ import annotations

from typing import Callable, Mapping

from . import diagnosis as dg
from .diagnosis import Diagnosis
from .display import show
from .errors import CheckFailed
from .registry import get_exercise
from .calling import InProcessCaller
from .runner import Report, run_exercise


def summary(report: Report) -> str:
    """One line: how many cases passed, with the first labels (and what numpy warned)."""
    n = len(report.results)
    which = "hidden cases" if report.hidden else "cases"
    labels = " · ".join(r.case.label for r in report.results[:4]) + (" · …" if n > 4 else "")
    warned = sorted({w for r in report.results for w in r.warnings})
    note = f" (numpy warned: {warned[0]})" if warned else ""
    return f"{n} {which} passed: {labels}{note}"


def _require_callable(name: str, fn: object) -> None:
    if not callable(fn):
        raise CheckFailed(f"{name}: the second argument must be your function, e.g. "
                          f"check({name!r}, my_function); got {dg.describe(fn)}", exercise=name,
                          diagnosis=Diagnosis(dg.WRONG_TYPE, "not callable"))


def check(name: str, fn: Callable, *, hidden: bool = False) -> None:
    """Check a learner's function against the reference; prints ✓ or raises CheckFailed."""
    __tracebackhide__ = True  # pytest and IPython: hide this frame from tracebacks
    ex = get_exercise(name)
    _require_callable(name, fn)
    report = run_exercise(ex, InProcessCaller(fn), hidden)
    if not report.passed:
        raise CheckFailed(report.message(), exercise=name, diagnosis=report.first_failure.diagnosis) from None
    show([(True, name + (" (hidden tests)" if hidden else ""), summary(report))])


class Score(float):
    """A score whose repr is a bare number, so nbgrader reads it as the cell's partial credit."""

    def __repr__(self) -> str:
        return repr(round(float(self), 6))


def grade(
    exercises: str | Mapping[str, Callable],
    fn: Callable | None = None,
    *,
    points: float,
    hidden: bool = False,
) -> Score:
    """Partial credit: run one exercise (its outputs are the parts) or several; return the points earned.

    Make the call the last line of an nbgrader test cell so its value is the cell's
    output: ``grade("layers.linear_backward", linear_backward, points=3)`` gives 1 point
    per correct output among (dx, dW, db); ``grade({"linreg.predict": predict,
    "linreg.mse": mse}, points=2)`` gives 1 point per correct exercise. Failures are
    shown, never raised, so the score is the cell's only result.
    """
    if isinstance(exercises, str):
        if fn is None:
            raise TypeError(f"grade: pass your function after the name, e.g. grade({exercises!r}, my_fn, points=1)")
        items = {exercises: fn}
    elif fn is not None:
        raise TypeError("grade: pass either a name and a function, or a dict {name: function}, not both")
    else:
        items = dict(exercises)
    if not items:
        raise ValueError("grade: no exercises given")
    if not points > 0:
        raise ValueError(f"grade: points must be positive, got {points!r}")
    earned = 0.0
    lines: list[tuple[bool, str, str]] = []
    for name, f in items.items():
        ex = get_exercise(name)
        if not callable(f):
            frac, detail = 0.0, f"not a function ({dg.describe(f)})"
        else:
            report = run_exercise(ex, InProcessCaller(f), hidden)
            frac = report.part_fraction()
            detail = summary(report) if report.passed else report.message()
            if not report.passed and frac > 0:
                detail = f"{frac:.0%} of the parts correct. " + detail
        earned += frac / len(items)
        lines.append((frac == 1.0, name + (" (hidden tests)" if hidden else ""), detail))
    score = min(points, round(earned * points, 6))
    lines.append((score == points, f"score: {score:g} / {points:g}", ""))
    show(lines)
    return Score(score)
