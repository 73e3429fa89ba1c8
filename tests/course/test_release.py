"""`dlcourse release`: lessons/ is exactly what solutions/ generates, byte for byte, with nothing leaked."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from dlcourse.release.leaks import find_leaks
from dlcourse.notebooks import is_solution

from .conftest import LESSONS, REPO, dlcourse


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def released(fresh_project: Path) -> Path:
    """The pristine copy after one `dlcourse release` of every lesson."""
    dlcourse(fresh_project, "release", check=True)
    return fresh_project


@pytest.mark.parametrize("lesson", LESSONS)
def test_release_reproduces_committed_lessons(released: Path, lesson: str) -> None:
    """Regenerating leaves lessons/ unchanged (CI's `git diff --exit-code lessons/`, without touching the tree)."""
    assert _files(released / "lessons" / lesson) == _files(REPO / "lessons" / lesson), (
        f"lessons/{lesson} is out of sync with solutions/{lesson}: run `dlcourse release {lesson}` and commit")


def test_release_twice_changes_nothing(released: Path) -> None:
    """Releasing again writes no file: the output is deterministic."""
    before = _files(released / "lessons")
    again = dlcourse(released, "release", check=True)
    assert _files(released / "lessons") == before
    assert all("unchanged" in line for line in again.stdout.splitlines()), again.stdout


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_solution_or_hidden_test_in_lessons(lesson: str) -> None:
    """The committed student notebooks hold no solution line, model answer or hidden test."""
    for source in sorted((REPO / "solutions" / lesson).glob("*.ipynb")):
        student = REPO / "lessons" / lesson / source.name
        leaks = find_leaks(nbformat.read(source, 4), nbformat.read(student, 4))
        assert leaks == [], leaks


def test_leak_detector_catches_a_pasted_solution() -> None:
    """The leak check itself works: a solution line pasted into the student version is reported."""
    lesson = LESSONS[0]
    source = sorted((REPO / "solutions" / lesson).glob("*.ipynb"))[0]
    src_nb = nbformat.read(source, 4)
    student = nbformat.read(REPO / "lessons" / lesson / source.name, 4)
    answer = next(c for c in src_nb.cells if is_solution(c) and c.cell_type == "code")
    secret = answer.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0].strip().splitlines()[0]
    student.cells.append(nbformat.v4.new_code_cell(secret))
    assert any(secret.strip() in leak for leak in find_leaks(src_nb, student))


@pytest.mark.parametrize("folder", ["solutions", "lessons"])
def test_notebooks_are_committed_without_outputs(folder: str) -> None:
    """Committed notebooks carry no outputs and no execution counts."""
    notebooks = sorted((REPO / folder).rglob("*.ipynb"))
    assert notebooks, f"no notebooks under {folder}/"
    for path in notebooks:
        for cell in nbformat.read(path, 4).cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, f"{path}: cell {cell.get('id')} has output"
