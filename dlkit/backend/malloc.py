"""Keep freed memory for reuse, so a training step does not page-fault its arrays in again.

A training step allocates and frees the same large arrays every time (im2col buffers, activations,
gradients). glibc's malloc returns such memory to the operating system as soon as the top of its
heap is free (``brk`` shrinks) and serves arrays above its mmap threshold with fresh mappings; the
next step then touches brand-new pages, and the kernel zeroes every one of them. Measured on the
course CNN (batch 32, one thread, 150 steps in a loop): 26 ms per step with glibc's defaults, about
a quarter of it in page faults and ~16 ``brk`` calls per step; 19.5 ms with the thresholds below.

So, on Linux with glibc, the mmap threshold goes to its maximum (arrays up to 32 MiB come from the
reusable heap) and the trim threshold to 1 GiB (freed memory stays with the process): memory a
program once used stays reserved for it up to that much, as with the caching allocators of other
frameworks. This is process-wide, so it is applied by ``dlkit.backend.tune_process()`` (which the
optimizers call on their first step), never at import.
"""
from __future__ import annotations

import ctypes
import sys

# mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 2**20  # glibc's largest accepted value on 64-bit machines
TRIM_THRESHOLD = 2**30


def keep_freed_memory() -> bool:
    """Tune glibc's malloc to keep freed memory (see the module docstring); whether it was applied."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        # the symbols the interpreter is linked with, libc's among them (find_library would run ldconfig)
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl has no mallopt)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    # mallopt returns 1 on success; both must hold, since setting either freezes the other's default
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
