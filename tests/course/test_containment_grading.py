"""Containment seen from inside a graded notebook, through the real `dlcourse grade`: submissions whose answer
cell probes its surroundings and prints what it found; the test reads the autograded notebook's outputs.

- what the kernel sees: none of the checkout's .git, solutions/, lessons/, tests/, course/dlcourse, the rest of
  course/dlgrade, the course folder being graded (gradebook, submissions, grading state); in /tmp only its own
  files; no /var/tmp;
- what it can start and reach: os.fork and subprocess fail; 127.0.0.1 is unreachable; no other process can be
  signalled (pid namespace: none is visible);
- System V shared memory and message queues made by one submission are not visible to the next one graded;
- the same, graded by an unprivileged user (the layers then come from a user namespace).
Slow: two grade runs as root and one as `nobody` (about a minute of two cores).
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from dlcourse.autograde import rootfs
from dlcourse.autograde.containment import probe

from . import submissions as S
from .conftest import REPO, copy_course, dlcourse, once_per_session

BOX = probe(2)
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not (BOX.namespaces and BOX.seccomp),
                                                   reason=f"no contained kernel on this machine: {BOX.describe()}")]
KEY = 0x5EED0000 + os.getpid() % 0xFFFF  # System V key of the segment and queue the maker creates
PORT_FILE = "listening-port"


def _probe_cell(root: Path, port: int) -> str:
    """Code that prints one `PROBE {json}` line describing what the kernel sees and can do."""
    secrets = [REPO / ".git", REPO / "solutions", REPO / "lessons", REPO / "tests", REPO / "course" / "dlcourse",
               REPO / "course" / "dlgrade" / "lessons", REPO / "course" / "dlgrade" / "registry.py",
               root / "solutions", root / "lessons", root / "course" / "gradebook.db", root / "course" / "submitted",
               root / "course" / ".grade-state", Path("/var/tmp")]
    bound = [p for p in rootfs.allowlist() if rootfs._under(p, "/tmp")]  # a checkout under /tmp: its allowlist
    return f"""import errno, json, os, socket, subprocess
_seen = {{"present": [p for p in {[str(s) for s in secrets]!r} if os.path.lexists(p)], "uid": os.getuid()}}
_seen["tmp"], _uids = [], set()
for _d, _ds, _ns in os.walk("/tmp"):
    _ds[:] = [n for n in _ds if os.path.join(_d, n) not in {bound!r}]  # read-only binds, not the kernel's files
    for _n in _ds + _ns:
        _seen["tmp"].append(os.path.relpath(os.path.join(_d, _n), "/tmp"))
        if _seen["tmp"][-1].split("/")[0] in ("work", "home"):
            _uids.add(os.lstat(os.path.join(_d, _n)).st_uid)
_seen["tmp"].sort()
_seen["tmp_uids"], _seen["bound"] = sorted(_uids), {bound!r}
for _name, _start in [("fork", os.fork), ("subprocess", lambda: subprocess.run(["true"]))]:
    try:
        _start()
        _seen[_name] = "started"
    except OSError as _exc:
        _seen[_name] = type(_exc).__name__
_s = socket.socket()
_s.settimeout(5)
try:
    _s.connect(("127.0.0.1", {port}))
    _seen["connect"] = "connected"
except OSError as _exc:
    _seen["connect"] = errno.errorcode.get(_exc.errno, str(_exc))
_seen["pid"], _seen["procs"], _seen["kill"] = os.getpid(), sorted(p for p in os.listdir("/proc") if p.isdigit()), {{}}
for _pid in [int(p) for p in _seen["procs"] if int(p) != os.getpid()] + [-1]:
    try:
        os.kill(_pid, 0)
        _seen["kill"][str(_pid)] = "signalled"
    except OSError as _exc:
        _seen["kill"][str(_pid)] = type(_exc).__name__
