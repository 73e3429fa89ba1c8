"""Every lesson's time budget is the README method's estimate (course/tools/lesson_minutes.py), at most 90
minutes, and its intro line states that budget and the lesson's points as syllabus.toml and the cells have them."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from dlcourse.project import Project
from dlcourse.syllabus import load_syllabus

REPO = Path(__file__).resolve().parents[2]
ENTRIES = {e.id: e for e in load_syllabus(Project(REPO))}
LINE = re.compile(r"\*Time budget: about (\d+) minutes\. Points: (\d+) \((\d+) checked automatically, "
                  r"(\d+) read by your instructor\)\.\*")


def _estimate(lesson: str) -> int:
    sys.path.insert(0, str(REPO / "course" / "tools"))
    try:
        from lesson_minutes import lesson_estimate
    finally:
        sys.path.remove(str(REPO / "course" / "tools"))
    return lesson_estimate(lesson).total


@pytest.mark.parametrize("lesson", sorted(ENTRIES))
def test_time_budget_line_matches_syllabus_and_estimate(lesson: str) -> None:
    entry = ENTRIES[lesson]
    (path,) = sorted((REPO / "solutions" / lesson).glob("*.ipynb"))[:1]
    nb = json.loads(path.read_text(encoding="utf-8"))
    graded = [c["metadata"]["nbgrader"] for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    auto = sum(m["points"] for m in graded if not m.get("solution"))
    manual = sum(m["points"] for m in graded if m.get("solution"))
    line = LINE.search("".join(nb["cells"][0]["source"]))
    assert line, f"{lesson}: the intro has no time-budget line in the template's form"
    assert [int(g) for g in line.groups()] == [entry.minutes, entry.points, auto, manual]
    assert entry.minutes == _estimate(lesson) <= 90
