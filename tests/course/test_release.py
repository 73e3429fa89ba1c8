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
    released = [line for line in again.stdout.splitlines() if line.startswith("released ")]
    assert len(released) == len(LESSONS) and all("unchanged" in line for line in released), again.stdout
    assert "Nothing changed, so there is nothing to commit" in " ".join(again.stdout.split())


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


def _plain_nbgrader_commands() -> list[str]:
    """The shell lines of course/README.md's "Plain nbgrader" section, as an instructor would type them."""
    readme = (REPO / "course" / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Plain nbgrader"):].split("\n## ", 1)[0]
    block = section.split("```console", 1)[1].split("```", 1)[0]
    return [line[2:] for line in block.splitlines() if line.startswith("$ ")]


def test_plain_nbgrader_section_works_on_a_fresh_clone(tmp_path: Path) -> None:
    """The README's plain-nbgrader commands, run as written on a fresh copy: the lesson lands in the gradebook,
    the submission is autograded and gets feedback, the export has its rows, and lessons/ is unchanged."""
    import os
    import subprocess
    import sys

    from .conftest import copy_course

    root = copy_course(tmp_path / "project")
    lines = _plain_nbgrader_commands()
    assert lines[0] == "cd course" and any("generate_assignment" in ln and "--force" in ln for ln in lines)
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])}
    proc = subprocess.run(["bash", "-euc", "\n".join(lines)], cwd=root, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lesson = "01-linear-regression"
    assert (root / "course" / "autograded" / "ada" / lesson / f"{lesson}.ipynb").is_file()
    assert (root / "course" / "feedback" / "ada" / lesson / f"{lesson}.html").is_file()
    assert any(line.startswith(f"{lesson},") and ",ada," in line
               for line in (root / "course" / "grades.csv").read_text().splitlines())
    # --force regenerated lessons/ exactly as `dlcourse release` makes it: releasing now changes nothing.
    again = dlcourse(root, "release", lesson, "--no-progress", check=True)
    assert f"released {lesson}: unchanged" in again.stdout


def test_generate_assignment_without_force_registers_nothing(tmp_path: Path) -> None:
    """Why the README insists on --force: on a fresh clone nbgrader skips the existing lessons/ folder."""
    import os
    import subprocess
    import sys

    from .conftest import copy_course

    root = copy_course(tmp_path / "project")
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])}
    proc = subprocess.run(["nbgrader", "generate_assignment", "01-linear-regression"], cwd=root / "course",
                          env=env, capture_output=True, text=True, timeout=300)
    assert "Skipping existing assignment" in proc.stdout + proc.stderr
    assert not (root / "course" / "gradebook.db").exists()
