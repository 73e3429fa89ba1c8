"""`dlcourse status`: where each lesson stands and what still needs the instructor, in one table."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..autograde.failures import all_failures
from ..autograde.grade import submission_fingerprint, submissions, unusable
from ..autograde.state import all_results, result_path
from ..gradebook import class_scores
from ..project import Project
from ..syllabus import Lesson
from ..table import fmt_points, render


@dataclass
class LessonStatus:
    """Counts and to-do items of one lesson."""

    lesson: str
    released: bool = False
    collected: int = 0
    graded: int = 0
    feedback: int = 0
    todo: list[tuple[str, str, str]] = field(default_factory=list)  # (student, what, detail)


def _feedback_current(project: Project, lesson: str, student: str) -> bool:
    """Whether the student's feedback pages were written after their last grading."""
    pages = list((project.feedback / student / lesson).glob("*.html"))
    result = result_path(project, lesson, student)
    return bool(pages) and result.is_file() and min(p.stat().st_mtime for p in pages) >= result.stat().st_mtime


def lesson_status(project: Project, lesson: Lesson) -> LessonStatus:
    """Everything `status` reports about one lesson, read from disk and the gradebook (nothing is changed)."""
    st = LessonStatus(lesson.id, released=bool(project.released_notebooks(lesson.id)))
    subs = submissions(project, lesson.id)
    st.collected = len(subs)
    results = all_results(project, lesson.id)
    failures = all_failures(project, lesson.id)
    sources = project.source_notebooks(lesson.id)
    for student, folder in subs.items():
        problem = unusable(folder, [p.name for p in sources], project, lesson.id)
        result = results.get(student)
        if problem:
            st.todo.append((student, "failed", problem))
            continue
        if result is None or result.get("fingerprint") != submission_fingerprint(folder, sources):
            failed = failures.get(student)
            if failed and failed.get("fingerprint") == submission_fingerprint(folder, sources):
                st.todo.append((student, "failed", failed["reason"]))
            else:
                what = "not graded" if result is None else "changed since graded"
                st.todo.append((student, what, f"run `dlcourse grade {lesson.id}`"))
            continue
        st.graded += 1
        for flag in result.get("flags", []):
            st.todo.append((student, "flagged", flag))
        if _feedback_current(project, lesson.id, student):
            st.feedback += 1
        else:
            st.todo.append((student, "no feedback", f"run `dlcourse feedback {lesson.id}`"))
    if project.gradebook.is_file():
        for row in class_scores(project.gradebook, lesson.id):
            if row["needs_manual_grade"] and row["points"] is None:
                st.todo.append((row["student"], "manual grade pending",
                                f"{row['notebook']}/{row['cell']} ({fmt_points(row['max_points'])} points): "
                                "grade it in formgrader"))
    return st


def status(project: Project, lessons: list[Lesson]) -> tuple[str, bool]:
    """The status table and the to-do list; True when anything needs the instructor."""
    found = [lesson_status(project, lesson) for lesson in lessons]
    table = render(["lesson", "released", "collected", "graded", "feedback", "to do"],
                   [[s.lesson, "yes" if s.released else "no", str(s.collected), str(s.graded), str(s.feedback),
                     str(len(s.todo))] for s in found])
    todo = [[s.lesson, student, what, detail] for s in found for student, what, detail in s.todo]
    if not todo:
        return table + "\n\nnothing needs you: every collected submission is graded, with feedback", False
    return table + "\n\nneeds you:\n" + render(["lesson", "student", "what", "detail"], todo), True
