"""Lessons 05-07: the arithmetic their text does by hand matches what the code computes, and each lesson's
"Time budget ... Points ..." line agrees with syllabus.toml and the notebook's graded cells.

Numbers about the lessons' data, models and runs are printed by the cells themselves (course/README.md, "Numbers");
this file covers only what the prose states on its own: check-your-understanding answers and small derivations.
Each claim is written as the exact text the lesson shows, built from the computed value, so editing either the
text or the arithmetic without the other fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from dlcourse.project import Project
from dlcourse.syllabus import load_syllabus

REPO = Path(__file__).resolve().parents[2]


def _cells(lesson: str) -> dict[str, str]:
    nb = json.loads((REPO / "solutions" / lesson / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    return {c["id"]: "".join(c["source"]) for c in nb["cells"]}


def _sigmoid_slope_max() -> float:
    z = np.linspace(-10, 10, 20001)
    s = 1 / (1 + np.exp(-z))
    return float((s * (1 - s)).max())


# (lesson, cell id, the text as the lesson writes it, built from the computed value)
CLAIMS = [
    # 05: three linear layers 784 -> 100 -> 50 -> 10 collapse to one 784 -> 10 layer: weights plus biases
    ("05-mlp", "summary", f"$784 \\cdot 10 + 10 = {784 * 10 + 10:,}$".replace(",", "{,}")),
    # 05: the gradient shapes of a (32, 20) @ (20, 5) layer
    ("05-mlp", "summary", "`dX` `{}`, `dW` `{}` = `X.T @ dK`, `db` `{}`".format(
        (np.zeros((32, 5)) @ np.zeros((20, 5)).T).shape, (np.zeros((32, 20)).T @ np.zeros((32, 5))).shape,
        np.zeros((32, 5)).sum(axis=0).shape)),
    # 05: the sigmoid's slope is at most 1/4
    ("05-mlp", "sigmoid-intro", "It is at most ${}/{}$".format(*(1, round(1 / _sigmoid_slope_max())))),
    # 06: d k / d W for a 1000 x 1000 weight and 1000 outputs has 10^9 entries
    ("06-autodiff", "grad-shape-intro", f"$10^{round(np.log10(1000 * (1000 * 1000)))}$ entries"),
    # 06: the broadcast shape of (5, 1, 3) and (4, 1)
    ("06-autodiff", "summary", f"1. `{np.broadcast_shapes((5, 1, 3), (4, 1))}`"),
    # 06: U(-k, k) with k = 1/sqrt(n) has variance k^2/3, so n * k^2 / 3 = 1/3
    ("06-autodiff", "linear-intro", "$\\text{{in\\_features}} \\cdot k^2/3 = 1/{}$".format(round(1 / (256 * (1 / 256) / 3)))),
    # 07: nineteen slopes of at most 1/4 between layer 1 and layer 20
    ("07-making-it-work", "summary", "$4^{{19}} \\approx {} \\cdot 10^{{{}}}$".format(
        *f"{4.0 ** 19:.1e}".split("e+"))),
    # 07: Glorot uniform bound and He normal std for 300 inputs, 100 outputs; dlkit's weight shape
    ("07-making-it-work", "summary", f"$\\sqrt{{6/400}} \\approx {np.sqrt(6 / (300 + 100)):.3f}$; "
                                     f"$\\sqrt{{2/300}} \\approx {np.sqrt(2 / 300):.3f}$; `(100, 300)`"),
]


@pytest.mark.parametrize("lesson, cell, text", CLAIMS, ids=[f"{c[0]}:{c[1]}:{i}" for i, c in enumerate(CLAIMS)])
def test_text_states_the_computed_number(lesson: str, cell: str, text: str) -> None:
    source = _cells(lesson)[cell]
    assert text in source, f"solutions/{lesson} cell {cell!r} should say {text!r}"


def test_dlkit_linear_weight_shape_quoted_in_07() -> None:
    import dlkit.nn as nn

    assert tuple(nn.Linear(300, 100).weight.shape) == (100, 300)


@pytest.mark.parametrize("lesson", ["05-mlp", "06-autodiff", "07-making-it-work"])
def test_time_budget_line_matches_syllabus(lesson: str) -> None:
    entry = next(e for e in load_syllabus(Project(REPO)) if e.id == lesson)
    nb = json.loads((REPO / "solutions" / lesson / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    graded = [c["metadata"]["nbgrader"] for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    auto = sum(m["points"] for m in graded if not m.get("solution"))
    manual = sum(m["points"] for m in graded if m.get("solution"))
    intro = "".join(nb["cells"][0]["source"])
    line = re.search(r"\*Time budget: about (\d+) minutes\. Points: (\d+) \((\d+) checked automatically, "
                     r"(\d+) read by your instructor\)\.\*", intro)
    assert line, f"{lesson}: the intro has no time-budget line in the template's form"
    assert [int(g) for g in line.groups()] == [entry.minutes, entry.points, auto, manual]
    assert entry.points == auto + manual and entry.minutes <= 90
