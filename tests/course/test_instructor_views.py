"""What the instructor reads after grading (#22 follow-up): status folds a flag most students share, report.md
says "no diagnosed mistakes" rather than "every test passed" and lists the failed submissions, a long diagnosis
is printed whole, export keeps instructor-side detail out of the files an LMS receives and refuses to drop a
lesson another export wrote, and the feedback paragraph reads as sentences.

No notebook is run: grades are written into the gradebook the way `grade` commits them (gradebook.merge and a
result file), and failed submissions are notebooks nbgrader cannot grade, refused before any worker starts.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from dlcourse import gradebook
from dlcourse.autograde import failures
from dlcourse.autograde.grade import submission_fingerprint
from dlcourse.autograde.state import result_path, write_json_atomic
from dlcourse.project import Project

from .conftest import LESSONS, copy_course, dlcourse

LESSON, OTHER = LESSONS[1], LESSONS[2]  # 01-linear-regression, 02-logistic-regression
SHARED = f"{LESSON}: locked test cell 'test-predict' edited; the original was judged"
NOT_ATTEMPTED = "NotImplementedError: replace the stub with your code"
LOG_LINE = ("nbgrader.converters.base.NbGraderException: Please see the the above traceback for details on the "
            "specific errors on the above failures.")


def _submit(root: Path, student: str, lesson: str, stripped: bool = False) -> Path:
    """The released notebook (or a copy with its nbgrader metadata stripped) in submitted/; its folder."""
    released = sorted((root / "lessons" / lesson).glob("*.ipynb"))[0]
    nb = json.loads(released.read_text(encoding="utf-8"))
    if stripped:
        for cell in nb["cells"]:
            cell["metadata"].pop("nbgrader", None)
    folder = root / "course" / "submitted" / student / lesson
    folder.mkdir(parents=True, exist_ok=True)
    (folder / released.name).write_text(json.dumps(nb), encoding="utf-8")
    return folder


def _graded(root: Path, student: str, lesson: str, diagnoses: dict[str, str], flags: list[str] = (),
            manual: float | None = None) -> None:
    """Commit a grading of `student` as `grade` does: every code test in `diagnoses` scores 0 with its diagnosis,
    every other one full marks; written answers wait for a manual grade, or get `manual` points as formgrader
    gives them; plus the autograded notebook."""
    from nbgrader.api import Gradebook

    project = Project(root)
    folder = _submit(root, student, lesson)
    with Gradebook(f"sqlite:///{project.gradebook}") as gb:
        (notebook,) = gb.find_assignment(lesson).notebooks
        cells = [(g.name, g.cell_type, g.max_score) for g in notebook.grade_cells]
    grades = [{"cell": name, "notebook": lesson, "needs_manual_grade": kind != "code",
               "auto_score": None if kind != "code" else 0.0 if name in diagnoses else points}
              for name, kind, points in cells]
    gradebook.merge(project.gradebook, lesson, student, {"grades": grades, "comments": []})
    if manual is not None:
        with Gradebook(f"sqlite:///{project.gradebook}") as gb:
            for name, kind, _ in cells:
                if kind != "code":
                    gb.find_grade(name, lesson, lesson, student).manual_score = manual
            gb.db.commit()
    autograded = project.autograded / student / lesson
    autograded.mkdir(parents=True, exist_ok=True)
    for path in folder.glob("*.ipynb"):
        (autograded / path.name).write_bytes(path.read_bytes())
    write_json_atomic(result_path(project, lesson, student), {
        "lesson": lesson, "student": student, "flags": list(flags),
        "fingerprint": submission_fingerprint(folder, project.source_notebooks(lesson)),
        "diagnoses": {f"{lesson}/{cell}": text for cell, text in diagnoses.items()}})


def _worker_failed(root: Path, student: str, lesson: str) -> str:
    """A submission whose worker failed, recorded as `grade` records it; the recorded reason."""
    project = Project(root)
    folder = _submit(root, student, lesson)
    log = project.state / lesson / "work" / student / "worker.log"
    reason = f"worker exited with 1: {LOG_LINE} (log: {log})"
    failures.record(project, lesson, student, submission_fingerprint(folder, project.source_notebooks(lesson)),
                    reason, retry=False)
    return reason


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Lesson 01: ann and ben graded (nothing attempted, the same edited test cell), cat's notebook stripped of
    its metadata, dan's worker failed. Lesson 02: eli graded with one long diagnosis and the written answers
    graded by hand, fay's notebook stripped."""
    root = copy_course(tmp_path_factory.mktemp("views") / "project")
    dlcourse(root, "release", LESSON, OTHER, "--no-progress", check=True)
    tests = ["test-predict", "test-mse", "test-mse-gradients", "test-gd-step", "test-train-linear",
             "test-normal-equations"]
    for student in ("ann", "ben"):
        _graded(root, student, LESSON, {cell: NOT_ATTEMPTED for cell in tests}, [SHARED])
    _submit(root, "cat", LESSON, stripped=True)
    _worker_failed(root, "dan", LESSON)
    _graded(root, "eli", OTHER, {"test-softmax": LONG}, manual=1.0)
    _submit(root, "fay", OTHER, stripped=True)
    return root


