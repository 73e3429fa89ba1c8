"""Lessons 08-cnn, 08-cnn-training and 09-gpu: the arithmetic their text does by hand matches what the code
computes, and each lesson's "Time budget ... Points ..." line agrees with syllabus.toml and the graded cells.

Numbers about the lessons' data, models and runs are printed by the cells themselves (course/README.md,
"Numbers"); this file covers what the prose states on its own: check-your-understanding answers, small
derivations, the model answers, and the training setup the text describes. Each claim is the exact text the
lesson shows, built from the computed value, so editing the text or the arithmetic without the other fails.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from dlcourse.project import Project
from dlcourse.syllabus import load_syllabus

REPO = Path(__file__).resolve().parents[2]
LESSONS = ("08-cnn", "08-cnn-training", "09-gpu")


def _cells(lesson: str) -> dict[str, str]:
    nb = json.loads((REPO / "solutions" / lesson / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    return {c["id"]: "".join(c["source"]) for c in nb["cells"]}


def _size(n: int, k: int, s: int = 1, p: int = 0) -> int:
    return (n + 2 * p - k) // s + 1


def _tex(n: int) -> str:
    """12345 as the lessons write it in LaTeX: 12{,}345."""
    return f"{n:,}".replace(",", "{,}")


def _first_max_grad(window: list[float], g: float) -> list[float]:
    out = [0.0] * len(window)
    out[int(np.argmax(window))] = g      # argmax keeps the first of equal values, the library's rule
    return out


def _course_cnn_activation_bytes() -> int:
    """Bytes of every layer's output for one example of the course text's CNN, float32."""
    from dlkit import nn

    model = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Dropout(0.25), nn.Flatten(), nn.Linear(4608, 128), nn.ReLU(), nn.Dropout(0.5),
                          nn.Linear(128, 10))
    rows = nn.summary(model, (1, 1, 28, 28)).rows
    return 4 * sum(math.prod(r.output_shape[1:]) for r in rows)


H1 = _size(28, 3)                 # your CNN: conv 3x3, pool 2, conv 3x3, pool 2
P1 = H1 // 2
H2 = _size(P1, 3)
P2 = H2 // 2
ACT = _course_cnn_activation_bytes()

CLAIMS = [
    # 08: the 5 x 5 toy: a 2 x 2 window has (5 - 2 + 1)^2 positions, 4 connections each
    ("08-cnn", "why-intro", f"a {_size(5, 2)} × {_size(5, 2)} grid of units,\neach with {2 * 2} incoming connections"),
    # 08: 'same' padding floor(k/2)
    ("08-cnn", "pad-intro", f"a 3 × 3 kernel needs $p = {3 // 2}$, a 5 × 5 kernel $p = {5 // 2}$"),
    # 08: the cols matrix of a 4 x 4 image and a 3 x 3 kernel
    ("08-cnn", "im2col-intro", f"2 × 2 = {_size(4, 3) ** 2} positions, so {_size(4, 3) ** 2} rows of {3 * 3} numbers"),
    # 08: check-your-understanding answers
    ("08-cnn", "summary", f"1. $1024 \\times 10240 = {_tex(32 * 32 * 10 * 32 * 32)}$, about "
                          f"{32 * 32 * 10 * 32 * 32 / 1e6:.1f} million; the convolution has $10 \\times 25 = {10 * 25}$."),
    ("08-cnn", "summary", f"2. $\\lfloor (100 + 6 - 7)/2 \\rfloor + 1 = {_size(100, 7, 2, 3)}$."),
    ("08-cnn", "summary", f"3. $p = \\lfloor 7/2 \\rfloor = {7 // 2}$."),
    ("08-cnn", "summary", f"$64 \\cdot 32 \\cdot 9 + 64 = {_tex(64 * 32 * 9 + 64)}$ weights and biases."),
    ("08-cnn", "summary", f"$(8 \\cdot 32 \\cdot 32,\\ 3 \\cdot 9) = ({8 * _size(32, 3, 1, 1) ** 2}, {3 * 9})$"),
    # 08-cnn-training: the table of your CNN
    ("08-cnn-training", "cnn-intro", f"| 16 × {H1} × {H1} |"),
    ("08-cnn-training", "cnn-intro", f"| 16 × {P1} × {P1} |"),
    ("08-cnn-training", "cnn-intro", f"| 32 × {H2} × {H2} |"),
    ("08-cnn-training", "cnn-intro", f"| 32 × {P2} × {P2} | ({H2} is odd: the last row and column are dropped) |"),
    ("08-cnn-training", "cnn-intro", f"`Flatten()` | {32 * P2 * P2} |"),
    ("08-cnn-training", "cnn-build-exercise", f"nn.Linear({32 * P2 * P2}, 128)"),
    # 08-cnn-training: check-your-understanding answers
    ("08-cnn-training", "summary", "1. Max: {} (all to the 7); average: {} each; four zeros: {} to the top-left one".format(
        ", ".join(f"{v:g}" for v in _first_max_grad([1, 7, 3, 2], 5)), 5 / 4, f"{_first_max_grad([0, 0, 0, 0], 5)[0]:g}")),
    ("08-cnn-training", "summary", f"$H_{{out}} = W_{{out}} = 13 - 3 + 1 = {_size(13, 3)}$: `cols` $(32 \\cdot 11 \\cdot 11,\\ "
                                   f"16 \\cdot 9) = ({32 * _size(13, 3) ** 2}, {16 * 9})$, `g`\n   $({32 * _size(13, 3) ** 2}, 32)$"),
    # 09: a batch of 1 stays below 1/2 FLOP/byte in float32
    ("09-gpu", "roofline-intro", "below ½ FLOP/byte in float32 whatever the layer's size ($2kn$ FLOPs for at least $4kn$ bytes"),
    # 09: the im2col copy of the course CNN's second convolution against its outputs
    ("09-gpu", "memory-after", f"$16 \\cdot 9 = {16 * 9}$ values per output position, against its 32\noutputs"),
    # 09: check-your-understanding answers
    ("09-gpu", "summary", f"1. $1000/6 \\approx {round(1000 / 6)}$ FLOP/byte"),
    ("09-gpu", "summary", f"= {_tex(2 * 16 * 64 * 32 * 32 * 3 * 9)} \\approx {2 * 16 * 64 * 32 * 32 * 3 * 9 / 1e7:.1f} \\cdot 10^7$ "
                          f"FLOPs ({round(2 * 16 * 64 * 32 * 32 * 3 * 9 / 1e6)} MFLOP)"),
    ("09-gpu", "summary", f"needs about {round(ACT / 1e4) * 10} KB of activations per example"),
    ("09-gpu", "summary", f"$8 \\cdot 10^9 / {round(ACT / 1e4) / 10:g} \\cdot 10^5 \\approx "
                          f"{_tex(int(8e9 / (round(ACT / 1e4) * 1e4) // 1000 * 1000))}$"),
    ("09-gpu", "explain", f"about {round(ACT / 1e4) * 10} KB per example for the course CNN, so about "
                          f"{round(1e5 * ACT / 1e9)} GB"),
]


@pytest.mark.parametrize("lesson, cell, text", CLAIMS, ids=[f"{c[0]}:{c[1]}:{i}" for i, c in enumerate(CLAIMS)])
def test_text_states_the_computed_number(lesson: str, cell: str, text: str) -> None:
    source = _cells(lesson)[cell]
    assert text in source, f"solutions/{lesson} cell {cell!r} should say {text!r}"


def test_batch_of_one_stays_below_half_a_flop_per_byte() -> None:
    from dlgrade.lessons.l09_gpu.intensity import matmul_intensity

    assert all(matmul_intensity(1, k, n, 4) < 0.5 for k in (10, 784, 4608, 10**5) for n in (1, 10, 128, 10**4))


def test_training_setup_the_text_describes() -> None:
    """08-cnn-training's train-intro: split 3,500 / 500 / 1,000, 5 epochs, batches of 32, eta from 0.003, 256 units."""
    cells = _cells("08-cnn-training")
    text, code = cells["train-intro"], cells["cnn-train"]
    assert "SEED, EPOCHS, LR, BATCH = 0, 5, 3e-3, 32" in code
    assert "images[:3500]" in code and "images[3500:4000]" in code and "images[4000:]" in code
    assert "nn.Linear(784, 256)" in code
    for phrase in ("(the first 3,500)", "(the\nnext 500", "(the last 1,000", "batches of 32", "from\n0.003 down to 0 over 5 epochs",
                   "hidden layer of 256 units"):
        assert phrase in text, phrase


def test_the_bar_the_notebook_prints_is_the_graders() -> None:
    """08-cnn-training's cnn-test cell tells the learner the accuracy the check asks for: the grader's own."""
    from dlgrade.lessons.l08_cnn import training

    found = re.findall(r"^BAR = ([0-9.]+)", _cells("08-cnn-training")["cnn-test"], flags=re.M)
    assert found and float(found[0]) == training.THRESHOLD, (found, training.THRESHOLD)


def test_your_cnn_has_about_half_the_mlps_parameters() -> None:
    """learned-intro and the summary: 'about half the MLP's parameters', 'about twice its parameters'."""
    from dlkit import nn

    cnn = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3), nn.ReLU(),
                        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(800, 128), nn.ReLU(), nn.Linear(128, 10))
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    ratio = sum(p.numel() for p in cnn.parameters()) / sum(p.numel() for p in mlp.parameters())
    assert 0.4 <= ratio <= 0.6, ratio
    cells = _cells("08-cnn-training")
    assert "about half the MLP's parameters" in cells["learned-intro"]
    assert "about twice its parameters" in cells["summary"]


@pytest.mark.parametrize("lesson", LESSONS)
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
