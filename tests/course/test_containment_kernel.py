"""A graded kernel, started the way the worker starts it (the job's kernelspec, jupyter_client, the same
transport), probed from inside: what it sees, what it can start, reach and signal, and what it can learn about
the worker. Each probe prints; the test reads what came back over the Jupyter channels.

Needs the namespaces layer (root, or unprivileged user namespaces): skipped with the reason otherwise.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dlcourse.autograde import containment as ct
from dlcourse.autograde import rootfs
from dlcourse.autograde.kernelspec import install_kernel

REPO = Path(__file__).resolve().parents[2]
BOX = ct.probe(1)
pytestmark = pytest.mark.skipif(not (BOX.namespaces and BOX.seccomp),
                                reason=f"no contained kernel on this machine: {BOX.describe()}")
MARKER = "dlcourse-test-worker-secret"


class Kernel:
    """One contained kernel for a job in `folder`, with a notebook folder holding `mine.txt`."""

    def __init__(self, folder: Path, argv_prefix: list[str] | None = None) -> None:
        from jupyter_client.manager import KernelManager

        self.lease = ct.UserLease() if BOX.users else None
        self.uid = self.lease.user[1] if self.lease else os.getuid()
        self.work = folder / "work"
        notebook = folder / "notebook"
        notebook.mkdir(parents=True)
        (notebook / "mine.txt").write_text("the learner's file")
        box = ct.JobBox(0, self.lease.user if self.lease else None, private=[str(REPO)], **BOX.layers()).to_json()
        saved = {k: os.environ.get(k) for k in ("JUPYTER_PATH", "DLCOURSE_KERNEL_BOX")}
        try:
            settings = install_kernel(box, self.work)
            if argv_prefix:
                spec = self.work / "jupyter" / "kernels" / "python3" / "kernel.json"
                data = json.loads(spec.read_text())
                data["argv"] = argv_prefix + data["argv"][1:]
                spec.write_text(json.dumps(data))
            self.km = KernelManager(kernel_name="python3", **settings)
            self.km.start_kernel(cwd=str(notebook), env={**os.environ, "DLCOURSE_TEST_MARKER": MARKER})
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)

    @property
    def launcher_pid(self) -> int:
        return self.km.provisioner.process.pid

    def run(self, code: str, timeout: float = 120) -> str:
        """Execute `code`; return what it printed and any error, as text."""
        out: list[str] = []

        def hook(msg: dict) -> None:
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                out.append(f"{content['ename']}: {content['evalue']}\n")
        self.kc.execute_interactive(code, timeout=timeout, output_hook=hook)
        return "".join(out)

    def json(self, code: str) -> object:
        """Execute `code`, which prints one JSON value last; return it."""
        text = self.run(code)
        try:
            return json.loads(text.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise AssertionError(f"no JSON from the kernel: {text[-2000:]}") from None

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)
        if self.lease:
            self.lease.release()


@pytest.fixture(scope="module")
def kernels(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Kernel, Kernel]]:
    """Two contained kernels, as two parallel jobs."""
    a = Kernel(tmp_path_factory.mktemp("job-a"))
    b = Kernel(tmp_path_factory.mktemp("job-b"))
    yield a, b
    a.close()
    b.close()


def test_the_kernel_root_holds_only_the_allowlist(kernels: tuple[Kernel, Kernel]) -> None:
    a, _ = kernels
    secrets = [REPO / ".git", REPO / "solutions", REPO / "lessons", REPO / "tests", REPO / "course" / "dlcourse",
               REPO / "course" / "dlgrade" / "check.py", REPO / "course" / "dlgrade" / "lessons",
               REPO / "course" / ".grade-state", a.work, a.work / "kernel-box.json", Path("/var/tmp"),
               Path("/home"), Path("/sys")]
    seen = a.json(f"""import json, os
