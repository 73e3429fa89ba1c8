"""Cheating attempts: none can raise a score; each is flagged where it can be detected.

Every cheating notebook has a WRONG `predict` (worth 1 point) and correct answers elsewhere, then tries to make
`test-predict` pass anyway (or, for torch, replaces a correct `mse` with a call to torch). So a cheat that worked
would show up as one point too many. Built from lesson 01's real student version and solution.

What each relies on: the fake check, patched builtins, patched reference/registry/guard and silenced tracebacks are
undone in the kernel before each test cell (dlcourse.autograde.integrity) and a passing check must print its verdict
(dlcourse.autograde.execute.IntegrityReport); calling the reference or torch is refused by dlgrade's guard; an
edited or deleted locked test cell is restored by nbgrader's OverwriteCells; reading solutions and writing the
gradebook or other students' folders is prevented by the sandbox user plus the private mount namespace (those
two cases skip where that containment is unavailable).
"""
from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from dlcourse.autograde.containment import probe

from . import submissions as S
from .conftest import copy_course, dlcourse, once_per_session

BOX = probe(2)
pytestmark = pytest.mark.slow  # 16 notebooks graded, about 1.5 min of two cores: `make test` leaves it out, `make test FULL=1` runs it
WRONG = S.WRONG["predict"]
SOLUTION_NB = f"solutions/{S.LESSON}/{S.LESSON}.ipynb"

# case -> (code placed before the wrong predict, words one of its flags must contain, or None: not detectable)
CHEATS = {
    "fake-check": ("def check(*args, **kwargs):\n    print('✓ all cases match')\n", "`check` was redefined"),
    "builtin-check": ("import builtins\nbuiltins.check = lambda *a, **k: print('✓ all cases match')\n"
                      "del check\n", "builtin check was added"),
    "builtins-patched": ("import builtins\nbuiltins.abs = lambda x: 0.0\nbuiltins.all = lambda *a: True\n",
                         "builtin abs was replaced"),
    "patch-registry": ("import dataclasses\nimport dlgrade.registry as R\nimport dlgrade.lessons.l01_linear_regression.model as L\n"
                       "R._load()\nR._REGISTRY['linreg.predict'] = dataclasses.replace(\n"
                       "    R._REGISTRY['linreg.predict'], reference=lambda X, w, b: X @ w - b, mistakes=())\n"
                       "L.predict = lambda X, w, b: X @ w - b\n",
                       "exercise linreg.predict was replaced in the registry"),
    "patch-reference": ("import dlgrade.registry as R\nR._load()\n"
                        "object.__setattr__(R._REGISTRY['linreg.predict'], 'reference', lambda X, w, b: X @ w - b)\n"
                        "object.__setattr__(R._REGISTRY['linreg.predict'], 'mistakes', ())\n",
                        "exercise linreg.predict.reference was replaced"),
    "guard-off": ("import dlgrade.harness.guard as G\nclass _Off:\n    active = None\n    violations = []\n"
                  "    def __setattr__(self, key, value):\n        pass\nG._state = _Off()\n",
                  "dlgrade.harness.guard._state was replaced"),
    "silenced": ("import os, sys\nip = get_ipython()\nip.showtraceback = lambda *a, **k: None\n"
                 "ip.set_custom_exc((BaseException,), lambda *a, **k: print('✓'))\n"
                 "sys.stderr = open(os.devnull, 'w')\n", "IPython shell"),
}
# Whole answer cells (replacing the wrong predict or a correct answer).
CALLS = {
    "call-reference": ("predict", "def predict(X, w, b):\n    from dlgrade.lessons.l01_linear_regression import model as linreg\n"
                       "    return linreg.predict(X, w, b)\n", "called the reference"),
    "call-guard-off-reference": ("predict", CHEATS["guard-off"][0] + "def predict(X, w, b):\n"
                                 "    from dlgrade.lessons.l01_linear_regression import model as linreg\n    return linreg.predict(X, w, b)\n",
                                 "dlgrade.harness.guard._state was replaced"),
    "call-torch": ("mse", "def mse(y_pred, y):\n    import torch\n    return float(torch.nn.functional.mse_loss("
                   "torch.as_tensor(y_pred), torch.as_tensor(y)))\n", "called the reference (or torch)"),
}
LOCKED = {"edit-test": "locked test cell 'test-predict' edited", "delete-test": "locked test cell 'test-predict' deleted"}
FILES = ("read-solutions", "write-others", "edit-test", "delete-test")


