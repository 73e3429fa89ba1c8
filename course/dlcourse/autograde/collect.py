"""`dlcourse collect`: import submissions named by student id from a folder or a zip, as an LMS exports them."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import CourseError
from ..notebooks import read_notebook
from ..project import Project
from ..syllabus import Lesson, require_source

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$")
JUNK = ("__MACOSX", ".DS_Store", "Thumbs.db", ".ipynb_checkpoints")


@dataclass
class Collected:
    """What a collect run did: imported students and every file it did not import, with the reason."""

    imported: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Entry:
    name: str  # the path as the instructor sees it (inside the folder or zip)
    data: bytes
    mtime: dt.datetime


def _entries(source: Path) -> list[_Entry]:
    """Every file in a folder (recursively) or zip, in name order."""
    if not source.exists():
        raise CourseError(f"{source}: submissions folder or zip not found")
    entries = []
    if source.is_dir():
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.timezone.utc)
            entries.append(_Entry(path.relative_to(source).as_posix(), path.read_bytes(), mtime))
        return entries
    try:
        with zipfile.ZipFile(source) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if info.is_dir():
                    continue
                mtime = dt.datetime(*info.date_time, tzinfo=dt.timezone.utc)
                entries.append(_Entry(info.filename, archive.read(info), mtime))
    except zipfile.BadZipFile:
        raise CourseError(f"{source}: neither a folder nor a readable zip file") from None
    return entries


def _student_and_notebook(entry: _Entry, notebooks: list[str]) -> tuple[str, str]:
    """Map `alice.ipynb` or `alice/<notebook>.ipynb` to (student id, lesson notebook name); ValueError if not."""
    parts = PurePosixPath(entry.name).parts
    if any(part.startswith(".") or part in JUNK for part in parts):
        raise ValueError("system or hidden file")
    if not entry.name.endswith(".ipynb"):
        raise ValueError("not a notebook (.ipynb)")
    if len(parts) == 1:
        student, name = PurePosixPath(parts[0]).stem, None
    elif len(parts) == 2:
        student, name = parts[0], PurePosixPath(parts[1]).name
    else:
        raise ValueError("too deeply nested: expected <student>.ipynb or <student>/<notebook>.ipynb")
    if not STUDENT_ID.match(student):
        raise ValueError(f"{student!r} is not a usable student id (letters, digits, . _ @ + - only)")
    if name in notebooks:
        return student, name
    if len(notebooks) == 1:
        return student, notebooks[0]  # one-notebook lesson: any file name is that notebook
    raise ValueError(f"lesson has several notebooks; expected one of {notebooks} inside <student>/")


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".collect-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def collect(project: Project, lesson: Lesson, source: Path) -> Collected:
    """Copy each readable submission to course/submitted/<student>/<lesson>/ and report everything skipped."""
    require_source(project, lesson)
    notebooks = [p.name for p in project.source_notebooks(lesson.id)]
    report = Collected()
    taken: dict[tuple[str, str], str] = {}
    for entry in _entries(source):
        try:
            student, name = _student_and_notebook(entry, notebooks)
        except ValueError as exc:
            report.skipped.append((entry.name, str(exc)))
            continue
        if (student, name) in taken:
            report.skipped.append((entry.name, f"second submission for {student}; kept {taken[student, name]}"))
            continue
        with tempfile.NamedTemporaryFile(suffix=".ipynb") as tmp:
            Path(tmp.name).write_bytes(entry.data)
            try:
                read_notebook(Path(tmp.name))
            except CourseError as exc:
                report.skipped.append((entry.name, str(exc).split(": ", 1)[-1]))
                continue
        taken[student, name] = entry.name
        folder = project.submitted / student / lesson.id
        _write_atomic(folder / name, entry.data)
        # nbgrader reads the submission time from timestamp.txt (used for late penalties).
        _write_atomic(folder / "timestamp.txt", entry.mtime.strftime("%Y-%m-%d %H:%M:%S.%f %Z").encode())
        if student not in report.imported:
            report.imported.append(student)
    return report
