"""The few gradebook operations dlcourse needs, on top of nbgrader's Gradebook API."""

from __future__ import annotations

import datetime as dt
import sqlite3
import warnings
from pathlib import Path
from typing import Any

from .errors import CourseError
from .scratch import sqlite_url


def require_lesson(db: Path, lesson: str) -> None:
    """Fail clearly unless `dlcourse release` has recorded the lesson's cells in the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    hint = f"run `dlcourse release {lesson}` first"
    if not db.is_file():
        raise CourseError(f"{db}: no gradebook yet; {hint}")
    with Gradebook(sqlite_url(db)) as gb:
        try:
            gb.find_assignment(lesson)
        except MissingEntry:
            raise CourseError(f"{db}: lesson {lesson!r} is not in the gradebook; {hint}") from None


def snapshot(db: Path, dest: Path) -> None:
    """Copy the gradebook consistently (SQLite backup API), for workers to grade against privately."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    with sqlite3.connect(db) as src, sqlite3.connect(dest) as out:
        src.backup(out)
    src.close()
    out.close()


def read_submission(db: Path, lesson: str, student: str) -> dict[str, Any]:
    """Scores and auto comments of one submission, as plain data."""
    from nbgrader.api import Gradebook

    with Gradebook(sqlite_url(db)) as gb:
        sub = gb.find_submission(lesson, student)
        grades = [
            {
                "notebook": nb.name,
                "cell": g.name,
                "auto_score": g.auto_score,
                "max_score": float(g.max_score),
                "needs_manual_grade": bool(g.needs_manual_grade),
            }
            for nb in sub.notebooks
            for g in nb.grades
        ]
        comments = [
            {"notebook": nb.name, "cell": c.name, "auto_comment": c.auto_comment}
            for nb in sub.notebooks
            for c in nb.comments
        ]
        stamp = sub.timestamp.isoformat() if sub.timestamp else None
    return {"grades": grades, "comments": comments, "timestamp": stamp}


def merge(db: Path, lesson: str, student: str, result: dict[str, Any]) -> None:
    """Write one worker's scores into the real gradebook (the parent is its only writer)."""
    from nbgrader.api import Gradebook

    from sqlalchemy.exc import SAWarning

    with Gradebook(sqlite_url(db)) as gb, warnings.catch_warnings():
        # nbgrader's add_submission trips SQLAlchemy autoflush warnings that are harmless (nbgrader's own code).
        warnings.simplefilter("ignore", SAWarning)
        gb.update_or_create_student(student)
        extra = {"timestamp": dt.datetime.fromisoformat(result["timestamp"])} if result.get("timestamp") else {}
        gb.update_or_create_submission(lesson, student, **extra)
        for g in result["grades"]:
            grade = gb.find_grade(g["cell"], g["notebook"], lesson, student)
            grade.auto_score = g["auto_score"]
            grade.needs_manual_grade = g["needs_manual_grade"]
        for c in result["comments"]:
            gb.find_comment(c["cell"], c["notebook"], lesson, student).auto_comment = c["auto_comment"]
        gb.db.commit()


def class_scores(db: Path, lesson: str) -> list[dict[str, Any]]:
    """One row per student x graded cell: points (manual score when given, else auto), max points."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with Gradebook(sqlite_url(db)) as gb:
        try:
            assignment = gb.find_assignment(lesson)
        except MissingEntry:
            return []
        for sub in sorted(assignment.submissions, key=lambda s: s.student_id):
            for nb in sub.notebooks:
                for g in nb.grades:
                    rows.append({
                        "student": sub.student_id,
                        "notebook": nb.name,
                        "cell": g.name,
                        "points": g.score if (g.manual_score is not None or not g.needs_manual_grade) else None,
                        "max_points": float(g.max_score),
                        "needs_manual_grade": bool(g.needs_manual_grade),
                        "auto": g.cell_type == "code",
                    })
    return rows
