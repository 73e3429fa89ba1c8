"""The kernel launcher used while grading: contain, then become an ordinary IPython kernel.

The worker points the `python3` kernelspec at `python -m dlcourse.autograde.kernel -f {connection_file} ...`. Running as
the worker's user (root in CI), this process:
1. copies the notebook's folder (its cwd) and the connection file into memory;
2. with a sandbox user and mount namespaces: unshares its mounts, hides solutions/, the gradebook, submissions
   and grading state behind empty read-only filesystems, mounts a fresh size-limited /tmp (its only writable
   place), and makes every other filesystem read-only;
3. sets RLIMIT_NPROC (and RLIMIT_CORE=0), no-new-privileges, oom_score_adj 1000 (the OOM killer takes the
   learner's processes first, never the grader);
4. drops to the sandbox user and execs ipykernel in /tmp/work, with HOME and caches in /tmp.
Resource limits set by the worker (address space, CPU, file size, open files) are inherited unchanged.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import sys
from pathlib import Path

from . import containment as ct

MAX_COPY = 64 * 1024 * 1024  # a submission folder larger than this is not copied into the kernel's scratch


def _read_folder(folder: Path) -> dict[str, bytes]:
    """Files of the notebook's folder (recursively), as relative path -> bytes, up to MAX_COPY in total."""
    out: dict[str, bytes] = {}
    total = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            size = path.stat().st_size
            if total + size > MAX_COPY:
                continue
            total += size
            out[str(path.relative_to(folder))] = path.read_bytes()
    return out


def _needed_paths() -> list[str]:
    """Folders the kernel must still read: the interpreter's prefix and the packages it imports."""
    import importlib.util

    paths = [sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable)),
             os.path.dirname(os.path.abspath(sys.executable))]
    for name in ("dlkit", "dlcourse", "ipykernel", "numpy"):
        spec = importlib.util.find_spec(name)
        if spec and spec.origin:
            paths.append(os.path.dirname(os.path.realpath(spec.origin)))
    return paths


def _under(path: str, folder: str) -> bool:
    folder = folder.rstrip("/") or "/"
    return path == folder or path.startswith(folder + "/")


def _blocking_ancestor(path: str) -> tuple[str, str] | None:
    """The first folder on the way to `path` that others may not traverse, and its child on that way."""
    parts = Path(path).parts
    for i in range(1, len(parts)):
        folder = str(Path(*parts[:i]))
        try:
            mode = os.stat(folder).st_mode
        except OSError:
            return None
        if not mode & 0o001:
            return folder, parts[i]
    return None


def _expose(needed: list[str], scratch: Path) -> None:
    """Make the interpreter and packages reachable for the sandbox user when they live under a private folder
    (e.g. /root/.pyenv): that folder is replaced by an empty world-traversable tmpfs in which only the needed
    children are bound back. Its other contents stay hidden."""
    for round_ in range(6):
        blocked: dict[str, set[str]] = {}
        for path in needed:
            hit = _blocking_ancestor(path)
            if hit:
                blocked.setdefault(hit[0], set()).add(hit[1])
        if not blocked:
            return
        folder = min(blocked, key=len)
        staged = []
        for child in sorted(blocked[folder]):
            source = os.path.join(folder, child)
            stage = scratch / f".expose-{round_}-{child}"
            if os.path.isdir(source):
                stage.mkdir()
            else:
                stage.touch()
            ct._check(ct._c().mount(source.encode(), str(stage).encode(), None, ct._MS_BIND | ct._MS_REC, None),
                      f"stage {source}")
            staged.append((child, stage, os.path.isdir(source)))
        ct.mount_tmpfs(folder, "size=64k,mode=0755")
        for child, stage, is_dir in staged:
            target = Path(folder, child)
            target.mkdir() if is_dir else target.touch()
            ct._check(ct._c().mount(str(stage).encode(), str(target).encode(), None, ct._MS_BIND | ct._MS_REC,
                                    None), f"expose {target}")
            ct._c().umount2(str(stage).encode(), 2)  # MNT_DETACH
            stage.rmdir() if is_dir else stage.unlink()


