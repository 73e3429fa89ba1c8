"""`dlcourse collect`: import submissions named by student id from a folder or a zip, as an LMS exports them.

Everything here reads files a learner made, so every file is bounded (count, size, compression ratio, JSON
depth), every name is checked before it becomes a path, and a file that fails any check is skipped with a
one-line reason without stopping the others.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import CourseError
from ..notebooks import read_notebook
from ..project import Project
from ..syllabus import Lesson, require_source
from .identify import no_grading_metadata, wrong_lesson

# Letters, digits and . _ @ + - (an LMS export's user names and e-mail addresses); never a path, never hidden.
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")
# Names the grading machinery uses beside student folders (grade's work/template.db, the gradebook, state files).
RESERVED = {"template", "gradebook", "work", "results", "failed", "autograded", "submitted", "feedback", "source",
            "release", "exchange", "reports", "nbgrader"}
RESERVED_SUFFIXES = (".db", ".json", ".lock", ".tmp")
JUNK = ("__MACOSX", ".DS_Store", "Thumbs.db", ".ipynb_checkpoints")


@dataclass(frozen=True)
class Bounds:
    """How much a submissions folder or zip may hold; anything past a bound is skipped with the reason."""

    entries: int = 5000  # files in one folder or zip
    notebook_bytes: int = 20 * 2**20  # one notebook (a lesson with its plots is well under 5 MB)
    total_bytes: int = 2 * 2**30  # everything read from one source
    ratio: int = 200  # uncompressed / compressed size of a zip entry above 1 MB (a zip bomb)
    json_depth: int = 64  # nesting of a notebook's JSON (real notebooks stay under 15)


BOUNDS = Bounds()


@dataclass
class Collected:
    """What a collect run did: imported students and every file it did not import, with the reason."""

    imported: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    files: int = 0  # files seen in the source


@dataclass
class _Entry:
    name: str  # the path as the instructor sees it (inside the folder or zip)
    read: Callable[[], bytes]  # bounded; raises ValueError with the reason when a bound is hit
    mtime: dt.datetime
    refused: str = ""  # set when the entry is refused before reading (a symlink, an unsafe path, a bomb)


def shown(name: str) -> str:
    """A file name safe to print on one line (control characters escaped)."""
    return name if name.isprintable() else name.encode("unicode_escape").decode("ascii")


def one_line(text: str, limit: int = 200) -> str:
    """A reason squeezed onto one line (nbformat's validation errors span many)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _folder_entries(source: Path, bounds: Bounds) -> Iterator[_Entry]:
    """Every file under a folder, symlinks refused (never followed), in name order."""
    found: list[tuple[str, Path, bool]] = []
    for top, dirs, files in os.walk(source, followlinks=False):
        for name in sorted(dirs):
            if (Path(top) / name).is_symlink():
                found.append(((Path(top) / name).relative_to(source).as_posix(), Path(top) / name, True))
        for name in files:
            path = Path(top) / name
            found.append((path.relative_to(source).as_posix(), path, path.is_symlink()))
    for rel, path, link in sorted(found):
        if link:
            yield _Entry(rel, bytes, _now(), "a symbolic link (refused: it could point anywhere on this machine)")
            continue
        info = path.lstat()
        mtime = dt.datetime.fromtimestamp(info.st_mtime, tz=dt.timezone.utc)
        if not stat.S_ISREG(info.st_mode):
            yield _Entry(rel, bytes, mtime, "not a regular file")
            continue

        def read(path: Path = path) -> bytes:
            with open(path, "rb") as fh:
                return _bounded(fh.read(bounds.notebook_bytes + 1), bounds)

        yield _Entry(rel, read, mtime)


def _zip_entries(archive: zipfile.ZipFile, bounds: Bounds) -> Iterator[_Entry]:
    """Every file in an open zip, each refused when its name, type or size is unsafe."""
    infos = sorted((i for i in archive.infolist() if not i.is_dir()), key=lambda i: i.filename)
    total = 0
    for info in infos:
        mtime = dt.datetime(*info.date_time, tzinfo=dt.timezone.utc)
        total += info.file_size
        refused = _zip_refusal(info, total, bounds)
        if refused:
            yield _Entry(info.filename, bytes, mtime, refused)
            continue

        def read(info: zipfile.ZipInfo = info) -> bytes:
            # The header's size can lie: read at most one byte past the bound, whatever it says.
            with archive.open(info) as fh:
                return _bounded(fh.read(bounds.notebook_bytes + 1), bounds)

        yield _Entry(info.filename, read, mtime)


def _open_zip(source: Path, stack: contextlib.ExitStack) -> zipfile.ZipFile:
    """The zip at source, closed when the stack is; CourseError naming it when it is not a zip."""
    try:
        return stack.enter_context(zipfile.ZipFile(source))
    except (zipfile.BadZipFile, OSError) as exc:
        raise CourseError(f"{source}: neither a folder nor a readable zip file ({one_line(str(exc))})") from None


def _zip_refusal(info: zipfile.ZipInfo, total: int, bounds: Bounds) -> str:
    """Why a zip entry is refused before it is read ('' when it may be read)."""
    parts = PurePosixPath(info.filename).parts
    if info.filename.startswith("/") or ".." in parts or "\\" in info.filename:
        return "unsafe path in the zip (absolute, or with .. or backslashes)"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link (refused: it could point anywhere on this machine)"
    if info.file_size > bounds.notebook_bytes:
        return f"too large: {info.file_size / 2**20:.1f} MB uncompressed (at most {bounds.notebook_bytes // 2**20} MB)"
    if info.file_size > 2**20 and info.file_size > bounds.ratio * max(1, info.compress_size):
        return f"compressed {info.file_size // max(1, info.compress_size)}:1 (a zip bomb?); at most {bounds.ratio}:1"
    if total > bounds.total_bytes:
        return f"the zip expands past {bounds.total_bytes // 2**30} GB in total; this file and the rest are skipped"
    return ""


def _bounded(data: bytes, bounds: Bounds) -> bytes:
    """The bytes read, or ValueError when the file is larger than a notebook may be."""
    if len(data) > bounds.notebook_bytes:
        raise ValueError(f"too large: over {bounds.notebook_bytes // 2**20} MB")
    return data


def _now() -> dt.datetime:
    return dt.datetime.now(tz=dt.timezone.utc)


def _entries(source: Path, bounds: Bounds, stack: contextlib.ExitStack) -> list[_Entry]:
    """Every file in a folder (recursively) or zip, in name order; at most bounds.entries of them are read."""
    if not source.exists():
        raise CourseError(f"{source}: submissions folder or zip not found")
    entries = list(_folder_entries(source, bounds) if source.is_dir()
                   else _zip_entries(_open_zip(source, stack), bounds))
    if not entries:
        kind = "folder" if source.is_dir() else "zip"
        raise CourseError(f"{source}: the {kind} holds no files; nothing collected (is this the right export?)")
    for entry in entries[bounds.entries:]:
        entry.refused = entry.refused or f"more than {bounds.entries} files in the source; the rest are skipped"
    return entries


def check_student_id(student: str) -> None:
    """ValueError naming the problem unless `student` is a safe, unreserved student id."""
    if not STUDENT_ID.match(student):
        raise ValueError(f"{shown(student)!r} is not a usable student id (letters, digits, . _ @ + -, "
                         "at most 64, starting with a letter or digit)")
    low = student.lower()
    if low in RESERVED or low.endswith(RESERVED_SUFFIXES):
        raise ValueError(f"{student!r} is reserved by the grading tools (template, gradebook, *.db, ...): "
                         "rename the file to the learner's id")


def _student_and_notebook(name: str, notebooks: list[str]) -> tuple[str, str]:
    """Map `alice.ipynb` or `alice/<notebook>.ipynb` to (student id, lesson notebook name); ValueError if not."""
    parts = PurePosixPath(name).parts
    if any(part.startswith(".") or part in JUNK for part in parts):
        raise ValueError("system or hidden file")
    if not name.endswith(".ipynb"):
        raise ValueError("not a notebook (.ipynb)")
    if len(parts) == 1:
        student, notebook = PurePosixPath(parts[0]).stem, None
    elif len(parts) == 2:
        student, notebook = parts[0], PurePosixPath(parts[1]).name
    else:
        raise ValueError("too deeply nested: expected <student>.ipynb or <student>/<notebook>.ipynb")
    check_student_id(student)
    if notebook in notebooks:
        return student, notebook
    if len(notebooks) == 1:
        return student, notebooks[0]  # one-notebook lesson: any file name is that notebook
    raise ValueError(f"lesson has several notebooks; expected one of {notebooks} inside <student>/")


def json_depth(value: object) -> int:
    """How deeply lists and objects nest in parsed JSON (iterative: no recursion limit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _check_json(data: bytes, bounds: Bounds) -> None:
    """ValueError unless the bytes are JSON nested no deeper than a notebook ever is."""
    try:
        parsed = json.loads(data)
    except RecursionError:
        raise ValueError(f"not a notebook (JSON nested too deeply; at most {bounds.json_depth} levels)") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return  # read_notebook names the exact problem
    if json_depth(parsed) > bounds.json_depth:
        raise ValueError(f"not a notebook (JSON nested {json_depth(parsed)} levels; at most {bounds.json_depth})")


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".collect-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _accept(project: Project, lesson: Lesson, entry: _Entry, notebooks: list[str], bounds: Bounds
            ) -> tuple[str, str, bytes]:
    """(student, notebook name, bytes) of an importable entry; ValueError with the one-line reason otherwise."""
    if entry.refused:
        raise ValueError(entry.refused)
    student, name = _student_and_notebook(entry.name, notebooks)
    try:
        data = entry.read()
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError) as exc:
        raise ValueError(f"unreadable in the zip ({exc})") from None
    _check_json(data, bounds)
    with tempfile.TemporaryDirectory(prefix="dlcourse-collect-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            nb = read_notebook(path)
        except CourseError as exc:
            raise ValueError(str(exc).split(": ", 1)[-1]) from None
    other = no_grading_metadata(nb, lesson.id, name) or wrong_lesson(project, lesson.id, nb)
    if other:
        raise ValueError(other)
    return student, name, data


def collect(project: Project, lesson: Lesson, source: Path, bounds: Bounds = BOUNDS) -> Collected:
    """Copy each readable submission to course/submitted/<student>/<lesson>/ and report everything skipped."""
    require_source(project, lesson)
    notebooks = [p.name for p in project.source_notebooks(lesson.id)]
    report = Collected()
    taken: dict[tuple[str, str], str] = {}
    with contextlib.ExitStack() as stack:
        entries = _entries(source, bounds, stack)
        report.files = len(entries)
        for entry in entries:
            _take(project, lesson, entry, notebooks, bounds, taken, report)
    return report


def _take(project: Project, lesson: Lesson, entry: _Entry, notebooks: list[str], bounds: Bounds,
          taken: dict[tuple[str, str], str], report: Collected) -> None:
    """Import one entry, or record why not (one bad file never stops the others)."""
    try:
        student, name, data = _accept(project, lesson, entry, notebooks, bounds)
    except (ValueError, RecursionError, OSError) as exc:
        reason = str(exc) if not isinstance(exc, RecursionError) else "not a notebook (nested too deeply)"
        report.skipped.append((shown(entry.name), one_line(reason)))
        return
    if (student, name) in taken:
        report.skipped.append((shown(entry.name), f"second submission for {student}; kept {taken[student, name]}"))
        return
    taken[student, name] = entry.name
    folder = project.submitted / student / lesson.id
    _write_atomic(folder / name, data)
    # nbgrader reads the submission time from timestamp.txt (used for late penalties).
    _write_atomic(folder / "timestamp.txt", entry.mtime.strftime("%Y-%m-%d %H:%M:%S.%f %Z").encode())
    if student not in report.imported:
        report.imported.append(student)
