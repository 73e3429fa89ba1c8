"""Containment for learners' code: who the kernel runs as, what it can see, start and reach, and how much
memory and how many processes it may use.

Layers, each used when the machine allows it (`probe` finds out by starting a contained probe through the
real kernel launcher; `Containment.describe` says which layers a run got and why others are missing):

- resource limits (always): RLIMIT_AS, RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_NOFILE set by the worker and inherited
  by the kernel; RLIMIT_NPROC set by the kernel launcher;
- namespaces (root, or any user where unprivileged user namespaces are allowed): the kernel runs on a new
  root that holds only an allowlist (rootfs.py), with no network (its own network namespace: it talks to
  the worker over unix sockets), its own System V IPC, and its own pids (it sees only itself in /proc);
- seccomp (Linux with seccomp filters, any user): the kernel cannot start processes at all (seccomp.py);
- a sandbox user (when grading as root): each parallel job slot has its own unprivileged account
  (`dlcourse-sbx0`, `dlcourse-sbx1`, ...; created with useradd when missing), so the kernel cannot signal
  the grader or read what only root may, and anything it left behind is found and killed by uid;
- cgroups (when /sys/fs/cgroup is writable): a pids cgroup and a memory cgroup per job, so the process count
  and the total memory of the worker and the kernel are capped together.
"""

from __future__ import annotations

import json
import os
import pwd
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

PROBE_MARK = "DLCOURSE-PROBE "  # the kernel launcher's probe prints its report after this
USER_PREFIX = "dlcourse-sbx"
CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class Containment:
    """What this machine lets the grader use (found once per run by `probe`)."""

    users: tuple[tuple[str, int, int], ...] = ()  # a sandbox account exists and works; empty when not root
    namespaces: bool = False  # allowlist root, no network, private IPC and pids
    userns: bool = False  # the namespaces come from an unprivileged user namespace (grading as a normal user)
    seccomp: bool = False  # the kernel cannot start processes
    pids_cgroup: str | None = None  # parent folder for per-job pids cgroups
    memory_cgroup: str | None = None  # parent folder for per-job memory cgroups
    problems: tuple[str, ...] = ()  # why a layer is missing

    @property
    def mount_ns(self) -> bool:
        """True when the kernel has its own (allowlist) view of the file system."""
        return self.namespaces

    @property
    def nproc_enforced(self) -> bool:
        """True when no fork bomb can exhaust the machine: processes are refused (seccomp) or capped (a sandbox
        user's RLIMIT_NPROC, a pids cgroup)."""
        return self.seccomp or bool(self.users) or self.pids_cgroup is not None

    @property
    def isolated(self) -> bool:
        """True when the kernel can neither read solutions/gradebook nor write outside its own /tmp."""
        return self.namespaces

    def layers(self) -> dict[str, bool]:
        """The kernel-side layers, as the JobBox fields the kernel launcher reads."""
        return {"namespaces": self.namespaces, "seccomp": self.seccomp}

    def describe(self) -> str:
        """One line for logs and the summary: the layers used, then what is missing and why."""
        parts = ["rlimits (AS, CPU, FSIZE, NOFILE, NPROC)"]
        if self.users:
            parts.append(f"one sandbox user per job ({USER_PREFIX}N)")
        if self.namespaces:
            how = " in an unprivileged user namespace" if self.userns else ""
            parts.append(f"own root with only the allowlist, no network, private IPC and pids{how}")
        if self.seccomp:
            parts.append("seccomp: no processes")
        if self.pids_cgroup:
            parts.append("pids cgroup")
        if self.memory_cgroup:
            parts.append("memory cgroup")
        text = ", ".join(parts)
        if self.problems:
            text += "; missing: " + "; ".join(self.problems)
        return text


# --------------------------------------------------------------------------------------------- probing (parent)