print(json.dumps({{"root": sorted(os.listdir("/")), "repo": sorted(os.listdir({str(REPO)!r})),
    "course": sorted(os.listdir({str(REPO / "course")!r})),
    "dlgrade": sorted(os.listdir({str(REPO / "course" / "dlgrade")!r})),
    "tmp": sorted(os.listdir("/tmp")), "root_home": sorted(os.listdir("/root")) if os.path.isdir("/root") else None,
    "present": [p for p in {[str(s) for s in secrets]!r} if os.path.lexists(p)],
    "cwd": os.getcwd(), "mine": open("mine.txt").read()}}))""")
    tops = {Path(p).parts[1] for p in [*rootfs.allowlist(), *rootfs.symlinks(rootfs.wanted())]}
    assert set(seen["root"]) == tops | {"dev", "proc", "tmp", "run"}, seen["root"]
    assert seen["repo"] == sorted({".venv", "dlkit", "course"} & set(os.listdir(REPO))), seen["repo"]
    assert seen["course"] == ["dlgrade"] and seen["dlgrade"] == ["__init__.py", "harness"]
    under_root = sorted({Path(p).parts[2] for p in rootfs.allowlist() if rootfs._under(p, "/root") and p != "/root"})
    # /tmp is the kernel's own; a checkout under /tmp (a fresh clone there) adds the folder holding its allowlist
    under_tmp = {Path(p).parts[2] for p in rootfs.allowlist() if rootfs._under(p, "/tmp") and p != "/tmp"}
    assert seen["tmp"] == sorted({"home", "work"} | under_tmp), seen["tmp"]
    assert seen["root_home"] in (None, under_root), seen["root_home"]
    assert seen["present"] == []
    assert seen["cwd"] == "/tmp/work" and seen["mine"] == "the learner's file"


def test_the_kernel_writes_only_its_own_tmp(kernels: tuple[Kernel, Kernel]) -> None:
    a, _ = kernels
    targets = ["/usr/lib/x", f"{REPO}/dlkit/x", "/x", "/etc/x", f"{sys.prefix}/x", "/tmp/work/x", "/dev/shm/x"]
    result = a.json(f"""import json
out = {{}}
for path in {targets!r}:
    try:
        open(path, "w").write("x")
        out[path] = "written"
    except OSError as exc:
        out[path] = type(exc).__name__
print(json.dumps(out))""")
    assert result.pop("/tmp/work/x") == "written" and result.pop("/dev/shm/x") == "written"
    assert all(v in ("OSError", "PermissionError") for v in result.values()), result
    # its socket folder is its own tiny tmpfs: no host disk behind it
    full = a.run(f"""try:
    open("{rootfs.IPC_MOUNT}/fill", "wb").write(bytes(2**20))
    print("written")
except OSError as exc:
    print(exc.strerror)""")
    assert full.strip() == "No space left on device", full


def test_the_kernel_cannot_start_processes(kernels: tuple[Kernel, Kernel]) -> None:
    a, _ = kernels
    text = a.run("""import os, subprocess
for name, start in [("fork", os.fork), ("subprocess", lambda: subprocess.run(["ls"])),
                    ("posix_spawn", lambda: os.posix_spawn("/bin/ls", ["ls"], {}))]:
    try:
        start()
        print(name, "STARTED")
    except PermissionError:
        print(name, "refused")""")
    assert text.split() == ["fork", "refused", "subprocess", "refused", "posix_spawn", "refused"], text


def test_the_kernel_has_no_network(kernels: tuple[Kernel, Kernel]) -> None:
    """Not even the loopback: a server listening on the grader's 127.0.0.1 cannot be reached."""
    a, _ = kernels
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    try:
        seen = a.json(f"""import errno, json, socket
s = socket.socket()
s.settimeout(5)
try:
    s.connect(("127.0.0.1", {port}))
    result = "connected"
except OSError as exc:
    result = errno.errorcode.get(exc.errno, str(exc))
print(json.dumps([result, [name for _, name in socket.if_nameindex()]]))""")
    finally:
        server.close()
    assert seen == ["ENETUNREACH", ["lo"]], seen


def test_the_kernel_sees_and_signals_no_other_process(kernels: tuple[Kernel, Kernel]) -> None:
    """Its own pid namespace: it is pid 1 and alone; the grader's pids mean nothing there."""
    a, b = kernels
    outside = [os.getpid(), a.launcher_pid, b.launcher_pid, 1]
    seen = a.json(f"""import json, os, signal
out = {{"pid": os.getpid(), "procs": sorted(p for p in os.listdir("/proc") if p.isdigit())}}
for pid in {outside[:3]!r} + [-1]:
    try:
        os.kill(pid, 0)
        out[str(pid)] = "signalled"
    except OSError as exc:
        out[str(pid)] = type(exc).__name__
print(json.dumps(out))""")
    assert seen.pop("pid") == 1 and seen.pop("procs") == ["1"], seen
    assert seen.pop("-1") == "ProcessLookupError"  # kill(-1): nobody else to signal
    # a pid from outside is either unknown here or, by chance, the kernel itself (pid 1 is excluded above)
    assert all(v in ("ProcessLookupError", "signalled") for v in seen.values()), seen
    assert all(v == "ProcessLookupError" for k, v in seen.items() if k != "1"), seen


