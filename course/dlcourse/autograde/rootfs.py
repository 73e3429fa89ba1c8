"""The graded kernel's file system: a new root that holds only an allowlist, built in a private mount namespace.

The root is a small tmpfs. Into it, at the same absolute paths, go read-only bind mounts of:
- the system: /usr, /lib, /lib64, /bin, /etc (libraries, fonts, locale, /etc/passwd);
- the Python environment: the interpreter's prefix (e.g. /root/.pyenv/versions/3.11.x) and the venv;
- the course code the kernel imports: dlkit/ (with its data files), and of course/dlgrade only __init__.py and
  harness/ (never the references or the hidden-case generators);
and, writable: a fresh size-limited /tmp holding the copy of the notebook's folder (/tmp/work) and the kernel's
home (/tmp/home), a private /dev/shm, and a tiny folder for the kernel's ZMQ sockets (/run/kernel). /dev has only
null, zero, random and urandom; /proc is a fresh one for the kernel's own pid namespace. Then pivot_root makes
this the root and the old one is detached: the checkout, its .git, solutions/, lessons/, tests/, submissions,
the gradebook, the grading state, the host's /tmp and /var/tmp and the rest of /root simply do not exist there.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import namespaces as ns

SYSTEM = ("/usr", "/lib", "/lib64", "/bin", "/etc")
DEVICES = ("null", "zero", "random", "urandom")
IPC_MOUNT = "/run/kernel"  # the kernel's socket folder (its connection file says so): a tiny tmpfs of its own
IPC_OPTIONS = "size=64k,nr_inodes=32,mode=0700"  # ZMQ needs five sockets; they take inodes, no blocks
WORK, HOME = "/tmp/work", "/tmp/home"
_STAGES = ("/mnt", "/media", "/srv", "/opt", "/var/tmp", "/tmp", "/run")  # an empty tmpfs goes over one of them


def _under(path: str, folder: str) -> bool:
    folder = folder.rstrip("/") or "/"
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def python_paths() -> list[str]:
    """The interpreter's installation and the environment it runs in (venv), as this process sees them."""
    exe = os.path.realpath(sys.executable)
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, os.path.dirname(exe)}
    return sorted(p for p in paths if p and os.path.exists(p))


def _package_dir(name: str) -> str:
    """The folder of the importable package `name` (found, not imported); LookupError when absent."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise LookupError(f"kernel allowlist: package {name!r} is not importable from {sys.executable}")
    return os.path.abspath(next(iter(spec.submodule_search_locations)))


def course_paths() -> list[str]:
    """The course code the graded kernel may read: dlkit, and of dlgrade only its __init__ and harness/ (what
    calls a learner's function and returns plain data). The references, cases, diagnosis and the grader's
    tooling (dlcourse) stay out: the grader decides in its own process."""
    dlgrade = _package_dir("dlgrade")
    return [_package_dir("dlkit"), os.path.join(dlgrade, "__init__.py"), os.path.join(dlgrade, "harness")]


def checkout_root() -> str:
    """The checkout this code runs from (it must never be visible as a whole)."""
    return str(Path(__file__).resolve().parents[3])


def wanted() -> list[str]:
    """The paths the kernel needs, as found (before resolving links and removing nested ones)."""
    return [p for p in (*SYSTEM, *python_paths(), *course_paths()) if os.path.lexists(p)]


def allowlist(private: tuple[str, ...] = ()) -> list[str]:
    """Every path bound into the kernel's root, nested ones removed; ValueError when one would expose a folder
    of `private` (or the checkout) as a whole, e.g. a venv at the checkout's root or a checkout under /usr."""
    wanted_paths = wanted()
    real = sorted({os.path.realpath(p) for p in wanted_paths} | {os.path.abspath(p) for p in wanted_paths
                                                                 if not os.path.islink(p)})
    for secret in (checkout_root(), *private):
        secret = os.path.realpath(secret)
        for path in real:
            if _under(secret, path):
                raise ValueError(f"kernel allowlist: {path} would expose {secret} (it contains it); keep the "
                                 "checkout and the course folder outside the Python environment and the system "
                                 "folders")
    kept: list[str] = []
    for path in real:  # sorted: a folder comes before what is under it
        if not any(_under(path, k) for k in kept):
            kept.append(path)
    return kept


def symlinks(paths: list[str]) -> dict[str, str]:
    """Symbolic links met on the way to each of `paths` (e.g. /lib -> usr/lib), as link -> target."""
    out = {}
    for path in paths:
        parts = Path(path).parts
        for i in range(2, len(parts) + 1):
            here = str(Path(*parts[:i]))
            if os.path.islink(here):
                out[here] = os.readlink(here)
    return out


@dataclass
class RootSpec:
    """What goes into the kernel's new root (see the module docstring)."""

    paths: list[str]  # read-only, at the same absolute paths
    links: dict[str, str] = field(default_factory=dict)  # symbolic links recreated (link -> target)
    tmp_mb: int = 512
    work_files: dict[str, bytes] = field(default_factory=dict)  # relative path under /tmp/work -> contents
    home_files: dict[str, bytes] = field(default_factory=dict)  # relative path under /tmp/home -> contents
    owner: tuple[int, int] | None = None  # uid, gid of the kernel's files (None: the creating user, in a userns)
    sockets: bool = False  # a socket folder at IPC_MOUNT (the worker reaches it through /proc/PID/root)
    proc: bool = True  # a fresh /proc (only meaningful in a new pid namespace)
    masked: list[str] = field(default_factory=list)  # folders inside `paths` replaced by an empty one
    overlays: dict[str, str] = field(default_factory=dict)  # files inside `paths` replaced: path -> new text


# Installed packages no lesson uses in a graded kernel and a learner could compute an exercise's answer with
# (torch has most of the course's references): masked by an empty folder, so neither importing nor reading
# their files works there. (The lock-out refuses calling them too, but it runs in the learner's process.)
MASKED_PACKAGES = ("torch", "torchgen", "functorch", "torchvision", "jax", "jaxlib", "tensorflow", "keras",
                   "sklearn", "scipy")


def base_site_packages() -> list[str]:
    """The base interpreter's site-packages when this is a venv that does not include them: bound in with the
    interpreter's folder, they would offer whatever is installed there (scipy, torch) to a learner's code."""
    if sys.prefix == sys.base_prefix:
        return []
    cfg = Path(sys.prefix) / "pyvenv.cfg"
    text = cfg.read_text(encoding="utf-8", errors="replace").lower() if cfg.is_file() else ""
    if "include-system-site-packages = true" in text:
        return []
    import sysconfig

    paths = sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix})
    found = {os.path.abspath(paths[k]) for k in ("purelib", "platlib")}
    return sorted(p for p in found if os.path.isdir(p) and not _under(p, sys.prefix))


