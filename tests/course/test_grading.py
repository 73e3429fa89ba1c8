"""The grader proofs: solution -> full marks, blank -> zero, a rogue notebook -> zero without a crash.

All tests here share the one session-wide autograde run in conftest.py (`graded`).
"""

from __future__ import annotations

import csv
import html
import re

import pytest

from dlcourse.gradebook import class_scores
from dlcourse.project import Project
from dlcourse.redact import lesson_hidden_lines
from dlcourse.autograde.state import result_path

from .conftest import JOBS, LESSONS, STUDENTS, dlcourse


def _scores(graded, lesson: str, student: str) -> list[dict]:
    rows = [r for r in class_scores(Project(graded.root).gradebook, lesson) if r["student"] == student]
    assert rows, f"{student} has no grades for {lesson}"
    return rows


@pytest.mark.parametrize("lesson", LESSONS)
def test_grade_run_completes(graded, lesson: str) -> None:
    """Every submission is graded (none failed) and the summary table lists each student."""
    proc = graded.grade[lesson]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(STUDENTS)} graded, 0 unchanged since the last run, 0 failed" in proc.stdout
    for student in STUDENTS:
        assert student in proc.stdout


@pytest.mark.parametrize("lesson", LESSONS)
def test_workers_are_forked_by_one_warm_server_per_slot(graded, lesson: str) -> None:
    """`grade --jobs N` started at most N fork servers, and each graded submission's worker was forked by one
    of them (a new process per submission) and ended cleanly (dlcourse.autograde.forkserver)."""
    logs = sorted((graded.root.parent / "forkserver-logs" / lesson).glob("forkserver-*.log"))
    text = "".join(p.read_text() for p in logs)
    assert 1 <= len(logs) <= JOBS and text.count(" ready (grade run ") == len(logs), text
    forked = re.findall(r"worker (\d+) forked for .*/(\w+)/job\.json", text)
    assert sorted(s for _, s in forked) == sorted(STUDENTS), text
    assert len({pid for pid, _ in forked}) == len(STUDENTS)
    assert all(f"worker {pid} ended with 0" in text for pid, _ in forked), text


@pytest.mark.parametrize("lesson", LESSONS)
@pytest.mark.parametrize("student", ["solution", "deleter"])
def test_solution_scores_full_marks(graded, lesson: str, student: str) -> None:
    """The instructor's notebook, submitted as a student, gets every autograded point; essays await a human.

    Deleting the test cells or switching the kernel changes nothing: nbgrader restores both.
    """
    for row in _scores(graded, lesson, student):
        if row["auto"]:
            assert row["points"] == row["max_points"], row
        else:
            assert row["needs_manual_grade"] and row["points"] is None, row


@pytest.mark.parametrize("lesson", LESSONS)
@pytest.mark.parametrize("student", ["blank", "rogue"])
def test_unanswered_and_rogue_score_zero(graded, lesson: str, student: str) -> None:
    """The untouched student version (and one that hangs and exhausts memory) gets zero everywhere."""
    for row in _scores(graded, lesson, student):
        assert row["points"] == 0, row
        assert not row["needs_manual_grade"], row


def test_collect_reports_skipped_files_by_name(graded) -> None:
    """Unreadable and non-notebook files are reported with a reason, never dropped silently."""
    for lesson in LESSONS:
        proc = graded.collect[lesson]
        assert proc.returncode == 0
        assert "broken.ipynb: not a notebook (invalid JSON" in proc.stderr
        assert "notes.txt: not a notebook (.ipynb)" in proc.stderr
        assert f"collected {len(STUDENTS)} submission(s)" in proc.stdout


def test_regrade_resumes_only_what_is_missing(graded) -> None:
    """With one committed result lost (as after an interrupt), a rerun grades exactly that one submission."""
    lesson = LESSONS[0]
    project = Project(graded.root)
    result_path(project, lesson, "blank").unlink()
    proc = dlcourse(graded.root, "grade", lesson, "--jobs", "2", "--no-progress", check=True)
    assert f"1 graded, {len(STUDENTS) - 1} unchanged since the last run, 0 failed" in proc.stdout
    assert result_path(project, lesson, "blank").is_file()


