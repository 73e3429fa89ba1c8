"""Where parameters live in memory: new parameter storage, and fresh values stored like the old.

Two layout choices, invisible in shapes, values and results (only addresses and strides differ):

- A dense layer's weight has torch's shape (out_features, in_features), and the layer multiplies by
  its transpose (``x @ weight.T``). Stored column-major, that product reaches BLAS as a plain
  row-major (in, out) one, the fastest of OpenBLAS's cases for the course MLP (measured: ~25% less
  forward time at batch 64); BLAS then writes the weight gradient column-major too (``dense.py``).
- Every parameter starts on a 64-byte boundary (a cache line, and what torch's CPU allocator
  guarantees). numpy only promises 16 bytes, and the optimizer's in-place update ``p -= lr·g`` ran at
  half speed on a misaligned weight (measured on the MLP's 784×256 weight: 120–155 µs against 64–66 µs
  per update, depending on where malloc happened to put it: the temporary ``lr·g`` lands a few bytes
  past the weight modulo 4 KiB, and the loads and stores then alias; measured with numpy expressions,
  which the optimizers other than SGD still use).

Initializers and ``load_state_dict`` replace a parameter's values with ``stored_like``, which keeps
both. Libraries without these notions (array_api_strict) keep their arrays as they are; cupy's
allocator already aligns to 256 bytes.
"""
from __future__ import annotations

import math
from typing import Any

import array_api_compat
import numpy as np

from .arrays import DEFAULT_FLOAT, resolve_dtype
from . import devices

ALIGNMENT = 64


def new_parameter_storage(shape: tuple[int, ...], dtype: Any = None, device: Any = None, *,
                          for_transposed_matmul: bool = False) -> Any:
    """Zeros of ``shape`` (float32 unless ``dtype`` says otherwise) on ``device`` (default: the default
    device), laid out for how the parameter is used: ``for_transposed_matmul`` when the op multiplies by
    its transpose (``x @ weight.T``, a dense layer's weight)."""
    xp = devices.default_namespace() if device is None else devices.device(device).namespace
    data = xp.zeros(shape, dtype=resolve_dtype(dtype if dtype is not None else DEFAULT_FLOAT, xp))
    return _store(data, "F" if for_transposed_matmul and len(shape) >= 2 else "C")


def stored_like(storage: Any, values: Any) -> Any:
    """``values`` (the shape, dtype and device of ``storage``) laid out like ``storage``, to replace it:
    column-major if it is, and aligned (``values`` itself when it already is)."""
    return _store(values, "F" if is_column_major(storage) else "C")


def is_column_major(array: Any) -> bool:
    """Whether ``array`` is a 2-D (or higher) Fortran-ordered array that is not also row-major."""
    flags = getattr(array, "flags", None)
    return flags is not None and array.ndim >= 2 and flags.f_contiguous and not flags.c_contiguous


def is_aligned(array: Any) -> bool:
    """Whether a numpy ``array`` starts on a 64-byte boundary (always True for other libraries)."""
    return not isinstance(array, np.ndarray) or array.ctypes.data % ALIGNMENT == 0


def _store(array: Any, order: str) -> Any:
    """``array`` contiguous in ``order`` ("C" or "F"), and on a 64-byte boundary if it is numpy."""
    if not isinstance(array, np.ndarray):
        if order == "F" and array.ndim >= 2 and array_api_compat.is_cupy_array(array):
            import cupy  # only reached with cupy arrays

            return cupy.asfortranarray(array)
        return array
    if is_aligned(array) and array.flags[f"{order}_CONTIGUOUS"]:
        return array
    nbytes = math.prod(array.shape) * array.dtype.itemsize
    raw = np.empty(nbytes + ALIGNMENT, dtype=np.uint8)
    start = -raw.ctypes.data % ALIGNMENT
    out = raw[start : start + nbytes].view(array.dtype).reshape(array.shape, order=order)
    out[...] = array
    return out
