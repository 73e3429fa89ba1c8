"""Lesson 08-cnn-training's promise, measured from the solution notebook's own code: the learner-built CNN beats
the lesson's MLP on the test split for every one of 5 seeds, and the graded bar sits at least 2 points below
the worst CNN seed (so a correct learner cannot miss it through the seed or the summation order).

Slow: 5 × (a CNN of the learner's own layers + the MLP), about 10 s of one core per seed. Run it as a script
to print the table (``python tests/course/test_cnn_training.py``).
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "solutions" / "08-cnn-training" / "08-cnn-training.ipynb"
SEEDS = range(5)
# The cells that define the learner's functions and the training setup, and the ones that train.
SETUP = ("setup", "pool-exercise", "function-exercise", "cnn-layers", "cnn-build-exercise", "cnn-train")
TRAIN = ("cnn-epoch-1", "cnn-epoch-2", "cnn-epoch-3", "cnn-epoch-4", "cnn-epoch-5")
SEED_LINE = re.compile(r"^SEED, EPOCHS, LR, BATCH = 0, ", re.M)


def run_seed(seed: int) -> tuple[float, float]:
    """(CNN test accuracy, MLP test accuracy) of the notebook's training with every seed set to ``seed``."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    cells = {c["id"]: c["source"] for c in json.loads(NOTEBOOK.read_text())["cells"] if c["cell_type"] == "code"}
    assert SEED_LINE.search(cells["cnn-train"]), "the cnn-train cell no longer sets SEED, EPOCHS, LR, BATCH"
    cells["cnn-train"] = SEED_LINE.sub(f"SEED, EPOCHS, LR, BATCH = {seed}, ", cells["cnn-train"])
    ns: dict = {"__name__": "__lesson__"}
    for cell_id in SETUP + TRAIN:
        exec(compile(cells[cell_id], f"<{cell_id}>", "exec"), ns)
    cnn = ns["accuracy"](ns["model"], ns["test_x"], ns["test_y"])
    return cnn, ns["mlp_test"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_cnn_beats_mlp_and_clears_the_bar_with_margin(seed: int) -> None:
    """One seed per test (so the cores share the seeds); over all of them: every CNN beats its MLP, the best MLP
    stays under the bar and the worst CNN clears it by 2 points."""
    from dlgrade.lessons.l08_cnn import training

    cnn, mlp = run_seed(seed)
    assert cnn > mlp, f"seed {seed}: CNN {cnn} vs MLP {mlp}"
    assert mlp < training.THRESHOLD <= cnn - 0.02, f"seed {seed}: bar {training.THRESHOLD} vs MLP {mlp}, CNN {cnn}"


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "course"))
    rows = []
    for seed in SEEDS:
        c, m = run_seed(seed)
        rows.append((seed, c, m))
        print(f"seed {seed}: CNN {c:.1%}  MLP {m:.1%}", flush=True)
    cnn = [r[1] for r in rows]
    mlp = [r[2] for r in rows]
    print(f"CNN {min(cnn):.1%}-{max(cnn):.1%}, MLP {min(mlp):.1%}-{max(mlp):.1%}")
