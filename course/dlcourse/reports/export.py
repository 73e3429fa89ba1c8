"""`dlcourse export`: grades as CSV, one row per student (totals per lesson and overall) and one per exercise.

Pending manual grades read "pending" (never 0), failed submissions are rows with their reason, every text cell
is escaped against spreadsheet formulas, and a file is never replaced by one with fewer rows, or without a
lesson it holds, unless forced.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..autograde.grade import public_reason
from ..autograde.state import all_results
from ..errors import CourseError
from ..redact import lesson_hidden_lines, redact
from ..gradebook import class_scores
from ..project import Project
from ..say import progress as bar
from ..syllabus import Lesson
from ..table import fmt_points
from .csvfile import refuse_dropping, refuse_shrinking, render_csv, write_atomic
from .status import lesson_status

FIELDS = ["lesson", "student", "notebook", "exercise", "points", "max_points", "needs_manual_grade", "status",
          "diagnosis"]
PENDING = "pending"


@dataclass
class Exported:
    """What an export wrote and what it found missing."""

    path: Path
    students_path: Path
    rows: int = 0
    students: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (lesson, student, reason)
    pending: list[tuple[str, str, str]] = field(default_factory=list)  # (lesson, student, notebook/exercise)


def rows(project: Project, lesson: Lesson) -> list[dict[str, object]]:
    """The per-exercise rows of one lesson: gradebook scores (manual grades included) and the grader's diagnoses."""
    results = all_results(project, lesson.id)
    hidden = lesson_hidden_lines(project.source_notebooks(lesson.id))
    out = []
    for r in class_scores(project.gradebook, lesson.id):
        diagnoses = results.get(r["student"], {}).get("diagnoses", {})
        pending = r["points"] is None
        out.append({
            "lesson": lesson.id,
            "student": r["student"],
            "notebook": r["notebook"],
            "exercise": r["cell"],
            "points": PENDING if pending else fmt_points(r["points"]),
            "max_points": fmt_points(r["max_points"]),
            "needs_manual_grade": "yes" if r["needs_manual_grade"] else "no",
            "status": "pending manual grade" if pending else "graded",
            "diagnosis": redact(diagnoses.get(f"{r['notebook']}/{r['cell']}", ""), hidden),
        })
    return out


def failures(project: Project, lesson: Lesson) -> dict[str, str]:
    """Why each submission of a lesson could not be graded, in full (paths and worker log), by student."""
    return {student: detail for student, what, detail in lesson_status(project, lesson).todo if what == "failed"}


def failed_rows(project: Project, lesson: Lesson, found: dict[str, str] | None = None) -> list[dict[str, object]]:
    """One row per submission that could not be graded, with its one-line reason: the files leave this machine
    (an LMS), so no path on it, no worker log and no nbgrader text (`dlcourse status` has the detail)."""
    found = failures(project, lesson) if found is None else found
    return [{"lesson": lesson.id, "student": student, "notebook": "", "exercise": "", "points": "",
             "max_points": "", "needs_manual_grade": "", "status": "failed",
             "diagnosis": public_reason(detail, project.root)} for student, detail in found.items()]


def student_rows(lessons: list[Lesson], exercise_rows: list[dict[str, object]]) -> tuple[list[str], list[dict]]:
    """One row per student: points per lesson, the total, the maximum, what is pending and what failed."""
    points: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    pending: dict[str, list[str]] = defaultdict(list)
    failed: dict[str, list[str]] = defaultdict(list)
    for row in exercise_rows:
        student, lesson = str(row["student"]), str(row["lesson"])
        if row["status"] == "failed":
            failed[student].append(f"{lesson}: {row['diagnosis']}")
            points[student].setdefault(lesson, 0.0)
        elif row["points"] == PENDING:
            pending[student].append(f"{lesson}/{row['exercise']} ({row['max_points']} points)")
            points[student][lesson] += 0.0
        else:
            points[student][lesson] += float(str(row["points"]))
    max_total = sum(lesson.points for lesson in lessons)
    fields = ["student", *(lesson.id for lesson in lessons), "total", "max_total", "pending", "failed"]
    out = []
    for student in sorted(points):
        mine = points[student]
        failed_lessons = {line.split(":", 1)[0] for line in failed[student]}
        out.append({
            "student": student,
            **{lesson.id: ("failed" if lesson.id in failed_lessons else fmt_points(mine[lesson.id]))
               if lesson.id in mine else "" for lesson in lessons},
            "total": fmt_points(sum(mine.values())),
            "max_total": fmt_points(max_total),
            "pending": "; ".join(pending[student]),
            "failed": "; ".join(failed[student]),
        })
    return fields, out


def students_path(path: Path) -> Path:
    """The per-student file written beside the per-exercise one (grades.csv -> grades-by-student.csv)."""
    return path.with_name(f"{path.stem}-by-student{path.suffix or '.csv'}")


def export(project: Project, lessons: list[Lesson], output: Path | None = None, *, force: bool = False,
           progress: bool = True) -> Exported:
    """Write the per-exercise CSV (default course/reports/grades.csv) and the per-student CSV beside it."""
    path = output or project.reports / "grades.csv"
    done = Exported(path, students_path(path))
    exercise_rows: list[dict[str, object]] = []
    for lesson in bar(lessons, "exporting", enabled=progress):
        graded = rows(project, lesson)
        found = failures(project, lesson)
        exercise_rows += graded + failed_rows(project, lesson, found)
        done.failed += [(lesson.id, student, detail) for student, detail in found.items()]
        done.pending += [(lesson.id, str(r["student"]), f"{r['notebook']}/{r['exercise']}")
                         for r in graded if r["points"] == PENDING]
    if not exercise_rows:
        raise CourseError(f"{project.gradebook}: no grades yet for {', '.join(l.id for l in lessons)}; nothing "
                          "written. Run `dlcourse grade LESSON` first")
    fields, per_student = student_rows(lessons, exercise_rows)
    # Refuse before writing either file, so the two never disagree.
    ids = [lesson.id for lesson in lessons]
    for path, count in ((done.path, len(exercise_rows)), (done.students_path, len(per_student))):
        refuse_dropping(path, ids, force)
        refuse_shrinking(path, count, force)
    write_atomic(done.path, render_csv(FIELDS, exercise_rows, numeric={"points", "max_points"}))
    numeric = {lesson.id for lesson in lessons} | {"total", "max_total"}
    write_atomic(done.students_path, render_csv(fields, per_student, numeric=numeric))
    done.rows, done.students = len(exercise_rows), len(per_student)
    return done
