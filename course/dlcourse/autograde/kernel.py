"""The kernel launcher used while grading: contain, then become an ordinary IPython kernel.

The job's kernelspec runs `python -m dlcourse.autograde.kernel -f {connection_file}`; the job's box (the file
named by $DLCOURSE_KERNEL_BOX, written by kernelspec.install_kernel) says which layers this machine allows
(`containment.probe` found out). With namespaces the process tree is:

    launcher  (the process jupyter_client started and signals; it stays outside, relays the kernel's
     │         stdout/stderr up to OUTPUT_CAP, waits, and ends the way the kernel ended)
     └─ kernel  pid 1 of its own pid namespace, in its own mount, IPC and network namespaces; on the
                allowlist root (rootfs.py) with its notebook folder copied to /tmp/work; as the job's sandbox
                user (grading as root) or as the grader's own uid inside an unprivileged user namespace;
                killed when the launcher dies (PR_SET_PDEATHSIG); then it execs a fresh interpreter that
                installs the seccomp filter (seccomp.py: no processes) and runs ipykernel. It binds its ZMQ
                sockets in its own /run/kernel; the launcher links them into the worker's socket folder
                through /proc/PID/root, so no host folder is writable from the kernel.

An interrupt (SIGINT to the process group) reaches the kernel; the launcher ignores it. A kill (SIGKILL to the
group, or to the launcher alone) ends both. Without namespaces the launcher execs the kernel in place, as the
sandbox user when grading as root, in a scratch folder of the job. In every case the kernel's environment is
built from scratch (nothing of the worker's), no-new-privileges is set and core dumps are off; the resource
limits the worker set (address space, CPU, file size, open files) are inherited.
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import sys
from pathlib import Path

from . import namespaces as ns
from . import rootfs, seccomp
from .containment import PROBE_MARK, count_user_tasks

MAX_COPY = 64 * 1024 * 1024  # a submission folder larger than this is not copied into the kernel's /tmp
OUTPUT_CAP = 1024 * 1024  # bytes of the kernel's own stdout/stderr passed on to the worker's log
# Variables the kernel inherits (everything else of the worker's environment stays out of its reach).
# PYTHONPATH and LD_LIBRARY_PATH only name folders: in the kernel's root just the allowlisted part of them exists.
ENV_KEEP = ("LANG", "LANGUAGE", "TZ", "PYTHONHASHSEED", "PYTHONIOENCODING", "PYTHONUTF8", "PYTHONPATH",
            "LD_LIBRARY_PATH")
ENV_KEEP_PREFIXES = ("LC_", "OMP_", "OPENBLAS_", "MKL_", "DLKIT_")


def _read_folder(folder: Path) -> dict[str, bytes]:
    """Files of the notebook's folder (recursively), as relative path -> bytes, up to MAX_COPY in total. Notebooks
    stay out: the one being graded holds the restored test cells, hidden tests included, and the kernel never
    runs a test cell."""
    out: dict[str, bytes] = {}
    total = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.suffix != ".ipynb":
            size = path.stat().st_size
            if total + size > MAX_COPY:
                continue
            total += size
            out[str(path.relative_to(folder))] = path.read_bytes()
    return out


def _matplotlib_cache() -> dict[str, bytes]:
    """The grader's matplotlib font cache, so each kernel neither rebuilds it (seconds) nor looks for fc-list."""
    src = Path(os.environ.get("MPLCONFIGDIR") or Path.home() / ".cache" / "matplotlib")
    try:
        return {f".matplotlib/{f.name}": f.read_bytes() for f in src.glob("fontlist-*.json")}
    except OSError:
        return {}


PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")


def _kernel_connection(path: str) -> tuple[bytes, dict[str, str]]:
    """The connection file, with its ipc socket prefix moved to the kernel's socket folder; and the links the
    launcher makes so the worker finds each socket (worker's path -> path through /proc/PID/root, PID to come)."""
    data = Path(path).read_bytes()
    info = json.loads(data)
    if info.get("transport") != "ipc":
        return data, {}
    name = os.path.basename(info["ip"])
    links = {f"{info['ip']}-{info[p]}": f"{rootfs.IPC_MOUNT}/{name}-{info[p]}" for p in PORTS if p in info}
    info["ip"] = f"{rootfs.IPC_MOUNT}/{name}"
    return json.dumps(info).encode(), links


def kernel_env(home: str, user: str) -> dict[str, str]:
    """The kernel's whole environment: a few neutral settings of the worker's, then its own home and caches."""
    env = {k: v for k, v in os.environ.items() if k in ENV_KEEP or k.startswith(ENV_KEEP_PREFIXES)}
    env.update(PATH="/usr/local/bin:/usr/bin:/bin", HOME=home, USER=user, LOGNAME=user,
               TMPDIR=os.path.dirname(home), IPYTHONDIR=f"{home}/.ipython", MPLCONFIGDIR=f"{home}/.matplotlib",
               XDG_CACHE_HOME=f"{home}/.cache", JUPYTER_RUNTIME_DIR=f"{home}/.jupyter",
               PYTHONDONTWRITEBYTECODE="1", DLGRADE_GRADED="1",
               # ipykernel polls a parent pid it is given; pid 1 means "none to poll" (PR_SET_PDEATHSIG does it).
               JPY_PARENT_PID="1")
    return env


