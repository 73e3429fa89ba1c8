"""The topic map in course/syllabus.toml: every topic of the course material has a cell that teaches it.

Each `[[topics]]` entry names a topic of the five texts in ../shared/course-material (`source`: "000" ... "004"),
the lesson cells that teach it (`cells`) and the graded cells that check it (`graded`, possibly empty), each as
"<lesson id>:<cell>", where <cell> is the cell's nbgrader grade_id or, for a cell without one, its notebook
cell id. The map fails here when a topic has no cell, names a lesson or a cell that does not exist, or calls a
cell graded that carries no points.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
SYLLABUS = tomllib.loads((REPO / "course" / "syllabus.toml").read_text(encoding="utf-8"))
TOPICS: list[dict[str, Any]] = SYLLABUS.get("topics", [])
LESSON_IDS = {lesson["id"] for lesson in SYLLABUS.get("lessons", [])}
SOURCES = ("000", "001", "002", "003", "004")


@lru_cache(maxsize=None)
def cells_of(lesson: str) -> dict[str, dict[str, Any]]:
    """Every cell of a lesson's instructor notebooks, by grade_id and by notebook cell id."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((REPO / "solutions" / lesson).glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            found.setdefault(cell.get("id", ""), cell)
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id:
                found[grade_id] = cell
    return found


def resolve(ref: str) -> dict[str, Any]:
    """The cell a "<lesson>:<cell>" reference names; fails with the reason when there is none."""
    lesson, sep, key = ref.partition(":")
    assert sep and lesson and key, f"{ref!r}: write a cell as '<lesson id>:<grade_id or cell id>'"
    assert lesson in LESSON_IDS, f"{ref!r}: lesson {lesson!r} is not in course/syllabus.toml"
    cells = cells_of(lesson)
    assert cells, f"{ref!r}: solutions/{lesson}/ has no notebook"
    assert key in cells, f"{ref!r}: no cell with grade_id or id {key!r} in solutions/{lesson}/"
    return cells[key]


def test_the_map_covers_the_course_material() -> None:
    assert len(TOPICS) >= 90, f"only {len(TOPICS)} topics: the course material teaches about a hundred"
    ids = Counter(topic.get("id") for topic in TOPICS)
    assert all(ids) and not [i for i, n in ids.items() if n > 1], f"topic ids must be unique: {ids.most_common(3)}"
    per_source = Counter(s for topic in TOPICS for s in topic.get("source", []))
    assert all(per_source[s] for s in SOURCES), f"every text has topics: {dict(per_source)}"


@pytest.mark.parametrize("topic", TOPICS, ids=[str(t.get("id")) for t in TOPICS])
def test_topic_is_taught_by_cells_that_exist(topic: dict[str, Any]) -> None:
    assert topic.get("topic"), f"{topic.get('id')}: say what the topic is"
    assert topic.get("source") and set(topic["source"]) <= set(SOURCES), \
        f"{topic['id']}: source must name texts among {SOURCES}"
    assert topic.get("cells"), f"{topic['id']}: no lesson cell teaches this topic"
    for ref in topic["cells"]:
        resolve(ref)
    for ref in topic.get("graded", []):
        nbgrader = resolve(ref).get("metadata", {}).get("nbgrader", {})
        assert nbgrader.get("grade") and nbgrader.get("points", 0) > 0, f"{topic['id']}: {ref} is not a graded cell"


def test_every_lesson_teaches_some_topic() -> None:
    taught = {ref.partition(":")[0] for topic in TOPICS for ref in topic.get("cells", [])}
    assert LESSON_IDS <= taught, f"lessons with no topic in the map: {sorted(LESSON_IDS - taught)}"
