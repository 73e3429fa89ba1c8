"""The attack suite (issue #19, item 8) under pytest: every attack of tests/course/attacks gets nothing, and the
honest controls graded before, during and after them keep exactly their points, unflagged.

One run of the whole suite per session (shared by xdist workers): about 60 gradings (47 attack notebooks, their 3
honest partners, 5 controls, 3 of them twice) through `dlcourse collect` → `grade` → `feedback` → `export`, 5 to 15
minutes of two cores, so the module is slow (run by `make test` and CI; `QUICK=1` leaves it out).
`python -m tests.course.attacks` runs the same and prints the table.

An attack "gets nothing" when its targeted test cells score 0, or the instructor is told (a flag in the result
AND a line in the grade summary), and its own check (feedback page, CSV, collect, host disk) holds.
KNOWN_OPEN lists attacks that still get through, with why: they are strict xfails, so the day one is fixed the
test says so and the entry must go. Attacks that rely on a containment layer this machine lacks are expected to
get through here (non-strict xfail, with the layer named).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from dlcourse.autograde.containment import probe

from .attacks import ATTACKS
from .attacks.pipeline import CONTROLS, keep, load, run_suite
from .attacks.verdicts import SUCCEEDS, judge, judge_control, table
from .conftest import once_per_session

pytestmark = pytest.mark.slow
BOX = probe(2)
LAYERS = {"namespaces": BOX.namespaces, "seccomp": BOX.seccomp}

# Attacks that get through today: name -> why (see `python -m tests.course.attacks` and issue #19). Since the
# lock-out moved into the kernel's files (dlcourse/autograde/lockout.py), torch was masked and notebooks left out
# of the kernel's folder, saved-aliases, apply-guard-off, forward-direct, reload-module, exec-source,
# replace-invoke and print-hidden-tests get nothing; of round 2 (attacks/round2.py, written against that design),
# these two still get through.
KNOWN_OPEN: dict[str, str] = {
    "conv-as-linear": ("lesson 01's predict computed as a 1x1 convolution (Conv2d.forward called directly): another "
                       "route to X @ w + b through an op lesson 01 does not grade; the lock-out blocks each "
                       "exercise's own operation, not every op that can express a product (numpy can too)"),
    "silent-reference-call": ("the blocked F.mse_loss is called and the record of the refused call cleared: the call "
                              "fails (0 points), but the flag is lost, because that record lives in the learner's "
                              "process; the stub in the kernel's files does not report to the grader"),
}


def _param(attack):
    marks = []
    if attack.name in KNOWN_OPEN:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_OPEN[attack.name]))
    elif attack.needs and not LAYERS.get(attack.needs, True):
        marks.append(pytest.mark.xfail(reason=f"needs the {attack.needs} layer, missing here: {BOX.describe()}"))
    return pytest.param(attack.name, marks=marks, id=attack.name)


@pytest.fixture(scope="session")
def run(tmp_path_factory: pytest.TempPathFactory):
    def make(folder: Path):
        result = run_suite(folder, ATTACKS)
        keep(result, folder / "run.json")
        return result.root, subprocess.CompletedProcess([], 0, str(folder / "run.json"), "")

    _, proc = once_per_session(tmp_path_factory, "attacks", make)
    return load(Path(proc.stdout), ATTACKS)


BY_NAME = {a.name: a for a in ATTACKS}


def test_the_suite_is_big_enough() -> None:
    graded = [a for a in ATTACKS if not a.collect_only and not a.helper]
    assert len(graded) >= 35, len(graded)
    classes = {a.klass for a in ATTACKS}
    assert len(classes) >= 10, classes


def test_every_submission_reached_the_grader(run) -> None:
    """Each attack notebook was collected, and each was graded or failed by name (none silently lost)."""
    for attack in ATTACKS:
        if attack.collect_only:
            continue
        assert (run.course / "submitted" / attack.student).is_dir(), attack.student
        assert run.result(attack.student) or run.failed(attack.student), attack.student
    assert run.commands["feedback"].returncode == 0, run.commands["feedback"].stderr[-2000:]
    assert run.commands["export"].returncode == 0, run.commands["export"].stderr[-2000:]


@pytest.mark.parametrize("student", sorted(CONTROLS))
def test_controls_keep_their_marks(run, student: str) -> None:
    row = judge_control(run, student)
    assert row.verdict == "ok", (row, run.scores(student), run.flags(student))


@pytest.mark.parametrize("name", [_param(a) for a in ATTACKS if not a.helper])
def test_attack_gets_nothing(run, name: str) -> None:
    row = judge(run, BY_NAME[name])
    assert row.verdict != SUCCEEDS, f"{name}: {row.points} {row.flagged} — {row.detail}"


def test_table_names_every_attack(run) -> None:
    text = table([judge(run, a) for a in ATTACKS])
    for attack in ATTACKS:
        assert attack.name in text
