"""The verdict on one graded test cell, computed in the grader's process from the learner's plain outputs.

The grader reads the test cell (``testcell.parse``), runs each call through a caller that reaches the
learner's kernel, and turns the reports into the lines shown in the autograded notebook and the feedback, and
the fraction of the cell's points earned. Nothing the learner's kernel sends is taken as a score.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .calling import Caller
from .diagnosis.source import Source
from .learner import summary
from .registry import get_exercise
from .runner import run_exercise
from .testcell import CheckCall


@dataclass
class Verdict:
    """What the grader decided for one test cell."""

    fraction: float = 0.0                                              # of the cell's points
    lines: list[tuple[bool, str, str]] = field(default_factory=list)  # (passed, title, detail)

    @property
    def failure(self) -> str:
        """The detail of the first failing line ('' when every line passed)."""
        return next((detail for ok, _, detail in self.lines if not ok), "")

    def text(self) -> str:
        """The lines as plain text, ✓ or ✗ first."""
        return "\n".join(f"{'✓' if ok else '✗'} {title}" + (f" — {detail}" if detail else "")
                         for ok, title, detail in self.lines)


def judge(calls: list[CheckCall], caller_for: Callable[[str], Caller], secret: bytes | None,
          source_for: Callable[[str], Source | None] | None = None) -> Verdict:
    """Run the calls of one test cell (in order, stopping at the first failed ``check``) and judge them.

    ``source_for(target)`` is the grader's hook for the learner's code: the cell that defines a test cell's
    target (``diagnosis.source.definition_in_cells(cells, target)`` finds it among the notebook's cells), so
    that a known mistake's message can quote the line to look at.
    """
    verdict = Verdict()
    checks_ok, parts = True, []
    for call in calls:
        title = call.exercise + (" (hidden tests)" if call.hidden else "")
        try:
            ex = get_exercise(call.exercise)
        except (KeyError, TypeError) as exc:
            verdict.lines.append((False, title, f"the grader has no such exercise ({exc}); tell your instructor"))
            checks_ok = False
            break
        source = source_for(call.target) if source_for is not None else None
        report = run_exercise(ex, caller_for(call.target), call.hidden, secret, source=source)
        if call.kind == "grade":
            frac = report.part_fraction()
            parts.append(frac)
            detail = summary(report) if report.passed else (
                (f"{frac:.0%} of the parts correct. " if frac > 0 else "") + report.message())
            verdict.lines.append((report.passed, title, detail))
            continue
        verdict.lines.append((report.passed, title, summary(report) if report.passed else report.message()))
        if not report.passed:
            checks_ok = False
            break
    verdict.fraction = (1.0 if checks_ok else 0.0) * (sum(parts) / len(parts) if parts else 1.0)
    return verdict