def test_feedback_hides_hidden_tests(graded) -> None:
    """One HTML page per student; no line of hidden test code and no hidden-test marker in any page. (A failed
    hidden case's message may name its inputs, `dlgrade.case_inputs(..., hidden=True)`: that is not test code.)"""
    for lesson in LESSONS:
        dlcourse(graded.root, "feedback", lesson, check=True)
        pages = sorted((graded.root / "course" / "feedback").glob(f"*/{lesson}/*.html"))
        assert {p.parts[-3] for p in pages} == set(STUDENTS)
        hidden = lesson_hidden_lines(Project(graded.root).source_notebooks(lesson))
        assert hidden, lesson
        for page in pages:
            text = page.read_text(encoding="utf-8")
            assert "HIDDEN TESTS" not in text, page
            for line in hidden:
                assert line not in text and html.escape(line) not in text, (page, line)
            # nbgrader's release_feedback reads the submission's time (and secret, where it has one) beside a page
            assert (page.parent / "timestamp.txt").is_file(), page
        assert "not implemented yet" in (graded.root / "course" / "feedback" / "blank" / lesson /
                                         pages[0].name).read_text(encoding="utf-8")


def test_export_has_one_row_per_student_and_exercise(graded) -> None:
    """The CSV has points, max points and the toolkit's diagnosis for each failing test."""
    out = graded.root / "grades.csv"
    dlcourse(graded.root, "export", "-o", str(out), check=True)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    for lesson in LESSONS:
        mine = [r for r in rows if r["lesson"] == lesson]
        exercises = {r["exercise"] for r in mine}
        assert len(mine) == len(STUDENTS) * len(exercises)
        blank_auto = [r for r in mine if r["student"] == "blank" and r["exercise"].startswith("test")]
        assert blank_auto and all(r["points"] == "0" and "not implemented" in r["diagnosis"] for r in blank_auto)
        assert all(r["diagnosis"] == "" for r in mine if r["student"] in ("solution", "deleter"))


def test_report_writes_plot_and_pass_rates(graded) -> None:
    """The class report has the score plot, a pass rate per exercise and the common mistakes."""
    for lesson in LESSONS:
        proc = dlcourse(graded.root, "report", lesson, check=True)
        folder = graded.root / "course" / "reports" / lesson
        assert (folder / "scores.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        text = (folder / "report.md").read_text(encoding="utf-8")
        assert "Full marks per exercise" in text and "not attempted" in text
        # The rogue notebook's timeout and memory failures are diagnosed mistakes; blank stubs are not.
        assert "time limit" in text and "MemoryError" in text and "not implemented" not in text
        assert f"{len(STUDENTS)} students graded" in proc.stdout


def test_interrupted_grade_resumes_without_regrading(tmp_path) -> None:
    """Ctrl-C after the first committed result: exit 130, then a rerun grades only the rest."""
    import shutil
    import signal
    import subprocess
    import sys
    import time

    from .conftest import copy_course

    lesson = LESSONS[0]
    root = copy_course(tmp_path / "project")
    dlcourse(root, "release", lesson, check=True)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    student = sorted((root / "lessons" / lesson).glob("*.ipynb"))[0]
    for name in ("s1", "s2", "s3"):
        shutil.copy(student, inbox / f"{name}.ipynb")
    dlcourse(root, "collect", lesson, str(inbox), check=True)
    proc = subprocess.Popen([sys.executable, "-m", "dlcourse", "--project", str(root), "grade", lesson,
                             "--jobs", "1", "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    results = root / "course" / ".grade-state" / lesson / "results"
    deadline = time.monotonic() + 120
    while not any(results.glob("*.json")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    committed = len(list(results.glob("*.json")))
    if proc.returncode == 0:  # the machine was fast enough to finish first: nothing left to resume
        assert committed == 3
        return
    assert proc.returncode == 130 and "interrupted" in err, err
    assert 1 <= committed < 3
    rerun = dlcourse(root, "grade", lesson, "--no-progress", check=True)
    assert f"{3 - committed} graded, {committed} unchanged since the last run, 0 failed" in rerun.stdout
