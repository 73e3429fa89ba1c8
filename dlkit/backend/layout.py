"""Memory layout of parameter storage: column-major weights, 64-byte alignment, and keeping both when
values are replaced.

A ``Linear`` weight has torch's shape (out_features, in_features) but is stored column-major, so
``x @ weight.T`` reaches BLAS as a plain row-major (in, out) product, the fastest of OpenBLAS's
cases for the course MLP (measured: ~25% less forward time at batch 64).

Every parameter starts on a 64-byte boundary (a cache line, and what torch's CPU allocator
guarantees). numpy only promises 16 bytes, and the optimizer's in-place update ``p -= lr·g`` ran
at half speed on a misaligned weight (measured on the MLP's 784×256 weight: 120–155 µs against
64–66 µs per update, depending on where malloc happened to put it; the temporary ``lr·g`` lands a
few bytes past the weight modulo 4 KiB, and the loads and stores then alias; measured before SGD's
update became one BLAS axpy, and the other optimizers still update with numpy expressions). Shape, values and every
result stay the same; only addresses and strides differ. Libraries without these notions
(array_api_strict) keep their arrays as they are; cupy's allocator already aligns to 256 bytes.
"""
from __future__ import annotations

import math
from typing import Any

import array_api_compat
import numpy as np

ALIGNMENT = 64


def is_column_major(array: Any) -> bool:
    """Whether ``array`` is a 2-D (or higher) Fortran-ordered array that is not also row-major."""
    flags = getattr(array, "flags", None)
    return flags is not None and array.ndim >= 2 and flags.f_contiguous and not flags.c_contiguous


def is_aligned(array: Any) -> bool:
    """Whether a numpy ``array`` starts on a 64-byte boundary (always True for other libraries)."""
    return not isinstance(array, np.ndarray) or array.ctypes.data % ALIGNMENT == 0


def aligned(array: Any, order: str = "K") -> Any:
    """A numpy ``array`` on a 64-byte boundary (copied there unless it already is, and in ``order``:
    "C", "F" or "K" to keep its own); arrays of other libraries unchanged, apart from ``order``."""
    if not isinstance(array, np.ndarray):
        return _reordered(array, order)
    if order == "K":
        order = "F" if is_column_major(array) else "C"
    if is_aligned(array) and array.flags[f"{order}_CONTIGUOUS"]:
        return array
    nbytes = math.prod(array.shape) * array.dtype.itemsize
    raw = np.empty(nbytes + ALIGNMENT, dtype=np.uint8)
    start = -raw.ctypes.data % ALIGNMENT
    out = raw[start : start + nbytes].view(array.dtype).reshape(array.shape, order=order)
    out[...] = array
    return out


def column_major(array: Any) -> Any:
    """``array`` stored column-major (and aligned) where its library has layouts (numpy, cupy)."""
    return array if getattr(array, "ndim", 0) < 2 else aligned(array, "F")


def keep_layout(values: Any, like: Any) -> Any:
    """``values`` in the layout of ``like`` (the storage they replace): column-major if it is, aligned."""
    return column_major(values) if is_column_major(like) else aligned(values)


def _reordered(array: Any, order: str) -> Any:
    if order == "F" and array_api_compat.is_cupy_array(array):
        import cupy  # type: ignore[import-not-found]

        return cupy.asfortranarray(array)
    return array
