"""Load and interruption: a class graded with --jobs 2 is SIGKILLed halfway, graded again, and every submission ends
with exactly one result (none twice, none lost) and a consistent gradebook.

Uses the generator of benchmarks/grading_load.py (correct, partly correct, wrong and hostile notebooks of lesson 01).
Hostile notebooks are only in the mix where containment bounds them (see that script); slow: `make test` and CI run it (`QUICK=1` leaves it out).
"""
from __future__ import annotations

import importlib.util
import json
import sqlite3
import subprocess
import sys

import pytest

from . import submissions as S
from .conftest import REPO, copy_course

COUNT = 40


def _load_script():
    spec = importlib.util.spec_from_file_location("grading_load", REPO / "benchmarks" / "grading_load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_killed_run_resumes_with_exactly_one_result_each(tmp_path) -> None:
    load = _load_script()
    from dlcourse.autograde.containment import probe

    box = probe(2)
    hostile_ok = box.nproc_enforced and box.memory_cgroup is not None or bool(box.users)
    project = copy_course(tmp_path / "project")
    cli = [sys.executable, "-m", "dlcourse", "--project", str(project)]
    subprocess.run([*cli, "release", S.LESSON], check=True, capture_output=True)
    inbox = load.generate(project, COUNT, hostile_ok)
    subprocess.run([*cli, "collect", S.LESSON, str(inbox)], check=True, capture_output=True)

    first = load.timed_grade(project, 2, kill_at=0.5, count=COUNT)
    assert first["killed"], first["stdout"] + first["stderr"]
    results = project / "course" / ".grade-state" / S.LESSON / "results"
    before = {p.stem: p.read_text() for p in results.glob("*.json")}
    assert 0 < len(before) < COUNT

    again = subprocess.run([*cli, "grade", S.LESSON, "--jobs", "2", "--no-progress", *load.LIMITS],
                           capture_output=True, text=True, timeout=1200)
    assert again.returncode == 0, again.stdout + again.stderr
    # Resumed: only the rest was graded; what was committed before the kill was not graded again.
    assert f"{COUNT - len(before)} graded, {len(before)} unchanged since the last run, 0 failed" in again.stdout, \
        again.stdout
    after = {p.stem: p.read_text() for p in results.glob("*.json")}
    students = {f"s{i:03d}" for i in range(COUNT)}
    assert set(after) == students
    assert all(after[s] == text for s, text in before.items())

    # The gradebook: one submission per student, every graded cell once, scores equal to the result files.
    with sqlite3.connect(project / "course" / "gradebook.db") as db:
        subs = db.execute("select student_id, count(*) from submitted_assignment group by student_id").fetchall()
        cells = db.execute("select count(*), count(distinct notebook_id || '/' || cell_id) from grade").fetchone()
    assert sorted(s for s, _ in subs) == sorted(students) and all(n == 1 for _, n in subs), subs
    assert cells[0] == cells[1]
    for student in students:
        total = S.auto_total(project, student)
        scored = json.loads(after[student])
        assert 0 <= total <= S.max_points(), (student, scored)
        if int(student[1:]) % 20 < 10:  # the correct ones
            assert total == S.max_points(), (student, scored)


_PARENT = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]], start_new_session=True,
                         env={**os.environ, "DLCOURSE_GRADER_PID": str(os.getpid())}, stdout=subprocess.PIPE, text=True)
print(child.pid, child.stdout.readline().strip(), flush=True)
time.sleep(120)
"""
_WORKER = """
import time
from dlcourse.autograde.worker import tie_to_grader
print("tied" if tie_to_grader() else "parent gone", flush=True)
time.sleep(120)
"""


def test_a_worker_dies_with_the_grade_run_that_started_it() -> None:
    """A SIGKILLed `dlcourse grade` leaves no worker behind to write into the folders its resumed run grades in
    (once it did: the resumed run's commit found the autograded folder gone, deleted by the old run's nbgrader)."""
    import os
    import signal
    import time

    parent = subprocess.Popen([sys.executable, "-c", _PARENT, _WORKER], stdout=subprocess.PIPE, text=True)
    try:
        child, state = parent.stdout.readline().split()
        assert state == "tied"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and os.path.exists(f"/proc/{child}") \
                and open(f"/proc/{child}/stat").read().split()[2] != "Z":
            time.sleep(0.1)
        assert not os.path.exists(f"/proc/{child}") or open(f"/proc/{child}/stat").read().split()[2] == "Z"
    finally:
        parent.kill()
