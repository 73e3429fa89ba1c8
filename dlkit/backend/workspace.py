"""Scratch arrays too large for malloc to keep, reused from one training step to the next.

glibc serves every allocation above 32 MiB (its largest mmap threshold, see ``malloc.py``) with a
fresh mapping and returns it to the kernel when freed, so such an array is page-faulted in and
zeroed by the kernel on every step. One convolution's im2col matrix is that large (the conv-b64
benchmark's: 65,536 × 289 floats, 76 MB): writing it into a fresh array took 9–11 ms, into a reused
one 4–5 ms. ``scratch`` keeps those arrays and hands one out again once nothing else holds it (no
view, no saved context), like the caching allocators of other frameworks. The memory stays with
the process; ``DLKIT_KEEP_FREED_MEMORY=0`` turns the reuse off, with malloc's tuning.
"""
from __future__ import annotations

import math
import os
import sys
from typing import Any

import numpy as np

POOLED_BYTES = 32 * 2**20  # smaller arrays come from malloc's reusable heap already
MAX_POOLED = 4
_POOL: list[np.ndarray] = []
_ENABLED: list[bool] = []  # read from the environment on first use, never at import


def scratch(shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """An uninitialized numpy array of ``shape`` and ``dtype``; one above 32 MiB is a reused one when free."""
    dtype = np.dtype(dtype)
    if math.prod(shape) * dtype.itemsize < POOLED_BYTES or not _enabled():
        return np.empty(shape, dtype)
    for i in range(len(_POOL)):  # not enumerate(), whose result tuple would hold one more reference
        array = _POOL[i]
        # free: referenced only by the pool, the name `array` and getrefcount's own argument
        if array.shape == shape and array.dtype == dtype and sys.getrefcount(array) == 3:
            _POOL.append(_POOL.pop(i))  # most recently used last
            return array
    array = np.empty(shape, dtype)
    _POOL.append(array)
    if len(_POOL) > MAX_POOLED:
        _drop_oldest_free()
    return array


def _drop_oldest_free() -> None:
    for i in range(len(_POOL) - 1):
        array = _POOL[i]
        if sys.getrefcount(array) == 3:
            del _POOL[i]
            return


def _enabled() -> bool:
    if not _ENABLED:
        _ENABLED.append(os.environ.get("DLKIT_KEEP_FREED_MEMORY", "1") != "0")
    return _ENABLED[0]
