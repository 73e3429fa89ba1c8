"""`dlcourse check`: every lesson's grader is sane and proven on the solution and the blank version."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from dlcourse.release.metadata import metadata_problems

from .conftest import LESSONS, copy_course, dlcourse


@pytest.mark.parametrize("lesson", LESSONS)
def test_check_passes_for_every_lesson(fresh_project: Path, lesson: str) -> None:
    """Solution passes all tests, blank fails all autograded tests, lessons/ in sync, metadata sane.
    One lesson per test, so pytest-xdist spreads the lessons over the cores."""
    proc = dlcourse(fresh_project, "check", "--no-progress", lesson)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"ok   {lesson}" in proc.stdout and "all ok" in proc.stdout


def test_check_reports_a_hand_edited_lesson(tmp_path: Path) -> None:
    """Editing lessons/ by hand is caught (the notebook named), without executing anything."""
    root = copy_course(tmp_path / "project")
    student = sorted((root / "lessons" / LESSONS[0]).glob("*.ipynb"))[0]
    nb = json.loads(student.read_text())
    nb["cells"][0]["source"] = "edited by hand"
    student.write_text(json.dumps(nb))
    proc = dlcourse(root, "check", "--static", LESSONS[0])
    assert proc.returncode == 1
    assert str(student) in proc.stdout and "differs" in proc.stdout


def _cell(source: str, **nbgrader) -> nbformat.NotebookNode:
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"schema_version": 3, "task": False, "locked": False, "grade": False,
                                 "solution": False, **nbgrader}
    return cell


def test_metadata_problems_are_named() -> None:
    """Duplicate grade ids, zero points, a missing test and a test without hidden tests are all reported."""
    nb = new_notebook(cells=[
        _cell("def f(): pass", grade_id="f", solution=True),
        _cell("def g(): pass", grade_id="g", solution=True),
        _cell("check('x', g)", grade_id="t", grade=True, points=0),
        _cell("check('x', g)", grade_id="t", grade=True, points=1),
    ])
    nb.metadata["kernelspec"] = {"name": "python3"}
    problems = "\n".join(metadata_problems(nb))
    assert "grade id 't' is used by 2 cells" in problems
    assert "points > 0" in problems
    assert "(f): answer cell has no test cell" in problems
    assert "no ### BEGIN HIDDEN TESTS" in problems


def test_metadata_of_real_lessons_is_sane() -> None:
    """The committed source notebooks pass the static checks."""
    from .conftest import REPO

    for lesson in LESSONS:
        for path in sorted((REPO / "solutions" / lesson).glob("*.ipynb")):
            assert metadata_problems(nbformat.read(path, 4)) == []
