"""Estimate a lesson's working time from its instructor notebook (the method is in course/README.md).

    python course/tools/lesson_minutes.py                 # every lesson in solutions/
    python course/tools/lesson_minutes.py 03-optimizers   # one lesson, with its breakdown

The estimate is deliberately simple so anyone can recompute it by hand:

- reading: the words of every markdown cell a learner reads, at 200 words a minute, including the
  collapsed answers; a formula counts by its letters and numbers (LaTeX commands such as \\frac and
  HTML tags are markup and do not count);
- demos: one minute per code cell that is not an exercise (run it, look at the output or figure);
- exercises: per autograded answer cell, 3 minutes plus 1 minute per line of the model solution
  (comments and blank lines not counted);
- written answers: 6 minutes per manually graded answer ("in your own words", 3-6 sentences);
- questions: 1 minute per numbered "check your understanding" question.
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORDS_PER_MINUTE = 200
DEMO_MINUTES = 1.0
EXERCISE_BASE_MINUTES = 3.0
MINUTES_PER_SOLUTION_LINE = 1.0
WRITTEN_ANSWER_MINUTES = 6.0
QUESTION_MINUTES = 1.0

_SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
_WORD = re.compile(r"[A-Za-z0-9']+")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")   # \frac, \partial: markup, not something a reader reads
_HTML_TAG = re.compile(r"</?[a-z]+[^>]*>")
_QUESTIONS = re.compile(r"## Check your understanding\n(.*?)(?:<details>|\Z)", re.S)
_QUESTION = re.compile(r"^\d+\.\s", re.M)


@dataclass(frozen=True)
class Estimate:
    """Minutes per activity for one notebook (floats; `total` rounds up)."""

    words: int
    reading: float
    demos: float
    exercises: float
    written: float
    questions: float

    @property
    def total(self) -> int:
        return math.ceil(self.reading + self.demos + self.exercises + self.written + self.questions)


def _meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def estimate(notebook: Path) -> Estimate:
    """The time estimate of one instructor notebook."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    words = 0
    demos = exercises = written = questions = 0.0
    for cell in cells:
        source = "".join(cell["source"])
        meta = _meta(cell)
        if cell["cell_type"] == "markdown":
            if meta.get("solution"):          # a written answer: the learner writes it, does not read it
                written += WRITTEN_ANSWER_MINUTES
                continue
            words += len(_WORD.findall(_HTML_TAG.sub(" ", _LATEX_COMMAND.sub(" ", source))))
            for block in _QUESTIONS.findall(source):
                questions += QUESTION_MINUTES * len(_QUESTION.findall(block))
        elif cell["cell_type"] == "code":
            if meta.get("solution"):
                body = "\n".join(_SOLUTION.findall(source))  # every solution block of the cell
                lines = [ln for ln in body.splitlines() if ln.strip() and not ln.strip().startswith("#")]
                exercises += EXERCISE_BASE_MINUTES + MINUTES_PER_SOLUTION_LINE * len(lines)
            elif not meta.get("grade"):       # test cells run with their exercise; the rest are demos
                demos += DEMO_MINUTES
    return Estimate(words, words / WORDS_PER_MINUTE, demos, exercises, written, questions)


def lesson_estimate(lesson: str) -> Estimate:
    """The estimate summed over every notebook of a lesson folder under solutions/."""
    parts = [estimate(nb) for nb in sorted((REPO / "solutions" / lesson).glob("*.ipynb"))]
    if not parts:
        raise SystemExit(f"solutions/{lesson}: no notebook")
    return Estimate(*(sum(getattr(p, f) for p in parts) for f in Estimate.__dataclass_fields__))


def main(argv: list[str]) -> int:
    lessons = argv or sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir())
    print(f"{'lesson':28s} {'words':>6s} {'read':>5s} {'demos':>5s} {'exer.':>5s} {'written':>7s} "
          f"{'quest.':>6s} {'total':>5s}")
    for lesson in lessons:
        e = lesson_estimate(lesson)
        print(f"{lesson:28s} {e.words:6d} {e.reading:5.1f} {e.demos:5.0f} {e.exercises:5.0f} {e.written:7.0f} "
              f"{e.questions:6.0f} {e.total:5d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
