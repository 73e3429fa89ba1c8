"""Process-wide tuning: what dlkit changes for the whole process to train faster, and when.

Importing dlkit changes nothing outside dlkit. ``tune_process()`` applies the tuning below once; the
optimizers call it on their first ``step()`` (the point where a program is clearly training), and a
program may call it earlier. ``DLKIT_KEEP_FREED_MEMORY=0`` in the environment turns it off.

- malloc keeps freed memory for reuse (glibc, ``malloc.py``): a CNN step stops page-faulting its
  large arrays back in every time.
"""
from __future__ import annotations

import os

_STATE: dict[str, bool | None] = {"malloc": None}  # None: not attempted yet


def tune_process() -> bool:
    """Apply dlkit's process-wide tuning (once; later calls return at once); whether malloc was tuned."""
    if _STATE["malloc"] is None:
        if os.environ.get("DLKIT_KEEP_FREED_MEMORY", "1") == "0":
            _STATE["malloc"] = False
        else:
            from . import malloc  # ctypes and libc only once tuning is asked for

            _STATE["malloc"] = malloc.keep_freed_memory()
    return bool(_STATE["malloc"])


def malloc_tuned() -> bool | None:
    """Whether malloc was tuned: True, False (turned off or not glibc), or None (not attempted yet)."""
    return _STATE["malloc"]