def _read_solutions(root: Path) -> str:
    """An answer cell that takes `predict` from the instructor's solution when it can read it."""
    return (f"import json\nfound = []\nfor path in [{str(root / SOLUTION_NB)!r}, "
            f"{str(root / 'course' / 'source' / S.LESSON / f'{S.LESSON}.ipynb')!r}]:\n"
            "    try:\n        cells = json.load(open(path))['cells']\n    except Exception as exc:\n"
            "        print('cannot read', path, type(exc).__name__)\n        continue\n"
            "    for c in cells:\n        if c['metadata'].get('nbgrader', {}).get('grade_id') == 'predict':\n"
            "            exec(''.join(c['source']), globals())\n            found.append(path)\n"
            "print('read:', found)\n")


def _write_others(root: Path) -> str:
    """An answer cell that tries to raise its own score in the gradebook and damage another student's work."""
    targets = [root / "course" / "gradebook.db", root / "course" / "submitted" / "good" / S.LESSON / f"{S.LESSON}.ipynb",
               root / "course" / "autograded" / "good" / S.LESSON / f"{S.LESSON}.ipynb",
               root / "course" / ".grade-state" / S.LESSON / "results" / "good.json"]
    return (f"for path in {[str(t) for t in targets]!r}:\n    try:\n        with open(path, 'r+b') as fh:\n"
            "            fh.write(b'cheater was here')\n        print('WROTE', path)\n"
            "    except Exception as exc:\n        print('cannot write', path, type(exc).__name__)\n"
            "import sqlite3\ntry:\n"
            f"    db = sqlite3.connect({str(root / 'course' / 'gradebook.db')!r})\n"
            "    db.execute('update grade set auto_score = 100')\n    db.commit()\n"
            "    print('WROTE gradebook')\nexcept Exception as exc:\n    print('cannot update gradebook', exc)\n")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _outputs(root: Path, student: str) -> str:
    """Every stream output of a student's autograded notebook, as one text."""
    nb = json.loads((root / "course" / "autograded" / student / S.LESSON / f"{S.LESSON}.ipynb"
                     ).read_text(encoding="utf-8"))
    return "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []))


