"""Lesson 10-training-in-practice: what its text says matches what its code does.

Numbers about the lesson's data, models and runs are printed by its cells (course/README.md, "Numbers"). This file
covers the rest: arithmetic the text does itself, the set-up each demo's text describes (sizes, steps, ranges)
against the code that runs it, the exercise table against the graded cells, and, in one slow test that runs the
notebook, every sentence that describes a run in words ("the scheduled run ends with the lower loss").
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from .conftest import run_all_headless

REPO = Path(__file__).resolve().parents[2]
LESSON = "10-training-in-practice"
NOTEBOOK = REPO / "solutions" / LESSON / f"{LESSON}.ipynb"


def _cells() -> dict[str, str]:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    return {c["id"]: "".join(c["source"]) for c in nb["cells"]}


# (cell, exact text): arithmetic the text states, each built from the computed value
ARITHMETIC = [
    ("loss-intro", f"\\log 10 \\approx {math.log(10):.2f}"),
    ("summary", f"$\\log 100 \\approx {math.log(100):.2f}$"),
    ("summary", f"$\\log 1000 \\approx {math.log(1000):.2f}$"),
    ("summary", f"$10 / 0.01 = {10 / 0.01:.0f}$"),
    ("setup", f"shrunk to {28 // 2} × {28 // 2} (means of 2 × 2 blocks), standardized, flattened to {(28 // 2) ** 2}"),
]

# (text cell, phrase, code cell, code that makes the phrase true)
SETUP = [
    ("sanity-demo-intro", "first loss of a fresh network on 500 digits", "sanity-demo", "train_x[:500]"),
    ("sanity-demo-intro", "every\nweight ten times larger", "sanity-demo", '("weights x 10", 10)'),
    ("sanity-demo-intro", "small ReLU network on 8 tiny digits", "sanity-demo", "train_x[:8]"),
    ("overfit-intro", "on 20 examples", "overfit-demo", "train_x[:20]"),
    ("overfit-intro", "20 random labels", "overfit-demo", "integers(0, 10, 20)"),
    ("overfit-intro", "three learning rates of SGD with momentum", "overfit-demo", "for lr, color in ((1e-4, \"C0\"), (1e-2, \"C1\"), (1.0, \"C3\"))"),
    ("lr-intro", "$10^{-5}$ to 1 in 150 Adam steps", "lr-demo", "def range_test(lo=1e-5, hi=1.0, steps=150)"),
    ("lr-intro", "a tenth of where the smoothed loss is lowest", "lr-demo", "best / 10"),
    ("lr-intro", "start_factor=0.01", "lr-demo", "s.LinearLR(opt, start_factor=0.01, total_iters=warmup)"),
    ("widget-intro", "the first\n200 steps", "lr-widget", "train_x, train_y, 200)"),
    ("widget-intro", "from $10^{-5}$ to 1", "lr-widget", "min=-5, max=0"),
    ("search-intro", "150 AdamW steps per run", "search-demo", "def trial(lr, weight_decay, steps=150)"),
    ("search-intro", "learning rate in\n$[10^{-4}, 10^{-1}]$, weight decay in $[10^{-3}, 1]$", "search-demo",
     "np.logspace(-4, -1, 3) for wd in np.logspace(-3, 0, 3)"),
    ("search-intro", "random search**\ndraws nine pairs", "search-demo", "draw.uniform(-4, -1, 9), 10 ** draw.uniform(-3, 0, 9)"),
    ("adamw-demo-intro", "Adam + L2 ($\\lambda = 0.01$) and with AdamW ($\\lambda = 1$", "adamw-demo",
     '(("Adam + L2, λ = 0.01", optim.Adam, 1e-2), ("AdamW, λ = 1", optim.AdamW, 1.0))'),
    ("adamw-demo-intro", "into quarters", "adamw-demo", "np.quantile(rms, [0, 0.25, 0.5, 0.75, 1.0])"),
    ("augment-demo-intro", "shifts up to 2 pixels, turns up to 15°", "augment-demo", "max_shift=2, max_angle=15.0"),
    ("augment-demo-intro", "only **500** digits for 30 epochs", "augment-demo", "train_x[:500]"),
    ("augment-demo-intro", "30 epochs", "augment-demo", "for epoch in range(30)"),
    ("residual-intro", "20 blocks of width 64", "residual-demo", "def deep(block, depth=20, width=64)"),
    ("residual-intro", "over 200 Adam steps", "residual-demo", "train_x, train_y, 200)"),
    ("residual-intro", "**residual** `h + linear(relu(layernorm(h)))`", "residual-demo",
     "return h + self.linear(F.relu(self.norm(h)))"),
    ("inside-intro", "two epochs of Adam with a cosine", "cnn-train", "cnn_steps = 2 * len(train_x) // 64"),
    ("inside-intro", "the eight test digits", "cnn-train", "[:8]"),
    ("saliency-intro", "four test digits that the attack turns", "saliency-demo",
     "np.flatnonzero((predicted == test_y) & (read_attacked != test_y))[:4]"),
    ("saliency-intro", "$\\epsilon = 0.1$", "saliency-demo", "EPS = 0.1"),
]


@pytest.mark.parametrize("cell, text", ARITHMETIC, ids=[f"{c}:{i}" for i, (c, _) in enumerate(ARITHMETIC)])
def test_text_states_the_computed_number(cell: str, text: str) -> None:
    assert text in _cells()[cell], f"cell {cell!r} should say {text!r}"


@pytest.mark.parametrize("text_cell, phrase, code_cell, code", SETUP,
                         ids=[f"{t}:{i}" for i, (t, *_) in enumerate(SETUP)])
def test_text_describes_the_code(text_cell: str, phrase: str, code_cell: str, code: str) -> None:
    cells = _cells()
    assert phrase in cells[text_cell], f"cell {text_cell!r} should say {phrase!r}"
    assert code in cells[code_cell], f"cell {code_cell!r} should contain {code!r} (what {text_cell!r} describes)"


def test_exercise_table_matches_the_graded_cells() -> None:
    """The intro's table: each exercise's points are the points of its test cells, and the total is the lesson's."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    points = {c["id"]: c["metadata"]["nbgrader"].get("points", 0) for c in nb["cells"]
              if c["metadata"].get("nbgrader", {}).get("grade")}
    table = {int(n): int(p) for n, p in re.findall(r"^\| (\d) \| .* \| (\d) \|$", _cells()["intro"], re.M)}
    tests = {1: ["test-initial-loss"], 2: ["test-gradient-check"], 3: ["test-overfit", "test-update-ratios"],
             4: ["test-adamw"], 5: ["test-shift", "test-rotate"], 6: ["test-layernorm-forward", "test-layernorm-backward"]}
    assert table == {n: sum(points[t] for t in ids) for n, ids in tests.items()}
    assert sum(points.values()) == sum(table.values())
    for n, ids in tests.items():
        assert f"**Exercise {n} ({table[n]} point{'s' if table[n] > 1 else ''}).**" in "\n".join(_cells().values())