SHM = """import ctypes, json
libc = ctypes.CDLL(None, use_errno=True)
key = {key}
ids = [libc.shmget(key, {size}, {flags}), libc.msgget(key + 1, {flags})]
print(json.dumps([i if i >= 0 else -ctypes.get_errno() for i in ids]))"""


def test_system_v_ipc_is_private_to_each_kernel(kernels: tuple[Kernel, Kernel]) -> None:
    """Shared memory and message queues one submission makes are not visible to another, nor to the host."""
    a, b = kernels
    key = 0x5EED0000 + os.getpid() % 0xFFFF
    made = a.json(SHM.format(key=key, size=4096, flags=0o1666))  # IPC_CREAT | 0666
    assert all(i >= 0 for i in made), made
    assert b.json(SHM.format(key=key, size=0, flags=0)) == [-2, -2]  # ENOENT, ENOENT
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.shmget(key, 0, 0) == -1 and libc.msgget(key + 1, 0) == -1


def test_kernels_cannot_signal_each_other_through_the_files_they_share(kernels: tuple[Kernel, Kernel]) -> None:
    """Both kernels read the same inodes (the read-only allowlist): locks and watches on them are refused."""
    a, _ = kernels
    text = a.run(f"""import ctypes, fcntl, os
fd = os.open({os.path.join(sys.prefix, "pyvenv.cfg")!r}, os.O_RDONLY)
libc = ctypes.CDLL(None, use_errno=True)
watch = libc.inotify_add_watch(libc.inotify_init1(0), b"/usr", 0xFFF)
print("inotify", "refused" if watch == -1 and ctypes.get_errno() == 1 else "ALLOWED")
for name, call in [("lockf", lambda: fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)),
                   ("flock", lambda: fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB))]:
    try:
        call()
        print(name, "ALLOWED")
    except PermissionError:
        print(name, "refused")
os.close(fd)""")
    assert text.split() == ["inotify", "refused", "lockf", "refused", "flock", "refused"], text


def test_nothing_of_the_worker_is_in_reach(kernels: tuple[Kernel, Kernel]) -> None:
    """The worker's environment, its job folder and files: not in the kernel's environment, /proc or fds."""
    a, _ = kernels
    seen = a.json("""import json, os
fds = {}
for fd in os.listdir("/proc/self/fd"):
    try:
        fds[fd] = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        pass
print(json.dumps({"env": dict(os.environ), "environ": open("/proc/1/environ", "rb").read().decode(errors="replace"),
                  "cmdline": open("/proc/1/cmdline", "rb").read().decode(errors="replace"), "fds": fds,
                  "mounts": open("/proc/self/mountinfo").read()}))""")
    text = json.dumps(seen)
    assert MARKER not in text and str(a.work) not in text
    assert not any(k.startswith(("DLCOURSE_", "JPY_SESSION")) for k in seen["env"]), seen["env"]
    files = [t for t in seen["fds"].values() if t.startswith("/")]
    assert all(t.startswith(("/tmp/", "/dev/", "/proc/", rootfs.IPC_MOUNT)) for t in files), files


def test_an_interrupt_reaches_the_kernel(kernels: tuple[Kernel, Kernel]) -> None:
    a, _ = kernels
    timer = threading.Timer(2.0, a.km.interrupt_kernel)
    timer.start()
    try:
        text = a.run("import time\nfor _ in range(600):\n    time.sleep(0.1)\nprint('slept')", timeout=120)
    finally:
        timer.cancel()
    assert "KeyboardInterrupt" in text and "slept" not in text, text
    assert a.run("print(6 * 7)").strip() == "42"