def _grade_cheaters(folder: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    root = copy_course(folder / "project")
    dlcourse(root, "release", S.LESSON, check=True)
    student, solution = S.load(root)
    good = S.solution_answers(solution)
    inbox = root.parent / "inbox"
    S.write(S.correct(student, solution), inbox / "good.ipynb")
    for case, (code, _) in CHEATS.items():
        S.write(S.build(student, {**good, "predict": code + WRONG}), inbox / f"{case}.ipynb")
    for case, (cell, code, _) in CALLS.items():
        S.write(S.build(student, {**good, cell: code}), inbox / f"{case}.ipynb")
    S.write(S.build(student, {**good, "predict": _read_solutions(root) + "if not found:\n" +
                              "".join("    " + ln + "\n" for ln in WRONG.splitlines())}), inbox / "read-solutions.ipynb")
    S.write(S.build(student, {**good, "predict": _write_others(root) + WRONG}), inbox / "write-others.ipynb")
    noisy = ("import sys, warnings\n" + good["predict"].replace(
        "def predict(X, w, b):\n", "def predict(X, w, b):\n    warnings.warn('a harmless warning')\n"
        "    print('note on stderr', file=sys.stderr)\n", 1))
    S.write(S.build(student, {**good, "predict": noisy}), inbox / "noisy.ipynb")
    edited = S.build(student, {**good, "predict": WRONG})
    for cell in edited.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test-predict":
            cell.source = "print('✓ linreg.predict: all cases match')"
    S.write(edited, inbox / "edit-test.ipynb")
    deleted = S.build(student, {**good, "predict": WRONG})
    deleted.cells = [c for c in deleted.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test-predict"]
    S.write(deleted, inbox / "delete-test.ipynb")
    dlcourse(root, "collect", S.LESSON, str(inbox), check=True)
    sub = root / "course" / "submitted" / "good" / S.LESSON / f"{S.LESSON}.ipynb"
    (root.parent / "good.sha256").write_text(_digest(sub))
    # One job: the honest student is graded before or after the cheaters, either way it must come out intact.
    proc = dlcourse(root, "grade", S.LESSON, "--jobs", "2", "--no-progress", "--cell-timeout", "30")
    return root, proc


@pytest.fixture(scope="session")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One graded class of cheaters per session (shared by the xdist workers)."""
    return once_per_session(tmp_path_factory, "cheating", _grade_cheaters)


def test_every_cheater_is_graded(run) -> None:
    root, proc = run
    total = 2 + len(CHEATS) + len(CALLS) + len(FILES)
    assert f"{total} graded, 0 unchanged since the last run, 0 failed" in proc.stdout, proc.stdout + proc.stderr
    assert S.auto_total(root, "good") == S.max_points()
    assert not S.result(root, "good")["flags"]


@pytest.mark.parametrize("case", sorted(CHEATS) + sorted(CALLS) + ["edit-test", "delete-test"])
def test_cheat_raises_no_score_and_is_flagged(run, case: str) -> None:
    root, _ = run
    cheated = CALLS[case][0] if case in CALLS else "predict"
    scores = S.scores(root, case)
    flags = S.result(root, case)["flags"]
    assert scores[S.TESTS[cheated]] == 0, (scores, flags)
    assert S.auto_total(root, case) == S.max_points() - S.POINTS[S.TESTS[cheated]], (scores, flags)
    words = CHEATS[case][1] if case in CHEATS else CALLS[case][2] if case in CALLS else LOCKED[case]
    assert any(words in f for f in flags), flags


@pytest.mark.skipif(not BOX.isolated, reason=f"needs a sandbox user and a mount namespace: {BOX.describe()}")
def test_solutions_and_hidden_tests_cannot_be_read(run) -> None:
    root, _ = run
    assert S.scores(root, "read-solutions")["test-predict"] == 0
    text = _outputs(root, "read-solutions")
    assert "read: []" in text and "cannot read" in text, text[:2000]


@pytest.mark.skipif(not BOX.isolated, reason=f"needs a sandbox user and a mount namespace: {BOX.describe()}")
def test_gradebook_and_other_students_cannot_be_written(run) -> None:
    root, _ = run
    assert S.auto_total(root, "write-others") == S.max_points() - 1
    assert S.auto_total(root, "good") == S.max_points()
    sub = root / "course" / "submitted" / "good" / S.LESSON / f"{S.LESSON}.ipynb"
    assert _digest(sub) == (root.parent / "good.sha256").read_text()
    text = _outputs(root, "write-others")
    assert "WROTE" not in text and "cannot write" in text, text[:3000]
    assert S.result(root, "good")["flags"] == []


def test_stderr_noise_from_a_correct_answer_does_not_zero_the_test(run) -> None:
    """A correct answer that warns (stderr inside the test cell) keeps its points; nbgrader alone gives zero."""
    root, _ = run
    assert "note on stderr" in _outputs(root, "noisy")
    assert S.auto_total(root, "noisy") == S.max_points(), S.scores(root, "noisy")
