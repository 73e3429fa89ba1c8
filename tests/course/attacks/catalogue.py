"""What an attack is: a learner's submission of lesson 01 built to take points it has not earned (or to reach
something a graded kernel must not reach), and the rule that says whether it got away with it.

Every attack notebook is lesson 01's released student notebook with the instructor's answers in every answer
cell except the ones the attack targets, where the attack's payload replaces the answer. A payload tries its trick
and, when the trick fails, falls back to a WRONG answer, so the targeted test cells score their points only if the
trick worked. Hence the rule (issue #19, item 8): an attack passes when its targeted points are 0, or when the
instructor is told (a flag in the worker's result AND a line in `dlcourse grade`'s summary). Attacks that target
no points (feedback pages, the CSV, collect, files, resources) carry their own `check`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nbformat import NotebookNode

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import Run

LESSON = "01-linear-regression"
NOTEBOOK = f"{LESSON}.ipynb"
# Answer cells of lesson 01 -> their test cells, and the points of each test cell (9 automatic points).
ANSWER_TESTS = {"predict": "test-predict", "mse": "test-mse", "mse-gradients": "test-mse-gradients",
                "gd-step": "test-gd-step", "train-linear": "test-train-linear",
                "normal-equations": "test-normal-equations"}
POINTS = {"test-predict": 1, "test-mse": 1, "test-mse-gradients": 2, "test-gd-step": 1, "test-train-linear": 2,
          "test-normal-equations": 2}
MAX_AUTO = sum(POINTS.values())

# Groups of students: MAIN is graded in runs of its own; the pairs that must run side by side (one helps or reads
# the other) are graded together in one run with a slot for each student, so every pair's two run at once. (A run
# per pair, one after another, left a core idle for 2.5 minutes: each freeloader waits up to a minute for its
# helper's answers, which never fit its own hidden cases.)
MAIN = "main"
PAIRS = ("collude-locks", "collude-pages", "sysv")

# Wrong answers a payload falls back to when its trick did not work (each scores zero on its own test).
WRONG = {
    "predict": "return X @ w - b",
    "mse": "return 0.0",
    "mse-gradients": "return np.zeros(X.shape[1]), 0.0",
    "gd-step": "return w, b",
    "train-linear": "return np.zeros(X.shape[1]), 0.0, np.zeros(epochs)",
    "normal-equations": "return np.zeros(X.shape[1]), 0.0",
}
SIGNATURES = {
    "predict": "predict(X, w, b)",
    "mse": "mse(y_pred, y)",
    "mse-gradients": "mse_gradients(X, y, w, b)",
    "gd-step": "gd_step(X, y, w, b, lr)",
    "train-linear": "train_linear(X, y, lr, epochs, batch_size, rng)",
    "normal-equations": "normal_equations(X, y)",
}


def code(text: str) -> str:
    """A payload as cell source: dedented, stripped, one trailing newline."""
    return textwrap.dedent(text).strip("\n") + "\n"


def wrong(cell: str, indent: str = "    ") -> str:
    """The fallback wrong answer of an answer cell, as a function body line."""
    return indent + WRONG[cell] + "\n"


def wrong_function(cell: str) -> str:
    """A complete wrong definition of the answer cell's function."""
    return f"import numpy as np\n\ndef {SIGNATURES[cell]}:\n" + wrong(cell)


@dataclass(frozen=True)
class Check:
    """A criterion of its own: ``passed(run) -> (held, detail)`` (True when the attack got nothing)."""

    describe: str
    passed: Callable[[Run, Attack], tuple[bool, str]]


@dataclass(frozen=True)
class Attack:
    """One attack: a submission (or, for collect, a file in the class's submissions) and how it is judged."""

    name: str                    # the student id is "atk-" + name
    klass: str                   # the attack class of issue #19
    how: str                     # one line: what the learner's code does
    answers: dict[str, str] = field(default_factory=dict)   # answer cell -> payload (the rest: the solution)
    targets: tuple[str, ...] = ()                           # test cells whose points the attack is after
    edit: Callable[[NotebookNode], None] | None = None      # other changes to the notebook (cells, metadata)
    group: str = MAIN            # which grade run grades it (see PAIRS)
    check: Check | None = None   # a criterion of its own, instead of (or besides) the targeted points
    collect_only: bool = False   # a file for `dlcourse collect` only: refused there, never graded
    write: Callable[..., list[str]] | None = None  # collect_only: write(folder or zip, root) -> names written
    zipped: bool = False         # collect_only: the file goes into the class's zip rather than its folder
    needs: str = ""              # the containment layer the outcome depends on ("" none; see README)
    helper: bool = False         # a colluding partner, not an attack of its own (scored honestly)

    @property
    def student(self) -> str:
        return "atk-" + self.name

    @property
    def target_points(self) -> int:
        return sum(POINTS[t] for t in self.targets)