def _printed(nb: dict) -> dict[str, str]:
    out = {}
    for cell in nb["cells"]:
        text = []
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                text.append("".join(o["text"]))
            elif o.get("output_type") == "error":
                raise AssertionError(f"cell {cell['id']} raised {o['ename']}: {o['evalue']}")
        out[cell["id"]] = "".join(text)
    return out


def _numbers(pattern: str, text: str) -> list[float]:
    found = re.findall(pattern, text)
    assert found, f"{pattern!r} not in {text!r}"
    return [float(x) for x in (found[0] if isinstance(found[0], tuple) else found)]


@pytest.mark.slow
def test_runs_behave_as_the_text_says(tmp_path: Path) -> None:
    """Run the notebook once; every sentence that describes a run in words holds for what the cells print."""
    out = tmp_path / "run.ipynb"
    run_all_headless(NOTEBOOK, out, timeout=900)
    printed = _printed(json.loads(out.read_text(encoding="utf-8")))

    # loss-intro: the default start is near log C, the start with weights x 10 far above it
    default, log_c = _numbers(r"default init: ([\d.]+) \(log C = ([\d.]+)\)", printed["sanity-demo"])
    (large,) = _numbers(r"weights x 10: ([\d.]+)", printed["sanity-demo"])
    assert abs(default - log_c) < 0.1 and large > 3 * log_c
    # overfit-intro: "weight2 and bias2 ... stay tiny, weight1 and bias1 ... are wrong" (the sanity demo's text)
    good = _numbers(r"correct ReLU: errors of weight1, bias1, weight2, bias2 = (\S+)  (\S+)  (\S+)  (\S+)",
                    printed["sanity-demo"])
    bad = _numbers(r"without its mask: errors of weight1, bias1, weight2, bias2 = (\S+)  (\S+)  (\S+)  (\S+)",
                   printed["sanity-demo"])
    assert max(good) < 1e-7 and min(bad[:2]) > 1e-3 and max(bad[2:]) < 1e-7
    # overfit-intro: 20 digits to nearly zero; "memorizes 20 random labels just as well"
    true_end, random_end = _numbers(r"-> (\S+) \(true labels\), \S+ -> (\S+) \(random labels\)", printed["overfit-demo"])
    assert true_end < 1e-3 and random_end < 1e-2
    # widget-intro: the scheduled run ends with the lower loss and the higher validation accuracy
    constant = _numbers(r"constant lr: .*mean loss ([\d.]+), validation accuracy ([\d.]+)%", printed["lr-demo"])
    scheduled = _numbers(r"warm-up \+ cosine: .*mean loss ([\d.]+), validation accuracy ([\d.]+)%", printed["lr-demo"])
    assert scheduled[0] < constant[0] and scheduled[1] > constant[1]
    # search-intro: on this run random search finds the better setting
    (grid,) = _numbers(r"grid search: best validation accuracy ([\d.]+)%", printed["search-demo"])
    (rand,) = _numbers(r"random search: best validation accuracy ([\d.]+)%", printed["search-demo"])
    assert rand > grid
    # adamw-after: L2 takes much more from the small-gradient weights; AdamW similar fractions for all four
    l2 = _numbers(r"Adam \+ L2.*: ([\d.]+), ([\d.]+), ([\d.]+), ([\d.]+);", printed["adamw-demo"])
    decoupled = _numbers(r"AdamW, λ = 1: .*: ([\d.]+), ([\d.]+), ([\d.]+), ([\d.]+);", printed["adamw-demo"])
    assert l2[-1] - l2[0] > 0.2 and max(decoupled) - min(decoupled) < 0.15
    # augment-demo-intro: the augmented network ends with the higher validation accuracy
    plain = _numbers(r"as they are: validation accuracy over the last 5 epochs ([\d.]+)%", printed["augment-demo"])
    augmented = _numbers(r"augmented: validation accuracy over the last 5 epochs ([\d.]+)%", printed["augment-demo"])
    assert augmented[0] > plain[0]
    # residual-after: the plain network's first blocks get almost nothing and its loss stays near log 10; the
    # residual one trains
    ratio_plain, loss_plain, _ = _numbers(r"plain: .* = (\S+); after 200 steps: loss ([\d.]+), validation accuracy "
                                          r"([\d.]+)%", printed["residual-demo"])
    _, loss_res, acc_res = _numbers(r"residual: .* = (\S+); after 200 steps: loss ([\d.]+), validation accuracy "
                                    r"([\d.]+)%", printed["residual-demo"])
    assert ratio_plain < 1e-3 and abs(loss_plain - math.log(10)) < 0.1 and loss_res < 1.0 and acc_res > 80
    # saliency-intro: the faint change flips answers that random noise of the same size does not
    clean, noise, attacked = _numbers(r"clean ([\d.]+)%; .* at random ([\d.]+)%; .* sign ([\d.]+)%",
                                      printed["saliency-demo"])
    assert attacked < noise - 5 and noise > clean - 3