def test_reaping_spares_the_kernel_and_the_kernel_dies_with_its_launcher(tmp_path: Path) -> None:
    """After each cell the worker kills every process of the sandbox user except the kernel (behind its
    launcher); when the launcher is killed, the kernel goes with it."""
    k = Kernel(tmp_path)
    try:
        if BOX.users:
            assert ct.reap_user(k.uid, keep=frozenset({k.launcher_pid})) == 0
            assert k.run("print('alive')").strip() == "alive"
        kernel_pids = _children(k.launcher_pid)
        assert len(kernel_pids) == 1
        os.kill(k.launcher_pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _alive(kernel_pids[0]):
            time.sleep(0.1)
        assert not _alive(kernel_pids[0])
    finally:
        k.close()


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.slow
def test_the_cpu_limit_still_ends_a_cpu_burner_and_is_reported(tmp_path: Path) -> None:
    """pid 1 of a namespace ignores SIGXCPU: the launcher lowers the hard limit and reports SIGXCPU."""
    limit = "import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_CPU, (2, 30)); " \
            "sys.argv[0] = 'launcher'; runpy.run_module('dlcourse.autograde.kernel', run_name='__main__')"
    k = Kernel(tmp_path, argv_prefix=[sys.executable, "-c", limit])
    try:
        k.kc.execute("while True:\n    pass")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and k.km.provisioner.process.poll() is None:
            time.sleep(0.1)
        assert k.km.provisioner.process.poll() == -signal.SIGXCPU
    finally:
        k.close()


def _scaffold_for(uid: int) -> str | None:
    """A shell snippet that makes the interpreter reachable for `uid` in a private mount namespace (a private
    folder on the way, e.g. /root, is replaced by a tmpfs holding only the child on that way), or None."""
    lines = []
    for path in {sys.base_prefix, os.path.realpath(sys.executable), sys.prefix, str(REPO)}:
        parts = Path(path).parts
        for i in range(1, len(parts) - 1):
            folder = Path(*parts[:i + 1])
            if not folder.stat().st_mode & 0o001:
                child = folder / parts[i + 1]
                lines += [f"mkdir -p /tmp/.scaffold-{os.getpid()}", f"mount --bind {child} /tmp/.scaffold-{os.getpid()}",
                          f"mount -t tmpfs -o mode=755 tmpfs {folder}", f"mkdir -p {child}",
                          f"mount --move /tmp/.scaffold-{os.getpid()} {child}"]
                break
    return "\n".join(dict.fromkeys(lines)) + "\n"


@pytest.mark.skipif(os.geteuid() != 0 or not (shutil.which("unshare") and shutil.which("setpriv")),
                    reason="needs root to become an unprivileged user (unshare, setpriv)")
def test_an_unprivileged_grader_gets_the_same_layers_from_a_user_namespace() -> None:
    """The launcher run by a normal user (nobody): allowlist root, pid 1, no network, no processes."""
    nobody = 65534
    script = _scaffold_for(nobody) + (f"cd / && exec setpriv --reuid={nobody} --regid={nobody} --clear-groups "
                                      f"{sys.executable} -m dlcourse.autograde.kernel --probe "
                                      "'{\"namespaces\": true, \"seccomp\": true, \"tmp_mb\": 16}'")
    proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-ec", script],
                          capture_output=True, text=True, timeout=120)
    if "unshare(CLONE_NEWUSER)" in proc.stderr:
        pytest.skip(f"unprivileged user namespaces are off here: {proc.stderr.strip()[-200:]}")
    reports = [ln.split(" ", 1)[1] for ln in (proc.stdout + proc.stderr).splitlines()
               if ln.startswith("DLCOURSE-PROBE ")]
    assert proc.returncode == 0 and reports, proc.stdout + proc.stderr
    assert json.loads(reports[-1]) == {"pid": 1, "uid": nobody, "grader_code": False, "fork": "PermissionError",
                                       "network": "ENETUNREACH"}


_BUILD_UNDER_TMP = """
import json, os, sys
from dlcourse.autograde import namespaces as ns, rootfs, seccomp
shared, files = sys.argv[1], sys.argv[2:]
spec = rootfs.RootSpec(paths=[*[p for p in rootfs.SYSTEM if os.path.lexists(p) and not os.path.islink(p)],
                              *rootfs.python_paths(), shared],
                       links=rootfs.symlinks(list(rootfs.SYSTEM)), masked=[], proc=False)
ns.unshare(ns.CLONE_NEWNS, "CLONE_NEWNS")
rootfs.build(spec, seccomp.machine_arch().pivot_root_nr)
print(json.dumps({f: os.path.exists(f) for f in files} | {"tmp": sorted(os.listdir("/tmp"))}))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="builds a root in a mount namespace of its own: needs root")
def test_a_checkout_under_tmp_stays_visible_in_the_kernels_fresh_tmp(tmp_path: Path) -> None:
    """A clone under /tmp (its .venv included) is bound into the kernel's fresh /tmp, not hidden by it (a fresh
    clone in /tmp once could not contain a single kernel: 'No such file or directory: /tmp/.../.venv/bin/python');
    the host's other files in /tmp stay out."""
    shared = Path("/tmp") / f"dlcourse-test-checkout-{os.getpid()}"
    other = tmp_path / "host-file.txt"
    shared.mkdir()
    try:
        (shared / "bin-python").write_text("stand-in")
        other.write_text("not for the kernel")
        out = subprocess.run([sys.executable, "-c", _BUILD_UNDER_TMP, str(shared), str(shared / "bin-python"),
                              str(other)], capture_output=True, text=True, timeout=60, cwd="/")
        assert out.returncode == 0, out.stderr
        seen = json.loads(out.stdout.strip().splitlines()[-1])
        assert seen[str(shared / "bin-python")] is True
        assert seen[str(other)] is False
        extra = {Path(p).parts[2] for p in rootfs.python_paths() if rootfs._under(p, "/tmp")}  # a venv in /tmp
        assert set(seen["tmp"]) == {shared.name, Path(rootfs.WORK).name, Path(rootfs.HOME).name} | extra
    finally:
        shutil.rmtree(shared, ignore_errors=True)