print("PROBE " + json.dumps(_seen))
"""


SHM_MAKER = f"""import ctypes
_libc = ctypes.CDLL(None, use_errno=True)
print("SHM-MAKER", _libc.shmget({KEY}, 4096, 0o1666), _libc.msgget({KEY} + 1, 0o1666))
"""
SHM_READER = f"""import ctypes
_libc = ctypes.CDLL(None, use_errno=True)
_ids = [_libc.shmget({KEY}, 0, 0), _libc.msgget({KEY} + 1, 0)]
print("SHM-READER", *[i if i >= 0 else -ctypes.get_errno() for i in _ids])
"""


def _with(student, solution, code: str):
    """Correct answers, with `code` run first in the `predict` answer cell."""
    good = S.solution_answers(solution)
    return S.build(student, {**good, "predict": code + good["predict"]})


def _cell_text(root: Path, student: str, gid: str = "predict") -> str:
    nb = json.loads((root / "course" / "autograded" / student / S.LESSON / f"{S.LESSON}.ipynb").read_text())
    cell = next(c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == gid)
    return "".join("".join(o.get("text", "")) + str(o.get("evalue", "")) for o in cell.get("outputs", []))


def _probe_seen(root: Path, student: str) -> dict:
    text = _cell_text(root, student)
    lines = [ln for ln in text.splitlines() if ln.startswith("PROBE ")]
    assert lines, text[-2000:]
    return json.loads(lines[-1][len("PROBE "):])


def _remove_ipc(key: int) -> None:
    """Remove what a broken containment would have left on the host (IPC_RMID)."""
    libc = ctypes.CDLL(None, use_errno=True)
    shm, msg = libc.shmget(key, 0, 0), libc.msgget(key + 1, 0)
    if shm >= 0:
        libc.shmctl(shm, 0, None)
    if msg >= 0:
        libc.msgctl(msg, 0, None)


def _grade_probes(folder: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    root = copy_course(folder / "project")
    dlcourse(root, "release", S.LESSON, check=True)
    student, solution = S.load(root)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    inbox = root.parent / "inbox"
    S.write(S.correct(student, solution), inbox / "good.ipynb")
    S.write(_with(student, solution, _probe_cell(root, server.getsockname()[1])), inbox / "probe.ipynb")
    S.write(_with(student, solution, SHM_MAKER), inbox / "shm-maker.ipynb")
    S.write(_with(student, solution, SHM_READER), inbox / "shm-reader.ipynb")
    dlcourse(root, "collect", S.LESSON, str(inbox), check=True)
    try:
        # The maker is graded (and its kernel gone) before the reader starts: without a private IPC namespace
        # its segment would outlive it and the reader would find it.
        first = dlcourse(root, "grade", S.LESSON, "--jobs", "2", "--no-progress", "--student", "good",
                         "--student", "probe", "--student", "shm-maker")
        second = dlcourse(root, "grade", S.LESSON, "--no-progress", "--student", "shm-reader")
    finally:
        server.close()
        _remove_ipc(KEY)
    return root, subprocess.CompletedProcess([], first.returncode or second.returncode,
                                             first.stdout + second.stdout, first.stderr + second.stderr)


@pytest.fixture(scope="session")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One graded class of probing notebooks per session (shared by the xdist workers)."""
    return once_per_session(tmp_path_factory, "containment", _grade_probes)


def test_probing_notebooks_are_graded_normally(run) -> None:
    root, proc = run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for student in ("good", "probe", "shm-maker", "shm-reader"):
        assert S.auto_total(root, student) == S.max_points(), (student, S.scores(root, student))
    assert "no network" in proc.stdout and "seccomp: no processes" in proc.stdout


def test_a_graded_kernel_sees_none_of_the_course_and_only_its_own_tmp(run) -> None:
    root, _ = run
    seen = _probe_seen(root, "probe")
    assert seen["present"] == [], seen["present"]
    # the kernel's own work and home, and (for a checkout under /tmp) the folders holding the allowlist's binds
    parts = [Path(b).relative_to("/tmp").parts for b in seen["bound"]]
    holders = {"/".join(p[:i]) for p in parts for i in range(1, len(p) + 1)}
    assert all(p.split("/")[0] in ("work", "home") or p in holders for p in seen["tmp"]), seen["tmp"]
    assert seen["tmp_uids"] == [seen["uid"]], seen


def test_a_graded_kernel_cannot_start_processes_or_reach_the_network(run) -> None:
    root, _ = run
    seen = _probe_seen(root, "probe")
    assert seen["fork"] == "PermissionError" and seen["subprocess"] == "PermissionError", seen
    assert seen["connect"] == "ENETUNREACH", seen


