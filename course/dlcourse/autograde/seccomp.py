"""A seccomp filter, written by hand in classic BPF, that stops the graded kernel from starting processes.

The filter refuses, with EPERM (Python raises PermissionError):
- every way to start a process: fork, vfork, clone without CLONE_THREAD (threads keep working), execve, execveat;
  clone3 answers ENOSYS instead, so glibc falls back to clone for its threads (pthread_create tries clone3 first);
- reaching into other processes: ptrace, process_vm_readv/writev, pidfd_getfd, process_madvise;
- changing what the kernel can see: mount and the new mount API, umount2, pivot_root, chroot, setns, unshare,
  clone with a namespace flag, name_to_handle_at/open_by_handle_at;
- kernel facilities a notebook never needs and that have a history of escapes: bpf, perf_event_open,
  userfaultfd, io_uring, keyrings, kexec and modules, swap, reboot, acct, quotactl, host and domain names;
- signalling between kernels graded at the same time through files they all read (the same inodes of the
  read-only allowlist): file locks (fcntl F_GETLK/F_SETLK(W), open-file-description locks, flock), leases,
  directory and inotify/fanotify watches, and page-cache probes (mincore, preadv2/pwritev2 with RWF_NOWAIT).
A system call of a foreign ABI (i386 `int 0x80` on x86_64, or x32) kills the process: those numbers mean other
calls, so the checks above would not apply to them.

`bootstrap` makes the Python source the kernel launcher runs with `python -c`: it installs the filter and then
runs ipykernel in the same, fresh interpreter (the filter forbids exec, so it cannot come before the exec; it
comes before ipykernel starts any thread, and TSYNC would cover any thread anyway).
"""

from __future__ import annotations

import errno
import inspect
import os
import struct
import sys

# struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]
_NR, _ARCH, _ARG0 = 0, 4, 16


def _arg_low(i: int) -> int:
    """Offset of the low 32 bits of system-call argument `i` in struct seccomp_data."""
    return _ARG0 + 8 * i + (0 if sys.byteorder == "little" else 4)

# classic BPF opcodes (linux/filter.h)
_LD_W_ABS = 0x20
_JEQ_K, _JGE_K, _JSET_K = 0x15, 0x35, 0x45
_RET_K = 0x06

RET_ALLOW = 0x7FFF0000
RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000


def ret_errno(code: int) -> int:
    """The filter's return value that makes a system call fail with `code`."""
    return _RET_ERRNO | (code & 0xFFFF)


CLONE_THREAD = 0x00010000
# CLONE_NEWTIME, NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET
CLONE_NAMESPACES = 0x00000080 | 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 \
    | 0x40000000
X32_SYSCALL_BIT = 0x40000000


class Arch:
    """One system-call ABI: its audit architecture and the numbers of the calls the filter names."""

    def __init__(self, name: str, audit: int, numbers: dict[str, int], seccomp_nr: int, pivot_root_nr: int,
                 x32: bool) -> None:
        self.name, self.audit, self.numbers = name, audit, numbers
        self.seccomp_nr, self.pivot_root_nr, self.x32 = seccomp_nr, pivot_root_nr, x32


# Numbers from asm/unistd_64.h (x86_64) and asm-generic/unistd.h (aarch64, which has no fork or vfork).
_COMMON_NEW = {"open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
               "mount_setattr": 442, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
               "pidfd_getfd": 438, "process_madvise": 440}
