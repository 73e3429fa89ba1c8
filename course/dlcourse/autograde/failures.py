"""Failed grading attempts, kept beside the results so `status` can list them and `grade` does not loop on them.

A failure that the submission itself causes (nbgrader rejects it, the worker raises) happens again on every run:
it is recorded with the submission's fingerprint and not retried until the submission or the lesson changes (or
`--force`). A failure from outside (a time limit, a kill, an interrupt) is retried on the next run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..project import Project
from .state import write_json_atomic


def failure_path(project: Project, lesson: str, student: str) -> Path:
    """Where a submission's last failure is recorded."""
    return project.state / lesson / "failed" / f"{student}.json"


def record(project: Project, lesson: str, student: str, fingerprint: str, reason: str, retry: bool) -> None:
    """Remember why a submission failed, for `status` and for the next `grade` run."""
    write_json_atomic(failure_path(project, lesson, student),
                      {"fingerprint": fingerprint, "reason": reason, "retry": retry})


def clear(project: Project, lesson: str, student: str) -> None:
    """Forget a failure (the submission has now been graded)."""
    failure_path(project, lesson, student).unlink(missing_ok=True)


def load(project: Project, lesson: str, student: str) -> dict[str, Any] | None:
    """The recorded failure of one submission, or None."""
    try:
        return json.loads(failure_path(project, lesson, student).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def all_failures(project: Project, lesson: str) -> dict[str, dict[str, Any]]:
    """Every recorded failure of a lesson, by student id."""
    folder = project.state / lesson / "failed"
    found = {p.stem: load(project, lesson, p.stem) for p in sorted(folder.glob("*.json"))}
    return {student: data for student, data in found.items() if data is not None}
