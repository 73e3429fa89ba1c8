"""Writing a CSV that a spreadsheet opens safely and that never silently loses rows."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from ..errors import CourseError

# OWASP "CSV injection": a cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A text cell a spreadsheet shows as text: formula-leading cells get a leading apostrophe (OWASP)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def existing_rows(path: Path) -> int:
    """Data rows in an existing CSV (0 when there is none or it cannot be read)."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            return max(0, sum(1 for _ in csv.reader(fh)) - 1)
    except (OSError, UnicodeDecodeError, csv.Error):
        return 0


def render_csv(fields: list[str], rows: list[dict[str, object]], numeric: set[str]) -> str:
    """CSV text; every non-numeric cell escaped against formula injection."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (v if k in numeric else safe_cell(v)) for k, v in row.items()})
    return out.getvalue()


def refuse_shrinking(path: Path, new_rows: int, force: bool) -> None:
    """CourseError when writing would replace `path` with fewer rows than it has (unless force)."""
    old = existing_rows(path)
    if new_rows < old and not force:
        raise CourseError(f"{path}: has {old} row(s), this export has {new_rows}; nothing written (grades not "
                          "collected or graded here yet?). Pass --force to replace it, or -o to write elsewhere")


def existing_lessons(path: Path) -> set[str]:
    """Lessons an existing export holds: the values of its `lesson` column (one row per exercise), or the lesson
    columns between `student` and `total` (one row per student); none when there is no readable file."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            fields = list(reader.fieldnames or [])
            if "lesson" in fields:
                return {row["lesson"].lstrip("'") for row in reader if row.get("lesson")}
            if fields[:1] == ["student"] and "total" in fields:
                return set(fields[1:fields.index("total")])
    except (OSError, UnicodeDecodeError, csv.Error):
        pass
    return set()


def refuse_dropping(path: Path, lessons: list[str], force: bool) -> None:
    """CourseError when writing would replace `path` with an export that lacks lessons it holds (unless force):
    `export 01` then `export 02` to the same file would lose lesson 01's grades."""
    lost = sorted(existing_lessons(path) - set(lessons))
    if lost and not force:
        keep = sorted(set(lessons) | set(lost))
        raise CourseError(f"{path}: holds grades of {', '.join(lost)}, which this export ({', '.join(lessons)}) "
                          f"would drop; nothing written. Export them together (`dlcourse export {' '.join(keep)}`), "
                          "write this one elsewhere with -o FILE, or pass --force to replace it")


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename: a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".csv")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    os.replace(tmp, path)
