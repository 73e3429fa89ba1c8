"""Broken notebooks: each gets a score or a clear flag naming the file and the problem; none stops the run."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
import pytest

from . import submissions as S
from .conftest import copy_course, dlcourse, once_per_session


def _strip_meta(d: dict) -> None:
    for c in d["cells"]:
        c["metadata"].pop("nbgrader", None)


def _drop(kind: str):
    def change(d: dict) -> None:
        d["cells"] = [c for c in d["cells"] if not (c["metadata"].get("nbgrader", {}).get(kind)
                                                    and c["cell_type"] == "code")]
    return change


def _duplicate(d: dict) -> None:
    cells = d["cells"]
    i = next(i for i, c in enumerate(cells) if c["metadata"].get("nbgrader", {}).get("grade_id") == "test-predict")
    cells.insert(i + 1, json.loads(json.dumps(cells[i])))


def _reorder(d: dict) -> None:
    d["cells"] = list(reversed(d["cells"]))


def _kernel(d: dict) -> None:
    d["metadata"]["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}


def _grade_broken(folder: Path):
    root = copy_course(folder / "project")
    dlcourse(root, "release", S.LESSON, check=True)
    student, solution = S.load(root)
    good = S.correct(student, solution)
    sub = root / "course" / "submitted"
    place = lambda name, text: S.write_raw(text, sub / name / S.LESSON / f"{S.LESSON}.ipynb")  # noqa: E731
    text = nbformat.writes(good)
    place("not-json", "this is { not json")
    place("truncated", text[: len(text) // 2])
    place("empty", "")
    place("v3", nbformat.writes(nbformat.convert(copy.deepcopy(good), 3)))
    place("no-metadata", S.mutate_json(good, _strip_meta))
    place("no-tests", S.mutate_json(good, _drop("grade")))
    place("no-answers", S.mutate_json(good, _drop("solution")))
    place("duplicated", S.mutate_json(good, _duplicate))
    place("reordered", S.mutate_json(good, _reorder))
    place("kernel", S.mutate_json(good, _kernel))
    S.write_raw(text, sub / "wrong-name" / S.LESSON / "02-logistic-regression.ipynb")
    (sub / "wrong-name" / S.LESSON / "timestamp.txt").write_text("2025-01-01 00:00:00.000000 UTC")
    place("good", text)
    return root, dlcourse(root, "grade", S.LESSON, "--jobs", "2", "--no-progress", "--cell-timeout", "10")


@pytest.fixture(scope="session")
def run(tmp_path_factory: pytest.TempPathFactory):
    """One graded class of broken notebooks per session (shared by the xdist workers)."""
    return once_per_session(tmp_path_factory, "broken", _grade_broken)


@pytest.mark.parametrize("student, problem", [
    ("not-json", "invalid JSON"), ("truncated", "invalid JSON"), ("empty", "invalid JSON"),
    ("no-metadata", "not gradable: the notebook has no nbgrader cell metadata"),
    ("wrong-name", "not a notebook of this lesson"),
])
def test_unreadable_is_flagged_by_file_and_problem(run, student: str, problem: str) -> None:
    root, proc = run
    line = next(ln for ln in proc.stdout.splitlines() if ln.strip().startswith(f"{student}:"))
    assert problem in line and (f"submitted/{student}/{S.LESSON}/" in line or f"work/{student}/" in line), line


@pytest.mark.parametrize("student, points", [
    ("good", 6), ("v3", 6), ("no-tests", 6), ("duplicated", 6), ("kernel", 6), ("no-answers", 0),
    ("reordered", None),
])
def test_damaged_but_readable_gets_a_score(run, student: str, points: int | None) -> None:
    root, proc = run
    assert "good" in proc.stdout and "0 unchanged" in proc.stdout
    total = S.auto_total(root, student)
    if points is None:
        assert 0 <= total <= S.max_points()
    else:
        assert total == points, S.scores(root, student)


def test_run_is_not_stopped(run) -> None:
    root, proc = run
    assert "7 graded" in proc.stdout and "5 failed" in proc.stdout, proc.stdout + proc.stderr
