"""`dlcourse export` never loses rows silently and writes CSVs a spreadsheet opens safely (#19, #22)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from dlcourse.errors import CourseError
from dlcourse.reports.csvfile import refuse_shrinking, render_csv, safe_cell

from .conftest import LESSONS, copy_course, dlcourse


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://e\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_leading_cells_are_escaped(value: str) -> None:
    """OWASP: a cell starting with = + - @ tab or CR gets a leading apostrophe, so it stays text."""
    assert safe_cell(value) == "'" + value


def test_plain_cells_and_numbers_are_untouched() -> None:
    text = render_csv(["student", "points", "diagnosis"],
                      [{"student": "ada", "points": "-1", "diagnosis": "=cmd|' /C calc'!A0"}], numeric={"points"})
    row = next(csv.DictReader(io.StringIO(text)))
    assert row == {"student": "ada", "points": "-1", "diagnosis": "'=cmd|' /C calc'!A0"}


def test_fewer_rows_are_refused_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    path.write_text("a,b\n" + "".join(f"{i},{i}\n" for i in range(21)))
    with pytest.raises(CourseError, match=r"has 21 row\(s\), this export has 3; nothing written"):
        refuse_shrinking(path, 3, force=False)
    refuse_shrinking(path, 3, force=True)
    refuse_shrinking(path, 21, force=False)


def test_export_with_no_grades_keeps_the_old_file(tmp_path: Path) -> None:
    """The reported bug: exporting a lesson with no grades replaced a 21-row CSV with 0 rows and exited 0."""
    root = copy_course(tmp_path / "project")
    dlcourse(root, "release", LESSONS[1], check=True)
    out = root / "course" / "reports" / "grades.csv"
    out.parent.mkdir(parents=True)
    before = "lesson,student\n" + "".join(f"{LESSONS[1]},s{i}\n" for i in range(21))
    out.write_text(before)
    proc = dlcourse(root, "export", LESSONS[1])
    assert proc.returncode == 2 and "no grades yet" in proc.stderr and "nothing written" in proc.stderr
    assert out.read_text() == before
