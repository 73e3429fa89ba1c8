"""`dlcourse grade`: autograde every collected submission in parallel, resumably, under resource limits."""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from tqdm import tqdm

from . import containment as ct
from . import lockout
from . import failures
from .. import gradebook
from ..errors import CourseError
from .limits import Limits
from ..notebooks import read_notebook
from ..project import Project
from .collect import check_student_id
from .forkserver import ForkServer
from .identify import no_grading_metadata, wrong_lesson
from .state import GRADER_PID, fingerprint, load_result, result_path, write_json_atomic
from ..syllabus import Lesson, require_source

WORKER = "dlcourse.autograde.worker"  # the module a cold worker runs (`python -m`)
# One BLAS thread per kernel: N parallel notebooks on N cores must not each start N threads.
WORKER_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}


@dataclass
class GradeRun:
    """Outcome of a grade run: committed results, skipped (already graded) students and failures."""

    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    flags: dict[str, list[str]] = field(default_factory=dict)  # what limits stopped, tampering, broken cells
    containment: str = ""
    retry: set[str] = field(default_factory=set)  # failed students a plain rerun grades again
    would_grade: list[str] = field(default_factory=list)  # --dry-run: what a real run would grade
    commit_s: float = 0.0  # time this process spent committing results: the serial part, which bounds a cluster