def test_a_graded_kernel_cannot_signal_the_grader(run) -> None:
    root, _ = run
    seen = _probe_seen(root, "probe")
    assert "signalled" not in seen["kill"].values(), seen["kill"]
    assert seen["pid"] == 1 and seen["procs"] == ["1"] and seen["kill"] == {"-1": "ProcessLookupError"}, seen


def test_system_v_ipc_of_one_submission_is_invisible_to_the_next(run) -> None:
    root, _ = run
    maker = _cell_text(root, "shm-maker").split()
    assert maker[0] == "SHM-MAKER" and int(maker[1]) >= 0 and int(maker[2]) >= 0, maker
    assert _cell_text(root, "shm-reader").split() == ["SHM-READER", "-2", "-2"]  # ENOENT twice


def _unprivileged_prefix(uid: int) -> str | None:
    """Shell lines that let `uid` start the interpreter (a private folder on its way, e.g. /root, replaced by a
    tmpfs holding only the child on that way); None when more than one level would be needed."""
    lines = []
    for path in {sys.base_prefix, os.path.realpath(sys.executable), sys.prefix, str(REPO)}:
        parts = Path(path).parts
        blocked = [i for i in range(1, len(parts) - 1) if not Path(*parts[:i + 1]).stat().st_mode & 0o001]
        if len(blocked) > 1:
            return None
        if blocked:
            folder, child = Path(*parts[:blocked[0] + 1]), Path(*parts[:blocked[0] + 2])
            stage = f"/tmp/.scaffold-{os.getpid()}"
            lines += [f"mkdir -p {stage}", f"mount --bind {child} {stage}", f"mount -t tmpfs -o mode=755 tmpfs {folder}",
                      f"mkdir -p {child}", f"mount --move {stage} {child}"]
    return "\n".join(dict.fromkeys(lines)) + "\n"


@pytest.mark.skipif(os.geteuid() != 0 or not (shutil.which("unshare") and shutil.which("setpriv")),
                    reason="needs root to become an unprivileged user (unshare, setpriv)")
def test_an_unprivileged_grader_gets_the_same_containment() -> None:
    """`dlcourse grade` run by `nobody`: the same probe sees the same nothing, from a user namespace."""
    nobody = 65534
    prefix = _unprivileged_prefix(nobody)
    if prefix is None:
        pytest.skip("the interpreter is too deep in private folders for this test's scaffold")
    base = Path(tempfile.mkdtemp(prefix="dlcourse-nobody-", dir="/tmp"))
    try:
        root = copy_course(base / "project")
        dlcourse(root, "release", S.LESSON, check=True)
        student, solution = S.load(root)
        S.write(S.correct(student, solution), base / "inbox" / "good.ipynb")
        S.write(_with(student, solution, _probe_cell(root, 9)), base / "inbox" / "probe.ipynb")
        dlcourse(root, "collect", S.LESSON, str(base / "inbox"), check=True)
        (base / "home").mkdir()
        subprocess.run(["chown", "-R", f"{nobody}:{nobody}", str(base)], check=True)
        base.chmod(0o755)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV"))}
        env.update(HOME=str(base / "home"), MPLCONFIGDIR=str(base / "home" / "mpl"))
        script = prefix + (f"cd {base} && exec setpriv --reuid={nobody} --regid={nobody} --clear-groups "
                           f"{sys.executable} -m dlcourse --project {root} grade {S.LESSON} --jobs 2 --no-progress")
        proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-ec", script],
                              capture_output=True, text=True, timeout=900, env=env)
        if "user namespace" in proc.stdout and "failed" in proc.stdout and "NOT CONTAINED" in proc.stdout:
            pytest.skip(f"unprivileged user namespaces are off here: {proc.stdout[-500:]}")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "in an unprivileged user namespace" in proc.stdout and "seccomp: no processes" in proc.stdout
        assert S.auto_total(root, "good") == S.max_points() and S.auto_total(root, "probe") == S.max_points()
        seen = _probe_seen(root, "probe")
        assert seen["present"] == [] and seen["uid"] == nobody, seen
        assert seen["fork"] == seen["subprocess"] == "PermissionError" and seen["connect"] == "ENETUNREACH", seen
        assert seen["pid"] == 1 and seen["kill"] == {"-1": "ProcessLookupError"}, seen
    finally:
        shutil.rmtree(base, ignore_errors=True)
