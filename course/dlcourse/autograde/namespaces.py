"""Linux namespaces and mounts for the kernel launcher, through libc (ctypes): no helper binaries.

Used on the kernel side only (`kernel.py`, `rootfs.py`): unshare, user-namespace id maps, mount, pivot_root,
the parent-death signal. Every failure raises OSError naming the call and the path or argument.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_NOATIME, MS_NODIRATIME = 1024, 2048
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_RELATIME = 1 << 21
MNT_DETACH = 2

# statvfs f_flag bits -> mount flags a read-only remount must repeat (in a user namespace the kernel refuses to
# clear a flag the original mount had: nosuid, nodev, noexec and the atime mode are locked).
_KEPT_FLAGS = ((os.ST_NOSUID, MS_NOSUID), (os.ST_NODEV, MS_NODEV), (os.ST_NOEXEC, MS_NOEXEC),
               (os.ST_NOATIME, MS_NOATIME), (os.ST_NODIRATIME, MS_NODIRATIME), (os.ST_RELATIME, MS_RELATIME))

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38

_libc: ctypes.CDLL | None = None


def libc() -> ctypes.CDLL:
    """This process's C library (errno kept)."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.syscall.restype = ctypes.c_long
    return _libc


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _b(path: str | None) -> bytes | None:
    return None if path is None else os.fsencode(path)


def unshare(flags: int, what: str) -> None:
    """unshare(2) with `flags`; `what` names the namespaces in the error."""
    _check(libc().unshare(ctypes.c_int(flags)), f"unshare({what})")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    """mount(2); the error names the target and the file system type."""
    _check(libc().mount(_b(source), _b(target), _b(fstype), ctypes.c_ulong(flags), _b(data)),
           f"mount {fstype or source or ''} on {target}")


def umount(target: str, flags: int = MNT_DETACH) -> None:
    """umount2(2), lazily by default."""
    _check(libc().umount2(_b(target), ctypes.c_int(flags)), f"umount {target}")


def make_private() -> None:
    """Stop mount events from propagating out of (or into) this mount namespace."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)


def bind_readonly(source: str, target: str, recursive: bool = True) -> None:
    """Bind `source` on `target`, then make that mount (and its submounts) read-only, nosuid and nodev."""
    mount(source, target, None, MS_BIND | (MS_REC if recursive else 0))
    remount_readonly(target)


def remount(target: str, flags: int) -> None:
    """Change the per-mount flags of the mount at `target` to `flags`, keeping the ones the kernel locks."""
    have = os.statvfs(target).f_flag
    kept = 0
    for st_bit, ms_bit in _KEPT_FLAGS:
        if have & st_bit:
            kept |= ms_bit
    mount(None, target, None, MS_REMOUNT | MS_BIND | flags | kept)


def remount_readonly(target: str) -> None:
    """Make the mount at `target` read-only, nosuid and nodev."""
    remount(target, MS_RDONLY | MS_NOSUID | MS_NODEV)


def mounts_under(folder: str) -> list[str]:
    """Mount points at or below `folder` in this namespace, parents first."""
    out = []
    prefix = folder.rstrip("/") + "/"
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as fh:
        for line in fh:
            point = line.split()[4].encode().decode("unicode_escape")
            if point == folder or point.startswith(prefix):
                out.append(point)
    return sorted(set(out), key=lambda p: p.count("/"))


def pivot_root(new_root: str, pivot_nr: int) -> None:
    """Make `new_root` (a mount point) this namespace's root and detach the old root entirely; where the old
    root cannot be pivoted (an initramfs root: EINVAL), chroot into `new_root` instead."""
    os.chdir(new_root)
    # pivot_root(".", "."): the old root ends up stacked on the new one, and is then detached (no put_old folder).
    if libc().syscall(ctypes.c_long(pivot_nr), b".", b".") != 0:
        err = ctypes.get_errno()
        if err != errno.EINVAL:
            raise OSError(err, f"pivot_root to {new_root}: {os.strerror(err)}")
        # The old root stays mounted behind the chroot; the kernel holds no capability to leave it and its
        # seccomp filter refuses chroot and mount.
        os.chroot(".")
    else:
        umount(".", MNT_DETACH)
    os.chdir("/")


def enter_user_namespace() -> None:
    """Unshare a user namespace in which this process keeps its own uid and gid (one-line maps).

    Only the caller's ids are mapped, so nothing in the namespace can become another user; the process holds
    capabilities over the namespaces it creates until it execs (its uid there is not 0)."""
    uid, gid = os.geteuid(), os.getegid()
    unshare(CLONE_NEWUSER, "CLONE_NEWUSER")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1\n"), ("gid_map", f"{gid} {gid} 1\n")):
        path = f"/proc/self/{name}"
        try:
            with open(path, "w", encoding="ascii") as fh:
                fh.write(text)
        except OSError as exc:
            raise OSError(exc.errno, f"writing {text.strip()!r} to {path}: {exc.strerror}") from None


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Have the kernel send `sig` to this process when its parent exits (after any uid change: a uid change
    clears it)."""
    _check(libc().prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(sig), 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")


def no_new_privs() -> None:
    """No setuid/setgid or file capabilities take effect after this (inherited across exec)."""
    _check(libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
