"""Shared fixtures: an isolated copy of the course, and ONE autograde run shared by every grading test.

Nothing here writes to the real checkout: each session copies course/, solutions/ and lessons/ into a temporary
project and drives `dlcourse` there through its command line, exactly as an instructor would.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from dlcourse.project import Project
from dlcourse.syllabus import load_syllabus

REPO = Path(__file__).resolve().parents[2]
LESSONS = [lesson.id for lesson in load_syllabus(Project(REPO))]

# Submissions every lesson is graded with: the instructor's solution; the solution with every test cell deleted
# and a foreign kernel in its metadata (nbgrader must restore the tests and pin python3); the untouched student
# version; and a "rogue" notebook that loops forever in one exercise and exhausts memory in another.
STUDENTS = ("solution", "deleter", "blank", "rogue")
CELL_TIMEOUT = 10  # seconds; short enough that the rogue loop costs little, long enough for the real cells
# Grading slots of the shared grade run: one more than the 2 cores, because each lesson's rogue holds a slot for the
# cell time limit while it sleeps, and the other xdist worker often has nothing to do but wait for this run.
JOBS = 3


def dlcourse(project: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the real command line against a project folder; return the finished process (text output)."""
    proc = subprocess.run([sys.executable, "-m", "dlcourse", "--project", str(project), *args],
                          capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"dlcourse {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def run_all_headless(notebook: Path, out: Path, timeout: float) -> None:
    """Run All of a notebook as `jupyter nbconvert --to notebook --execute` does, into out, with one-way Output
    widgets (dlcourse.headless): nbconvert's own executor can wait for ever on a cell with an interact."""
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook",
                    "--NotebookExporter.preprocessors=dlcourse.headless.HeadlessExecutePreprocessor",
                    "--output", str(out), str(notebook)], cwd=REPO, check=True, capture_output=True, timeout=timeout)


def copy_course(dest: Path) -> Path:
    """Copy the course sources (no gradebook, no student work, no tooling code) into dest; return dest."""
    (dest / "course").mkdir(parents=True)
    for name in ("nbgrader_config.py", "syllabus.toml"):
        shutil.copy(REPO / "course" / name, dest / "course" / name)
    for folder in ("solutions", "lessons"):
        shutil.copytree(REPO / folder, dest / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return dest


def _deleter(solution: Path, out: Path) -> None:
    """The solution with its test cells removed and its kernelspec changed."""
    nb = nbformat.read(solution, as_version=4)
    nb.cells = [c for c in nb.cells if not (c.get("metadata", {}).get("nbgrader", {}).get("grade")
                                            and c.cell_type == "code")]
    nb.metadata["kernelspec"] = {"name": "julia-1.9", "display_name": "Julia", "language": "julia"}
    nbformat.write(nb, out)


def _rogue(student_version: Path, out: Path, busy: bool) -> None:
    """The student version with an infinite loop in the first answer and a huge allocation in the second.

    The loop spins the CPU when `busy`, else sleeps: the cell time limit interrupts either the same way (SIGINT to
    the kernel), and a spinning loop in every lesson cost a core 10 s a lesson while the suite waited for it."""
    nb = nbformat.read(student_version, as_version=4)
    answers = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")
               and c.cell_type == "code"]
    # Each stub, at whatever indentation it has (a function, or a method of a class).
    stub = re.compile(r"^([ \t]*)raise NotImplementedError\(\)", re.MULTILINE)
    loop = r"\1while True:\n\1    pass" if busy else r"\1import time\n\1while True:\n\1    time.sleep(1)"
    answers[0].source = stub.sub(loop, answers[0].source)
    if len(answers) > 1:
        # 3 GiB: fine for the machine, over the 2 GiB limit the grade run sets, so only RLIMIT_AS stops it.
        answers[1].source = stub.sub(r"\1import numpy as np\n\1return np.ones(3 * 2 ** 27)", answers[1].source)
    nbformat.write(nb, out)


