"""Containment for learners' code: who the kernel runs as, what it can see and write, and how many processes
and how much memory it may use.

Layers, each used when the machine allows it (`probe` finds out, `Containment.describe` says which):

- resource limits (always): RLIMIT_AS, RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_NOFILE set by the worker and inherited
  by the kernel; RLIMIT_NPROC set by the kernel launcher;
- a sandbox user (when grading as root): each parallel job slot has its own unprivileged account
  (`dlcourse-sbx0`, `dlcourse-sbx1`, ...; created with useradd when missing). The kernel drops to it, so
  RLIMIT_NPROC applies (the kernel ignores it for root) and counts only that one kernel's processes, and
  every process the learner started can be found and killed by its uid, even one that left the process group;
- a private mount namespace (root): the kernel sees the course's solutions/ and course/ folders (gradebook,
  other students' submissions, grading state) and every temporary folder replaced by empty read-only
  filesystems, every other filesystem read-only, and a fresh size-limited /tmp holding its own working copy;
- cgroups (when /sys/fs/cgroup is writable): a pids cgroup and a memory cgroup per job, so the process count
  and the total memory of the kernel and everything it starts are capped together.

As a normal user (an instructor's laptop) only the resource limits and a per-user RLIMIT_NPROC (the user's
current process count plus the cap) apply; `describe()` says so and the hostile tests skip.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import pwd
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

USER_PREFIX = "dlcourse-sbx"
CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class Containment:
    """What this machine lets the grader use (found once per run by `probe`)."""

    users: tuple[tuple[str, int, int], ...] = ()  # a sandbox account exists and works; empty when not root
    mount_ns: bool = False
    pids_cgroup: str | None = None  # parent folder for per-job pids cgroups
    memory_cgroup: str | None = None  # parent folder for per-job memory cgroups
    problems: tuple[str, ...] = ()  # why a layer is missing

    @property
    def nproc_enforced(self) -> bool:
        """True when a process cap really applies to the kernel (a sandbox user or a pids cgroup)."""
        return bool(self.users) or self.pids_cgroup is not None

    @property
    def isolated(self) -> bool:
        """True when the kernel can neither read solutions/gradebook nor write outside its scratch folder."""
        return bool(self.users) and self.mount_ns

    def describe(self) -> str:
        """One line for logs and the summary."""
        parts = ["rlimits (AS, CPU, FSIZE, NOFILE, NPROC)"]
        if self.users:
            parts.append(f"one sandbox user per job ({USER_PREFIX}N)")
        if self.mount_ns:
            parts.append("private mount namespace (solutions/course hidden, filesystems read-only)")
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


def _can_run_as(uid: int, gid: int, mount_ns: bool) -> str | None:
    """None when the sandbox user can start this interpreter and import the kernel's packages, else why not.

    With a mount namespace this goes through the real kernel launcher (which can re-expose an interpreter
    that lives in a private folder such as /root/.pyenv)."""
    from .kernel import PROBE_CODE

    try:
        if mount_ns:
            proc = subprocess.run([sys.executable, "-m", "dlcourse.autograde.kernel", "--probe", str(uid), str(gid)],
                                  capture_output=True, text=True, timeout=120, cwd="/")
        else:
            proc = subprocess.run([sys.executable, "-c", PROBE_CODE], capture_output=True, text=True,
                                  timeout=120, user=uid, group=gid, extra_groups=[], cwd="/",
                                  env={"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent"})
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return f"{sys.executable} cannot import the kernel's packages as an unprivileged user ({last}); " \
               "make the checkout and its .venv readable by others (chmod o+rX)"
    return None


def _mount_ns_works() -> str | None:
    """None when a child can unshare a mount namespace and mount a tmpfs, else why not."""
    code = ("import dlcourse.autograde.containment as c; c.unshare_mounts(); c.mount_tmpfs('/mnt', 'size=1m,mode=0555', True)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        return (proc.stderr.strip().splitlines() or ["?"])[-1]
    return None


def probe(slots: int) -> Containment:
    """Find out (and set up) what containment this machine allows for `slots` parallel jobs.

    $DLCOURSE_CONTAINMENT=rlimits turns the privileged layers off (for debugging; hostile tests then skip).
    """
    problems: list[str] = []
    if os.environ.get("DLCOURSE_CONTAINMENT") == "rlimits":
        return Containment(problems=("turned off by DLCOURSE_CONTAINMENT=rlimits",))
    if os.geteuid() != 0:
        return Containment(problems=("not root: no sandbox user, no mount namespace (process cap counts every "
                                     "process of the grading user)",))
    users: list[tuple[str, int, int]] = []
    lease = None
    try:
        lease = UserLease()
        users = [lease.user]
    except (OSError, subprocess.CalledProcessError, RuntimeError, KeyError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        problems.append(f"cannot create sandbox users with useradd ({detail.strip()})")
        users = []
    mount_ns = False
    if users:
        why = _mount_ns_works()
        mount_ns = why is None
        if why:
            problems.append(f"no private mount namespace ({why})")
        why = _can_run_as(users[0][1], users[0][2], mount_ns)
        if why:
            problems.append(why)
            users, mount_ns = [], False
    if lease is not None:
        lease.release()
    pids = _usable_cgroup("pids", "pids.max")
    memory = _usable_cgroup("memory", "memory.limit_in_bytes")
    if pids is None:
        problems.append("no writable pids cgroup")
    if memory is None:
        problems.append("no writable memory cgroup")
    return Containment(tuple(users), mount_ns, pids, memory, tuple(problems))


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
        reap_user(self.user[1])
        os.close(self.fd)

@dataclass
class JobBox:
    """The containment of one job: its slot's user, cgroups and what the kernel must not see."""

    slot: int
    user: tuple[str, int, int] | None = None
    mount_ns: bool = False
    cgroups: list[str] = field(default_factory=list)
    nproc: int = 64
    hide: list[str] = field(default_factory=list)
    tmp_mb: int = 512

    def to_json(self) -> dict:
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

