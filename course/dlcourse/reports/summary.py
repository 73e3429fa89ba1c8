"""The table `dlcourse grade` prints at the end: one line per student, one column per exercise."""

from __future__ import annotations

from collections import defaultdict

from ..gradebook import class_scores
from ..autograde.grade import GradeRun
from ..project import Project
from ..say import count, names, paragraph
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
        text += "\n\nflagged (scored for what ran; see each notebook in autograded/):\n" + "\n".join(flag_lines(run))
    if run and run.failed:
        text += "\n\nnot graded:\n" + "\n".join(
            f"  {s}: {why}" + ("  [retried on the next run]" if s in run.retry else "")
            for s, why in run.failed.items())
    return text


def fold_flags(flags: dict[str, list[str]], graded: int) -> list[tuple[str, str]]:
    """(who, flag) pairs: a flag every one of the `graded` students shares is one pair, 'every student (N)' (it
    is about the lesson, not them); one most of them share is one pair, 'N students'; any other flag is one
    pair per student who has it. Used by `grade` and `status`."""
    by_line: dict[str, list[str]] = defaultdict(list)
    for student, lines in sorted(flags.items()):
        for line in dict.fromkeys(lines):
            by_line[line].append(student)
    out, shared = [], set()
    for line, students in by_line.items():
        if len(students) > 1 and len(students) == graded:
            out.append((f"every student ({len(students)})", line))
        elif len(students) > 1 and 2 * len(students) > graded:
            out.append((f"{len(students)} students", line))
        else:
            continue
        shared.add(line)
    out += [(s, line) for s, lines in sorted(flags.items()) for line in dict.fromkeys(lines) if line not in shared]
    return out


def flag_lines(run: GradeRun) -> list[str]:
    """One line per flag, a flag most graded students share folded into one line (`fold_flags`)."""
    return [f"  {who}: {line}" for who, line in fold_flags(run.flags, len(run.graded))]


def grade_paragraph(project: Project, lesson: str, run: GradeRun) -> str:
    """What the grade run did, what failed and what to do next, as one paragraph."""
    pending = {r["student"] for r in class_scores(project.gradebook, lesson)
               if r["needs_manual_grade"] and r["points"] is None}
    stuck = [s for s in run.failed if s not in run.retry]
    return paragraph(
        f"Graded {count(len(run.graded), 'submission')} of {lesson}"
        f" ({len(run.skipped)} unchanged since the last run, {len(run.failed)} failed).",
        f"{count(len(run.flags), 'submission')} flagged: read the lines above." if run.flags else "",
        f"Not gradable as submitted: {names(stuck)}; ask for a corrected file, `dlcourse collect` it, and grade "
        "again (an unchanged file is not retried; --force retries it)." if stuck else "",
        f"{names(sorted(run.retry))} stopped by a limit or an interrupt: the next run tries again." if run.retry
        else "",
        f"Next: grade the written answers of {count(len(pending), 'student')} in formgrader, then "
        f"`dlcourse feedback {lesson}`." if pending else f"Next: `dlcourse feedback {lesson}`.")
