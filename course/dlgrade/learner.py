"""The notebook-facing checks: ``check`` (pass or raise), ``grade`` (partial credit) and ``case_inputs``.

A check refuses to pass a stale definition: when the cell that defines the function last ran with an error
(IPython's ``post_run_cell`` events, watched from the moment this module is imported), or when the latest
cell that defines its name is not the cell its code came from (a SyntaxError leaves the earlier definition
in place). IPython keeps every cell's source in ``linecache`` and its history, which is what is compared.
"""
from __future__ import annotations

import linecache
import sys
from typing import Any, Callable, Mapping

from . import diagnosis as dg
from .calling import InProcessCaller
from .diagnosis import Diagnosis
from .diagnosis.source import source_of, staleness
from .display import show
from .errors import CheckFailed
from .registry import get_exercise
from .runner import Report, run_exercise

_FAILED: dict[int, str] = {}  # execution count -> the error of each cell run that raised


def _shell() -> Any:
    """The running IPython shell, or None (IPython is not imported just to find out)."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    return get() if get is not None else None


def _record(result: Any) -> None:
    """IPython's post_run_cell event: remember which cell runs raised."""
    n = getattr(result, "execution_count", None)
    err = getattr(result, "error_before_exec", None) or getattr(result, "error_in_exec", None)
    if n is None:
        return
    if err is not None:
        _FAILED[n] = f"{type(err).__name__}: {str(err)[:120]}"
    else:
        _FAILED.pop(n, None)


def watch(shell: Any = None) -> None:
    """Record the outcome of every cell run from now on (done when this module is imported)."""
    shell = shell if shell is not None else _shell()
    events = getattr(shell, "events", None)
    if events is not None and _record not in events.callbacks.get("post_run_cell", []):
        events.register("post_run_cell", _record)


def stale(fn: Callable, shell: Any = None) -> str | None:
    """Why ``fn`` is not what its cell now says (see the module docstring), or None."""
    shell = shell if shell is not None else _shell()
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    history = getattr(getattr(shell, "history_manager", None), "input_hist_raw", None)
    if code is None or not history:
        return None
    defined_in = "".join(linecache.getlines(code.co_filename))
    runs = list(enumerate(history))[1:]
    if not any(text.strip() == defined_in.strip() for _, text in runs):
        return None  # not defined in a cell of this session (a module, a file): nothing to compare
    return staleness(fn.__name__, defined_in, runs, _FAILED)


def case_inputs(name: str, case: int, *, seed: int | None = None, hidden: bool = False) -> dict[str, Any]:
    """The inputs of case number ``case`` (1-based) of an exercise, as a failure message names them."""
    ex = get_exercise(name)
    cases = ex.cases_from_seed(ex.seed(hidden) if seed is None else seed, hidden)
    if not 1 <= case <= len(cases):
        raise IndexError(f"{name} has {len(cases)} cases; case must be 1 to {len(cases)}")
    return cases[case - 1].fresh()


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
    old = stale(fn)
    if old is not None:
        raise CheckFailed(f"{name}: {old}", exercise=name, diagnosis=Diagnosis(dg.STALE, old)) from None
    report = run_exercise(ex, InProcessCaller(fn), hidden, source=source_of(fn))
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
        elif stale(f) is not None:
            frac, detail = 0.0, str(stale(f))
        else:
            report = run_exercise(ex, InProcessCaller(f), hidden, source=source_of(f))
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


watch()
