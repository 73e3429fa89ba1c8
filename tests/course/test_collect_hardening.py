"""`dlcourse collect` reads files learners made: every bound holds, every bad file is skipped with a one-line
reason, and none of them stops the good submissions beside it (issue #19, collect hardening; #22, wrong lesson
and empty zip)."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

from dlcourse.autograde.collect import Bounds, collect
from dlcourse.errors import CourseError
from dlcourse.project import Project
from dlcourse.syllabus import resolve_lessons

from .conftest import LESSONS, copy_course, dlcourse

LESSON = LESSONS[1]  # 01-linear-regression
OTHER = LESSONS[2]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_course(tmp_path_factory.mktemp("collect") / "project")


def _student_version(root: Path, lesson: str = LESSON) -> bytes:
    return sorted((root / "lessons" / lesson).glob("*.ipynb"))[0].read_bytes()


def _collect(root: Path, source: Path, bounds: Bounds = Bounds()):
    project = Project(root)
    return collect(project, resolve_lessons(project, [LESSON])[0], source, bounds)


def _reasons(result) -> dict[str, str]:
    return dict(result.skipped)


def test_deeply_nested_json_is_skipped_not_fatal(root: Path, tmp_path: Path) -> None:
    """A notebook nested 100 000 levels deep (RecursionError in any recursive reader) is one skipped file."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "deep.ipynb").write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (inbox / "medium.ipynb").write_text('{"cells": [], "x": ' + "[" * 200 + "]" * 200 + "}")
    (inbox / "good.ipynb").write_bytes(_student_version(root))
    result = _collect(root, inbox)
    assert result.imported == ["good"]
    reasons = _reasons(result)
    assert "nested" in reasons["deep.ipynb"] and "nested" in reasons["medium.ipynb"], reasons


def test_zip_bomb_and_bounds(root: Path, tmp_path: Path) -> None:
    """Too large, too compressed and too many entries are refused by name; the good entry still lands."""
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("good.ipynb", _student_version(root))
        zf.writestr("bomb.ipynb", b"{" + b" " * (30 * 2**20) + b"}")  # 30 MB of spaces: ~1000:1
        zf.writestr("ratio.ipynb", b'{"cells": [], "pad": "' + b"a" * (3 * 2**20) + b'"}')  # 3 MB, ~1000:1
    result = _collect(root, archive)
    reasons = _reasons(result)
    assert result.imported == ["good"], reasons
    assert "too large" in reasons["bomb.ipynb"] and "zip bomb" in reasons["ratio.ipynb"], reasons
    many = tmp_path / "many"
    many.mkdir()
    for i in range(5):
        (many / f"s{i}.ipynb").write_bytes(_student_version(root))
    result = _collect(root, many, Bounds(entries=3))
    assert result.imported == ["s0", "s1", "s2"]
    assert all("more than 3 files" in why for _, why in result.skipped) and len(result.skipped) == 2


def test_symlinks_refused_in_folders_and_zips(root: Path, tmp_path: Path) -> None:
    """A symlinked notebook or folder is never followed (it could point at solutions/ or /etc)."""
    inbox = tmp_path / "inbox"
    (inbox / "real").mkdir(parents=True)
    (inbox / "good.ipynb").write_bytes(_student_version(root))
    target = root / "solutions" / LESSON / f"{LESSON}.ipynb"
    os.symlink(target, inbox / "linked.ipynb")
    os.symlink(root / "solutions" / LESSON, inbox / "dirlink", target_is_directory=True)
    result = _collect(root, inbox)
    reasons = _reasons(result)
    assert result.imported == ["good"]
    assert "symbolic link" in reasons["linked.ipynb"] and "symbolic link" in reasons["dirlink"], reasons
    archive = tmp_path / "links.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        link = zipfile.ZipInfo("zlink.ipynb")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, str(target))
        zf.writestr("good.ipynb", _student_version(root))
        zf.writestr("../escape.ipynb", _student_version(root))
    result = _collect(root, archive)
    reasons = _reasons(result)
    assert result.imported == ["good"]
    assert "symbolic link" in reasons["zlink.ipynb"] and "unsafe path" in reasons["../escape.ipynb"], reasons


@pytest.mark.parametrize("name, expected", [
    ("template.db.ipynb", "reserved"), ("gradebook.ipynb", "reserved"), ("Template.ipynb", "reserved"),
    ("work.ipynb", "reserved"), ("x.json.ipynb", "reserved"), ("ev\nil.ipynb", "not a usable student id"),
    ("-rf.ipynb", "not a usable student id"), ("a b.ipynb", "not a usable student id"),
])
def test_unsafe_or_reserved_student_ids(root: Path, tmp_path: Path, name: str, expected: str) -> None:
    """Ids the grading machinery uses (template, gradebook, *.db) and ids with newlines or spaces are refused,
    on one printable line."""
    archive = tmp_path / "ids.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(name, _student_version(root))
        zf.writestr("ok.ipynb", _student_version(root))
    result = _collect(root, archive)
    assert result.imported == ["ok"]
    (shown, why), = result.skipped
    assert expected in why and "\n" not in shown + why