LONG = ("softmax([1000.0, 1000.0]) returned [nan, nan] instead of [0.5, 0.5]: exp(1000) overflows to inf and "
        "inf / inf is nan; subtract the largest score from every score before exp (the result does not change) "
        "so that the largest exponent is exp(0) = 1 -- the end of this diagnosis says what to re-teach")


def test_status_prints_a_flag_every_student_shares_once(root: Path) -> None:
    proc = dlcourse(root, "status", LESSON)
    rows = [line for line in proc.stdout.splitlines() if "test-predict' edited" in line]
    assert len(rows) == 1 and "every student (2)" in rows[0], proc.stdout


def test_a_flag_most_students_share_is_one_line() -> None:
    from dlcourse.autograde.grade import GradeRun
    from dlcourse.reports.summary import flag_lines

    run = GradeRun(graded=["a", "b", "c"], flags={"a": [SHARED], "b": [SHARED, "memory limit hit"]})
    assert flag_lines(run) == [f"  2 students: {SHARED}", "  b: memory limit hit"]


def test_report_without_diagnosed_mistakes_does_not_claim_every_test_passed(root: Path) -> None:
    proc = dlcourse(root, "report", LESSON)
    assert proc.returncode == 0, proc.stderr
    text = (root / "course" / "reports" / LESSON / "report.md").read_text(encoding="utf-8")
    assert "every test passed" not in text and "no diagnosed mistakes" in text, text


def test_report_lists_failed_submissions_with_their_reason(root: Path) -> None:
    dlcourse(root, "report", LESSON, check=True)
    text = (root / "course" / "reports" / LESSON / "report.md").read_text(encoding="utf-8")
    lines = {line.split(":")[0]: line for line in text.splitlines() if line.startswith("- ")}
    assert "not gradable" in lines["- cat"] and "nbgrader cell metadata" in lines["- cat"], text
    assert "worker exited with 1" in lines["- dan"] and "NbGraderException" not in lines["- dan"], text
    assert str(root) not in text


def test_report_prints_a_long_diagnosis_whole(root: Path) -> None:
    """A diagnosis over 160 characters keeps its end: the part that says what to re-teach."""
    assert len(LONG) > 160
    dlcourse(root, "report", OTHER, check=True)
    text = (root / "course" / "reports" / OTHER / "report.md").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if "overflows to inf" in line)
    assert line.endswith("the end of this diagnosis says what to re-teach"), line
    assert line.startswith("- 1 student(s): test-softmax: softmax\\(\\[1000.0, 1000.0\\]\\) returned"), line


