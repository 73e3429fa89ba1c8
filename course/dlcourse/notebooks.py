"""Reading notebooks with clear errors, and the nbgrader cell metadata and regions we reason about."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from .errors import CourseError

SOLUTION = ("BEGIN SOLUTION", "END SOLUTION")
HIDDEN = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def read_notebook(path: Path) -> NotebookNode:
    """Read a notebook (nbformat 4), raising CourseError naming the path when it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CourseError(f"{path}: not a notebook (not UTF-8 text)") from None
    except OSError as exc:
        raise CourseError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CourseError(f"{path}: not a notebook (invalid JSON at line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict) or ("cells" not in data and "worksheets" not in data):  # v4, or v3 (upgraded)
        raise CourseError(f"{path}: not a notebook (JSON without a 'cells' list)")
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises several validation errors; all mean "not a usable notebook"
        raise CourseError(f"{path}: not a valid notebook ({exc})") from None


def meta(cell: NotebookNode) -> dict[str, Any]:
    """A cell's nbgrader metadata ({} for a plain cell)."""
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def is_grade(cell: NotebookNode) -> bool:
    """A cell that carries points (an autograded test or a manually graded answer)."""
    return bool(meta(cell).get("grade"))


def is_solution(cell: NotebookNode) -> bool:
    """A cell the learner writes in."""
    return bool(meta(cell).get("solution"))


def split_regions(source: str, markers: tuple[str, str]) -> tuple[list[str], list[str]]:
    """Split a cell's lines into (inside the marked regions, outside them); marker lines belong to neither."""
    begin, end = markers
    inside: list[str] = []
    outside: list[str] = []
    active = False
    for line in source.splitlines():
        if begin in line:
            active = True
        elif end in line:
            active = False
        else:
            (inside if active else outside).append(line)
    return inside, outside
