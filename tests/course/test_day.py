"""The instructor's day, scripted (#22): release, learners submit (good, partial, broken, wrong lesson, empty zip),
collect, grade, a manual grade entered as formgrader enters it, feedback, export and status, with assertions on
what the instructor sees at each step.

The whole day runs once per session (shared by xdist workers); each test reads one step of it.
"""

from __future__ import annotations

import copy
import csv
import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from . import submissions as S
from .conftest import copy_course, dlcourse

LESSON = S.LESSON
OTHER = "02-logistic-regression"
ESSAY = "The squared error punishes large misses more than small ones, and its gradient is linear in w."
COMMENT = "Good intuition; say why the gradient being linear makes gradient descent well behaved."


@dataclass
class Day:
    """Every command the instructor ran, in order, by step name."""

    root: Path
    steps: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)

    def __getitem__(self, step: str) -> subprocess.CompletedProcess[str]:
        return self.steps[step]


def said(proc: subprocess.CompletedProcess[str]) -> str:
    """What a command printed, with the paragraph's line wrapping undone."""
    return " ".join(proc.stdout.split())


def _all_answers(solution: nbformat.NotebookNode) -> dict[str, str]:
    """The instructor's code for every answer cell (not only the ones submissions.py knows)."""
    return {c.metadata["nbgrader"]["grade_id"]: "\n".join(
        line for line in c.source.splitlines() if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)
        for c in solution.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}


def _learners(root: Path, inbox: Path) -> None:
    """ada: every answer right and an essay; bo: half right and an essay; eve: nothing done;
    cy: a broken file; dee: lesson 02's notebook uploaded to lesson 01."""
    student, solution = S.load(root)
    good = _all_answers(solution)
    ada = S.build(student, good)
    bo = S.build(student, {"predict": good["predict"], "mse": good["mse"], "mse-gradients": S.WRONG["mse-gradients"]})
    for nb in (ada, bo):
        next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "explain").source = ESSAY
    S.write(ada, inbox / "ada.ipynb")
    S.write(bo, inbox / "bo.ipynb")
    S.write(copy.deepcopy(student), inbox / "eve.ipynb")
    S.write_raw('{"cells": [ {"cell_type": "code", "source": "truncated by the upload', inbox / "cy.ipynb")
    shutil.copy(sorted((root / "lessons" / OTHER).glob("*.ipynb"))[0], inbox / "dee.ipynb")