@dataclass
class Graded:
    """The project after release -> collect -> grade, with the outputs of each step."""

    root: Path
    collect: dict[str, subprocess.CompletedProcess[str]]
    grade: dict[str, subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def fresh_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the course nobody has run anything in (for tests that must see a pristine state)."""
    return copy_course(tmp_path_factory.mktemp("pristine") / "project")


def _grade_everything(root: Path) -> Graded:
    """Release, collect and grade every lesson in the project at root (parallel workers)."""
    copy_course(root)
    dlcourse(root, "release", check=True)
    collects, grades = {}, {}
    for lesson in LESSONS:
        inbox = root.parent / "inbox" / lesson
        inbox.mkdir(parents=True)
        (source,) = sorted((root / "solutions" / lesson).glob("*.ipynb"))[:1]
        student = root / "lessons" / lesson / source.name
        shutil.copy(source, inbox / "solution.ipynb")
        _deleter(source, inbox / "deleter.ipynb")
        shutil.copy(student, inbox / "blank.ipynb")
        _rogue(student, inbox / "rogue.ipynb", busy=lesson == LESSONS[0])
        (inbox / "broken.ipynb").write_text("{ this is not json", encoding="utf-8")
        (inbox / "notes.txt").write_text("not a notebook", encoding="utf-8")
        collects[lesson] = dlcourse(root, "collect", lesson, str(inbox))
        grades[lesson] = dlcourse(root, "grade", lesson, "--jobs", str(JOBS), "--no-progress",
                                  "--cell-timeout", str(CELL_TIMEOUT), "--memory-mb", "2048")
        # Kept apart: a later regrade of the lesson (test_regrade_resumes_...) starts its servers' logs afresh.
        logs = root.parent / "forkserver-logs" / lesson
        logs.mkdir(parents=True)
        for log in (root / "course" / ".grade-state" / lesson / "work").glob("forkserver-*.log"):
            shutil.copy(log, logs / log.name)
    return Graded(root, collects, grades)


def _dump(graded: Graded, path: Path) -> None:
    procs = {kind: {lesson: [p.returncode, p.stdout, p.stderr] for lesson, p in getattr(graded, kind).items()}
             for kind in ("collect", "grade")}
    path.write_text(json.dumps({"root": str(graded.root), **procs}))


def _load(path: Path) -> Graded:
    data = json.loads(path.read_text())
    procs = {kind: {lesson: subprocess.CompletedProcess([], rc, out, err) for lesson, (rc, out, err)
                    in data[kind].items()} for kind in ("collect", "grade")}
    return Graded(Path(data["root"]), procs["collect"], procs["grade"])


def once_per_session(tmp_path_factory: pytest.TempPathFactory, name: str, make):
    """Run `make(folder) -> (root, CompletedProcess)` once per test session, even across pytest-xdist workers
    (the first worker to take the lock runs it, the others reuse its project and output); return the pair.
    A module fixture alone would run an expensive grade once per xdist worker."""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run_id is None:
        return make(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent / f"dlcourse-{name}-{run_id}"
    shared.mkdir(exist_ok=True)
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "done.json"
        if not done.exists():
            root, proc = make(shared / "work")
            done.write_text(json.dumps([str(root), proc.returncode, proc.stdout, proc.stderr]))
        root, rc, out, err = json.loads(done.read_text())
        return Path(root), subprocess.CompletedProcess([], rc, out, err)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests that read the shared grade run go first in the collection.

    pytest-xdist's work stealing hands each worker a contiguous share of the collection and lets an idle worker
    take the tail of another's queue, never its head. At the head of the first share, the grade run (about 4
    minutes of one core) starts at once and its readers follow it in the same worker; further back, the other
    worker stole its readers late in the suite and waited on its lock (141 s of an idle core in one run)."""
    first = [item for item in items if "graded" in getattr(item, "fixturenames", ())]
    if first:
        chosen = set(first)
        items[:] = first + [item for item in items if item not in chosen]


@pytest.fixture(scope="session")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Graded:
    """ONE autograde run per test session, shared by all grading tests, even across pytest-xdist workers."""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run_id is None:  # no xdist: this process is the whole session
        return _grade_everything(tmp_path_factory.mktemp("graded") / "project")
    # Under xdist every worker has this fixture; the first to take the lock grades, the others reuse it.
    shared = tmp_path_factory.getbasetemp().parent / f"dlcourse-graded-{run_id}"
    shared.mkdir(exist_ok=True)
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "graded.json"
        if not done.exists():
            _dump(_grade_everything(shared / "project"), done)
        return _load(done)
