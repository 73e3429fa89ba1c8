"""Made-up submissions of lesson 01-linear-regression: correct, partly correct, wrong, hostile, broken, cheating.

Each is built from the real notebooks (the student version from `dlcourse release`, the instructor's solution
for correct answers) by editing answer cells, so the tests follow the lesson when it changes. Used by the
tests in this folder and by benchmarks/grading_load.py (200 submissions).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Callable

import nbformat
from nbformat import NotebookNode

LESSON = "01-linear-regression"
ANSWERS = ("predict", "mse", "mse-gradients", "normal-equations")  # answer cells, in notebook order
TESTS = {"predict": "test-predict", "mse": "test-mse", "mse-gradients": "test-mse-gradients",
         "normal-equations": "test-normal-equations"}
POINTS = {"test-predict": 1, "test-mse": 1, "test-mse-gradients": 2, "test-normal-equations": 2}

# Wrong answers that still run (each scores zero on its own test).
WRONG = {
    "predict": "def predict(X, w, b):\n    return X @ w - b\n",
    "mse": "def mse(y_pred, y):\n    return float(((y_pred - y) ** 2).sum())\n",
    "mse-gradients": "def mse_gradients(X, y, w, b):\n    r = X @ w + b - y\n    return X.T @ r, r.sum()\n",
    "normal-equations": "def normal_equations(X, y):\n    import numpy as np\n    return np.zeros(X.shape[1]), 0.0\n",
}

# Hostile code, placed at the top of one answer cell (the rest of the cell is the correct answer).
HOSTILE = {
    "loop": "while True:\n    pass\n",
    "loop-ignoring-sigint": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n",
    "sleep": "import time\ntime.sleep(5.5)\n",  # in every answer cell: together past the notebook limit
    "fork-bomb": "import os\nwhile True:\n    os.fork()\n",
    "memory-50g": "hog = bytearray(50 * 2**30)\n",
    "memory-creep": "hog = []\nwhile True:\n    hog.append(bytearray(64 * 2**20))\n",
    "memory-children": ("import subprocess, sys\nkids = [subprocess.Popen([sys.executable, '-c', "
                        "'b = bytearray(700 * 2**20); import time; time.sleep(60)']) for _ in range(8)]\n"
                        "[k.wait() for k in kids]\n"),
    "print-100mb": "print('x' * 100_000_000)\n",
    "print-flood": "for _ in range(2_000_000):\n    print('flood ' * 8)\n",
    "file-1gb": ("chunk = b'\\0' * 2**20\nwith open('big.bin', 'wb') as fh:\n    for _ in range(1024):\n"
                 "        fh.write(chunk)\n"),
}


def _meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def load(root: Path) -> tuple[NotebookNode, NotebookNode]:
    """(student version, solution) of the lesson in a project folder."""
    student = nbformat.read(root / "lessons" / LESSON / f"{LESSON}.ipynb", as_version=4)
    solution = nbformat.read(root / "solutions" / LESSON / f"{LESSON}.ipynb", as_version=4)
    return student, solution


def solution_answers(solution: NotebookNode) -> dict[str, str]:
    """The instructor's answer per answer cell, without the solution markers."""
    out = {}
    for cell in solution.cells:
        gid = _meta(cell).get("grade_id")
        if gid in ANSWERS:
            out[gid] = "\n".join(ln for ln in cell.source.splitlines() if "### BEGIN SOLUTION" not in ln
                                 and "### END SOLUTION" not in ln) + "\n"
    return out


def build(student: NotebookNode, answers: dict[str, str]) -> NotebookNode:
    """The student version with the given answer cells filled in (others left as stubs)."""
    nb = copy.deepcopy(student)
    for cell in nb.cells:
        gid = _meta(cell).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


def correct(student: NotebookNode, solution: NotebookNode) -> NotebookNode:
    return build(student, solution_answers(solution))


def partly(student: NotebookNode, solution: NotebookNode, right: tuple[str, ...]) -> NotebookNode:
    """Correct answers for `right`, wrong (but running) answers for the rest."""
    good = solution_answers(solution)
    return build(student, {gid: good[gid] if gid in right else WRONG[gid] for gid in ANSWERS})


def hostile(student: NotebookNode, solution: NotebookNode, case: str, where: str = "normal-equations"
            ) -> NotebookNode:
    """Correct answers, with the hostile code `case` first in the answer cell `where` ("all": every cell)."""
    good = solution_answers(solution)
    cells = ANSWERS if where == "all" else (where,)
    return build(student, {gid: (HOSTILE[case] + good[gid] if gid in cells else good[gid]) for gid in ANSWERS})


def max_points() -> int:
    return sum(POINTS.values())


def expected(right: tuple[str, ...]) -> int:
    """Points for a notebook whose answers in `right` are correct."""
    return sum(POINTS[TESTS[gid]] for gid in right)


def write(nb: NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def write_raw(text: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def mutate_json(nb: NotebookNode, change: Callable[[dict], None]) -> str:
    """The notebook as JSON text after `change` edits its plain-dict form."""
    data = json.loads(nbformat.writes(nb))
    change(data)
    return json.dumps(data, indent=1)


def scores(root: Path, student: str) -> dict[str, float | None]:
    """Points per graded cell of one student, from the gradebook."""
    from dlcourse.gradebook import class_scores
    from dlcourse.project import Project

    return {r["cell"]: r["points"] for r in class_scores(Project(root).gradebook, LESSON) if r["student"] == student}


def auto_total(root: Path, student: str) -> float:
    return sum(v or 0 for k, v in scores(root, student).items() if k in POINTS)


def result(root: Path, student: str) -> dict:
    """The committed result record (flags, diagnoses) of one student."""
    path = root / "course" / ".grade-state" / LESSON / "results" / f"{student}.json"
    return json.loads(path.read_text(encoding="utf-8"))