def probe_code(box: dict) -> str:
    """What `--probe` runs in the contained interpreter: import the kernel's packages, report what it sees."""
    imports = "dlkit, dlgrade.harness.serve, dlgrade.harness.output_cap, ipykernel, matplotlib, numpy, zmq"
    return f"""import errno, json, os, socket
import {imports}
report = {{"pid": os.getpid(), "uid": os.getuid(), "grader_code": os.path.exists({os.path.abspath(__file__)!r})}}
try:
    child = os.fork()
except OSError as exc:
    report["fork"] = type(exc).__name__
else:
    if child == 0:
        os._exit(0)
    os.waitpid(child, 0)
    report["fork"] = "allowed"
s = socket.socket()
s.settimeout(2)
try:
    s.connect(("127.0.0.1", 9))
    report["network"] = "connected"
except OSError as exc:
    report["network"] = errno.errorcode.get(exc.errno, type(exc).__name__)
print({PROBE_MARK!r} + json.dumps(report), flush=True)
"""


def kernel_command(box: dict, args: list[str], probe: str | None) -> list[str]:
    """The command line of the kernel's own interpreter (after any exec, seccomp installed first)."""
    exe = sys.executable
    if probe is not None:
        return [exe, "-c", seccomp.bootstrap(code=probe) if box.get("seccomp") else probe]
    # Test cells never run in the kernel (the grader judges them); the extension only caps each cell's output.
    args = [*args, "--InteractiveShellApp.extensions=dlgrade.harness.output_cap"]
    if not any(a.startswith("--HistoryManager.hist_file") for a in args):  # nbclient passes it (twice is an error)
        args.append("--HistoryManager.hist_file=:memory:")  # SQLite on a file needs locks, which seccomp refuses
    if box.get("seccomp"):
        return [exe, "-c", seccomp.bootstrap(module="ipykernel_launcher"), *args]
    return [exe, "-m", "ipykernel_launcher", *args]


def _cap_processes(box: dict, user: list | None) -> None:
    """RLIMIT_NPROC: the job's cap for a sandbox user; on top of what the grading user already runs otherwise."""

    nproc = int(box.get("nproc", 64))
    if user:
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        return
    cap = count_user_tasks(os.getuid()) + nproc
    _, hard = resource.getrlimit(resource.RLIMIT_NPROC)
    if hard == resource.RLIM_INFINITY or cap < hard:
        resource.setrlimit(resource.RLIMIT_NPROC, (cap, hard))


def _drop_to(user: list) -> None:
    """Become the sandbox user for good (all three uids and gids, no supplementary groups)."""
    _, uid, gid = user
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


# ------------------------------------------------------------------------------------------- with namespaces

def _kernel_side(box: dict, spec: rootfs.RootSpec, cmd: list[str], env: dict[str, str], out_w: int,
                 alive_r: int) -> None:
    """In the forked child (pid 1 of the new pid namespace): contain, then exec the kernel. Never returns."""
    try:
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        ns.unshare(ns.CLONE_NEWNS | ns.CLONE_NEWIPC | ns.CLONE_NEWNET, "CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET")
        rootfs.build(spec, seccomp.machine_arch().pivot_root_nr)
        os.chdir(rootfs.WORK)
        if box.get("user"):
            _drop_to(box["user"])
        ns.die_with_parent()  # after the uid change, which would clear it
        if select.select([alive_r], [], [], 0)[0]:  # EOF: the launcher died before the line above
            os._exit(1)
        soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or hard > soft + 2):
            # pid 1 of a namespace ignores SIGXCPU; the hard limit's SIGKILL still ends a CPU burner.
            resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 2))
        ns.no_new_privs()
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # the launcher ignored it; the kernel must be interruptible
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.closerange(3, 65536)
        os.execve(cmd[0], cmd, env)
    except BaseException as exc:  # report through the relay, then die: the launcher ends the same way
        os.write(2, f"dlcourse kernel launcher: {type(exc).__name__}: {exc}\n".encode(errors="replace"))
    os._exit(70)


def _relay(fd: int) -> None:
    """Copy the kernel's output to our stderr (the worker's log) up to OUTPUT_CAP; drop the rest; until EOF."""
    written = 0
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return
        if written < OUTPUT_CAP:
            part = chunk[:OUTPUT_CAP - written]
            written += len(part)
            try:
                os.write(2, part)
            except OSError:
                pass


def _end_like(status: int, usage: resource.struct_rusage, cpu_soft: float | None) -> None:
    """Exit (or die by the signal) the way the kernel did, so the worker can tell why it stopped."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGKILL and cpu_soft is not None and usage.ru_utime + usage.ru_stime >= cpu_soft:
            sig = signal.SIGXCPU  # the hard CPU limit's SIGKILL: report the CPU limit, as without a pid namespace
        if sig not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        os._exit(128 + sig)  # a signal whose default is to continue or stop
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def _link_sockets(links: dict[str, str], pid: int) -> None:
    """Point the worker's socket paths at the kernel's sockets, reached through the kernel's root."""
    for outside, inside in links.items():
        os.symlink(f"/proc/{pid}/root{inside}", outside)


