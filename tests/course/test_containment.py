"""The graded kernel's containment, piece by piece: the seccomp filter (read by a small BPF interpreter, then
installed for real in a child interpreter), the allowlist of the kernel's root, the choice of layers, and the
kernel's environment. Fast; the contained kernel itself is exercised in test_containment_kernel.py."""

from __future__ import annotations

import errno
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from dlcourse.autograde import containment as ct
from dlcourse.autograde import kernel, rootfs, seccomp

REPO = Path(__file__).resolve().parents[2]
CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND = 0x100, 0x200, 0x400, 0x800
THREAD_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | seccomp.CLONE_THREAD | 0x00080000 | 0x00100000 \
    | 0x00200000 | 0x01000000  # + SYSVSEM, SETTLS, PARENT_SETTID, CHILD_CLEARTID: what glibc's pthread_create passes
FORK_FLAGS = 0x01200000 | 17  # CHILD_SETTID | CHILD_CLEARTID | SIGCHLD: glibc's fork()


def run_filter(prog: bytes, nr: int, audit: int, arg0: int = 0, arg1: int = 0, arg5: int = 0) -> int:
    """What the classic-BPF program `prog` returns for a system call (enough of BPF for what seccomp.py emits)."""
    data = struct.pack("=iIQ6Q", nr, audit, 0, arg0, arg1, 0, 0, 0, arg5)
    insns = [struct.unpack("=HBBI", prog[i:i + 8]) for i in range(0, len(prog), 8)]
    acc, pc = 0, 0
    for _ in range(len(insns) + 1):  # no backward jumps in classic BPF: one pass at most
        code, jt, jf, k = insns[pc]
        if code == 0x20:
            acc = struct.unpack_from("=I", data, k)[0]
            pc += 1
        elif code in (0x15, 0x35, 0x45):
            taken = acc == k if code == 0x15 else acc >= k if code == 0x35 else bool(acc & k)
            pc += 1 + (jt if taken else jf)
        elif code == 0x06:
            return k
        else:
            raise AssertionError(f"opcode {code:#x} at {pc} is not one seccomp.py should emit")
    raise AssertionError("the filter ran off its end")


EPERM, ENOSYS = seccomp.ret_errno(errno.EPERM), seccomp.ret_errno(errno.ENOSYS)


@pytest.mark.parametrize("arch", [seccomp.X86_64, seccomp.AARCH64], ids=lambda a: a.name)
def test_filter_refuses_processes_and_allows_threads(arch: seccomp.Arch) -> None:
    prog = seccomp.program(arch)
    n = arch.numbers

    def verdict(name: str, arg0: int = 0) -> int:
        return run_filter(prog, n[name], arch.audit, arg0)

    for name in seccomp.BLOCKED:
        if name in n:
            assert verdict(name) == EPERM, name
    assert verdict("clone", FORK_FLAGS) == EPERM  # fork() through clone
    assert verdict("clone", CLONE_VM | 0x4000 | 17) == EPERM  # vfork-style clone (posix_spawn)
    assert verdict("clone", THREAD_FLAGS) == seccomp.RET_ALLOW  # pthread_create
    assert verdict("clone", THREAD_FLAGS | 0x40000000) == EPERM  # a thread asking for a new network namespace
    assert verdict("clone3") == ENOSYS  # glibc then falls back to clone for threads
    for cmd in seccomp.FCNTL_BLOCKED:  # locks, leases, dnotify: signals between kernels through shared files
        assert run_filter(prog, n["fcntl"], arch.audit, arg1=cmd) == EPERM, cmd
    for cmd in (1, 2, 3, 4, 1030):  # F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC
        assert run_filter(prog, n["fcntl"], arch.audit, arg1=cmd) == seccomp.RET_ALLOW, cmd
    for name in ("preadv2", "pwritev2"):
        assert run_filter(prog, n[name], arch.audit, arg5=seccomp.RWF_NOWAIT) == EPERM
        assert run_filter(prog, n[name], arch.audit, arg5=0) == seccomp.RET_ALLOW
    for harmless in (0, 1, 3, 9, 202):  # read/write/close/mmap/futex on x86_64; io_setup... on aarch64: all allowed
        if harmless not in n.values():
            assert run_filter(prog, harmless, arch.audit) == seccomp.RET_ALLOW
    other = seccomp.AARCH64 if arch is seccomp.X86_64 else seccomp.X86_64
    assert run_filter(prog, 0, other.audit) == seccomp.RET_KILL_PROCESS  # a foreign ABI's numbers mean other calls
    assert run_filter(prog, 0, 0x40000003) == seccomp.RET_KILL_PROCESS  # i386 `int 0x80` on x86_64
    if arch.x32:
        assert run_filter(prog, seccomp.X32_SYSCALL_BIT | 59, arch.audit) == seccomp.RET_KILL_PROCESS  # x32 execve