# A worker outliving the notebook limit by worker_grace() is killed from outside (the notebook limit itself is
# enforced inside the worker, which then still scores what ran).
def worker_grace(wall_s: int) -> int:
    """Seconds a worker may outlive the notebook limit before it is killed from outside."""
    return max(10, min(120, wall_s // 4))


REFUSED = "grading refused: the graded kernel could not be contained on this machine ({why}); fix what it says, or pass --uncontained to grade anyway (learners' code would then see this machine's files)."  # noqa: E501


class _Workers:
    """Starts and tracks worker processes, so an interrupt can stop every one of them (and their kernels).

    With `warm` (local grading), each slot's workers are forked by that slot's fork server
    (dlcourse.autograde.forkserver), which imported the grading stack once; otherwise each worker is a fresh
    `python -m MODULE JOB.json`."""

    def __init__(self, secret: bytes = b"", warm: Path | None = None, server: list[str] | None = None) -> None:
        self.lock = threading.Lock()
        self.procs: set[subprocess.Popen[bytes]] = set()
        self.stopping = False
        self.secret = secret  # handed to each worker on its stdin, never in a file or the environment
        self.warm = warm  # the folder for the fork servers' logs; None: a fresh interpreter per job
        self.server = server  # the fork server's command line (None: python -m dlcourse.autograde.forkserver)
        self.servers: dict[int, ForkServer] = {}
        self.forked: set[int] = set()  # pids of running workers forked by a server (each its own group)

    def _env(self) -> dict[str, str]:
        return {**os.environ, **WORKER_ENV, GRADER_PID: str(os.getpid())}

    def run(self, cmd: list[str], limits: Limits, log: Path) -> int | str:
        """Run one worker to completion; return its exit code, 'timeout' or 'interrupted'."""
        with open(log, "wb") as out:
            with self.lock:
                if self.stopping:
                    return "interrupted"
                # The worker applies its own rlimits first thing (preexec_fn is unsafe with threads).
                proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT,
                                        start_new_session=True, env=self._env())
                self.procs.add(proc)
            try:
                proc.stdin.write(self.secret.hex().encode() + b"\n")
                proc.stdin.close()
            except OSError:  # the worker died before reading it: its exit code says why
                pass
            try:
                return proc.wait(timeout=limits.wall_s + worker_grace(limits.wall_s))
            except subprocess.TimeoutExpired:
                self._kill(proc)
                return "timeout"
            finally:
                with self.lock:
                    self.procs.discard(proc)

    def run_forked(self, job: Path, slot: int, limits: Limits, log: Path) -> int | str:
        """Run the worker for `job` as a fork of the slot's server; as `run`, plus 'lost' when the server ended
        under it. Falls back to `run` (said in the job's log) when no server can be started."""
        server = self.servers.get(slot)
        if server is None or not server.alive():
            try:
                server = ForkServer(self._env(), self.warm / f"forkserver-{slot}.log", self.server)
            except OSError as exc:
                log.write_text(f"{exc}; grading in a fresh worker instead\n", encoding="utf-8")
                return self.run([sys.executable, "-m", WORKER, str(job)], limits, log)
            with self.lock:
                old, self.servers[slot] = self.servers.get(slot), server
            if old is not None:
                old.close()
        with self.lock:
            if self.stopping:
                return "interrupted"
        pid = server.start(job, log, self.secret)
        if pid is None:
            return "lost"
        with self.lock:
            self.forked.add(pid)
            stopping = self.stopping
        if stopping:  # stop_all ran while the fork was under way
            _killpg(pid)
        try:
            status = server.wait(limits.wall_s + worker_grace(limits.wall_s))
            if status is not None:
                return status
            if not server.alive():
                return "lost"
            _killpg(pid)
            if server.wait(30) is None:  # no status yet: this server's replies can no longer be matched to jobs
                server.close()
            return "timeout"
        finally:
            with self.lock:
                self.forked.discard(pid)

    @staticmethod
    def _kill(proc: subprocess.Popen[bytes]) -> None:
        """Kill a worker's whole process group: the worker and the kernel it started."""
        _killpg(proc.pid)
        proc.wait()

    def stop_all(self) -> None:
        """Stop every running worker (on Ctrl-C)."""
        with self.lock:
            self.stopping = True
            procs, forked = list(self.procs), list(self.forked)
        for proc in procs:
            self._kill(proc)
        for pid in forked:
            _killpg(pid)

    def close(self) -> None:
        """Stop the fork servers (once no job runs)."""
        with self.lock:
            servers, self.servers = list(self.servers.values()), {}
        for server in servers:
            server.close()


def _killpg(pid: int) -> None:
    """SIGKILL a worker's process group (the worker and the kernel it started)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


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
        return f"worker stopped after {limits.wall_s + worker_grace(limits.wall_s)} s (whole-notebook time limit); see {log}"
    if code == "interrupted":
        return "interrupted"
    if code == "lost":  # the machine, not the submission: a rerun grades it again
        return f"the worker's fork server ended while it graded; run grade again (log: {log.parent.parent})"
    if code == -signal.SIGXCPU or code == -signal.SIGKILL:
        return f"killed by a resource limit (CPU {limits.cpu_s} s / memory {limits.memory_mb} MB); see {log}"
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    last = lines[-1] if lines else "no output"
    if code == "cluster":  # the cluster failed, not the submission (a lost worker, a mismatched install)
        return f"the cluster could not grade it: {last[:200]} (log: {log})"
    return f"worker exited with {code}: {last[:200]} (log: {log})"


# A path on this machine (an absolute path whose parts hold no spaces): shown by its last part only.
_ABSOLUTE = re.compile(r"(?<![\w./~-])/(?:[^/\s]+/)+([^/\s]+)")


def public_reason(reason: str, root: Path | None = None) -> str:
    """A failure reason as it may leave this machine (the export an LMS receives): one line, paths relative to
    the checkout `root`, no worker-log reference and no nbgrader or traceback text (status and worker.log keep
    the detail)."""
    text = " ".join(reason.split())
    for marker in (" (log: ", "; see "):  # _failure_reason ends a line with the worker log's path
        if marker in text:
            text = text[:text.rindex(marker)]
    if text.startswith("worker exited with "):  # the rest is the worker's last log line: nbgrader's words
        code = text[len("worker exited with "):].split(":", 1)[0]
        return f"the grader could not run the notebook (worker exited with {code})"
    if text.startswith("the cluster could not grade it"):
        return "the cluster could not grade it"
    if root is not None:
        text = text.replace(f"{root}/", "")
    return _ABSOLUTE.sub(r"\1", text)


def unusable(folder: Path, notebooks: list[str], project: Project | None = None, lesson: str = "") -> str | None:
    """Why a submission folder cannot be graded at all (naming the file and the problem), or None."""
    try:
        # A folder nbgrader's exchange filled is not checked at collect: `template.db` would collide with work files.
        check_student_id(folder.parent.name)
    except ValueError as exc:
        return f"{folder}: {exc}"
    found = sorted(folder.glob("*.ipynb"))
    if not found:
        return f"{folder}: no notebook in the submission (expected {', '.join(notebooks)})"
    for path in found:
        try:
            nb = read_notebook(path)
        except CourseError as exc:
            return str(exc)
        if path.name not in notebooks:
            return f"{path}: not a notebook of this lesson (expected {', '.join(notebooks)})"
        other = no_grading_metadata(nb, lesson, path.name) if lesson else None
        other = other or (wrong_lesson(project, lesson, nb) if project is not None else None)
        if other:
            return f"{path}: {other}"
    return None


def submission_fingerprint(folder: Path, sources: list[Path]) -> str:
    """What a committed result was graded from; the grader's source is part of it (a fixed hidden test regrades)."""
    return fingerprint([p for p in folder.rglob("*") if p.is_file()]) + ":" + fingerprint(sources)


def select(subs: dict[str, Path], students: list[str] | None, where: Path) -> dict[str, Path]:
    """The submissions of the students asked for (all when None); unknown ids are a CourseError naming them."""
    if not students:
        return subs
    missing = [s for s in students if s not in subs]
    if missing:
        raise CourseError(f"{where}: no submission from {', '.join(map(repr, missing))} "
                          f"(collected: {', '.join(subs) or 'none'})")
    return {s: subs[s] for s in students}


def grade(project: Project, lesson: Lesson, *, jobs: int = 2, limits: Limits = Limits(), force: bool = False,
          cell_timeout: int | None = None, progress: bool = True, students: list[str] | None = None,
          dry_run: bool = False, announce: Callable[[str], None] | None = None,
          cluster: str | None = None, uncontained: bool = False) -> GradeRun:
    """Autograde every submission of `lesson` not yet graded in its current form; commit each as it finishes.

    `cluster` (a Dask scheduler address, or local:N) grades on a dask.distributed cluster instead of here."""
    require_source(project, lesson)
    gradebook.require_lesson(project.gradebook, lesson.id)
    subs = submissions(project, lesson.id)
    if not subs:
        raise CourseError(f"{project.submitted}: no submissions for {lesson.id}; run `dlcourse collect` first")
    subs = select(subs, students, project.submitted)
    sources = project.source_notebooks(lesson.id)
    run = GradeRun()
    pending: dict[str, str] = {}
    for student, folder in subs.items():
        problem = unusable(folder, [p.name for p in sources], project, lesson.id)
        if problem:
            run.failed[student] = problem
            continue
        fp = submission_fingerprint(folder, sources)
        done = load_result(project, lesson.id, student)
        failed = failures.load(project, lesson.id, student)
        if not force and done is not None and done.get("fingerprint") == fp:
            run.skipped.append(student)
        elif not force and failed and failed["fingerprint"] == fp and not failed["retry"]:
            # The same file fails the same way every time: say so instead of launching it again.
            run.failed[student] = f"{failed['reason']} (unchanged since the last run)"
        else:
            pending[student] = fp
    if dry_run or not pending:
        run.would_grade = list(pending)
        return run

    work_root = project.state / lesson.id / "work"
    template = work_root / "template.db"
    gradebook.snapshot(project.gradebook, template)
    secret = secrets.token_bytes(32)  # a fresh secret per run: hidden cases nobody can precompute
    if cluster is None:
        outcomes = _grade_here(project, lesson.id, subs, pending, template, secret, jobs=jobs, limits=limits,
                               cell_timeout=cell_timeout, run=run, announce=announce, uncontained=uncontained)
    else:
        from .cluster import grade_on_cluster

        def contained(text: str) -> None:
            run.containment = f"{run.containment}; {text}" if run.containment else text
            if announce is not None:
                announce(text)

        # run_job and _Workers are handed over, not imported there: no import cycle inside autograde.
        outcomes = grade_on_cluster(cluster, project, lesson.id, {s: subs[s] for s in pending}, pending, template,
                                    secret, limits=limits, cell_timeout=cell_timeout, announce=contained,
                                    run_job=run_job, workers=_Workers)
    bar = tqdm(total=len(pending), desc=f"grading {lesson.id}", unit="nb", disable=not progress, file=sys.stderr)
    try:
        for student, code, work in outcomes:
            result_file = work / "result.json"
            if code == 0 and result_file.is_file():
                # Only this (main) thread writes the gradebook, so SQLite never sees two writers.
                result = json.loads(result_file.read_text(encoding="utf-8"))
                started = time.monotonic()
                _commit(project, lesson.id, student, result)
                failures.clear(project, lesson.id, student)
                run.commit_s += time.monotonic() - started
                shutil.rmtree(work, ignore_errors=True)
                run.graded.append(student)
                if result.get("flags"):
                    run.flags[student] = result["flags"]
            else:
                run.failed[student] = _failure_reason(code, work / "worker.log", limits)
                transient = not isinstance(code, int) or code < 0  # a limit, a kill, an interrupt, a lost worker
                if transient:
                    run.retry.add(student)
                if code != "interrupted":
                    failures.record(project, lesson.id, student, pending[student], run.failed[student], transient)
            bar.update(1)
    finally:
        bar.close()
        outcomes.close()  # an interrupt or an error here stops every job still running
    return run


def run_job(job: dict[str, Any], work: Path, box: ct.Containment, slot: int, limits: Limits, workers: _Workers,
            module: str = WORKER) -> int | str:
    """Run one grading job in its containment (its slot's sandbox user, cgroups, the kernel-side layers) with
    `python -m module WORK/job.json`; return the exit code, 'timeout' or 'interrupted'."""
    lease = ct.UserLease() if box.users else None
    user = lease.user if lease else None
    cgroups = ct.make_cgroups(box, f"dlcourse-{os.getpid()}-{slot}", nproc=limits.max_procs,
                              memory_mb=limits.memory_mb + 512)
    overlays = lockout.for_lesson(job["project"], job["lesson"])
    jobbox = ct.JobBox(slot, user, cgroups=cgroups, nproc=limits.max_procs, tmp_mb=limits.file_mb * 2,
                       private=[job["project"]], overlays=overlays, **box.layers())
    (work / "job.json").write_text(json.dumps({**job, "box": jobbox.to_json()}, indent=1), encoding="utf-8")
    try:
        if module == WORKER and workers.warm is not None:
            return workers.run_forked(work / "job.json", slot, limits, work / "worker.log")
        return workers.run([sys.executable, "-m", module, str(work / "job.json")], limits, work / "worker.log")
    finally:
        # Nothing the learner started survives the job: its sandbox user and cgroups are emptied.
        if lease:
            lease.release()
        for path in cgroups:
            ct.remove_cgroup(path)


def _grade_here(project: Project, lesson: str, subs: dict[str, Path], pending: dict[str, str], template: Path,
                secret: bytes, *, jobs: int, limits: Limits, cell_timeout: int | None, run: GradeRun,
                announce: Callable[[str], None] | None,
                uncontained: bool = False) -> Iterator[tuple[str, int | str, Path]]:
    """Grade `pending` in `jobs` worker processes on this machine; yield (student, exit code, work folder) as
    each finishes. Closing the generator early (an interrupt) stops every worker still running."""
    work_root = template.parent
    for old in work_root.glob("forkserver-*.log"):  # each run's servers log afresh
        old.unlink()
    workers = _Workers(secret, warm=work_root)
    jobs = max(1, jobs)
    box = ct.probe(jobs)
    run.containment = box.describe()
    if os.geteuid() == 0 and not box.namespaces and not uncontained \
            and os.environ.get("DLCOURSE_CONTAINMENT") != "rlimits":
        # Failing open would run every learner's code as root with the whole machine in view.
        raise CourseError(REFUSED.format(why=box.describe()))
    if announce is not None:  # said once, before any submission is graded
        announce(run.containment)
    slots: queue.Queue[int] = queue.Queue()
    for slot in range(jobs):
        slots.put(slot)

    def launch(student: str) -> tuple[str, int | str, Path]:
        work = work_root / student
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        job = {"project": str(project.root), "lesson": lesson, "student": student, "work": str(work),
               "submission": str(subs[student]), "template_db": str(template), "fingerprint": pending[student],
               "cell_timeout": cell_timeout, "limits": dataclasses.asdict(limits)}
        slot = slots.get()
        try:
            code = run_job(job, work, box, slot, limits, workers)
        finally:
            slots.put(slot)
        return student, code, work

    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = [pool.submit(launch, s) for s in pending]
        for future in as_completed(futures):
            yield future.result()
    except BaseException:  # KeyboardInterrupt, or GeneratorExit when the caller stops early
        workers.stop_all()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)
        workers.close()
