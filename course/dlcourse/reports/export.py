"""`dlcourse export`: a CSV with one row per student x exercise (points, max points, diagnosis)."""

from __future__ import annotations

import csv
from pathlib import Path

from ..gradebook import class_scores
from ..project import Project
from ..autograde.state import all_results
from ..syllabus import Lesson

FIELDS = ["lesson", "student", "notebook", "exercise", "points", "max_points", "needs_manual_grade", "diagnosis"]


def rows(project: Project, lesson: Lesson) -> list[dict[str, object]]:
    """The export rows of one lesson: scores from the gradebook (manual grades included), diagnoses from grading."""
    results = all_results(project, lesson.id)
    out = []
    for r in class_scores(project.gradebook, lesson.id):
        diagnoses = results.get(r["student"], {}).get("diagnoses", {})
        out.append({
            "lesson": lesson.id,
            "student": r["student"],
            "notebook": r["notebook"],
            "exercise": r["cell"],
            "points": "" if r["points"] is None else f"{r['points']:g}",
            "max_points": f"{r['max_points']:g}",
            "needs_manual_grade": "yes" if r["needs_manual_grade"] else "no",
            "diagnosis": diagnoses.get(f"{r['notebook']}/{r['cell']}", ""),
        })
    return out


def export(project: Project, lessons: list[Lesson], output: Path | None = None) -> tuple[Path, int]:
    """Write the CSV (default course/reports/grades.csv); return its path and the number of rows."""
    path = output or project.reports / "grades.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    all_rows = [row for lesson in lessons for row in rows(project, lesson)]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(all_rows)
    return path, len(all_rows)
