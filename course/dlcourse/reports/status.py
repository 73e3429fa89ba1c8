"""`dlcourse status`: where each lesson stands and what still needs the instructor, in one table."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ..autograde.failures import all_failures
from ..autograde.grade import submission_fingerprint, submissions, unusable
from ..autograde.state import all_results, result_path
from ..gradebook import class_scores
from ..project import Project
from ..syllabus import Lesson
from ..table import fmt_points, render
from .summary import fold_flags


@dataclass
class LessonStatus:
    """Counts and to-do items of one lesson."""

    lesson: str
    released: str = "no"  # "yes" (lessons/ and the gradebook), "lessons/ only" (never released here), "no"
    collected: int = 0
    graded: int = 0
    feedback: int = 0
    todo: list[tuple[str, str, str]] = field(default_factory=list)  # (student, what, detail)


def _feedback_current(project: Project, lesson: str, student: str) -> bool:
    """Whether the student's feedback pages were written after their last grading."""
    pages = list((project.feedback / student / lesson).glob("*.html"))
    result = result_path(project, lesson, student)
    return bool(pages) and result.is_file() and min(p.stat().st_mtime for p in pages) >= result.stat().st_mtime


def recorded_lessons(db: Path) -> set[str]:
    """Lessons `dlcourse release` recorded in the gradebook (read-only; none when there is no gradebook)."""
    if not db.is_file():
        return set()
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        try:
            return {name for (name,) in con.execute("SELECT name FROM assignment")}
        except sqlite3.Error:
            return set()


def lesson_status(project: Project, lesson: Lesson, recorded: set[str] | None = None) -> LessonStatus:
    """Everything `status` reports about one lesson, read from disk and the gradebook (nothing is changed)."""
    recorded = recorded_lessons(project.gradebook) if recorded is None else recorded
    present = bool(project.released_notebooks(lesson.id))
    st = LessonStatus(lesson.id, "yes" if present and lesson.id in recorded else "lessons/ only" if present else "no")
    subs = submissions(project, lesson.id)
    st.collected = len(subs)
    results = all_results(project, lesson.id)
    failures = all_failures(project, lesson.id)
    sources = project.source_notebooks(lesson.id)
    flags: dict[str, list[str]] = {}
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
        flags[student] = result.get("flags", [])
        if _feedback_current(project, lesson.id, student):
            st.feedback += 1
        else:
            st.todo.append((student, "no feedback", f"run `dlcourse feedback {lesson.id}`"))
    # A flag most students share (an edited test cell the lesson itself changed) is one row, as `grade` prints it.
    st.todo += [(who, "flagged", flag) for who, flag in fold_flags({s: f for s, f in flags.items() if f}, st.graded)]
    if project.gradebook.is_file():
        for row in class_scores(project.gradebook, lesson.id):
            if row["needs_manual_grade"] and row["points"] is None:
                st.todo.append((row["student"], "manual grade pending",
                                f"{row['notebook']}/{row['cell']} ({fmt_points(row['max_points'])} points): "
                                "grade it in formgrader"))
    return st


def status(project: Project, lessons: list[Lesson]) -> tuple[str, bool]:
    """The status table and the to-do list; True when anything needs the instructor."""
    recorded = recorded_lessons(project.gradebook)
    found = [lesson_status(project, lesson, recorded) for lesson in lessons]
    table = render(["lesson", "released", "collected", "graded", "feedback", "to do"],
                   [[s.lesson, s.released, str(s.collected), str(s.graded), str(s.feedback),
                     str(len(s.todo))] for s in found])
    todo = [[s.lesson, student, what, detail] for s in found for student, what, detail in s.todo]
    if not todo:
        return table + "\n\nnothing needs you: every collected submission is graded, with feedback", False
    return table + "\n\nneeds you:\n" + render(["lesson", "student", "what", "detail"], todo), True
