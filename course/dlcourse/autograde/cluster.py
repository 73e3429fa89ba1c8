"""`dlcourse grade --cluster`: the same sandboxed grading jobs, run on the workers of a dask.distributed cluster.

The instructor's process keeps everything that must stay single: the run's secret, the gradebook and every
commit (grade.py commits the results this module yields, one at a time, exactly as for local workers). What
travels to the workers:

- once per run, the lesson's material (`lesson_bundle`: nbgrader_config.py, the lesson's solutions/ and released
  notebooks, the gradebook snapshot the worker grades against), scattered to every worker;
- per submission, a task (`student_task`) with the submission's files, the limits and that student's own key
  (an HMAC of the run's secret and the student id): the run's secret never leaves the instructor's machine, and
  a task holds no other student's key.

On a worker, `grade_remote` rebuilds a small project from the bundle, then runs the very job that local grading
runs (`grade.run_job`: a sandbox user, cgroups, the kernel-side layers probed on that machine, the worker
process with its limits and the key on its stdin), through a supervisor (`python -m dlcourse.autograde.cluster
JOB.json`) that takes the job's processes with it when the Dask worker dies. The result and the autograded
notebooks come back as data; nothing is written to the instructor's disk but by the instructor's process.

Guarantees, as for local grading: a Dask worker killed mid-job has its task run again elsewhere (Dask
reschedules it) and the result is committed once; a kill -9 of the instructor's process leaves every committed
result in place (the next run grades only what is missing) and the cluster drops the orphaned jobs (each task
stops its job once its result is no longer wanted).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import hmac
import importlib.util
import json
import logging
import os
import queue
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CourseError
from .limits import Limits

if TYPE_CHECKING:  # only for types
    from distributed import Client

    from ..project import Project
    from .containment import Containment

# grade.py's `run_job` (one job in its box) and `_Workers` (its process, given the key on stdin), handed to this
# module rather than imported: grade.py imports this module, and autograde's modules import without cycles.
RunJob = Callable[..., "int | str"]
MakeWorkers = Callable[[bytes], Any]

LOCAL = re.compile(r"local:(\d+)")
ADDRESS = re.compile(r"[a-z][a-z0-9+.-]*://\S+")
CONNECT_S = 30  # waiting for the scheduler to answer
WORKERS_S = 120  # waiting for a first worker to join it
LOG_TAIL = 64 * 1024  # bytes of a job's log sent back (the reason for a failure is at its end)
WATCH_S = 1.0  # how often a running job checks that its result is still wanted


def parse_cluster(text: str) -> str:
    """A --cluster value as given, once checked: local:N (N >= 1) or a scheduler address (tcp://host:8786)."""
    local = LOCAL.fullmatch(text)
    if local and int(local.group(1)) >= 1:
        return text
    if not local and ADDRESS.fullmatch(text):
        return text
    raise ValueError(f"expected local:N with N >= 1, or a Dask scheduler address such as tcp://host:8786, "
                     f"got {text!r}")


def local_workers(spec: str) -> int:
    """N for local:N, 0 for a scheduler address."""
    local = LOCAL.fullmatch(spec)
    return int(local.group(1)) if local else 0


@contextlib.contextmanager
def open_client(spec: str) -> Iterator[Client]:
    """A Dask client: on a new LocalCluster of N single-threaded worker processes for local:N (closed on exit),
    else on the scheduler at `spec` once at least one worker has joined it."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise CourseError(f"--cluster {spec}: dask.distributed is not installed in {sys.prefix}; install the "
                          "cluster extra (pip install -e '.[cluster]')") from None
    workers = local_workers(spec)
    if workers:
        # No dashboard (a fixed port would collide between runs); the nanny's warnings about a worker it restarts
        # are Dask's business, the summary says what happened to each submission.
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=logging.ERROR) as local, Client(local) as client:
            yield client
        return
    try:
        client = Client(spec, timeout=CONNECT_S)
    except (OSError, TimeoutError) as exc:
        raise CourseError(f"--cluster {spec}: no Dask scheduler answered within {CONNECT_S} s ({exc}); start one "
                          f"with `dask scheduler` and give its address") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=WORKERS_S)
        except TimeoutError:
            raise CourseError(f"--cluster {spec}: the scheduler has no worker after {WORKERS_S} s; start one on a "
                              f"grading machine with `dask worker {spec}`") from None
        yield client


# ----------------------------------------------------------------------------------- what travels to workers

def code_version() -> str:
    """A digest of the course code that grades (dlkit, dlgrade, dlcourse): instructor and workers must agree."""
    return _code_version()


@functools.cache
def _code_version() -> str:
    digest = hashlib.sha256()
    for name in ("dlkit", "dlgrade", "dlcourse"):
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise CourseError(f"package {name!r} is not importable from {sys.executable}")
        root = Path(next(iter(spec.submodule_search_locations)))
        for path in sorted(root.rglob("*.py")):
            digest.update(f"{name}/{path.relative_to(root)}".encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _files(folder: Path, prefix: str = "") -> dict[str, bytes]:
    """Every file under `folder` (checkpoints left out), keyed by its relative path after `prefix`."""
    return {prefix + p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".ipynb_checkpoints" not in p.parts}


def lesson_bundle(project: Project, lesson: str, template: Path) -> dict[str, Any]:
    """What a worker needs besides the installed course code to grade `lesson`: the nbgrader config, the
    lesson's solutions/ and released notebooks, and the gradebook snapshot (no secret, no submission)."""
    from ..project import CONFIG_NAME

    files = {f"course/{CONFIG_NAME}": (project.course / CONFIG_NAME).read_bytes(), "template.db": template.read_bytes(),
             **_files(project.solutions / lesson, f"solutions/{lesson}/")}
    files.update({f"lessons/{lesson}/{p.name}": p.read_bytes() for p in project.released_notebooks(lesson)})
    digest = hashlib.sha256()
    for name, data in sorted(files.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return {"digest": digest.hexdigest(), "files": files}


def student_key(secret: bytes, student: str) -> bytes:
    """The key a student's task carries instead of the run's secret (the worker derives its hidden cases from
    it as from any secret: each student's cases stay their own, and a task reveals no other student's)."""
    return hmac.new(secret, student.encode(), hashlib.sha256).digest()


def student_task(lesson: str, student: str, folder: Path, fingerprint: str, key: bytes, limits: Limits,
                 cell_timeout: int | None) -> dict[str, Any]:
    """One submission's task: its files, its limits and its student's key."""
    import dataclasses

    return {"lesson": lesson, "student": student, "fingerprint": fingerprint, "files": _files(folder),
            "key": key, "limits": dataclasses.asdict(limits), "cell_timeout": cell_timeout,
            "version": code_version()}


# --------------------------------------------------------------------------------------- the instructor's side

def grade_on_cluster(spec: str, project: Project, lesson: str, folders: dict[str, Path], pending: dict[str, str],
                     template: Path, secret: bytes, *, limits: Limits, cell_timeout: int | None,
                     announce: Callable[[str], None], run_job: RunJob, workers: MakeWorkers
                     ) -> Iterator[tuple[str, int | str, Path]]:
    """Grade `pending` on the cluster `spec`; yield (student, exit code, local work folder holding result.json,
    the autograded notebooks and worker.log) as each result arrives, for grade.py to commit. `announce` gets the
    workers' containment before any submission is graded (and a later worker's, when it differs). Closing the
    generator early (an interrupt) cancels every task still queued or running."""
    from distributed import KilledWorker, as_completed

    work_root = template.parent
    with open_client(spec) as client:
        known = _check_workers(client, spec, announce)
        # Sent once to each worker (not with every task); a worker that joins later fetches it from a peer.
        [bundle] = client.scatter([lesson_bundle(project, lesson, template)], broadcast=True)
        token = secrets.token_hex(4)  # a killed run's leftover tasks never share a key with this run's
        futures = {client.submit(grade_remote, bundle, student_task(lesson, student, folders[student], fp,
                                                                     student_key(secret, student), limits,
                                                                     cell_timeout), run_job, workers,
                                 key=f"dlcourse-grade-{lesson}-{student}-{token}", pure=False): student
                   for student, fp in pending.items()}
        try:
            for future in as_completed(futures):
                student = futures[future]
                work = work_root / student
                shutil.rmtree(work, ignore_errors=True)
                work.mkdir(parents=True)
                try:
                    out = future.result()
                except KilledWorker as exc:
                    (work / "worker.log").write_text(f"every Dask worker that ran it died ({exc})\n")
                    code: int | str = "cluster"
                except Exception as exc:  # a worker-side error: a mismatched install, a full disk
                    (work / "worker.log").write_text(f"{type(exc).__name__}: {exc}\n")
                    code = "cluster"
                else:
                    code = _unpack(out, work)
                    if out["containment"] not in known:  # a worker that joined later, contained differently
                        known.add(out["containment"])
                        announce(f"{out['worker']}: {out['containment']}")
                future.release()
                yield student, code, work
        except BaseException:  # KeyboardInterrupt, or GeneratorExit when the caller stops early
            client.cancel(list(futures))
            raise


def _check_workers(client: Client, spec: str, announce: Callable[[str], None]) -> set[str]:
    """Ask every worker for its course code and containment (each probes its own machine, as local grading
    does); refuse to start when one runs different course code; say the containment once. Returns the
    containment lines seen."""
    # A worker that leaves meanwhile answers with an error and is left out: Dask reschedules its tasks anyway.
    infos = {addr: info for addr, info in client.run(_worker_info, on_error="return").items()
             if isinstance(info, dict)}
    if not infos:
        raise CourseError(f"--cluster {spec}: no worker answered; start one with `dask worker {spec}`")
    mine = code_version()
    wrong = [f"{addr} has {info['version']}" for addr, info in infos.items() if info["version"] != mine]
    if wrong:
        raise CourseError(f"--cluster {spec}: workers run other course code than this checkout ({mine}): "
                          f"{', '.join(wrong)}; install the same commit on every worker")
    by_line: dict[str, list[str]] = {}
    for addr, info in infos.items():
        by_line.setdefault(info["containment"], []).append(addr)
    if len(by_line) == 1:
        announce(f"{next(iter(by_line))} (on each of {len(infos)} Dask workers)" if len(infos) > 1
                 else f"{next(iter(by_line))} (on the one Dask worker)")
    else:
        announce("; ".join(f"{', '.join(addrs)}: {line}" for line, addrs in by_line.items()))
    return set(by_line)


def _unpack(out: dict[str, Any], work: Path) -> int | str:
    """Write a task's answer where local grading leaves it (worker.log, autograded/, result.json); its code."""
    (work / "worker.log").write_bytes(out["log"])
    if out["result"] is None:
        return out["code"]
    autograded = work / "autograded"
    for name, data in out["autograded"].items():
        path = autograded / _safe(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (work / "result.json").write_text(json.dumps({**out["result"], "autograded_dir": str(autograded)}),
                                      encoding="utf-8")
    return out["code"]


def _safe(name: str) -> str:
    """A relative path that stays inside the folder it is written to (ValueError otherwise)."""
    parts = Path(name).parts
    if not parts or Path(name).is_absolute() or ".." in parts:
        raise ValueError(f"file name in a grading task: expected a relative path inside the job, got {name!r}")
    return name


# ------------------------------------------------------------------------------------------- the workers' side

class _Here:
    """What one Dask worker process keeps between tasks: its folder, its containment, its job slots."""

    _lock = threading.Lock()
    _current: _Here | None = None

    def __init__(self, slots: int) -> None:
        from . import containment as ct

        base = Path(tempfile.gettempdir()) / f"dlcourse-cluster-{os.getuid()}"
        base.mkdir(mode=0o711, exist_ok=True)
        st = os.lstat(base)
        if st.st_uid != os.getuid() or not os.path.isdir(base) or os.path.islink(base):
            raise RuntimeError(f"{base}: expected a folder owned by uid {os.getuid()}, found uid {st.st_uid}")
        for old in base.glob("w*"):  # folders of dead worker processes (a killed worker cleans nothing)
            if old.name[1:].isdigit() and not Path(f"/proc/{old.name[1:]}").exists():
                shutil.rmtree(old, ignore_errors=True)
        self.dir = base / f"w{os.getpid()}"
        shutil.rmtree(self.dir, ignore_errors=True)
        # o+x only: a sandbox user running a kernel in place must reach its notebook folder, and list nothing.
        self.dir.mkdir(mode=0o711)
        atexit.register(shutil.rmtree, self.dir, True)
        self.box: Containment = ct.probe(slots)
        self.slots: queue.Queue[int] = queue.Queue()
        for slot in range(slots):
            self.slots.put(slot)
        self.lessons_lock = threading.Lock()

    @classmethod
    def get(cls, threads: int) -> _Here:
        """This process's state, made (and its containment probed, for `threads` jobs at once) on first use."""
        with cls._lock:
            if cls._current is None:
                cls._current = cls(threads)
            return cls._current

    def lesson(self, bundle: dict[str, Any]) -> Path:
        """The project folder rebuilt from a lesson bundle (once per bundle and process)."""
        root = self.dir / "lessons" / bundle["digest"][:24]
        with self.lessons_lock:
            if not root.is_dir():
                tmp = root.with_name(root.name + ".tmp")
                shutil.rmtree(tmp, ignore_errors=True)
                for name, data in bundle["files"].items():
                    path = tmp / _safe(name)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(data)
                tmp.rename(root)
        return root


def _worker_threads() -> int:
    """Tasks this Dask worker runs at once (1 outside a worker)."""
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError):
        return 1


def worker_info(threads: int) -> dict[str, str]:
    """This worker's course code and containment (probed here, once per process)."""
    return {"version": code_version(), "containment": _Here.get(threads).box.describe()}


async def _worker_info(dask_worker: Any) -> dict[str, str]:
    """worker_info, run by Client.run off the worker's event loop (a containment probe takes seconds)."""
    import asyncio

    return await asyncio.get_running_loop().run_in_executor(None, worker_info, int(dask_worker.state.nthreads))


def _watch(stop: threading.Event, on_cancel: Callable[[], None]) -> threading.Thread | None:
    """Call `on_cancel` once the running task's result is no longer wanted (its client cancelled it or is gone:
    a kill -9 of the instructor's process); None outside a Dask task."""
    try:
        from distributed import get_worker

        worker = get_worker()
        key = worker.get_current_task()
    except (ImportError, ValueError):
        return None

    def loop() -> None:
        while not stop.wait(WATCH_S):
            task = worker.state.tasks.get(key)
            if task is None or task.state in ("cancelled", "released", "forgotten"):
                on_cancel()
                return

    thread = threading.Thread(target=loop, name="dlcourse-watch", daemon=True)
    thread.start()
    return thread


def grade_remote(bundle: dict[str, Any], task: dict[str, Any], run_job: RunJob, make_workers: MakeWorkers
                 ) -> dict[str, Any]:
    """On a Dask worker: grade one submission exactly as local grading does (grade.run_job), in this machine's
    containment; return the exit code, the log's tail and, on success, the result and autograded files."""
    here = _Here.get(_worker_threads())
    if task["version"] != code_version():
        raise RuntimeError(f"this worker runs course code {code_version()}, the instructor {task['version']}: "
                           "install the same commit on every worker")
    project = here.lesson(bundle)
    student = task["student"]
    work = here.dir / "jobs" / f"{student}-{secrets.token_hex(4)}"
    submission = work / "submission"
    for name, data in task["files"].items():
        path = submission / _safe(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    job = {"project": str(project), "lesson": task["lesson"], "student": student, "work": str(work),
           "submission": str(submission), "template_db": str(project / "template.db"),
           "fingerprint": task["fingerprint"], "cell_timeout": task["cell_timeout"], "limits": task["limits"]}
    workers = make_workers(task["key"])  # the student's key reaches the worker on its stdin, as the secret does locally
    stop = threading.Event()
    watcher = _watch(stop, workers.stop_all)
    slot = here.slots.get()
    try:
        code = run_job(job, work, here.box, slot, Limits(**task["limits"]), workers, module=__name__)
    finally:
        here.slots.put(slot)
        stop.set()
        if watcher is not None:
            watcher.join()
    try:
        out: dict[str, Any] = {"code": code, "log": _tail(work / "worker.log"), "result": None, "autograded": {},
                               "worker": _address(), "containment": here.box.describe()}
        result_file = work / "result.json"
        if code == 0 and result_file.is_file():
            result = json.loads(result_file.read_text(encoding="utf-8"))
            autograded = Path(result.pop("autograded_dir"))
            out["autograded"] = {p.relative_to(autograded).as_posix(): p.read_bytes()
                                 for p in sorted(autograded.rglob("*")) if p.is_file()}
            out["result"] = result
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _tail(path: Path) -> bytes:
    """The last LOG_TAIL bytes of a log (empty when there is none)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, os.fstat(fh.fileno()).st_size - LOG_TAIL))
            return fh.read()
    except OSError:
        return b""


def _address() -> str:
    """This Dask worker's address (its pid outside one)."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


# ------------------------------------------------------------------------------------ the job's supervisor

def supervise(argv: list[str]) -> int:
    """`python -m dlcourse.autograde.cluster JOB.json`: run the grading worker for JOB (it inherits our stdin,
    where the key is) and end as it ended. When the Dask worker that started us dies (kill -9, a lost node),
    the kernel's parent-death signal reaches us: we stop the worker and empty the job's cgroups and sandbox
    user, which the dead Dask worker can no longer do."""
    from . import containment as ct
    from .namespaces import die_with_parent
    from .state import GRADER_PID

    job_path = Path(argv[0])
    box = json.loads(job_path.read_text(encoding="utf-8")).get("box") or {}
    child: subprocess.Popen[bytes] | None = None

    def orphaned(signum: int, frame: object) -> None:
        if child is not None:
            child.kill()
        for path in box.get("cgroups", []):
            ct.remove_cgroup(path)
        if box.get("user"):
            ct.reap_user(int(box["user"][1]))
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, orphaned)
    die_with_parent(signal.SIGTERM)
    if os.getppid() == 1:  # the Dask worker died before the line above could ask to be told
        orphaned(signal.SIGTERM, None)
    child = subprocess.Popen([sys.executable, "-m", "dlcourse.autograde.worker", str(job_path)],
                             env={**os.environ, GRADER_PID: str(os.getpid())})  # the worker's parent is us
    code = child.wait()
    if code < 0:  # die by the same signal, so the caller reads a limit (SIGXCPU, SIGKILL) as it does locally
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        return 128 - code
    return code


if __name__ == "__main__":
    sys.exit(supervise(sys.argv[1:]))