def _contain_filesystem(box: dict, files: dict[str, bytes], uid: int, gid: int) -> Path:
    """Private mounts: hide the course's secrets, a fresh /tmp for scratch, everything else read-only."""
    needed = _needed_paths()
    ct.unshare_mounts()
    for target in box.get("hide", []):
        if not os.path.lexists(target) or any(_under(n, target) for n in needed):
            continue
        if os.path.isdir(target) and not os.path.islink(target):
            ct.mount_tmpfs(target, "size=4k,mode=0555", readonly=True)
        elif os.path.isfile(target):
            libc = ct._c()
            ct._check(libc.mount(b"/dev/null", target.encode(), None, ct._MS_BIND, None), f"hide {target}")
    scratch_mount = "/tmp"
    if any(_under(n, "/tmp") for n in needed):
        # The interpreter itself lives in /tmp: keep /tmp, give the kernel a private folder instead.
        scratch_mount = f"/tmp/.dlcourse-kernel-{os.getpid()}"
        os.makedirs(scratch_mount, exist_ok=True)
    ct.mount_tmpfs(scratch_mount, f"size={int(box.get('tmp_mb', 512))}m,mode=1777")
    for other, opts in (("/dev/shm", "size=64m,mode=1777"), ("/var/tmp", "size=4k,mode=0555")):
        if os.path.isdir(other) and not any(_under(n, other) for n in needed):
            ct.mount_tmpfs(other, opts, readonly=other == "/var/tmp")
    _expose(needed, Path(scratch_mount))
    ct.remount_readonly(keep_writable=(scratch_mount, "/dev/shm"))
    scratch = Path(scratch_mount)
    work, home = scratch / "work", scratch / "home"
    for rel, data in files.items():
        dest = work / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    home.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    for path in [work, home, *work.rglob("*"), *home.rglob("*")]:
        os.lchown(path, uid, gid)
    os.chown(scratch, 0, 0)
    os.chmod(scratch, 0o1777)
    return scratch


def _matplotlib_cache(home: Path, uid: int, gid: int) -> None:
    """Copy the grader's matplotlib font cache, so each kernel does not rebuild it (a few seconds each)."""
    src = Path(os.environ.get("MPLCONFIGDIR") or Path.home() / ".cache" / "matplotlib")
    dest = home / ".matplotlib"
    dest.mkdir(parents=True, exist_ok=True)
    os.chown(dest, uid, gid)
    try:
        for f in src.glob("fontlist-*.json"):
            (dest / f.name).write_bytes(f.read_bytes())
            os.chown(dest / f.name, uid, gid)
    except OSError:
        pass


PROBE_CODE = "import dlkit, dlgrade, ipykernel, matplotlib, dlcourse.autograde.integrity; print('ok')"


def main(argv: list[str]) -> None:
    args = list(argv)
    probe = args[:1] == ["--probe"]
    if probe:  # `--probe UID GID`: can the sandbox user start Python and import the kernel's packages here?
        uid, gid = int(args[1]), int(args[2])
        box = {"user": ["probe", uid, gid], "mount_ns": True, "hide": [], "nproc": 64, "tmp_mb": 16}
        args = ["-f", os.devnull]
    else:
        box = json.loads(Path(os.environ["DLCOURSE_KERNEL_BOX"]).read_text(encoding="utf-8"))
    conn_index = args.index("-f") + 1
    connection = Path(args[conn_index]).read_bytes()
    nproc = int(box.get("nproc", 64))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLCOURSE_", "JUPYTER_"))}
    user = box.get("user")
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        Path("/proc/self/oom_score_adj").write_text("1000")
    except OSError:
        pass
    if user:
        _, uid, gid = user
        cwd = Path.cwd()
        files = {} if probe else _read_folder(cwd)
        if box.get("mount_ns"):
            scratch = _contain_filesystem(box, files, uid, gid)
        else:  # no namespaces: a private scratch folder in the job's work dir, the rest protected by permissions
            scratch = Path(box["scratch"])
            (scratch / "home").mkdir(parents=True, exist_ok=True)
            os.chown(scratch / "home", uid, gid)
            os.chown(cwd, uid, gid)
        home = scratch / "home"
        work = scratch / "work" if box.get("mount_ns") else cwd
        conn_copy = home / "kernel-connection.json"
        conn_copy.write_bytes(connection)
        os.chown(conn_copy, uid, gid)
        os.chmod(conn_copy, 0o600)
        _matplotlib_cache(home, uid, gid)
        args[conn_index] = str(conn_copy)
        env.update(HOME=str(home), USER=user[0], LOGNAME=user[0], TMPDIR=str(scratch),
                   IPYTHONDIR=str(home / ".ipython"), MPLCONFIGDIR=str(home / ".matplotlib"),
                   XDG_CACHE_HOME=str(home / ".cache"), JUPYTER_RUNTIME_DIR=str(home / ".jupyter"),
                   PYTHONDONTWRITEBYTECODE="1")
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        ctypes.CDLL(None, use_errno=True).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS: no setuid binaries
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
        os.chdir(work)
    else:
        # Same user as the grader: the cap counts every process that user already runs.
        cap = ct.count_user_tasks(os.getuid()) + nproc
        soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)
        if hard == resource.RLIM_INFINITY or cap < hard:
            resource.setrlimit(resource.RLIMIT_NPROC, (cap, hard))
    cmd = [sys.executable, "-m", "ipykernel_launcher", *args,
           "--InteractiveShellApp.extensions=dlcourse.autograde.integrity"]
    if probe:
        cmd = [sys.executable, "-c", PROBE_CODE]
    os.execve(sys.executable, cmd, env)


if __name__ == "__main__":
    main(sys.argv[1:])