def _manual_grade(root: Path, student: str, points: float, comment: str) -> None:
    """What formgrader does when the instructor scores an essay: the manual score and comment in the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'course' / 'gradebook.db'}") as gb:
        gb.find_grade("explain", LESSON, LESSON, student).manual_score = points
        gb.find_comment("explain", LESSON, LESSON, student).manual_comment = comment
        gb.db.commit()


def _run_day(folder: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    root = copy_course(folder / "project")
    day = Day(root)
    run = lambda step, *args: day.steps.__setitem__(step, dlcourse(root, *args))  # noqa: E731
    run("release", "release", LESSON, "--no-progress")
    run("status-empty", "status", LESSON)
    empty = folder / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    run("collect-empty", "collect", LESSON, str(empty))
    inbox = folder / "inbox"
    _learners(root, inbox)
    archive = folder / "lms-export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(inbox.iterdir()):
            zf.write(path, path.name)
    run("collect", "collect", LESSON, str(archive))
    # fay's file arrived through nbgrader's own exchange, which does not look inside: lesson 02 under lesson 01.
    fay = root / "course" / "submitted" / "fay" / LESSON
    fay.mkdir(parents=True)
    shutil.copy(inbox / "dee.ipynb", fay / f"{LESSON}.ipynb")
    run("status-collected", "status", LESSON)
    run("dry-run", "grade", LESSON, "--dry-run")
    run("grade", "grade", LESSON, "--jobs", "2", "--no-progress", "--cell-timeout", "30")
    run("grade-again", "grade", LESSON, "--no-progress")
    run("grade-one", "grade", LESSON, "--student", "eve", "--force", "--no-progress")
    _manual_grade(root, "ada", 1.5, COMMENT)
    run("feedback", "feedback", LESSON, "--no-progress")
    run("export", "export", LESSON, "--no-progress")
    run("report", "report", LESSON)
    run("status-end", "status", LESSON)
    steps = {k: [p.returncode, p.stdout, p.stderr] for k, p in day.steps.items()}
    return root, subprocess.CompletedProcess([], 0, json.dumps(steps), "")


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Day:
    from .conftest import once_per_session

    root, proc = once_per_session(tmp_path_factory, "day", _run_day)
    steps = {k: subprocess.CompletedProcess([], rc, out, err) for k, (rc, out, err) in json.loads(proc.stdout).items()}
    return Day(root, steps)


def test_release_says_what_changed_and_what_next(day: Day) -> None:
    proc = day["release"]
    assert proc.returncode == 0, proc.stderr
    assert f"released {LESSON}" in proc.stdout and "nothing leaked" in said(proc) and "Next:" in said(proc)


def test_status_before_anyone_submits(day: Day) -> None:
    proc = day["status-empty"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    row = next(line for line in proc.stdout.splitlines() if line.startswith(LESSON))
    assert row.split()[1:] == ["yes", "0", "0", "0", "0"]
    assert "nothing needs you" in proc.stdout


def test_an_empty_zip_says_so(day: Day) -> None:
    proc = day["collect-empty"]
    assert proc.returncode == 2 and "the zip holds no files; nothing collected" in proc.stderr


def test_collect_names_every_skipped_file_with_its_reason(day: Day) -> None:
    proc = day["collect"]
    assert proc.returncode == 0, proc.stderr
    assert "collected 3 submission(s)" in proc.stdout and "ada, bo, eve" in proc.stdout
    lines = {line.split(":")[0].strip(): line for line in proc.stderr.splitlines() if line.startswith("  ")}
    assert "not a notebook (invalid JSON" in lines["cy.ipynb"]
    assert f"a notebook of lesson {OTHER}, not {LESSON}" in lines["dee.ipynb"]
    assert "Next: `dlcourse grade" in said(proc)


def test_status_after_collect_lists_what_to_grade(day: Day) -> None:
    proc = day["status-collected"]
    assert proc.returncode == 1
    for student in ("ada", "bo", "eve"):
        assert any(student in line and "not graded" in line for line in proc.stdout.splitlines()), student
    assert any("fay" in line and "failed" in line and OTHER in line for line in proc.stdout.splitlines())


def test_dry_run_grades_nothing(day: Day) -> None:
    proc = day["dry-run"]
    assert proc.returncode == 0
    assert "would grade 3 submissions" in said(proc) and "1 cannot be graded (fay)" in said(proc)


def test_grade_table_and_paragraph(day: Day) -> None:
    proc = day["grade"]
    assert proc.returncode == 1  # fay's file cannot be graded
    assert "3 graded, 0 unchanged since the last run, 1 failed" in proc.stdout
    rows = {line.split()[0]: line for line in proc.stdout.splitlines() if line.split()[:1] in (["ada"], ["bo"],
                                                                                              ["eve"])}
    assert "9/9" in rows["ada"] and "manual" in rows["ada"]
    assert " 2/9 " in rows["bo"] and "0/9" in rows["eve"]
    fay = next(line for line in proc.stdout.splitlines() if line.strip().startswith("fay:"))
    assert f"a notebook of lesson {OTHER}, not {LESSON}" in fay and "retried" not in fay
    assert "NbGraderException" not in proc.stdout + proc.stderr
    assert "grade the written answers of 2 students in formgrader" in said(proc)


def test_grading_again_grades_nothing_and_does_not_loop(day: Day) -> None:
    proc = day["grade-again"]
    assert "0 graded, 3 unchanged since the last run, 1 failed" in proc.stdout
    fay = next(line for line in proc.stdout.splitlines() if line.strip().startswith("fay:"))
    assert OTHER in fay and "[retried on the next run]" not in fay


def test_grade_one_student(day: Day) -> None:
    proc = day["grade-one"]
    assert "1 graded, 0 unchanged since the last run, 0 failed" in proc.stdout, proc.stdout + proc.stderr


def test_feedback_pages(day: Day) -> None:
    proc = day["feedback"]
    assert proc.returncode == 0, proc.stderr
    assert "wrote 3 feedback page(s)" in proc.stdout
    assert "bo: 01-linear-regression/explain" in proc.stdout  # pending, said so
    assert "fay:" in proc.stdout  # failed, listed
    pages = day.root / "course" / "feedback"
    ada = (pages / "ada" / LESSON / f"{LESSON}.html").read_text(encoding="utf-8")
    bo = (pages / "bo" / LESSON / f"{LESSON}.html").read_text(encoding="utf-8")
    assert "1.5/2" in ada and COMMENT in ada
    summary = bo.split('<section class="dlc-notebook">')[0]
    assert "pending (2 points)" in summary and "wait for your instructor (explain)" in summary
    for text in (ada, bo):
        assert "hidden=True" not in text and "HIDDEN TESTS" not in text
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)  # nothing fetched: works offline


def test_export_per_student_and_per_exercise(day: Day) -> None:
    proc = day["export"]
    assert proc.returncode == 0, proc.stderr
    reports = day.root / "course" / "reports"
    students = {r["student"]: r for r in csv.DictReader((reports / "grades-by-student.csv").open(encoding="utf-8"))}
    assert students["ada"][LESSON] == "10.5" and students["ada"]["pending"] == ""
    assert students["bo"]["pending"] == f"{LESSON}/explain (2 points)"
    assert students["fay"][LESSON] == "failed" and OTHER in students["fay"]["failed"]
    rows = list(csv.DictReader((reports / "grades.csv").open(encoding="utf-8")))
    bo_essay = next(r for r in rows if r["student"] == "bo" and r["exercise"] == "explain")
    assert bo_essay["points"] == "pending" and bo_essay["status"] == "pending manual grade"
    assert any(r["student"] == "fay" and r["status"] == "failed" for r in rows)
    assert "1 manual grade pending" in said(proc) and "1 submission failed" in said(proc)


def test_report_counts_not_attempted(day: Day) -> None:
    text = (day.root / "course" / "reports" / LESSON / "report.md").read_text(encoding="utf-8")
    predict = next(line for line in text.splitlines() if line.startswith("test-predict "))
    assert predict.split()[1:4] == ["2/3", "67%", "1"]  # eve left it untouched
    explain = next(line for line in text.splitlines() if line.startswith("explain "))
    assert explain.split()[3:5] == ["1", "1"]  # eve's stub, bo's pending essay


def test_report_lists_the_failed_submission(day: Day) -> None:
    """fay's file could not be graded: report.md names her and why, instead of leaving her out silently."""
    text = (day.root / "course" / "reports" / LESSON / "report.md").read_text(encoding="utf-8")
    fay = next(line for line in text.splitlines() if line.startswith("- fay:"))
    assert f"a notebook of lesson {OTHER}" in fay and str(day.root) not in fay


def test_status_at_the_end_of_the_day(day: Day) -> None:
    proc = day["status-end"]
    assert proc.returncode == 1
    row = next(line for line in proc.stdout.splitlines() if line.startswith(LESSON))
    assert row.split()[1:5] == ["yes", "4", "3", "3"]
    assert any("bo" in line and "manual grade pending" in line for line in proc.stdout.splitlines())
    assert any("fay" in line and "failed" in line for line in proc.stdout.splitlines())
    assert not any("ada" in line and "manual grade pending" in line for line in proc.stdout.splitlines())


def test_a_warning_every_student_shares_is_printed_once() -> None:
    """The same lesson-level flag (a changed checksum, an edited test cell) for every student is one line."""
    from dlcourse.autograde.grade import GradeRun
    from dlcourse.reports.summary import flag_lines

    shared = "01-linear-regression: locked test cell 'test-mse' edited; the original was run"
    run = GradeRun(graded=["a", "b", "c"], flags={"a": [shared], "b": [shared, "memory limit hit"], "c": [shared]})
    assert flag_lines(run) == [f"  every student (3): {shared}", "  b: memory limit hit"]