def test_export_for_the_lms_has_one_line_reasons_and_no_local_paths(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "grades.csv"
    proc = dlcourse(root, "export", LESSON, "-o", str(out), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    by_student = {r["student"]: r for r in csv.DictReader((tmp_path / "grades-by-student.csv").open())}
    assert by_student["dan"]["failed"] == f"{LESSON}: the grader could not run the notebook (worker exited with 1)"
    assert "not gradable: the notebook has no nbgrader cell metadata" in by_student["cat"]["failed"]
    for path in (out, tmp_path / "grades-by-student.csv"):
        text = path.read_text(encoding="utf-8")
        assert str(root) not in text and "worker.log" not in text and "NbGraderException" not in text
        assert "traceback" not in text.lower()
    # The instructor still sees the detail: the terminal and status name the worker log.
    assert "worker.log" in proc.stdout
    status = dlcourse(root, "status", LESSON)
    assert any("dan" in line and "worker.log" in line and "NbGraderException" in line
               for line in status.stdout.splitlines())


@pytest.mark.parametrize("reason, public", [
    ("worker stopped after 130 s (whole-notebook time limit); see /home/t/course/.grade-state/x/worker.log",
     "worker stopped after 130 s (whole-notebook time limit)"),
    ("killed by a resource limit (CPU 60 s / memory 2048 MB); see /srv/c/worker.log",
     "killed by a resource limit (CPU 60 s / memory 2048 MB)"),
    ("the cluster could not grade it: KilledWorker: ('task', <WorkerState 'tcp://10.0.0.2:40000'>) (log: /a/b.log)",
     "the cluster could not grade it"),
    (f"worker exited with 1: {LOG_LINE} (log: /tmp/x/worker.log)",
     "the grader could not run the notebook (worker exited with 1)"),
    ("/home/t/course/submitted/ann/01/01.ipynb: not a notebook (invalid JSON at line 1: Expecting value)",
     "01.ipynb: not a notebook (invalid JSON at line 1: Expecting value)"),
    ("interrupted", "interrupted"),
])
def test_public_reason(reason: str, public: str) -> None:
    from dlcourse.autograde.grade import public_reason

    assert public_reason(reason) == public


def test_export_refuses_to_drop_a_lesson_the_file_holds(tmp_path: Path) -> None:
    """`export 01` then `export 02` to the same (default) file would replace 01's grades although the new export
    has as many rows; refused, naming 01 and the ways on. Both lessons together, or --force, write it."""
    root = copy_course(tmp_path / "project")
    dlcourse(root, "release", LESSON, OTHER, "--no-progress", check=True)
    for student, lesson in (("cat", LESSON), ("fay", OTHER)):  # one failed row each: a file of no lesson
        folder = root / "course" / "submitted" / student / lesson
        folder.mkdir(parents=True)
        (folder / "notes.ipynb").write_text("{}", encoding="utf-8")
    out = root / "course" / "reports" / "grades.csv"
    by_student = root / "course" / "reports" / "grades-by-student.csv"
    dlcourse(root, "export", LESSON, "--no-progress", check=True)
    before = out.read_text(encoding="utf-8"), by_student.read_text(encoding="utf-8")
    proc = dlcourse(root, "export", OTHER, "--no-progress")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    message = " ".join(proc.stderr.split())
    assert f"holds grades of {LESSON}, which this export ({OTHER}) would drop; nothing written" in message
    assert f"`dlcourse export {LESSON} {OTHER}`" in message and "-o FILE" in message and "--force" in message
    assert (out.read_text(encoding="utf-8"), by_student.read_text(encoding="utf-8")) == before
    dlcourse(root, "export", LESSON, OTHER, "--no-progress", check=True)
    assert {r["lesson"] for r in csv.DictReader(out.open())} == {LESSON, OTHER}
    dlcourse(root, "export", OTHER, "--force", "--no-progress", check=True)
    assert {r["lesson"] for r in csv.DictReader(out.open())} == {OTHER}


def test_feedback_paragraph_reads_as_sentences(root: Path) -> None:
    """A failed submission and no manual grade pending: '... got no page (fay). Next: fix or re-collect ...'."""
    proc = dlcourse(root, "feedback", OTHER, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    said = " ".join(proc.stdout.split())
    assert "got no page (fay). Next: fix or re-collect the failed submissions" in said, said
    assert not re.search(r"\. [a-z]", said.split("Wrote ")[-1]), said