def uid_pids(uid: int, keep: frozenset[int] = frozenset()) -> list[int]:
    """Every live process whose real uid is `uid` (except `keep`). Zombies are left out: they are already dead
    (their parent, the kernel, has not waited for them yet) and cannot be killed again."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) in keep:
            continue
        try:
            with open(f"/proc/{entry.name}/status") as fh:
                for line in fh:
                    if line.startswith("State:") and line.split()[1] in ("Z", "X"):
                        break
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) == uid:
                            found.append(int(entry.name))
                        break
        except OSError:
            continue
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


# ------------------------------------------------------------------------------------- mounts (kernel side)

_CLONE_NEWNS = 0x00020000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 32, 4096, 16384, 1 << 18
_FLAG_NAMES = {"nosuid": _MS_NOSUID, "nodev": _MS_NODEV, "noexec": _MS_NOEXEC}
_libc = None


def _c():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return _libc


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def unshare_mounts() -> None:
    """Enter a private mount namespace: nothing mounted here is seen outside."""
    _check(_c().unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _check(_c().mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None), "make / private")


def mount_tmpfs(target: str, options: str, readonly: bool = False) -> None:
    """Mount a fresh tmpfs over `target` (hiding what was there)."""
    flags = _MS_NOSUID | _MS_NODEV | (_MS_RDONLY if readonly else 0)
    _check(_c().mount(b"tmpfs", target.encode(), b"tmpfs", flags, options.encode()), f"mount tmpfs on {target}")


def _mount_points() -> list[tuple[str, int]]:
    """(mount point, per-mount flags) of every mount in this namespace."""
    out = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        point = fields[4].encode().decode("unicode_escape")
        flags = 0
        for opt in fields[5].split(","):
            flags |= _FLAG_NAMES.get(opt, 0)
        out.append((point, flags))
    return out


def remount_readonly(keep_writable: tuple[str, ...]) -> list[str]:
    """Make every mount read-only except the virtual ones and `keep_writable`; return what could not be."""
    failed = []
    for point, flags in _mount_points():
        if point in keep_writable or point.startswith(("/proc", "/sys", "/dev")):
            continue
        ret = _c().mount(b"none", point.encode(), None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | flags, None)
        if ret != 0:
            failed.append(point)
    return failed
