"""Grading on a Dask cluster (`dlcourse grade --cluster`): the same scores and flags as one machine, through a
worker killed mid-job and an instructor's process killed mid-run; only the instructor's process writes.

The class (lesson 01) mixes full, partial and zero marks with flagged notebooks (a locked test cell edited, a loop
stopped by the cell time limit, a 50 GiB allocation refused by the memory limit), graded once on this machine with
--jobs 2 and again on a real LocalCluster of two worker processes. Hidden cases are drawn per run and per student
from a fresh secret, so scores and flags are compared, never outputs. Slow: CI's `make test` runs it.
"""
from __future__ import annotations

import hashlib
import hmac
import importlib.util
import os
import pickle
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlcourse.autograde.cluster import lesson_bundle, parse_cluster, student_key, student_task
from dlcourse.autograde.limits import Limits
from dlcourse.project import Project

from . import submissions as S
from .conftest import REPO, copy_course, dlcourse

GONE_S = 60  # how long the processes of a killed worker or instructor may take to end


def _load_script():
    spec = importlib.util.spec_from_file_location("grading_load", REPO / "benchmarks" / "grading_load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LOAD = _load_script()


def _edited_test(nb):
    """The correct notebook with a locked test cell changed (flagged; the original is judged)."""
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "test-mse":
            cell.source += "\nprint('edited')"
    return nb


def _write_class(project: Path) -> Path:
    """The class's notebooks, in an inbox folder named by student id."""
    student, solution = S.load(project)
    notebooks = {
        "ada": S.correct(student, solution),
        "bo": S.partly(student, solution, ("predict", "mse")),
        "cy": S.partly(student, solution, ()),
        "di": student,
        "ed": S.hostile(student, solution, "loop"),
        "fay": _edited_test(S.correct(student, solution)),
        "gus": S.hostile(student, solution, "memory-50g", "mse"),
        "hal": S.partly(student, solution, ("mse-gradients", "normal-equations")),
    }
    inbox = project.parent / f"{project.name}-inbox"
    for name, nb in notebooks.items():
        S.write(nb, inbox / f"{name}.ipynb")
    return inbox


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    """(the project with the class collected and nothing graded, the same graded here with --jobs 2, students)."""
    base = copy_course(tmp_path_factory.mktemp("cluster") / "base")
    dlcourse(base, "release", S.LESSON, check=True)
    inbox = _write_class(base)
    dlcourse(base, "collect", S.LESSON, str(inbox), check=True)
    here = shutil.copytree(base, base.parent / "here", symlinks=True)
    graded = dlcourse(here, "grade", S.LESSON, "--jobs", "2", "--no-progress", *LOAD.LIMITS)
    students = sorted(p.stem for p in inbox.glob("*.ipynb"))
    assert graded.returncode == 0 and f"{len(students)} graded, 0 unchanged" in graded.stdout, \
        graded.stdout + graded.stderr
    return base, here, students


def _alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting to be reaped has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _grade_on_cluster(project: Path, out) -> subprocess.Popen[str]:
    """`dlcourse grade --cluster local:2` started in the background, its output into the file `out`."""
    return subprocess.Popen([sys.executable, "-m", "dlcourse", "--project", str(project), "grade", S.LESSON,
                             "--cluster", "local:2", "--no-progress", *LOAD.LIMITS],
                            stdout=out, stderr=subprocess.STDOUT, text=True)


def _same_grades(here: Path, there: Path, students: list[str]) -> None:
    """Both projects hold the same scores and flags for every student, each graded once into the gradebook."""
    for student in students:
        assert S.scores(there, student) == S.scores(here, student), student
        assert S.result(there, student)["flags"] == S.result(here, student)["flags"], student
    with sqlite3.connect(there / "course" / "gradebook.db") as db:
        subs = db.execute("select student_id, count(*) from submitted_assignment group by student_id").fetchall()
        cells = db.execute("select count(*), count(distinct notebook_id || '/' || cell_id) from grade").fetchone()
    assert sorted(subs) == [(s, 1) for s in students], subs
    assert cells[0] == cells[1]


def _wait_gone(pids: list[int]) -> list[str]:
    """Wait up to GONE_S for every one of `pids` to end; the command lines of those still running."""
    deadline = time.monotonic() + GONE_S
    while time.monotonic() < deadline and any(map(_alive, pids)):
        time.sleep(0.5)
    return [_cmdline(p) for p in pids if _alive(p)]


def test_cluster_argument_says_what_it_expects(capsys: pytest.CaptureFixture[str]) -> None:
    from dlcourse.cli import main

    for wrong in ("nowhere", "local:0", "local:two"):
        with pytest.raises(SystemExit) as exc:
            main(["grade", "01", "--cluster", wrong])
        err = capsys.readouterr().err
        assert exc.value.code == 2 and "expected local:N with N >= 1, or a Dask scheduler address" in err, err
        assert repr(wrong) in err
    assert parse_cluster("local:3") == "local:3" and parse_cluster("tcp://10.0.0.5:8786") == "tcp://10.0.0.5:8786"


def test_jobs_with_cluster_is_refused(fresh_project: Path) -> None:
    proc = dlcourse(fresh_project, "grade", "01", "--jobs", "2", "--cluster", "local:2")
    assert proc.returncode == 2 and "--jobs 2 grades on this machine; with --cluster local:2" in proc.stderr, \
        proc.stderr


def test_a_task_carries_its_own_students_key_and_no_secret(fresh_project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ada"
    S.write(S.load(fresh_project)[0], folder / f"{S.LESSON}.ipynb")
    secret = os.urandom(32)
    task = student_task(S.LESSON, "ada", folder, "fp", student_key(secret, "ada"), Limits(), None)
    sent = pickle.dumps(task)
    assert task["key"] == hmac.new(secret, b"ada", hashlib.sha256).digest()
    assert secret not in sent and student_key(secret, "bo") not in sent
    assert set(task["files"]) == {f"{S.LESSON}.ipynb"}
    template = tmp_path / "template.db"
    template.write_bytes(b"gradebook snapshot")
    bundle = lesson_bundle(Project(fresh_project), S.LESSON, template)
    prefixes = ("course/nbgrader_config.py", "template.db", f"solutions/{S.LESSON}/", f"lessons/{S.LESSON}/")
    assert all(name.startswith(prefixes) for name in bundle["files"]), sorted(bundle["files"])
    assert f"lessons/{S.LESSON}/{S.LESSON}.ipynb" in bundle["files"]


@pytest.mark.slow
def test_a_cluster_with_a_killed_worker_grades_like_one_machine(classroom, tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="--cluster needs the cluster extra (pip install -e '.[cluster]')")
    base, here, students = classroom
    there = shutil.copytree(base, tmp_path / "there", symlinks=True)
    log = tmp_path / "grade.log"
    with open(log, "w") as out:
        proc = _grade_on_cluster(there, out)
        killed: list[int] = []
        while proc.poll() is None and not killed:
            for worker in LOAD.descendants(proc.pid)[1:]:
                tree = LOAD.descendants(worker)
                # A Dask worker process (the instructor's child) with a learner's kernel running under it.
                if "spawn_main" in _cmdline(worker) and any("autograde.kernel -f" in _cmdline(p) for p in tree):
                    os.kill(worker, signal.SIGKILL)
                    killed = tree
                    break
            time.sleep(0.2)
        assert killed, "no Dask worker was grading while the run lasted:\n" + log.read_text()
        # The killed worker's job (its supervisor, the grading worker, the kernel) ends with it.
        assert not _wait_gone(killed)
        proc.wait(timeout=1200)
    out = log.read_text()
    assert proc.returncode == 0, out
    # Its submission was graded again elsewhere and committed once, like every other.
    assert f"{len(students)} graded, 0 unchanged since the last run, 0 failed" in out, out
    _same_grades(here, there, students)


@pytest.mark.slow
def test_a_killed_instructor_resumes_on_the_cluster(classroom, tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="--cluster needs the cluster extra (pip install -e '.[cluster]')")
    base, here, students = classroom
    there = shutil.copytree(base, tmp_path / "there", symlinks=True)
    results = there / "course" / ".grade-state" / S.LESSON / "results"
    with open(tmp_path / "grade.log", "w") as out:
        proc = _grade_on_cluster(there, out)
        while proc.poll() is None and len(list(results.glob("*.json"))) < 2:
            time.sleep(0.2)
        tree = LOAD.descendants(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    # Its workers, their jobs and the learners' kernels end with it: nothing grades for nobody.
    assert not _wait_gone(tree)
    before = {p.stem: p.read_text() for p in results.glob("*.json")}
    assert 0 < len(before) < len(students), (before, (tmp_path / "grade.log").read_text())

    again = dlcourse(there, "grade", S.LESSON, "--cluster", "local:2", "--no-progress", *LOAD.LIMITS)
    assert again.returncode == 0, again.stdout + again.stderr
    assert (f"{len(students) - len(before)} graded, {len(before)} unchanged since the last run, 0 failed"
            in again.stdout), again.stdout
    assert all((results / f"{s}.json").read_text() == text for s, text in before.items())
    _same_grades(here, there, students)
