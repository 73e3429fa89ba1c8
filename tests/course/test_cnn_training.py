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
def test_cnn_beats_mlp_on_every_seed_and_the_bar_has_margin() -> None:
    from dlgrade.lessons.l08_cnn import training

    results = [run_seed(seed) for seed in SEEDS]
    cnn, mlp = [r[0] for r in results], [r[1] for r in results]
    assert all(c > m for c, m in results), f"CNN {cnn} vs MLP {mlp}"
    assert max(mlp) < training.THRESHOLD <= min(cnn) - 0.02, \
        f"bar {training.THRESHOLD} vs best MLP seed {max(mlp)} and worst CNN seed {min(cnn)}"


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