X86_64 = Arch("x86_64", 0xC000003E, {
    "fork": 57, "vfork": 58, "clone": 56, "clone3": 435, "execve": 59, "execveat": 322, "ptrace": 101,
    "process_vm_readv": 310, "process_vm_writev": 311, "setns": 308, "unshare": 272, "mount": 165, "umount2": 166,
    "pivot_root": 155, "chroot": 161, "bpf": 321, "perf_event_open": 298, "userfaultfd": 323, "keyctl": 250,
    "add_key": 248, "request_key": 249, "kexec_load": 246, "kexec_file_load": 320, "init_module": 175,
    "finit_module": 313, "delete_module": 176, "swapon": 167, "swapoff": 168, "reboot": 169, "acct": 163,
    "quotactl": 179, "name_to_handle_at": 303, "open_by_handle_at": 304, "sethostname": 170, "setdomainname": 171,
    "fcntl": 72, "flock": 73, "inotify_add_watch": 254, "fanotify_init": 300, "fanotify_mark": 301,
    "mincore": 27, "preadv2": 327, "pwritev2": 328,
    **_COMMON_NEW}, seccomp_nr=317, pivot_root_nr=155, x32=True)
AARCH64 = Arch("aarch64", 0xC00000B7, {
    "clone": 220, "clone3": 435, "execve": 221, "execveat": 281, "ptrace": 117, "process_vm_readv": 270,
    "process_vm_writev": 271, "setns": 268, "unshare": 97, "mount": 40, "umount2": 39, "pivot_root": 41,
    "chroot": 51, "bpf": 280, "perf_event_open": 241, "userfaultfd": 282, "keyctl": 219, "add_key": 217,
    "request_key": 218, "kexec_load": 104, "kexec_file_load": 294, "init_module": 105, "finit_module": 273,
    "delete_module": 106, "swapon": 224, "swapoff": 225, "reboot": 142, "acct": 89, "quotactl": 60,
    "name_to_handle_at": 264, "open_by_handle_at": 265, "sethostname": 161, "setdomainname": 162,
    "fcntl": 25, "flock": 32, "inotify_add_watch": 27, "fanotify_init": 262, "fanotify_mark": 263,
    "mincore": 232, "preadv2": 286, "pwritev2": 287,
    **_COMMON_NEW}, seccomp_nr=277, pivot_root_nr=41, x32=False)
ARCHES = {"x86_64": X86_64, "amd64": X86_64, "aarch64": AARCH64, "arm64": AARCH64}

# Refused with EPERM (clone is decided on its flags, below).
BLOCKED = ("fork", "vfork", "execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
           "process_madvise", "setns", "unshare", "mount", "umount2", "pivot_root", "chroot", "open_tree",
           "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "name_to_handle_at",
           "open_by_handle_at", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
           "io_uring_register", "keyctl", "add_key", "request_key", "kexec_load", "kexec_file_load", "init_module",
           "finit_module", "delete_module", "swapon", "swapoff", "reboot", "acct", "quotactl", "sethostname",
           "setdomainname", "flock", "inotify_add_watch", "fanotify_init", "fanotify_mark", "mincore")
# fcntl commands refused: F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK/SETLK/SETLKW, F_SETLEASE, F_GETLEASE, F_NOTIFY.
FCNTL_BLOCKED = (5, 6, 7, 36, 37, 38, 1024, 1025, 1026)
RWF_NOWAIT = 0x8