def _ensure_user(name: str) -> tuple[str, int, int]:
    """The sandbox account `name`, created (system account, no home, no login shell) when missing."""
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", "--user-group", name],
                       check=True, capture_output=True, text=True)
        pw = pwd.getpwnam(name)
    if pw.pw_uid == 0 or pw.pw_gid == 0:
        raise RuntimeError(f"sandbox user {name} has uid or gid 0")
    return name, pw.pw_uid, pw.pw_gid


def _own_cgroup(controller: str) -> Path | None:
    """This process's cgroup folder for a v1 controller (or None)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return CGROUP_ROOT / controller / path.lstrip("/")
    return None


def _usable_cgroup(controller: str, knob: str) -> str | None:
    """A folder where per-job cgroups of `controller` can be made (v1 hierarchy), or None."""
    base = _own_cgroup(controller)
    if base is None or not base.is_dir():
        return None
    test = base / f"dlcourse-probe-{os.getpid()}"
    try:
        test.mkdir()
    except OSError:
        return None
    try:
        return str(base) if (test / knob).exists() else None
    finally:
        try:
            test.rmdir()
        except OSError:
            pass


def try_layers(layers: dict[str, bool], user: tuple[str, int, int] | None) -> str | None:
    """None when a kernel contained with `layers` (as `user`) starts, imports its packages and shows each layer
    at work (pid 1, no grader code, no network, fork refused); otherwise why not, in one line."""

    box = {**layers, "user": list(user) if user else None, "tmp_mb": 16, "nproc": 64}
    try:
        proc = subprocess.run([sys.executable, "-m", "dlcourse.autograde.kernel", "--probe", json.dumps(box)],
                              capture_output=True, text=True, timeout=120, cwd="/")
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    output = proc.stdout + proc.stderr
    reports = [ln[len(PROBE_MARK):] for ln in output.splitlines() if ln.startswith(PROBE_MARK)]
    if proc.returncode != 0 or not reports:
        last = ([ln for ln in output.splitlines() if ln.strip()] or ["no output"])[-1]
        if user and not layers["namespaces"] and ("Error" in output or "denied" in output):
            last += (f" ({sys.executable} as {user[0]}: make the checkout and its .venv readable by others, "
                     "chmod o+rX)")
        return last[:300]
    seen = json.loads(reports[-1])
    wrong = []
    if layers["namespaces"] and (seen["pid"] != 1 or seen["grader_code"] or seen["network"] != "ENETUNREACH"):
        wrong.append(f"namespaces not in effect ({seen})")
    if layers["seccomp"] and seen["fork"] != "PermissionError":
        wrong.append(f"fork was not refused ({seen['fork']})")
    return "; ".join(wrong) or None


Attempt = Callable[[dict[str, bool], "tuple[str, int, int] | None"], "str | None"]


def _label(layers: dict[str, bool]) -> str:
    if not layers["namespaces"]:
        return "seccomp alone" if layers["seccomp"] else "rlimits alone"
    how = "unprivileged user namespace" if layers["userns"] else "namespaces as root"
    return how + (" + seccomp" if layers["seccomp"] else "")


def choose_layers(is_root: bool, user: tuple[str, int, int] | None, attempt: Attempt
                  ) -> tuple[dict[str, bool], tuple[str, int, int] | None, list[str]]:
    """The strongest kernel layers `attempt` (try_layers) shows working, the user the kernel runs as, and a
    line for each stronger combination that failed.

    Namespaces come from root (only with a sandbox user: the kernel must never run as root inside them) or,
    for a normal user, from an unprivileged user namespace; seccomp is tried with them and without; when the
    sandbox user cannot even start Python, the kernel runs as the grader with what is left."""
    with_ns = {"namespaces": True, "userns": not is_root}
    plain = {"namespaces": False, "userns": False}
    candidates = [{**plain, "seccomp": True}, {**plain, "seccomp": False}]
    if user is not None or not is_root:
        candidates = [{**with_ns, "seccomp": True}, {**with_ns, "seccomp": False}] + candidates
    problems: list[str] = []
    for who in ((user, None) if user is not None else (None,)):
        for layers in candidates:
            why = attempt(layers, who)
            if why is None:
                if not layers["namespaces"]:
                    problems.append("NOT CONTAINED: the kernel can read every file the grading user can, use the "
                                    "network and see the grader's processes")
                if user is not None and who is None:
                    problems.append("the sandbox user cannot start Python here: the kernel runs as the grader")
                return layers, who, problems
            problems.append(f"{_label(layers)} failed: {why}")
    return {**plain, "seccomp": False}, None, problems


def probe(slots: int) -> Containment:
    """Find out (and set up) what containment this machine allows for `slots` parallel jobs.

    $DLCOURSE_CONTAINMENT=rlimits turns the kernel-side layers and sandbox users off (for debugging; the hostile
    tests then skip).
    """
    if os.environ.get("DLCOURSE_CONTAINMENT") == "rlimits":
        return Containment(problems=("turned off by DLCOURSE_CONTAINMENT=rlimits",))
    problems: list[str] = []
    is_root = os.geteuid() == 0
    lease = None
    if is_root:
        try:
            lease = UserLease()
        except (OSError, subprocess.CalledProcessError, RuntimeError, KeyError) as exc:
            detail = getattr(exc, "stderr", "") or str(exc)
            problems.append(f"cannot create sandbox users with useradd ({detail.strip()})")
    try:
        layers, user, failed = choose_layers(is_root, lease.user if lease else None, try_layers)
    finally:
        if lease is not None:
            lease.release()
    problems += failed
    pids = _usable_cgroup("pids", "pids.max")
    memory = _usable_cgroup("memory", "memory.limit_in_bytes")
    if pids is None:
        problems.append("no writable pids cgroup")
    if memory is None:
        problems.append("no writable memory cgroup")
    return Containment(users=(user,) if user else (), pids_cgroup=pids, memory_cgroup=memory,
                       problems=tuple(problems), **layers)


# ------------------------------------------------------------------------------------ per job (parent side)

LOCK_DIR = Path("/tmp")  # never visible to a contained kernel (it gets a fresh /tmp)
MAX_USERS = 64


class UserLease:
    """Exclusive use of one sandbox account, across every grade run on the machine (an flock per account,
    released when the run ends or dies). A killed run's leftovers are reaped by the next one to take it."""

    def __init__(self) -> None:
        import fcntl

        for i in range(MAX_USERS):
            name = f"{USER_PREFIX}{i}"
            fd = os.open(LOCK_DIR / f".{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                self.user = _ensure_user(name)
            except BaseException:
                os.close(fd)
                raise
            self.fd = fd
            reap_user(self.user[1])
            return
        raise RuntimeError(f"all {MAX_USERS} sandbox accounts are in use")

    def release(self) -> None:
        """Kill whatever the account still runs, then let another job take it."""
        reap_user(self.user[1])
        os.close(self.fd)


@dataclass
class JobBox:
    """The containment of one job, as the kernel launcher reads it (kernel.py): its slot's user, the kernel-side
    layers `probe` found, cgroups and limits."""

    slot: int
    user: tuple[str, int, int] | None = None
    namespaces: bool = False  # root: unshared directly (needs `user`); any other user: in a user namespace
    seccomp: bool = False
    cgroups: list[str] = field(default_factory=list)
    nproc: int = 64
    tmp_mb: int = 512
    # Folders that must not be in the kernel's view as a whole (checked against the allowlist, never mounted).
    private: list[str] = field(default_factory=list)
    # dlkit with this lesson's exercises removed (lockout.py): file -> its replacement (rootfs shows each folder
    # of one as a snapshot without the original's compiled copies).
    overlays: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        """The box as plain JSON data (the kernel launcher's input)."""
        return asdict(self)


def make_cgroups(box: Containment, name: str, *, nproc: int, memory_mb: int) -> list[str]:
    """Create the job's cgroups (process cap; memory cap for everything it starts together)."""
    made = []
    for parent, settings in ((box.pids_cgroup, {"pids.max": str(nproc + 64)}),
                             (box.memory_cgroup, {"memory.limit_in_bytes": str(memory_mb * 1024 * 1024),
                                                  "memory.swappiness": "0"})):
        if parent is None:
            continue
        path = Path(parent) / name
        try:
            path.mkdir(exist_ok=True)
            for knob, value in settings.items():
                try:
                    (path / knob).write_text(value)
                except OSError:
                    if knob != "memory.swappiness":
                        raise
            made.append(str(path))
        except OSError:
            remove_cgroup(str(path))
    return made


def join_cgroups(paths: list[str]) -> None:
    """Move the calling process into the given cgroups (its children follow)."""
    for path in paths:
        Path(path, "cgroup.procs").write_text(str(os.getpid()))


def cgroup_pids(path: str) -> list[int]:
    try:
        return [int(p) for p in Path(path, "cgroup.procs").read_text().split()]
    except OSError:
        return []


def remove_cgroup(path: str) -> None:
    """Kill whatever is left in a cgroup and remove it."""
    for _ in range(50):
        pids = cgroup_pids(path)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.05)
    for _ in range(50):
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)