def test_notebook_of_another_lesson_is_refused_at_collect(root: Path, tmp_path: Path) -> None:
    """A learner who uploads lesson 02's notebook to lesson 01 is told which lesson it is, in one line."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "mixed.ipynb").write_bytes(_student_version(root, OTHER))
    (inbox / "good.ipynb").write_bytes(_student_version(root))
    proc = dlcourse(root, "collect", LESSON, str(inbox))
    assert proc.returncode == 0, proc.stderr
    line = next(ln for ln in proc.stderr.splitlines() if "mixed.ipynb" in ln)
    assert f"a notebook of lesson {OTHER}, not {LESSON}" in line
    assert not (root / "course" / "submitted" / "mixed").exists()


@pytest.mark.parametrize("kind", ["zip", "folder"])
def test_empty_source_says_so(root: Path, tmp_path: Path, kind: str) -> None:
    """An empty zip (or folder) is an error with a message, not a silent exit 1."""
    source = tmp_path / ("empty.zip" if kind == "zip" else "empty")
    if kind == "zip":
        zipfile.ZipFile(source, "w").close()
    else:
        source.mkdir()
    proc = dlcourse(root, "collect", LESSON, str(source))
    assert proc.returncode == 2
    assert f"{source}: the {kind} holds no files; nothing collected" in proc.stderr
    with pytest.raises(CourseError, match="holds no files"):
        _collect(root, source)


def test_nothing_importable_exits_1_with_a_reason(root: Path, tmp_path: Path) -> None:
    """Files were there but none could be imported: exit 1, every file named, and the paragraph says what to do."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "notes.txt").write_text("hello")
    (inbox / "bad.ipynb").write_text(json.dumps({"not": "a notebook"}))
    proc = dlcourse(root, "collect", LESSON, str(inbox))
    assert proc.returncode == 1
    assert "notes.txt: not a notebook (.ipynb)" in proc.stderr and "bad.ipynb: not a notebook" in proc.stderr
    assert "Nothing was collected" in proc.stdout


def test_reserved_id_from_the_exchange_is_refused_at_grade(root: Path) -> None:
    """nbgrader's own `collect` does not check ids: a `template.db` folder in submitted/ is refused by grade with
    a one-line reason instead of colliding with the grader's work files."""
    dlcourse(root, "release", LESSON, "--no-progress", check=True)
    folder = root / "course" / "submitted" / "template.db" / LESSON
    folder.mkdir(parents=True)
    (folder / f"{LESSON}.ipynb").write_bytes(_student_version(root))
    proc = dlcourse(root, "grade", LESSON, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "cannot be graded (template.db)" in " ".join(proc.stdout.split())
    status = dlcourse(root, "status", LESSON)
    assert any("template.db" in line and "reserved by the grading tools" in line for line in status.stdout.splitlines())


def _stripped(root: Path, lesson: str = OTHER) -> bytes:
    """A lesson's notebook with every cell's nbgrader metadata removed (an editor stripped it, or the learner
    pasted the cells into a new notebook): nothing in it says what to grade."""
    nb = json.loads(_student_version(root, lesson))
    for cell in nb["cells"]:
        cell["metadata"].pop("nbgrader", None)
    return json.dumps(nb).encode()


NOT_GRADABLE = "not gradable: the notebook has no nbgrader cell metadata"


def test_notebook_without_grading_metadata_is_refused_at_collect(root: Path, tmp_path: Path) -> None:
    """Collect names the cause in one line instead of importing a file nbgrader cannot grade."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "cat.ipynb").write_bytes(_stripped(root))
    proc = dlcourse(root, "collect", LESSON, str(inbox))
    line = next(ln for ln in proc.stderr.splitlines() if "cat.ipynb" in ln)
    assert NOT_GRADABLE in line and f"lessons/{LESSON}/{LESSON}.ipynb" in line and "resubmit" in line, line
    assert not (root / "course" / "submitted" / "cat").exists()


def test_notebook_without_grading_metadata_fails_grade_with_its_reason(tmp_path: Path) -> None:
    """A stripped notebook that reached submitted/ (nbgrader's exchange, a copy by hand) is a failure with its
    one-line reason in grade, status and export; never nbgrader's opaque exception, and not retried."""
    root = copy_course(tmp_path / "project")
    dlcourse(root, "release", LESSON, "--no-progress", check=True)
    folder = root / "course" / "submitted" / "cat" / LESSON
    folder.mkdir(parents=True)
    (folder / f"{LESSON}.ipynb").write_bytes(_stripped(root))
    for attempt in range(2):
        proc = dlcourse(root, "grade", LESSON, "--no-progress")
        assert proc.returncode == 1, proc.stdout + proc.stderr
        line = next(ln for ln in proc.stdout.splitlines() if ln.strip().startswith("cat:"))
        assert NOT_GRADABLE in line and "retried" not in line, line
        assert "NbGraderException" not in proc.stdout + proc.stderr
    status = dlcourse(root, "status", LESSON)
    assert any("cat" in ln and "failed" in ln and NOT_GRADABLE in ln for ln in status.stdout.splitlines())
    proc = dlcourse(root, "export", LESSON, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    import csv

    by_student = root / "course" / "reports" / "grades-by-student.csv"
    (cat,) = list(csv.DictReader(by_student.open(encoding="utf-8")))
    assert cat[LESSON] == "failed" and NOT_GRADABLE in cat["failed"]
    assert str(root) not in by_student.read_text(encoding="utf-8")  # no path on the instructor's machine