def machine_arch() -> Arch:
    """The ABI of this interpreter; ValueError naming the machine when the filter has no table for it."""
    machine = os.uname().machine
    if machine not in ARCHES or struct.calcsize("P") != 8:
        raise ValueError(f"seccomp filter: no system-call table for {machine!r} ({struct.calcsize('P') * 8}-bit "
                         f"Python); expected one of {sorted(ARCHES)} with a 64-bit Python")
    return ARCHES[machine]


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def program(arch: Arch) -> bytes:
    """The filter for `arch`, as the bytes of a `struct sock_filter` array."""
    out = [_insn(_LD_W_ABS, _ARCH), _insn(_JEQ_K, arch.audit, jt=1), _insn(_RET_K, RET_KILL_PROCESS),
           _insn(_LD_W_ABS, _NR)]
    if arch.x32:  # x32 numbers share the x86_64 audit arch: refuse the whole range
        out += [_insn(_JGE_K, X32_SYSCALL_BIT, jf=1), _insn(_RET_K, RET_KILL_PROCESS)]
    eperm = ret_errno(errno.EPERM)
    for name in BLOCKED:
        if name in arch.numbers:
            out += [_insn(_JEQ_K, arch.numbers[name], jf=1), _insn(_RET_K, eperm)]
    # fcntl: the lock, lease and notify commands; everything else (F_GETFL, F_SETFD, ...) is allowed.
    out += [_insn(_JEQ_K, arch.numbers["fcntl"], jf=2 * len(FCNTL_BLOCKED) + 2), _insn(_LD_W_ABS, _arg_low(1))]
    for cmd in FCNTL_BLOCKED:
        out += [_insn(_JEQ_K, cmd, jf=1), _insn(_RET_K, eperm)]
    out += [_insn(_RET_K, RET_ALLOW)]
    # preadv2/pwritev2(fd, iov, iovcnt, pos_l, pos_h, flags): RWF_NOWAIT tells whether pages are cached.
    for name in ("preadv2", "pwritev2"):
        out += [_insn(_JEQ_K, arch.numbers[name], jf=4), _insn(_LD_W_ABS, _arg_low(5)),
                _insn(_JSET_K, RWF_NOWAIT, jf=1), _insn(_RET_K, eperm), _insn(_RET_K, RET_ALLOW)]
    out += [_insn(_JEQ_K, arch.numbers["clone3"], jf=1), _insn(_RET_K, ret_errno(errno.ENOSYS))]
    # clone: allowed only for a thread (CLONE_THREAD) that asks for no new namespace.
    out += [_insn(_JEQ_K, arch.numbers["clone"], jf=4),
            _insn(_LD_W_ABS, _arg_low(0)),
            _insn(_JSET_K, CLONE_NAMESPACES, jt=1),
            _insn(_JSET_K, CLONE_THREAD, jt=1),
            _insn(_RET_K, eperm),
            _insn(_RET_K, RET_ALLOW)]
    if len(out) > 4096:
        raise ValueError(f"seccomp filter: {len(out)} instructions, the kernel accepts at most 4096")
    return b"".join(out)


def install(prog: bytes, seccomp_nr: int) -> None:
    """Set no-new-privileges and install the filter `prog` on every thread of this process (TSYNC).

    Self-contained (its own imports): `bootstrap` copies its source into the kernel's `python -c` line."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS: required to install a filter without privileges
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    buf = ctypes.create_string_buffer(prog, len(prog))
    fprog = SockFprog(len(prog) // 8, ctypes.addressof(buf))
    # seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fprog)
    ret = libc.syscall(ctypes.c_long(seccomp_nr), ctypes.c_long(1), ctypes.c_long(1), ctypes.byref(fprog))
    if ret != 0:
        err = ctypes.get_errno()
        if ret < 0 and err == 38:  # ENOSYS: a kernel older than seccomp(2) (3.17); single-threaded here anyway
            ret = libc.prctl(22, 2, ctypes.byref(fprog), 0, 0)  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
            err = ctypes.get_errno()
        if ret != 0:
            raise OSError(err, f"seccomp filter not installed (returned {ret})")


def install_here() -> None:
    """Install the filter in the calling process (used by probes and tests)."""
    arch = machine_arch()
    install(program(arch), arch.seccomp_nr)


def bootstrap(*, module: str | None = None, code: str | None = None) -> str:
    """Python source for `python -c`: install the filter, then run `module` as __main__ (or exec `code`)."""
    arch = machine_arch()
    if (module is None) == (code is None):
        raise ValueError("bootstrap: give exactly one of module= or code=")
    lines = [inspect.getsource(install),
             f"install(bytes.fromhex({program(arch).hex()!r}), {arch.seccomp_nr})",
             "del install"]
    if module is not None:
        lines += ["import runpy, sys", f"sys.argv[0] = {module!r}",
                  f"runpy.run_module({module!r}, run_name='__main__', alter_sys=True)"]
    else:
        lines += [f"exec(compile({code!r}, '<probe>', 'exec'))"]
    return "\n".join(lines) + "\n"