def run_contained(box: dict, spec: rootfs.RootSpec, cmd: list[str], env: dict[str, str],
                  links: dict[str, str]) -> None:
    """Launcher side: enter the user (when not root) and pid namespaces, start the contained kernel, link its
    sockets for the worker, wait, end like it."""
    if os.geteuid() != 0:
        ns.enter_user_namespace()
    ns.unshare(ns.CLONE_NEWPID, "CLONE_NEWPID")
    out_r, out_w = os.pipe()
    alive_r, alive_w = os.pipe()
    soft = resource.getrlimit(resource.RLIMIT_CPU)[0]
    cpu_soft = None if soft == resource.RLIM_INFINITY else float(soft)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # before the fork: interrupts are for the kernel
    pid = os.fork()
    if pid == 0:
        os.close(out_r)
        os.close(alive_w)
        _kernel_side(box, spec, cmd, env, out_w, alive_r)
    os.close(out_w)
    os.close(alive_r)
    _link_sockets(links, pid)
    _relay(out_r)
    _, status, usage = os.wait4(pid, 0)
    _end_like(status, usage, cpu_soft)


# ---------------------------------------------------------------------------------------- without namespaces

def run_in_place(box: dict, args: list[str], probe: str | None) -> None:
    """No namespaces: the kernel's home in the job's scratch folder, the sandbox user when root, exec here."""
    user = box.get("user")
    scratch = Path(box.get("scratch") or "/nonexistent")
    home = scratch / "home"
    if probe is None:
        conn_index = args.index("-f") + 1
        files = {"kernel-connection.json": Path(args[conn_index]).read_bytes(), **_matplotlib_cache()}
        for rel, data in files.items():
            (home / rel).parent.mkdir(parents=True, exist_ok=True)
            (home / rel).write_bytes(data)
        (home / "kernel-connection.json").chmod(0o600)
        args[conn_index] = str(home / "kernel-connection.json")
        if user:
            os.chown(scratch, 0, 0)
            os.chmod(scratch, 0o711)  # the sandbox user reaches its home, lists nothing else of the job
            for path in [home, *home.rglob("*")]:
                os.lchown(path, user[1], user[2])
            os.chown(Path.cwd(), user[1], user[2])
    env = kernel_env(str(home), user[0] if user else os.environ.get("USER", "learner"))
    _cap_processes(box, user)
    if user:
        _drop_to(user)
    ns.no_new_privs()
    cmd = kernel_command(box, args, probe)
    os.execve(cmd[0], cmd, env)


# ---------------------------------------------------------------------------------------------- entry point

def main(argv: list[str]) -> None:
    """`python -m dlcourse.autograde.kernel -f CONNECTION_FILE ...` (the kernelspec's command), or
    `... --probe BOX_JSON`: contain as the box says, then run `probe_code` instead of a kernel."""
    args = list(argv)
    probe = None
    if args[:1] == ["--probe"]:
        box = json.loads(args[1])
        probe = probe_code(box)
        args = []
    else:
        box = json.loads(Path(os.environ["DLCOURSE_KERNEL_BOX"]).read_text(encoding="utf-8"))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        Path("/proc/self/oom_score_adj").write_text("1000")  # the OOM killer takes the kernel, never the grader
    except OSError:
        pass
    if not box.get("namespaces"):
        run_in_place(box, args, probe)
        return
    user = box.get("user")
    if os.geteuid() == 0 and not user:
        raise SystemExit("dlcourse kernel launcher: the box has namespaces but no sandbox user; a kernel never "
                         "runs as root (expected 'user': [name, uid, gid] in $DLCOURSE_KERNEL_BOX)")
    home_files = _matplotlib_cache()
    links: dict[str, str] = {}
    if probe is None:
        conn_index = args.index("-f") + 1
        home_files["kernel-connection.json"], links = _kernel_connection(args[conn_index])
        args[conn_index] = f"{rootfs.HOME}/kernel-connection.json"
    spec = rootfs.root_spec(tuple(box.get("private", ())),
                            tmp_mb=int(box.get("tmp_mb", 512)),
                            work_files={} if probe is not None else _read_folder(Path.cwd()),
                            home_files=home_files, owner=(user[1], user[2]) if user else None,
                            sockets=bool(links), overlays=dict(box.get("overlays") or {}))
    if not user:
        _cap_processes(box, None)  # counted here, where the grading user's processes are still visible
    else:
        resource.setrlimit(resource.RLIMIT_NPROC, (int(box.get("nproc", 64)),) * 2)
    env = kernel_env(rootfs.HOME, user[0] if user else os.environ.get("USER", "learner"))
    run_contained(box, spec, kernel_command(box, args, probe), env, links)


if __name__ == "__main__":
    main(sys.argv[1:])
