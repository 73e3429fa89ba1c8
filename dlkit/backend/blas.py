"""BLAS routines that numpy ships but does not call, reached through ctypes (found on first use).

numpy's wheels bundle an OpenBLAS with the whole BLAS interface; numpy calls its matrix products,
but not, for instance, ``axpy`` (y += α·x in one pass, on every BLAS thread), nor ``gemm`` with
β = 1 (C += A·B, accumulating in place instead of writing a temporary to add), nor OpenBLAS's
``omatcopy`` (a cache-blocked matrix transpose, 2.5× numpy's strided copy). Finding that library
means reading the process's list of loaded libraries, so it happens the first time a routine is
asked for, never at import; without an OpenBLAS (another build of numpy, another OS) nothing is found
and callers keep their numpy expression.
"""
from __future__ import annotations

import ctypes
import os
from typing import Any, Callable

import numpy as np

_LIBRARY: list[Any] = []  # [ctypes library or None] once searched
_FOUND: dict[str, dict[str, Callable[..., None]]] = {}  # routine -> {dtype char -> function}, once looked up
# cblas enums
_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
_PTR = ctypes.c_void_p
# routine -> its ctypes argument types, given the library's integer type and the dtype's real type
_SIGNATURES: dict[str, Callable[[Any, Any], list[Any]]] = {
    "axpy": lambda i, r: [i, r, _PTR, i, _PTR, i],  # (n, alpha, x, incx, y, incy): y += alpha·x
    "gemm": lambda i, r: [ctypes.c_int, ctypes.c_int, ctypes.c_int, i, i, i, r, _PTR, i, _PTR, i, r, _PTR, i],
    "omatcopy": lambda i, r: [ctypes.c_int, ctypes.c_int, i, i, r, _PTR, i, _PTR, i],  # B = alpha·op(A)
}


def numpy_openblas() -> str | None:
    """The path of the OpenBLAS library numpy loaded (preferring one inside numpy's own install)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and ".so" in line}
    except OSError:  # not Linux
        return None
    # numpy's own copy first (wheels keep it in numpy.libs or numpy/.dylibs; other packages, torch
    # for one, may have loaded an OpenBLAS of their own), then anything in the same environment
    site = os.path.dirname(os.path.dirname(np.__file__))
    ranked = sorted(paths, key=lambda p: ("numpy" not in p, not p.startswith(site), p))
    return ranked[0] if ranked else None


def _library() -> Any:
    if not _LIBRARY:
        path = numpy_openblas()
        try:
            _LIBRARY.append(None if path is None else ctypes.CDLL(path))
        except OSError:
            _LIBRARY.append(None)
    return _LIBRARY[0]


def routine(name: str, dtype_char: str) -> Callable[..., None] | None:
    """BLAS routine ``name`` ("axpy", "gemm", "omatcopy") for dtype char 'f' or 'd' (None: not found)."""
    found = _FOUND.get(name)
    if found is None:
        found = _FOUND[name] = _find(name)
    return found.get(dtype_char)


def _find(name: str) -> dict[str, Callable[..., None]]:
    lib = _library()
    found: dict[str, Callable[..., None]] = {}
    if lib is None:
        return found
    for char, letter, real in (("f", "s", ctypes.c_float), ("d", "d", ctypes.c_double)):
        # scipy-openblas wheels prefix and suffix their symbols; the "64_" ones take 64-bit ints
        for symbol, integer in ((f"scipy_cblas_{letter}{name}64_", ctypes.c_int64), (f"cblas_{letter}{name}64_", ctypes.c_int64),
                                (f"scipy_cblas_{letter}{name}", ctypes.c_int), (f"cblas_{letter}{name}", ctypes.c_int)):
            fn = getattr(lib, symbol, None)
            if fn is not None:
                fn.argtypes, fn.restype = _SIGNATURES[name](integer, real), None
                found[char] = fn
                break
    return found


def _rows(array: np.ndarray) -> int | None:
    """The leading dimension of a 2-D array whose rows are unit-stride (None when BLAS cannot read it)."""
    item = array.itemsize
    if array.ndim != 2 or (array.strides[1] != item and array.shape[1] > 1) or array.strides[0] % item:
        return None
    if array.shape[0] > 1 and array.strides[0] < array.shape[1] * item:  # overlapping or reversed rows
        return None
    return max(array.strides[0] // item, array.shape[1], 1)


def matmul_add_(out: np.ndarray, a: np.ndarray, b: np.ndarray) -> bool:
    """``out += a @ b`` in place through BLAS gemm with β = 1, for 2-D float32/float64 arrays of one dtype
    whose rows are unit-stride (views included); whether it ran (False: the caller does it otherwise)."""
    gemm = routine("gemm", out.dtype.char)
    lda, ldb, ldc = _rows(a), _rows(b), _rows(out)
    if gemm is None or None in (lda, ldb, ldc) or not a.dtype == b.dtype == out.dtype or not out.flags.writeable:
        return False
    (m, k), n = a.shape, b.shape[1]
    if b.shape[0] != k or out.shape != (m, n):
        raise ValueError(f"matmul_add_: shapes {a.shape} @ {b.shape} do not give out's {out.shape}")
    gemm(_ROW_MAJOR, _NO_TRANS, _NO_TRANS, m, n, k, 1.0, a.ctypes.data, lda, b.ctypes.data, ldb, 1.0, out.ctypes.data, ldc)
    return True


def transpose_into(out: np.ndarray, a: np.ndarray) -> bool:
    """``out[...] = a.T`` for 2-D arrays of one float dtype with unit-stride rows; whether it ran."""
    copy = routine("omatcopy", out.dtype.char)
    lda, ldb = _rows(a), _rows(out)
    if copy is None or None in (lda, ldb) or a.dtype != out.dtype or out.shape != a.shape[::-1]:
        return False
    rows, cols = a.shape
    copy(_ROW_MAJOR, _TRANS, rows, cols, 1.0, a.ctypes.data, lda, out.ctypes.data, ldb)
    return True
