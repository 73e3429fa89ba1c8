"""`dlcourse grade`: autograde every collected submission in parallel, resumably, under resource limits."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from . import gradebook
from .errors import CourseError
from .limits import Limits
from .project import Project
from .state import fingerprint, load_result, result_path, write_json_atomic
from .syllabus import Lesson, require_source

# One BLAS thread per kernel: N parallel notebooks on N cores must not each start N threads.
WORKER_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}


@dataclass
class GradeRun:
    """Outcome of a grade run: committed results, skipped (already graded) students and failures."""

    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


class _Workers:
    """Tracks running worker processes so an interrupt can stop every one of them (and their kernels)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.procs: set[subprocess.Popen[bytes]] = set()
        self.stopping = False

    def run(self, cmd: list[str], limits: Limits, log: Path) -> int | str:
        """Run one worker to completion; return its exit code or 'timeout'."""
        with open(log, "wb") as out:
            with self.lock:
                if self.stopping:
                    return "interrupted"
                # The worker applies its own rlimits first thing (preexec_fn is unsafe with threads).
                proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                        env={**os.environ, **WORKER_ENV})
                self.procs.add(proc)
            try:
                return proc.wait(timeout=limits.wall_s)
            except subprocess.TimeoutExpired:
                self._kill(proc)
                return "timeout"
            finally:
                with self.lock:
                    self.procs.discard(proc)

    @staticmethod
    def _kill(proc: subprocess.Popen[bytes]) -> None:
        """Kill a worker's whole process group: the worker and the kernel it started."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def stop_all(self) -> None:
        """Stop every running worker (on Ctrl-C)."""
        with self.lock:
            self.stopping = True
            procs = list(self.procs)
        for proc in procs:
            self._kill(proc)


def submissions(project: Project, lesson: str) -> dict[str, Path]:
    """Collected submission folders of a lesson, by student id."""
    return {p.parent.name: p for p in sorted(project.submitted.glob(f"*/{lesson}")) if p.is_dir()}


def _commit(project: Project, lesson: str, student: str, result: dict[str, Any]) -> None:
    """Make one result permanent: gradebook first, then the autograded notebook, then the result file last."""
    gradebook.merge(project.gradebook, lesson, student, result)
    dest = project.autograded / student / lesson
    dest.parent.mkdir(parents=True, exist_ok=True)
    old = dest.with_name(f".{lesson}.old")
    shutil.rmtree(old, ignore_errors=True)
    if dest.exists():
        dest.rename(old)
    shutil.move(result.pop("autograded_dir"), dest)
    shutil.rmtree(old, ignore_errors=True)
    write_json_atomic(result_path(project, lesson, student), result)


def _failure_reason(code: int | str, log: Path, limits: Limits) -> str:
    """A one-line reason for a worker that produced no result."""
    if code == "timeout":
        return f"stopped after {limits.wall_s} s (whole-notebook time limit)"
    if code == -signal.SIGXCPU or code == -signal.SIGKILL:
        return f"killed by a resource limit (CPU {limits.cpu_s} s / memory {limits.memory_mb} MB); see {log}"
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    last = lines[-1] if lines else "no output"
    return f"worker exited with {code}: {last[:200]} (log: {log})"


def grade(project: Project, lesson: Lesson, *, jobs: int = 2, limits: Limits = Limits(), force: bool = False,
          cell_timeout: int | None = None, progress: bool = True) -> GradeRun:
    """Autograde every submission of `lesson` not yet graded in its current form; commit each as it finishes."""
    require_source(project, lesson)
    gradebook.require_lesson(project.gradebook, lesson.id)
    subs = submissions(project, lesson.id)
    if not subs:
        raise CourseError(f"{project.submitted}: no submissions for {lesson.id}; run `dlcourse collect` first")
    sources = project.source_notebooks(lesson.id)
    run = GradeRun()
    pending: dict[str, str] = {}
    for student, folder in subs.items():
        files = [p for p in folder.rglob("*") if p.is_file()]
        # The grader's source is part of the fingerprint: fixing a hidden test regrades everyone.
        fp = fingerprint(files) + ":" + fingerprint(sources)
        done = load_result(project, lesson.id, student)
        if not force and done is not None and done.get("fingerprint") == fp:
            run.skipped.append(student)
        else:
            pending[student] = fp
    if not pending:
        return run

    work_root = project.state / lesson.id / "work"
    template = work_root / "template.db"
    gradebook.snapshot(project.gradebook, template)
    workers = _Workers()

    def launch(student: str) -> tuple[str, int | str, Path]:
        work = work_root / student
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        job = {"project": str(project.root), "lesson": lesson.id, "student": student, "work": str(work),
               "submission": str(subs[student]), "template_db": str(template), "fingerprint": pending[student],
               "cell_timeout": cell_timeout, "limits": dataclasses.asdict(limits)}
        (work / "job.json").write_text(json.dumps(job, indent=1), encoding="utf-8")
        code = workers.run([sys.executable, "-m", "dlcourse.worker", str(work / "job.json")], limits,
                           work / "worker.log")
        return student, code, work

    bar = tqdm(total=len(pending), desc=f"grading {lesson.id}", unit="nb", disable=not progress, file=sys.stderr)
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = [pool.submit(launch, s) for s in pending]
        for future in as_completed(futures):
            student, code, work = future.result()
            result_file = work / "result.json"
            if code == 0 and result_file.is_file():
                # Only this (main) thread writes the gradebook, so SQLite never sees two writers.
                _commit(project, lesson.id, student, json.loads(result_file.read_text(encoding="utf-8")))
                shutil.rmtree(work, ignore_errors=True)
                run.graded.append(student)
            else:
                run.failed[student] = _failure_reason(code, work / "worker.log", limits)
            bar.update(1)
    except KeyboardInterrupt:
        workers.stop_all()
        pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
        raise
    finally:
        bar.close()
        pool.shutdown(wait=True)
    return run
