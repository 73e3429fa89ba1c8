"""Warm grading workers (dlcourse.autograde.forkserver): every way a forked worker can end is reported as a cold
worker's would be, the server outlives a failed job and dies with its grade run, and nothing it forks survives it.

The servers here run a test's own `work` (a line of Python from the job file) in place of grading, so each case
takes seconds; tests/course/test_grading.py checks the real thing (each lesson's workers forked by one warm
server per slot, graded as before).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from dlcourse.autograde.forkserver import ForkServer
from dlcourse.autograde.grade import WORKER_ENV, _failure_reason, _Workers
from dlcourse.autograde.limits import Limits
from dlcourse.autograde.state import GRADER_PID

# A fork server whose workers exec the job file's text instead of grading it.
SERVER = [sys.executable, "-c", """
import sys
from pathlib import Path
from dlcourse.autograde import forkserver

def work(request):
    exec(Path(request["job"]).read_text())
    return 0

sys.exit(forkserver.main(work=work))
"""]


def _env() -> dict[str, str]:
    return {**os.environ, **WORKER_ENV, GRADER_PID: str(os.getpid())}


def _job(tmp_path: Path, name: str, code: str) -> Path:
    job = tmp_path / f"{name}.py"
    job.write_text(code)
    return job


def _wait_for(path: Path, within: float = 60.0) -> None:
    """Wait until a test worker has written `path` (it is running)."""
    deadline = time.monotonic() + within
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def _gone(pid: int, within: float = 30.0) -> bool:
    """Whether process pid has ended (or is a zombie) within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


def test_each_job_gets_a_fresh_fork_and_a_failure_leaves_the_server_serving(tmp_path: Path) -> None:
    """A job that raises ends with 1 and its traceback in its own log; the next job runs in a new process whose
    parent is the server, and sees nothing the failed one changed."""
    server = ForkServer(_env(), tmp_path / "server.log", SERVER)
    try:
        bad = _job(tmp_path, "bad", "import json; json.CHANGED = True\nraise ValueError('no such notebook')")
        first = server.start(bad, tmp_path / "bad.log", b"")
        assert server.wait(30) == 1
        assert "ValueError: no such notebook" in (tmp_path / "bad.log").read_text()
        assert server.alive()
        probe = _job(tmp_path, "probe", "import json, os\nprint(os.getppid(), os.getpid(), os.getsid(0), "
                                        "hasattr(json, 'CHANGED'))")
        second = server.start(probe, tmp_path / "probe.log", b"")
        assert server.wait(30) == 0
        ppid, pid, sid, changed = (tmp_path / "probe.log").read_text().split()
        assert (int(ppid), int(pid), int(sid), changed) == (server.proc.pid, second, second, "False")
        assert first != second
    finally:
        server.close()
    assert server.proc.returncode == 0
    log = (tmp_path / "server.log").read_text()
    assert f"worker {first} ended with 1" in log and f"worker {second} ended with 0" in log


def test_a_worker_past_the_limit_is_killed_with_everything_it_started(tmp_path: Path) -> None:
    """As for a cold worker: past the notebook limit plus grace, its whole group (the kernel too) is killed."""
    workers = _Workers(warm=tmp_path, server=SERVER)
    pids = tmp_path / "pids"
    job = _job(tmp_path, "slow", f"import os, subprocess, time\nkid = subprocess.Popen(['sleep', '300'])\n"
                                 f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{kid.pid}}')\ntime.sleep(300)")
    try:
        started = time.monotonic()
        assert workers.run_forked(job, 0, Limits(wall_s=1), tmp_path / "slow.log") == "timeout"
        assert time.monotonic() - started < 60
        worker, kid = map(int, pids.read_text().split())
        assert _gone(worker) and _gone(kid)
        assert workers.servers[0].alive()  # the server goes on to the next job
    finally:
        workers.close()


def test_a_server_killed_mid_job_fails_it_as_retryable_and_takes_the_worker_along(tmp_path: Path) -> None:
    """The worker of a killed server dies too (parent-death signal), and the job is reported 'lost': a machine
    problem, retried on the next run, with a reason that says so."""
    workers = _Workers(warm=tmp_path, server=SERVER)
    pids = tmp_path / "pids"
    job = _job(tmp_path, "slow", f"import os, time\nopen({str(pids)!r}, 'w').write(str(os.getpid()))\n"
                                 "time.sleep(300)")

    def kill_server_once_running() -> None:
        _wait_for(pids)
        os.kill(workers.servers[0].proc.pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_server_once_running)
    try:
        workers.servers[0] = ForkServer(workers._env(), tmp_path / "forkserver-0.log", SERVER)
        killer.start()
        (tmp_path / "work").mkdir()
        code = workers.run_forked(job, 0, Limits(wall_s=600), tmp_path / "work" / "slow.log")
        killer.join()
        assert code == "lost"
        assert _gone(int(pids.read_text()))
        reason = _failure_reason(code, tmp_path / "work" / "slow.log", Limits())
        assert "fork server ended while it graded; run grade again" in reason
        # The next job gets a new server.
        again = _job(tmp_path, "quick", "pass")
        assert workers.run_forked(again, 0, Limits(wall_s=60), tmp_path / "quick.log") == 0
    finally:
        workers.close()


def test_a_server_and_its_workers_die_with_the_grade_run(tmp_path: Path) -> None:
    """SIGKILL the process that started the server: the server and the worker it forked end with it."""
    pids = tmp_path / "pids"
    job = _job(tmp_path, "slow", f"import os, time\nopen({str(pids)!r}, 'w').write(str(os.getpid()))\n"
                                 "time.sleep(300)")
    grader = subprocess.Popen([sys.executable, "-c", f"""
import os, sys, time
from pathlib import Path
from dlcourse.autograde.forkserver import ForkServer
env = {{**os.environ, "DLCOURSE_GRADER_PID": str(os.getpid())}}
server = ForkServer(env, Path({str(tmp_path / 'server.log')!r}), {SERVER!r})
print(server.proc.pid, flush=True)
server.start(Path({str(job)!r}), Path({str(tmp_path / 'slow.log')!r}), b"")
time.sleep(300)
"""], stdout=subprocess.PIPE, text=True)
    try:
        server = int(grader.stdout.readline())
        _wait_for(pids)
        worker = int(pids.read_text())
        grader.kill()
        grader.wait()
        assert _gone(server) and _gone(worker)
    finally:
        grader.kill()


def test_stop_all_kills_forked_workers(tmp_path: Path) -> None:
    """Ctrl-C in `dlcourse grade` (stop_all) reaches workers forked by a server, as it reaches cold ones."""
    workers = _Workers(warm=tmp_path, server=SERVER)
    pids = tmp_path / "pids"
    job = _job(tmp_path, "slow", f"import os, time\nopen({str(pids)!r}, 'w').write(str(os.getpid()))\n"
                                 "time.sleep(300)")
    codes: list[int | str] = []
    runner = threading.Thread(target=lambda: codes.append(
        workers.run_forked(job, 0, Limits(wall_s=600), tmp_path / "slow.log")))
    try:
        runner.start()
        _wait_for(pids)
        workers.stop_all()
        runner.join(60)
        assert codes == [-signal.SIGKILL]
        assert _gone(int(pids.read_text()))
    finally:
        workers.close()


def test_warming_up_starts_no_thread() -> None:
    """The real server imports the grading stack without starting a thread (a fork would lose it mid-lock)."""
    proc = subprocess.run([sys.executable, "-c", "import threading, dlcourse.autograde.forkserver as m; m.warm(); "
                           "print(threading.active_count())"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **WORKER_ENV})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "1"