def oom_killed(path: str) -> bool:
    """True when the memory cgroup's limit was hit and the OOM killer acted."""
    try:
        for line in Path(path, "memory.oom_control").read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill" and int(value) > 0:
                return True
        return False
    except (OSError, ValueError):
        return False


# --------------------------------------------------------------------------------- killing a user's processes

def _status(pid: str) -> dict[str, str]:
    """The fields of /proc/PID/status that matter here (State, PPid, Uid, NSpid)."""
    out = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("State", "PPid", "Uid", "NSpid"):
                out[key] = value.strip()
    return out


def uid_pids(uid: int, keep: frozenset[int] = frozenset()) -> list[int]:
    """Every live process whose real uid is `uid`, except `keep` and the contained kernel each of them started
    (the child of a kept launcher that is pid 1 of its own pid namespace: the kernel itself, which cannot start
    processes). Zombies are left out: they are already dead and cannot be killed again."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) in keep:
            continue
        try:
            st = _status(entry.name)
        except OSError:
            continue
        if not st.get("Uid") or int(st["Uid"].split()[0]) != uid or st.get("State", " ")[0] in "ZX":
            continue
        nspid = st.get("NSpid", "").split()
        if keep and int(st.get("PPid", 0)) in keep and len(nspid) > 1 and nspid[-1] == "1":
            continue
        found.append(int(entry.name))
    return found


def reap_user(uid: int, keep: frozenset[int] = frozenset(), rounds: int = 200) -> int:
    """Stop, then kill, every process of `uid` except `keep` (a fork bomb cannot outrun it: stopped processes
    do not fork). Returns how many were killed. Only for sandbox uids, never for a real user."""
    if uid == 0:
        raise ValueError("refusing to reap uid 0")
    seen: set[int] = set()
    for _ in range(rounds):
        pids = [p for p in uid_pids(uid, keep) if p not in seen]
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGSTOP)
                seen.add(pid)
            except ProcessLookupError:
                pass
    for pid in seen:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    # Anything still there (raced past the scan) is killed by the user itself: kill(-1) as that uid.
    if uid_pids(uid, keep) and not keep:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            try:
                os.setgroups([])
                os.setresuid(uid, uid, uid)
                for _ in range(100):
                    try:
                        os.kill(-1, signal.SIGKILL)
                    except ProcessLookupError:
                        break
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
    return len(seen)


def count_user_tasks(uid: int) -> int:
    """Threads of every process of `uid` (what RLIMIT_NPROC counts)."""
    total = 0
    for pid in uid_pids(uid):
        try:
            total += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            pass
    return total
