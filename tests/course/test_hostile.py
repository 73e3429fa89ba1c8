"""Runaway and hostile submissions: each is stopped by its limit, scored for what passed before, flagged with the
reason, and the rest of the class is graded normally.

Every case here runs ONLY under containment that bounds it: processes refused (the seccomp layer: a fork bomb
then fails at its first fork with PermissionError) or capped (a sandbox user when grading as root, or a pids
cgroup), and, for the multi-process memory hog, processes refused or a memory cgroup. Without it the module skips
with the reason; an uncontained fork bomb or memory hog would take the machine down.
Limits are small (1 GiB address space, 32 processes, 16 MB files, 10 s per cell, 30 s per notebook). The sleeper
sleeps 8 s in each of the 4 answer cells: always past the notebook limit (32 s of sleep alone), each cell 2 s
inside the cell limit, and 22 s left for start-up and the first test (the grader judges each test cell with its
own requests to the kernel) even on a loaded machine; an honest notebook takes about 17 s at a load of 10 on
two cores.
"""
from __future__ import annotations

import fcntl
import json
import os
import pwd
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dlcourse.autograde.containment import LOCK_DIR, USER_PREFIX, probe

from . import submissions as S
from .conftest import copy_course, dlcourse, once_per_session

BOX = probe(2)
# Slow (about a minute of two cores, and it forks, floods and hogs on purpose): `make test` and CI run it, `make test QUICK=1` leaves it out.
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not BOX.nproc_enforced,
                                                   reason=f"processes neither refused nor capped here: {BOX.describe()}")]
LIMITS = ("--cell-timeout", "10", "--notebook-timeout", "30", "--memory-mb", "1024", "--max-procs", "32",
          "--file-mb", "16")
SLEEP = "import time\ntime.sleep(8)\n"  # per answer cell (see the module docstring)

# Where processes are refused, starting one fails in the cell itself; where they are only capped, the cap (or the
# memory cgroup, for the children's memory) stops it and a flag names the cell.
STARTED = "PermissionError" if BOX.seccomp else "normal-equations"
# case -> (where the hostile code goes, points expected, words its flags or its cell's outputs must contain)
CASES = {
    "loop": ("normal-equations", 4, "per-cell time limit"),
    "loop-ignoring-sigint": ("normal-equations", 4, "did not stop at its time limit"),
    "sleep": ("all", None, "time limit"),  # the notebook's, or on a busy machine a cell's: stopped either way
    "fork-bomb": ("normal-equations", 4, STARTED),
    "memory-50g": ("normal-equations", 4, "MemoryError"),
    "memory-creep": ("normal-equations", 4, "normal-equations"),
    "print-100mb": ("normal-equations", 6, "output cut"),
    "file-1gb": ("normal-equations", 4, "file-size limit"),
}
if BOX.seccomp or BOX.memory_cgroup:
    CASES["memory-children"] = ("normal-equations", 4, STARTED)


def _grade_hostile(folder: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    root = copy_course(folder / "project")
    dlcourse(root, "release", S.LESSON, check=True)
    student, solution = S.load(root)
    inbox = root.parent / "inbox"
    S.write(S.correct(student, solution), inbox / "good.ipynb")
    S.write(S.partly(student, solution, ("predict", "mse")), inbox / "partly.ipynb")
    for case, (where, _, _) in CASES.items():
        nb = S.hostile(student, solution, case, where)
        if case == "sleep":
            good = S.solution_answers(solution)
            nb = S.build(student, {gid: SLEEP + good[gid] for gid in S.ANSWERS})
        S.write(nb, inbox / f"{case}.ipynb")
    dlcourse(root, "collect", S.LESSON, str(inbox), check=True)
    return root, dlcourse(root, "grade", S.LESSON, "--jobs", "2", "--no-progress", *LIMITS)


@pytest.fixture(scope="session")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One graded class of hostile notebooks per session (shared by the xdist workers)."""
    return once_per_session(tmp_path_factory, "hostile", _grade_hostile)


def test_run_completes_and_others_are_graded_normally(run) -> None:
    root, proc = run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(CASES) + 2} graded, 0 unchanged since the last run, 0 failed" in proc.stdout
    assert S.auto_total(root, "good") == S.max_points()
    assert S.auto_total(root, "partly") == S.expected(("predict", "mse"))
    assert not S.result(root, "good")["flags"]
    assert "containment:" in proc.stdout


def _outputs(root: Path, student: str) -> str:
    """Every stream and error output of a student's autograded notebook, as one text."""
    nb = json.loads((root / "course" / "autograded" / student / S.LESSON / f"{S.LESSON}.ipynb").read_text())
    return "".join("".join(o.get("text", "")) + f"{o.get('ename', '')}: {o.get('evalue', '')}\n"
                   for c in nb["cells"] for o in c.get("outputs", []))


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_case_is_stopped_scored_and_flagged(run, case: str) -> None:
    root, _ = run
    _, points, words = CASES[case]
    flags = S.result(root, case)["flags"]
    assert any(words in f for f in flags) or words in _outputs(root, case), flags
    total = S.auto_total(root, case)
    if points is None:  # the sleeper: what ran before the notebook limit is kept, the rest is zero
        assert S.scores(root, case)["test-predict"] == 1 and total < S.max_points(), flags
    else:
        assert total == points, (S.scores(root, case), flags)


@contextmanager
def _unleased(account: str, timeout: float = 300) -> Iterator[None]:
    """Hold a sandbox account's lease (its flock, as dlcourse.autograde.containment.UserLease takes it), so no other
    grade run (another xdist worker's) has processes under it while it is checked; wait while one does."""
    fd = os.open(LOCK_DIR / f".{account}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                assert time.monotonic() < deadline, f"{account} was leased by another run for {timeout:.0f} s"
                time.sleep(0.5)
        yield
    finally:
        os.close(fd)


def test_nothing_of_the_learners_survives(run) -> None:
    """Every sandbox process is gone once grading is over (forks, children, the kernels themselves).

    Every sandbox account is checked, while no other grade run holds it: one of another test, running at the same
    time in another worker, has live kernels under the account it leased (once this test blamed one of those)."""
    from dlcourse.autograde.containment import uid_pids

    accounts = [(p.pw_name, p.pw_uid) for p in pwd.getpwall() if p.pw_name.startswith(USER_PREFIX)]
    assert {name for name, _, _ in BOX.users} <= {name for name, _ in accounts}
    for name, uid in accounts:
        with _unleased(name):
            assert not uid_pids(uid), name
    root, _ = run
    assert not list((root / "course" / ".grade-state" / S.LESSON / "work").glob("*/kernel*"))