def test_installed_filter_refuses_every_way_to_start_a_process(tmp_path: Path) -> None:
    code = """
import os, subprocess, multiprocessing
for name, start in [("fork", os.fork), ("subprocess", lambda: subprocess.run(["true"])),
                    ("posix_spawn", lambda: os.posix_spawn("/bin/true", ["true"], {})),
                    ("exec", lambda: os.execv("/bin/true", ["true"])),
                    ("multiprocessing", lambda: multiprocessing.Process(target=print).start())]:
    try:
        result = start()
    except PermissionError:
        print(name, "refused")
    else:
        print(name, "ALLOWED", result)
print("system", os.system("touch ran-a-shell"))  # glibc's system() reports a shell that could not start as 127
"""
    proc = subprocess.run([sys.executable, "-c", seccomp.bootstrap(code=code)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.split("\n")
    assert all(f"{name} refused" in lines for name in ("fork", "subprocess", "posix_spawn", "exec",
                                                        "multiprocessing")), proc.stdout
    assert f"system {127 << 8}" in lines and not (tmp_path / "ran-a-shell").exists(), proc.stdout


def test_installed_filter_refuses_file_locks_and_watches(tmp_path: Path) -> None:
    """Kernels graded side by side read the same files: a lock or a watch on one would be a channel between them."""
    (tmp_path / "shared").write_text("x")
    code = """
import fcntl, os, sqlite3
fd = os.open("shared", os.O_RDONLY)
for name, call in [("lockf", lambda: fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)),
                   ("flock", lambda: fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)),
                   ("getlk", lambda: fcntl.fcntl(fd, fcntl.F_GETLK, bytes(32))),
                   ("notify", lambda: fcntl.fcntl(os.open(".", os.O_RDONLY), fcntl.F_NOTIFY, fcntl.DN_ACCESS)),
                   ("nowait", lambda: os.preadv(fd, [bytearray(1)], 0, os.RWF_NOWAIT))]:
    try:
        call()
        print(name, "ALLOWED")
    except PermissionError:
        print(name, "refused")
print("getfl", fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY, "pread", os.preadv(fd, [bytearray(1)], 0))
db = sqlite3.connect(":memory:")
print("sqlite", db.execute("select 6 * 7").fetchone()[0])
"""
    proc = subprocess.run([sys.executable, "-c", seccomp.bootstrap(code=code)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:7] == ["lockf refused", "flock refused", "getlk refused", "notify refused",
                                           "nowait refused", "getfl True pread 1", "sqlite 42"], proc.stdout


def test_installed_filter_keeps_threads_numpy_matplotlib_and_widgets_working(tmp_path: Path) -> None:
    """What a notebook needs still works under the filter, matplotlib even without a font cache (it would look
    for fc-list, which cannot run, and must fall back to scanning font folders)."""
    code = """
import threading, ctypes
from concurrent.futures import ThreadPoolExecutor
import numpy as np
assert list(ThreadPoolExecutor(4).map(lambda x: x * 2, range(8))) == [0, 2, 4, 6, 8, 10, 12, 14]
a = np.random.default_rng(0).standard_normal((300, 300)).astype(np.float32)
assert np.allclose(a @ np.linalg.inv(a), np.eye(300), atol=1e-2)
callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda x: x + 1)  # libffi closures
assert callback(1) == 2
import matplotlib
matplotlib.use("agg")
import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.plot([1, 2, 3])
ax.set_title("a title")
fig.savefig("plot.png")
import ipywidgets
ipywidgets.IntSlider(3)
import dlkit
print("all fine")
"""
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl"), "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", seccomp.bootstrap(code=code)], capture_output=True, text=True,
                          timeout=180, env=env, cwd=tmp_path)
    assert proc.returncode == 0 and "all fine" in proc.stdout, proc.stderr[-3000:]
    assert (tmp_path / "plot.png").stat().st_size > 1000


def test_allowlist_holds_the_environment_and_only_the_harness_of_dlgrade() -> None:
    paths = rootfs.allowlist()
    for needed in (sys.base_prefix, sys.prefix, str(REPO / "dlkit")):
        assert any(rootfs._under(os.path.realpath(needed), p) for p in paths), needed
    dlgrade = REPO / "course" / "dlgrade"
    assert str(dlgrade / "__init__.py") in paths and str(dlgrade / "harness") in paths
    secrets = [REPO, REPO / ".git", REPO / "solutions", REPO / "lessons", REPO / "tests", REPO / "course",
               REPO / "course" / "dlcourse", dlgrade, dlgrade / "check.py", dlgrade / "lessons",
               REPO / "course" / ".grade-state", Path("/tmp"), Path("/var/tmp"), Path("/root")]
    for secret in secrets:
        assert not any(rootfs._under(str(secret), p) for p in paths), (secret, paths)


def test_allowlist_refuses_a_path_that_would_expose_a_private_folder() -> None:
    with pytest.raises(ValueError, match="/usr would expose /usr/src/course"):
        rootfs.allowlist(private=("/usr/src/course",))


def test_symlinked_system_folders_are_recreated_as_links() -> None:
    links = rootfs.symlinks(["/lib", "/bin"])
    for path in ("/lib", "/bin"):
        if os.path.islink(path):
            assert links[path] == os.readlink(path)


def _attempts(works: set[tuple[bool, bool, bool]]):
    """A fake try_layers: (namespaces, seccomp, has user) combinations that work; others fail with a reason."""
    tried = []

    def attempt(layers: dict[str, bool], user):
        tried.append((layers["namespaces"], layers["seccomp"], user is not None))
        return None if tried[-1] in works else "it did not work"
    return attempt, tried


USER = ("dlcourse-sbx0", 999, 999)


def test_root_with_a_sandbox_user_gets_every_layer() -> None:
    attempt, tried = _attempts({(True, True, True)})
    layers, user, problems = ct.choose_layers(True, USER, attempt)
    assert layers == {"namespaces": True, "userns": False, "seccomp": True} and user == USER and not problems
    assert tried == [(True, True, True)]


def test_a_normal_user_gets_namespaces_from_a_user_namespace() -> None:
    attempt, _ = _attempts({(True, True, False)})
    layers, user, problems = ct.choose_layers(False, None, attempt)
    assert layers == {"namespaces": True, "userns": True, "seccomp": True} and user is None and not problems


def test_without_user_namespaces_a_normal_user_grades_with_seccomp_and_says_so() -> None:
    attempt, _ = _attempts({(False, True, False)})
    layers, _, problems = ct.choose_layers(False, None, attempt)
    assert layers == {"namespaces": False, "userns": False, "seccomp": True}
    assert any(p.startswith("unprivileged user namespace + seccomp failed") for p in problems)
    assert any("NOT CONTAINED" in p for p in problems)
    box = ct.Containment(problems=tuple(problems), **layers)
    assert "seccomp: no processes" in box.describe() and "NOT CONTAINED" in box.describe()


def test_root_never_runs_a_kernel_as_root_inside_namespaces() -> None:
    attempt, tried = _attempts({(True, True, False), (False, True, False)})
    layers, user, _ = ct.choose_layers(True, None, attempt)
    assert not layers["namespaces"] and user is None
    assert all(not ns for ns, _, _ in tried)


def test_a_sandbox_user_that_cannot_start_python_is_dropped_last() -> None:
    attempt, tried = _attempts({(False, True, False)})
    layers, user, problems = ct.choose_layers(True, USER, attempt)
    assert layers["seccomp"] and not layers["namespaces"] and user is None
    assert tried[:4] == [(True, True, True), (True, False, True), (False, True, True), (False, False, True)]
    assert any("cannot start Python" in p for p in problems)


def test_kernel_environment_has_nothing_of_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLCOURSE_SECRET_FOR_TEST", "s3cret")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cret")
    monkeypatch.setenv("JPY_SESSION_NAME", "/course/.grade-state/x")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.delenv("PYTHONPATH", raising=False)  # passed on (it only names folders), but not under test here
    env = kernel.kernel_env("/tmp/home", "dlcourse-sbx3")
    assert "s3cret" not in repr(env) and "grade-state" not in repr(env) and str(REPO) not in repr(env)
    assert env["OMP_NUM_THREADS"] == "1" and env["HOME"] == "/tmp/home" and env["DLGRADE_GRADED"] == "1"


def test_connection_file_points_the_kernel_at_its_socket_folder(tmp_path: Path) -> None:
    conn = tmp_path / "kernel-1.json"
    conn.write_text('{"transport": "ipc", "ip": "/tmp/dlcourse-ipc-abc/kernel", "shell_port": 1, "hb_port": 5, '
                    '"key": "k"}')
    data, links = kernel._kernel_connection(str(conn))
    info = __import__("json").loads(data)
    assert info["ip"] == f"{rootfs.IPC_MOUNT}/kernel" and info["key"] == "k"
    assert links == {"/tmp/dlcourse-ipc-abc/kernel-1": f"{rootfs.IPC_MOUNT}/kernel-1",
                     "/tmp/dlcourse-ipc-abc/kernel-5": f"{rootfs.IPC_MOUNT}/kernel-5"}


def test_kernel_command_keeps_history_in_memory_once() -> None:
    """SQLite on a file would need the file locks seccomp refuses; nbclient may already ask for :memory:."""
    for args in (["-f", "c.json"], ["-f", "c.json", "--HistoryManager.hist_file=:memory:"]):
        cmd = kernel.kernel_command({"seccomp": True}, args, None)
        assert sum(a.startswith("--HistoryManager.hist_file") for a in cmd) == 1, cmd
        assert cmd[1] == "-c" and "install(bytes.fromhex(" in cmd[2]
