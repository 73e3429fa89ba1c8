"""Committed grading results: one JSON file per submission, written last and atomically.

A result file exists only once a submission's scores are in the gradebook and its autograded notebook is in
place, so an interrupted `dlcourse grade` resumes exactly where it stopped: nothing graded twice, nothing lost.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..project import Project

# The environment variable naming the process that started a worker: the worker dies with it (worker.main), so
# no worker of a killed run writes into the folders the resumed run grades in.
GRADER_PID = "DLCOURSE_GRADER_PID"


def fingerprint(files: list[Path]) -> str:
    """A hash of the submission and the grader's source: either changing means grading again."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def result_path(project: Project, lesson: str, student: str) -> Path:
    """Where a submission's committed result lives."""
    return project.state / lesson / "results" / f"{student}.json"


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write JSON via a temporary file and rename, so a crash leaves the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")  # never matches *.json
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load_result(project: Project, lesson: str, student: str) -> dict[str, Any] | None:
    """A committed result, or None when the submission has not been graded (or the file is damaged)."""
    try:
        return json.loads(result_path(project, lesson, student).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def all_results(project: Project, lesson: str) -> dict[str, dict[str, Any]]:
    """Every committed result of a lesson, by student id."""
    folder = project.state / lesson / "results"
    out = {}
    for path in sorted(folder.glob("*.json")):
        result = load_result(project, lesson, path.stem)
        if result is not None:
            out[path.stem] = result
    return out
