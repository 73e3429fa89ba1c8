"""`dlcourse report`: what an instructor should re-teach (score distribution, pass rates, common mistakes)."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from ..errors import CourseError
from .export import rows
from ..autograde.diagnosis import pattern
from ..project import Project
from ..syllabus import Lesson
from ..table import render


def not_attempted(diagnosis: str) -> bool:
    """Whether a diagnosis says the learner left the stub in place."""
    return "not implemented" in diagnosis.lower() or "NotImplementedError:" in diagnosis


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
    totals: dict[str, float] = defaultdict(float)
    max_total = 0.0
    per_exercise: dict[str, list[bool]] = defaultdict(list)
    unanswered: Counter[str] = Counter()
    mistakes: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for row in data:
        totals[str(row["student"])] += float(row["points"] or 0)
        per_exercise[str(row["exercise"])].append(row["points"] == row["max_points"])
        if not_attempted(str(row["diagnosis"])):
            unanswered[str(row["exercise"])] += 1  # a gap in effort, not a misconception: counted apart
        elif row["diagnosis"]:
            key = f"{row['exercise']}: {pattern(str(row['diagnosis']))}"
            mistakes[key] += 1
            examples.setdefault(key, f"{row['exercise']}: {row['diagnosis']}")
    for row in data:
        if row["student"] == data[0]["student"]:
            max_total += float(str(row["max_points"]))
    _plot(list(totals.values()), max_total, out / "scores.png", f"{lesson.id}: total scores")
    n = len(totals)
    mean = sum(totals.values()) / n
    pass_rows = [[ex, f"{sum(ok)}/{len(ok)}", f"{100 * sum(ok) / len(ok):.0f}%", str(unanswered[ex])]
                 for ex, ok in per_exercise.items()]
    mistake_rows = [[str(count), examples[key][:160]] for key, count in mistakes.most_common(top)]
    text = "\n".join([
        f"# {lesson.title} ({lesson.id}): class report",
        "",
        f"{n} students graded; mean {mean:.2f} of {max_total:g} points.",
        "",
        "![score distribution](scores.png)",
        "",
        "## Full marks per exercise",
        "```",
        render(["exercise", "full marks", "rate", "not attempted"], pass_rows),
        "```",
        "",
        f"## Most common diagnosed mistakes (top {top})",
        "```",
        render(["students", "diagnosis"], mistake_rows) if mistake_rows else "none: every test passed",
        "```",
        "",
    ])
    path = out / "report.md"
    path.write_text(text, encoding="utf-8")
    return path
