"""Warm grading workers: a process that imports the grading stack once, then forks one worker per submission.

A worker started from scratch (`python -m dlcourse.autograde.worker`) spends about 1.8 s of CPU importing
nbgrader, nbconvert, nbclient and jupyter_client before it reads the notebook: a third of grading a short lesson,
paid again for every student. `dlcourse grade` instead starts one fork server per slot (`python -m
dlcourse.autograde.forkserver`); the server imports that stack and waits. For each job it forks a child, which
becomes the worker exactly as `worker.main` would (its own session for a kill of the whole group, tied to the
server as the server is tied to the grade run, output to the job's log) and runs `worker.run`.

Nothing of one submission reaches the next: the server itself never grades, reads no notebook and starts no
thread or event loop, so every worker is a copy of the same untouched process; the learner's kernel is a new
program in every case (the worker execs it). The run's secret reaches the server on the same pipe as the jobs, as
it reaches a cold worker on its stdin: never a file or an environment variable.

The protocol, one JSON object a line, on the server's stdin and stdout:
    grader -> server:  {"job": "/path/job.json", "log": "/path/worker.log", "secret": "hex"}
    server -> grader:  {"pid": 1234}                      the worker is running
    server -> grader:  {"pid": 1234, "status": 0}         it has ended (status as Popen.returncode: -9 = SIGKILL)
The server ends at the end of its stdin, or with the grade run (a parent-death signal).
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import IO, Callable

from ..lean import without_server_extensions
from .state import GRADER_PID

# What a worker imports on its way to a verdict, beyond `dlcourse.autograde.worker` itself: what nbgrader's
# Autograde loads by name (its preprocessors, the gradebook's SQLite dialect, the notebook exporter), what
# nbclient starts the kernel with, and the grader's side of the checks (dlgrade, dlkit, numpy, IPython's display).
WARM = ("nbgrader.converters", "nbgrader.preprocessors", "nbconvert.exporters", "nbclient",
        "jupyter_client.manager", "jupyter_client.provisioning", "sqlalchemy.dialects.sqlite",
        "dlcourse.autograde.worker", "dlgrade.lessons", "dlkit", "dlkit.backend.malloc", "numpy.testing",
        "ipykernel.kernelspec", "IPython", "codeop")


def warm() -> None:
    """Import the grading stack and compile nbformat's notebook schema (no file of a job read, no thread, no event
    loop, no socket)."""
    import importlib

    for name in WARM:
        importlib.import_module(name)
    _compile_notebook_schema()
    if threading.active_count() != 1:  # a thread would be lost in every fork, holding whatever lock it held
        raise RuntimeError(f"importing the grading stack started {threading.active_count() - 1} thread(s): "
                           "workers cannot be forked from this process")


def _compile_notebook_schema() -> None:
    """nbformat compiles its schema validator on first use, once per process (0.1-0.2 s of CPU, twice per job:
    strict, and relaxed as nbconvert writes): compiled here, every worker starts with both."""
    import nbformat
    from nbformat.validator import get_validator

    for relax in (False, True):
        get_validator(nbformat.current_nbformat, nbformat.current_nbformat_minor, relax_add_props=relax)


def _grade(request: dict) -> int:
    """A worker's work: `worker.run` on the request's job, with the run's secret."""
    from .worker import run

    return run(Path(request["job"]), bytes.fromhex(request.get("secret") or ""))


def _become_worker(request: dict, protocol: tuple[int, int], work: Callable[[dict], int]) -> int:
    """In the forked child: set up as `python -m dlcourse.autograde.worker` would be, then do the job's `work`."""
    from .worker import tie_to_grader

    for fd in protocol:  # the worker has no business on the server's pipe
        os.close(fd)
    os.setsid()
    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    os.close(null)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.environ[GRADER_PID] = str(os.getppid())  # this worker dies with the server, which dies with the run
    if not tie_to_grader():
        return 3
    return work(request)


def _fork(request: dict, protocol: tuple[int, int], work: Callable[[dict], int]) -> int:
    """Fork a worker for one request; return its pid (the child never returns from here)."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        code = _become_worker(request, protocol, work)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    raise AssertionError("unreachable")


def serve(requests: IO[str], replies: IO[str], work: Callable[[dict], int] = _grade) -> int:
    """Answer requests until the end of `requests`: fork each job's worker, report its pid, then its status."""
    protocol = (requests.fileno(), replies.fileno())
    for line in requests:
        if not line.strip():
            continue
        request = json.loads(line)
        pid = _fork(request, protocol, work)
        print(f"worker {pid} forked for {request['job']}", file=sys.stderr, flush=True)
        replies.write(json.dumps({"pid": pid}) + "\n")
        replies.flush()
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        print(f"worker {pid} ended with {code}", file=sys.stderr, flush=True)
        replies.write(json.dumps({"pid": pid, "status": code}) + "\n")
        replies.flush()
    return 0


class ForkServer:
    """The grader's end of one fork server: start it, hand it jobs one at a time, stop it."""

    def __init__(self, env: dict[str, str], log: Path, command: list[str] | None = None,
                 ready_s: float = 120.0) -> None:
        with open(log, "ab") as err:
            self.proc = subprocess.Popen(command or [sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=err, start_new_session=True, env=env)
        self.log = log
        self._buffer = b""
        self._ended = False  # its pipe closed: it has exited, or is about to (poll() may not know yet)
        ready = self._reply(ready_s)
        if ready is None or "ready" not in ready:
            self.close()
            raise OSError(f"the grading fork server did not start (see {log})")

    def alive(self) -> bool:
        """Whether the server can take another job."""
        return not self._ended and self.proc.poll() is None

    def start(self, job: Path, log: Path, secret: bytes) -> int | None:
        """Have the server fork a worker for `job` (output to `log`); its pid, or None when the server is gone."""
        request = {"job": str(job), "log": str(log), "secret": secret.hex()}
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError:
            return None
        reply = self._reply(60.0)
        if reply is None or set(reply) != {"pid"}:  # gone, or out of step with its jobs: no use any more
            self.close()
            return None
        return int(reply["pid"])

    def wait(self, timeout: float | None) -> int | None:
        """The running worker's status (as Popen.returncode) once it ends; None when the server went away or
        `timeout` seconds passed (then `alive()` says which)."""
        reply = self._reply(timeout)
        return None if reply is None else int(reply["status"])

    def _reply(self, timeout: float | None) -> dict | None:
        """The next line from the server as JSON; None at its end or after `timeout` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            if not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                self._ended = True
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def close(self) -> None:
        """Stop the server (and, by their parent-death signal, any worker it still runs)."""
        if self.proc.stdout.closed:
            return
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


def main(work: Callable[[dict], int] = _grade) -> int:
    """Entry point: `python -m dlcourse.autograde.forkserver` (started by `dlcourse grade`, one per slot).
    `work` is what each forked worker does with its request (the tests give their own)."""
    without_server_extensions()  # before the worker module imports nbgrader
    from .worker import tie_to_grader

    if not tie_to_grader():
        return 3
    # The protocol moves off fds 0 and 1, so nothing else this process prints can corrupt it.
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    warm()
    print(f"fork server {os.getpid()} ready (grade run {os.getppid()})", file=sys.stderr, flush=True)
    replies.write(json.dumps({"ready": os.getpid()}) + "\n")
    replies.flush()
    return serve(requests, replies, work)


if __name__ == "__main__":
    sys.exit(main())