_BUILD_WITH_OVERLAY = """
import json, os, sys
from dlcourse.autograde import namespaces as ns, rootfs, seccomp
pkg = sys.argv[1]
spec = rootfs.RootSpec(paths=[*[p for p in rootfs.SYSTEM if os.path.lexists(p) and not os.path.islink(p)],
                              *rootfs.python_paths(), pkg],
                       links=rootfs.symlinks(list(rootfs.SYSTEM)), masked=[], proc=False,
                       overlays={f"{pkg}/mod.py": "STUB = True\\n"})
ns.unshare(ns.CLONE_NEWNS, "CLONE_NEWNS")
rootfs.build(spec, seccomp.machine_arch().pivot_root_nr)
print("built", flush=True)
sys.stdin.readline()  # the host adds files now
seen = {}
for folder in (pkg, f"{pkg}/__pycache__", f"{pkg}/sub"):
    seen[folder] = sorted(os.listdir(folder)) if os.path.isdir(folder) else None
seen["mod"] = open(f"{pkg}/mod.py").read()
seen["other"] = open(f"{pkg}/__pycache__/other.cpython-311.pyc").read() if seen[f"{pkg}/__pycache__"] and \\
    "other.cpython-311.pyc" in seen[f"{pkg}/__pycache__"] else None
try:
    open(f"{pkg}/written.txt", "w").write("x")
    seen["write"] = "allowed"
except OSError as exc:
    seen["write"] = type(exc).__name__
print(json.dumps(seen))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="builds a root in a mount namespace of its own: needs root")
@pytest.mark.parametrize("cache_at_start", [True, False], ids=["pycache-there", "no-pycache-yet"])
def test_a_replaced_module_has_no_compiled_copy_even_one_written_later(cache_at_start: bool) -> None:
    """The lock-out's replaced file's folder is a snapshot in the kernel's root: the original's compiled copy is
    not there, whether it existed when the kernel started or Python wrote it into the host's __pycache__ while
    the kernel ran (the stub-hunt attack once read dlkit's losses.cpython-311.pyc, written by a process that
    imported dlkit after the grade run had listed the copies to hide); the rest of the folder stays visible."""
    pkg = Path("/tmp") / f"dlcourse-test-overlay-{os.getpid()}-{int(cache_at_start)}"
    try:
        (pkg / "sub").mkdir(parents=True)
        (pkg / "mod.py").write_text("def original(): return 'the reference'\n")
        (pkg / "keep.py").write_text("KEEP = 1\n")
        (pkg / "sub" / "inner.py").write_text("")
        (pkg / "mod.pyc").write_text("legacy compiled copy")
        if cache_at_start:
            (pkg / "__pycache__").mkdir()
            (pkg / "__pycache__" / "mod.cpython-311.pyc").write_text("the original, compiled")
            (pkg / "__pycache__" / "other.cpython-311.pyc").write_text("another module")
        child = subprocess.Popen([sys.executable, "-c", _BUILD_WITH_OVERLAY, str(pkg)], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd="/")
        try:
            assert child.stdout.readline().strip() == "built", child.stderr.read()
            (pkg / "__pycache__").mkdir(exist_ok=True)
            for name in ("mod.cpython-311.pyc", "mod.cpython-311.opt-1.pyc", "keep.cpython-311.pyc"):
                (pkg / "__pycache__" / name).write_text("written while the kernel runs")
            (pkg / "late.py").write_text("")
            out, err = child.communicate("go\n", timeout=60)
        finally:
            child.kill()
        assert child.returncode == 0, err
        seen = json.loads(out.strip().splitlines()[-1])
        assert seen[str(pkg)] == ["__pycache__", "keep.py", "mod.py", "sub"]
        assert seen[f"{pkg}/__pycache__"] == (["other.cpython-311.pyc"] if cache_at_start else [])
        assert seen["other"] == ("another module" if cache_at_start else None)
        assert seen[f"{pkg}/sub"] == ["inner.py"]
        assert seen["mod"] == "STUB = True\n"
        assert seen["write"] != "allowed"
    finally:
        shutil.rmtree(pkg, ignore_errors=True)