def masked_paths() -> list[str]:
    """The installed folders of MASKED_PACKAGES (those that exist), and the base interpreter's site-packages."""
    out = base_site_packages()
    for name in MASKED_PACKAGES:
        try:
            out.append(_package_dir(name))
        except (LookupError, ValueError, ImportError):
            continue
    return out


def root_spec(private: tuple[str, ...] = (), **kw) -> RootSpec:
    """The allowlist root for this interpreter and course code (`kw`: the other RootSpec fields)."""
    kw.setdefault("masked", masked_paths())
    return RootSpec(paths=allowlist(private), links=symlinks(wanted()), **kw)


def _stage(spec: RootSpec) -> str:
    """An existing folder to build the new root on, holding none of the sources."""
    sources = list(spec.paths)
    for folder in _STAGES:
        if os.path.isdir(folder) and not os.path.islink(folder) and not any(_under(s, folder) for s in sources):
            return folder
    raise RuntimeError(f"kernel root: no folder among {_STAGES} to build on that holds none of {sources}")


def _mkdirs(path: str) -> None:
    os.makedirs(path, mode=0o755, exist_ok=True)


def _touch(path: str) -> None:
    _mkdirs(os.path.dirname(path))
    with open(path, "a"):
        pass


def _write_tree(base: str, files: dict[str, bytes], owner: tuple[int, int] | None) -> None:
    """Write `files` under `base` (a fresh folder on the new /tmp), all owned by `owner`."""
    _mkdirs(base)
    for rel, data in files.items():
        dest = os.path.normpath(os.path.join(base, rel))
        if not _under(dest, base) or dest == base:
            raise ValueError(f"kernel root: {rel!r} would be written outside {base}")
        _mkdirs(os.path.dirname(dest))
        with open(dest, "wb") as fh:
            fh.write(data)
    if owner is not None:
        for folder, dirs, names in os.walk(base):
            for path in (folder, *(os.path.join(folder, n) for n in names)):
                os.lchown(path, *owner)


def _compiled_copy_of(name: str, stems: set[str]) -> bool:
    """`name` (in a folder or its __pycache__) is a compiled copy of one of these modules: stem.pyc, or
    stem.TAG.pyc / stem.TAG.opt-N.pyc as the interpreter writes them."""
    return name.endswith(".pyc") and name.split(".", 1)[0] in stems


def _overlay_folder(folder: str, texts: dict[str, str], target: str) -> None:
    """Mount a fresh tmpfs on `target` (the new root's copy of the host `folder`) showing the folder as it is now:
    the replacement `texts` (file name -> text) instead of their originals, every other entry bound read-only
    from the host, and a __pycache__ of its own without any compiled copy of a replaced module."""
    stems = {name.rsplit(".", 1)[0] for name in texts}
    size = sum(len(t.encode()) for t in texts.values()) + 65536
    ns.mount("tmpfs", target, "tmpfs", ns.MS_NOSUID | ns.MS_NODEV, f"size={size},mode=0755")
    binds: list[tuple[str, str, bool]] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            dest = os.path.join(target, entry.name)
            if entry.name in texts:
                Path(dest).write_text(texts[entry.name], encoding="utf-8")
                os.chmod(dest, 0o444)
            elif entry.name == "__pycache__" or _compiled_copy_of(entry.name, stems):
                continue
            elif entry.is_symlink():
                os.symlink(os.readlink(entry.path), dest)
            elif entry.is_dir():
                _mkdirs(dest)
                binds.append((entry.path, dest, True))
            elif entry.is_file():
                _touch(dest)
                binds.append((entry.path, dest, False))
    cache, own = os.path.join(folder, "__pycache__"), os.path.join(target, "__pycache__")
    _mkdirs(own)
    if os.path.isdir(cache) and not os.path.islink(cache):
        with os.scandir(cache) as entries:
            for entry in entries:
                if entry.is_file(follow_symlinks=False) and not _compiled_copy_of(entry.name, stems):
                    _touch(os.path.join(own, entry.name))
                    binds.append((entry.path, os.path.join(own, entry.name), False))
    for source, dest, recursive in binds:
        ns.bind_readonly(source, dest, recursive=recursive)
        for sub in ns.mounts_under(dest) if recursive else ():
            if sub != dest:
                ns.remount_readonly(sub)
    ns.remount_readonly(target)


