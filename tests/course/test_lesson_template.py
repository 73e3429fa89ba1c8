"""One template for every lesson (course/README.md, "Writing a lesson: one template, one notation"): goals in the
first cell; the last cell holds the summary, the check-your-understanding questions and their collapsed answers
(one answer per question), then the pointer to the next lesson (the last lesson of the syllabus has none); α
only for leaky ReLU's slope, as the notation table says; and every code cell is an answer, a test or locked, so a
learner cannot change a demo by accident and nbgrader can tell when a locked cell was edited."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from dlcourse.project import Project
from dlcourse.syllabus import load_syllabus

REPO = Path(__file__).resolve().parents[2]
LESSONS = [lesson.id for lesson in load_syllabus(Project(REPO))]


def _notebook(lesson: str) -> dict[str, Any]:
    return json.loads((REPO / "solutions" / lesson / f"{lesson}.ipynb").read_text(encoding="utf-8"))


@pytest.mark.parametrize("lesson", LESSONS)
def test_template_order(lesson: str) -> None:
    """Goals first; then summary, check your understanding with collapsed answers, and the next-lesson line last."""
    cells = _notebook(lesson)["cells"]
    assert "**By the end of this lesson you can**" in "".join(cells[0]["source"])
    last = "".join(cells[-1]["source"])
    parts = ["## Summary", "## Check your understanding", "<details><summary>Answers</summary>", "</details>"]
    if lesson != LESSONS[-1]:
        parts.append("Next lesson:")
    else:
        assert "Next lesson:" not in last, "the last lesson of the syllabus points to a next lesson"
    order = [last.find(s) for s in parts]
    assert -1 not in order and order == sorted(order), dict(zip(parts, order))
    questions = re.findall(r"^\d+\. ", last[order[1]:order[2]], re.M)
    answers = re.findall(r"^\d+\. ", last[order[2]:order[3]], re.M)
    assert questions and len(questions) == len(answers), (len(questions), len(answers))
    alphas = [c.get("id") for c in cells if c["cell_type"] == "markdown" and re.search(r"\\alpha|α", "".join(c["source"]))
              and "leaky" not in "".join(c["source"]).lower()]
    assert alphas == [], f"the notation table keeps α for a local use such as leaky ReLU's slope, never η: {alphas}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_code_cell_is_an_answer_a_test_or_locked(lesson: str) -> None:
    loose = [c.get("id") for c in _notebook(lesson)["cells"] if c["cell_type"] == "code"
             and not any(c["metadata"].get("nbgrader", {}).get(k) for k in ("solution", "grade", "locked"))]
    assert loose == [], f"{lesson}: code cells a learner can edit without nbgrader noticing: {loose}"
