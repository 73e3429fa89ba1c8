"""The table `dlcourse grade` prints at the end: one line per student, one column per exercise."""

from __future__ import annotations

from ..gradebook import class_scores
from ..autograde.grade import GradeRun
from ..project import Project
from ..table import fmt_points, render


def summary_table(project: Project, lesson: str, run: GradeRun | None = None) -> str:
    """Scores of every graded student of a lesson, with this run's status for each."""
    rows = class_scores(project.gradebook, lesson)
    cells = list(dict.fromkeys(r["cell"] for r in rows))
    students = list(dict.fromkeys(r["student"] for r in rows))
    if run:
        students += [s for s in run.failed if s not in students]
    table = []
    for student in students:
        mine = {r["cell"]: r for r in rows if r["student"] == student}
        status = "graded"
        if run:
            status = ("FAILED" if student in run.failed else "graded" if student in run.graded
                      else "unchanged" if student in run.skipped else "-")
        auto = [r for r in mine.values() if r["auto"]]
        total = sum(r["points"] or 0 for r in auto)
        total_max = sum(r["max_points"] for r in auto)
        marks = [
            "?" if c not in mine else ("manual" if mine[c]["points"] is None else
                                       f"{fmt_points(mine[c]['points'])}/{fmt_points(mine[c]['max_points'])}")
            for c in cells
        ]
        table.append([student, status, f"{fmt_points(total)}/{fmt_points(total_max)}" if mine else "-", *marks])
    text = render(["student", "status", "auto", *cells], table)
    if run and run.flags:
        text += "\n\nflagged (scored for what ran; see each notebook in autograded/):\n" + "\n".join(
            f"  {s}: {line}" for s, lines in sorted(run.flags.items()) for line in lines)
    if run and run.failed:
        text += "\n\nnot graded (will be retried on the next run):\n" + "\n".join(
            f"  {s}: {why}" for s, why in run.failed.items())
    return text