def _overlay(spec: RootSpec, inside: Callable[[str], str]) -> None:
    """Show each folder that holds a replaced file as a snapshot (see _overlay_folder), parents first so that a
    replaced file's folder inside another one's is mounted on top. A snapshot, not the host folder with the
    originals covered: a file the host adds later (Python writing the original's compiled copy into
    __pycache__ while a grade runs) cannot appear in it."""
    by_folder: dict[str, dict[str, str]] = {}
    for path, text in spec.overlays.items():
        by_folder.setdefault(os.path.dirname(path), {})[os.path.basename(path)] = text
    for folder in sorted(by_folder, key=lambda f: f.count("/")):
        if os.path.isdir(folder) and os.path.isdir(inside(folder)):
            _overlay_folder(folder, by_folder[folder], inside(folder))


def build(spec: RootSpec, pivot_nr: int) -> None:
    """In a fresh mount namespace (already unshared): build the new root and pivot into it."""
    ns.make_private()
    stage = _stage(spec)
    ns.mount("tmpfs", stage, "tmpfs", ns.MS_NOSUID | ns.MS_NODEV, "size=1m,mode=0755")

    def inside(path: str) -> str:
        return stage + path

    for path in spec.paths:
        for own in (WORK, HOME, IPC_MOUNT):
            if _under(path, own) or _under(own, path):
                raise RuntimeError(f"kernel root: {path} overlaps the kernel's own {own}; move the checkout or "
                                   "the Python environment elsewhere")
    # The fresh /tmp comes first: a checkout (and its .venv) under /tmp is then bound into it, not hidden by it.
    _mkdirs(inside("/tmp"))
    ns.mount("tmpfs", inside("/tmp"), "tmpfs", ns.MS_NOSUID | ns.MS_NODEV, f"size={int(spec.tmp_mb)}m,mode=1777")
    for path in spec.paths:
        if os.path.isdir(path):
            _mkdirs(inside(path))
        else:
            _touch(inside(path))
        ns.bind_readonly(path, inside(path), recursive=os.path.isdir(path))
        for sub in ns.mounts_under(inside(path)):  # the submounts a recursive bind brought along
            if sub != inside(path):
                ns.remount_readonly(sub)
    _overlay(spec, inside)  # before the masks: a masked folder stays masked whatever a snapshot binds
    for folder in spec.masked:
        if os.path.isdir(inside(folder)):
            ns.mount("tmpfs", inside(folder), "tmpfs", ns.MS_NOSUID | ns.MS_NODEV | ns.MS_RDONLY, "size=4k,mode=0555")
    for link, target in spec.links.items():
        if not os.path.lexists(inside(link)):
            _mkdirs(os.path.dirname(inside(link)))
            os.symlink(target, inside(link))

    dev = inside("/dev")
    _mkdirs(dev)
    for name in DEVICES:
        _touch(f"{dev}/{name}")
        ns.mount(f"/dev/{name}", f"{dev}/{name}", None, ns.MS_BIND)
    _mkdirs(f"{dev}/shm")
    ns.mount("tmpfs", f"{dev}/shm", "tmpfs", ns.MS_NOSUID | ns.MS_NODEV, "size=64m,mode=1777")
    if spec.proc:
        for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                             ("stderr", "/proc/self/fd/2")):
            os.symlink(target, f"{dev}/{name}")
        _mkdirs(inside("/proc"))
        ns.mount("proc", inside("/proc"), "proc", ns.MS_NOSUID | ns.MS_NODEV | ns.MS_NOEXEC)

    _write_tree(inside(WORK), spec.work_files, spec.owner)
    _write_tree(inside(HOME), spec.home_files, spec.owner)
    if spec.sockets:  # no host folder is writable from the kernel: its sockets live in its own small tmpfs
        _mkdirs(inside(IPC_MOUNT))
        ns.mount("tmpfs", inside(IPC_MOUNT), "tmpfs", ns.MS_NOSUID | ns.MS_NODEV | ns.MS_NOEXEC, IPC_OPTIONS)
        if spec.owner is not None:
            os.chown(inside(IPC_MOUNT), *spec.owner)

    ns.pivot_root(stage, pivot_nr)
    ns.remount_readonly("/")  # the root's own tmpfs: nothing can be added beside the allowlist
