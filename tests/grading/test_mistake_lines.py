"""A known mistake's line pattern never quotes a line the learner did not write.

While grading, the line a known mistake points at is looked up in the notebook cell that defines the test
cell's target (``one_node(Value, "add")`` finds the cell of ``class Value``, which the lesson gives). In the
student version every answer is still ``raise NotImplementedError()``, so whatever a pattern matches there is
given code: a quote of it would send the learner to the wrong line. Lessons 04 to 06.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dlgrade import get_exercise
from dlgrade.diagnosis.source import definition_in_cells

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ("04-backprop", "05-mlp", "06-autodiff")
_CHECK = re.compile(r'check\(\s*"([\w.]+)"\s*,\s*(.+?)\)\s*$', re.MULTILINE)


def _targets() -> list:
    out = []
    for lesson in LESSONS:
        nb = json.loads((ROOT / "lessons" / lesson / f"{lesson}.ipynb").read_text(encoding="utf-8"))
        cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
        for cell in cells:
            for name, target in _CHECK.findall(cell):
                out.append(pytest.param(name, target, cells, id=f"{lesson}:{name}"))
    return out


@pytest.mark.parametrize("name, target, cells", _targets())
def test_no_known_mistake_points_at_given_code(name: str, target: str, cells: list[str]) -> None:
    source = definition_in_cells(cells, target)
    assert source is not None, f"{name}: no cell defines {target}"
    quoted = [(m.code, source.find(m.look_for)) for m in get_exercise(name).mistakes if m.look_for]
    assert not [q for q in quoted if q[1] is not None], f"{name}: patterns match given lines: {quoted}"
