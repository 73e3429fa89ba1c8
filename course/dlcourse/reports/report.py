"""`dlcourse report`: what an instructor should re-teach (score distribution, pass rates, common mistakes)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

from ..errors import CourseError
from .export import PENDING, failures, rows
from ..autograde.grade import public_reason
from ..autograde.diagnosis import pattern
from ..notebooks import is_grade, is_solution, meta, read_notebook
from ..project import Project
from ..syllabus import Lesson
from ..table import render


STUBS = ("YOUR ANSWER HERE", "YOUR CODE HERE")


def _plain(text: str) -> str:
    """Learner-derived text as literal markdown: no links, images, HTML or emphasis."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_{}\[\]()#+!|~$])", r"\\\1", text)


def not_attempted(diagnosis: str) -> bool:
    """Whether a diagnosis says the learner left the stub in place."""
    return "not implemented" in diagnosis.lower() or "NotImplementedError:" in diagnosis


def untouched_answers(project: Project, lesson: str) -> set[tuple[str, str]]:
    """(student, grade id) of manually graded answers still holding nothing but the stub text."""
    found = set()
    for path in sorted(project.autograded.glob(f"*/{lesson}/*.ipynb")):
        student = path.parent.parent.name
        for cell in read_notebook(path).cells:
            if is_grade(cell) and is_solution(cell) and cell.source.strip() in STUBS:
                found.add((student, str(meta(cell).get("grade_id"))))
    return found


def _plot(totals: list[float], max_total: float, path: Path, title: str) -> None:
    """Histogram of total scores, saved as PNG (Agg: no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(6, 3.5))
    bins = max(1, min(20, int(max_total) + 1))
    ax.hist(totals, bins=bins, range=(-0.5, max_total + 0.5), color="C0", edgecolor="white")
    ax.set(xlabel=f"points (of {max_total:g})", ylabel="students", title=title)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def report(project: Project, lesson: Lesson, top: int = 5) -> Path:
    """Write reports/<lesson>/report.md and scores.png; return the markdown path."""
    data = rows(project, lesson)
    if not data:
        raise CourseError(f"{project.gradebook}: no graded submissions for {lesson.id}; run `dlcourse grade` first")
    out = project.reports / lesson.id
    out.mkdir(parents=True, exist_ok=True)
    failed = {student: public_reason(detail, project.root) for student, detail in failures(project, lesson).items()}
    text, totals, max_total = markdown(lesson, data, untouched_answers(project, lesson.id), failed, top)
    _plot(totals, max_total, out / "scores.png", f"{lesson.id}: total scores")
    path = out / "report.md"
    path.write_text(text, encoding="utf-8")
    return path


def markdown(lesson: Lesson, data: list[dict[str, object]], blank: set[tuple[str, str]], failed: dict[str, str],
             top: int = 5) -> tuple[str, list[float], float]:
    """report.md's text from the per-exercise rows (`export.rows`), the untouched manual answers and the failed
    submissions (student: one-line reason); also the total scores and their maximum, for the plot."""
    totals: dict[str, float] = defaultdict(float)
    max_total = 0.0
    per_exercise: dict[str, list[bool]] = defaultdict(list)
    unanswered: Counter[str] = Counter()
    mistakes: Counter[str] = Counter()
    examples: dict[str, str] = {}
    pending: Counter[str] = Counter()
    for row in data:
        if row["points"] == PENDING:
            pending[str(row["exercise"])] += 1  # not yet known: neither full marks nor a miss
            totals[str(row["student"])] += 0.0
            continue
        totals[str(row["student"])] += float(str(row["points"]))
        per_exercise[str(row["exercise"])].append(row["points"] == row["max_points"])
        if not_attempted(str(row["diagnosis"])) or (row["student"], row["exercise"]) in blank:
            unanswered[str(row["exercise"])] += 1  # a gap in effort, not a misconception: counted apart
        elif row["diagnosis"]:
            key = f"{row['exercise']}: {pattern(str(row['diagnosis']))}"
            mistakes[key] += 1
            examples.setdefault(key, f"{row['exercise']}: {row['diagnosis']}")
    for row in data:
        if row["student"] == data[0]["student"]:
            max_total += float(str(row["max_points"]))
    n = len(totals)
    mean = sum(totals.values()) / n
    pass_rows = [[ex, f"{sum(ok)}/{len(ok)}", f"{100 * sum(ok) / len(ok):.0f}%", str(unanswered[ex]),
                  str(pending[ex])] for ex, ok in per_exercise.items()]
    pass_rows += [[ex, "-", "-", "0", str(n)] for ex, n in pending.items() if ex not in per_exercise]
    # Whole diagnoses, one per line: cutting them hides the part that says what to re-teach.
    mistake_lines = [f"- {count} student(s): {_plain(examples[key])}" for key, count in mistakes.most_common(top)]
    if not mistake_lines:
        missed = sum(unanswered.values())
        everything = not missed and all(all(ok) for ok in per_exercise.values())
        mistake_lines = ["none: every graded answer got full marks" if everything else
                         "no diagnosed mistakes" + (f" ({missed} answer(s) not attempted: see the table above)"
                                                    if missed else "")]
    failed_lines = [f"- {_plain(student)}: {_plain(why)}" for student, why in sorted(failed.items())]
    text = "\n".join([
        f"# {lesson.title} ({lesson.id}): class report",
        "",
        f"{n} students graded; mean {mean:.2f} of {max_total:g} points."
        + (f" {len(failed)} submission(s) could not be graded (listed at the end)." if failed else ""),
        "",
        "![score distribution](scores.png)",
        "",
        "## Full marks per exercise",
        "```",
        render(["exercise", "full marks", "rate", "not attempted", "manual pending"], pass_rows),
        "```",
        "",
        f"## Most common diagnosed mistakes (top {top})",
        "",
        *mistake_lines,
        "",
        *(["## Submissions that could not be graded", "", *failed_lines, "",
           "The scores above count none of these files (only an earlier grade of the same student, if any); "
           "`dlcourse status` shows each reason in full.", ""] if failed else []),
    ])
    return text, list(totals.values()), max_total
