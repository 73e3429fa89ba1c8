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
_GEMM: list[dict[str, Callable[..., None]]] = []  # [dtype char -> gemm] once looked up
_OMATCOPY: list[dict[str, Callable[..., None]]] = []  # [dtype char -> omatcopy] once looked up
# cblas enums
_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112


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


def _symbol(names: tuple[tuple[str, Any], ...]) -> tuple[Any, Any] | None:
    """The first of ``(symbol, integer type)`` that the library exports (scipy-openblas wheels prefix
    and suffix their symbols; the "64_" ones take 64-bit ints)."""
    lib = _library()
    if lib is None:
        return None
    for name, integer in names:
        fn = getattr(lib, name, None)
        if fn is not None:
            return fn, integer
    return None


def find_axpy() -> dict[str, Callable[..., None]]:
    """dtype char ('f', 'd') -> ``axpy(n, alpha, x_ptr, incx, y_ptr, incy)`` (y += alpha·x), for those found."""
    found: dict[str, Callable[..., None]] = {}
    for char, letter, real in (("f", "s", ctypes.c_float), ("d", "d", ctypes.c_double)):
        hit = _symbol(((f"scipy_cblas_{letter}axpy64_", ctypes.c_int64), (f"cblas_{letter}axpy64_", ctypes.c_int64),
                       (f"scipy_cblas_{letter}axpy", ctypes.c_int), (f"cblas_{letter}axpy", ctypes.c_int)))
        if hit is not None:
            fn, integer = hit
            fn.argtypes = [integer, real, ctypes.c_void_p, integer, ctypes.c_void_p, integer]
            fn.restype = None
            found[char] = fn
    return found


def find_gemm() -> dict[str, Callable[..., None]]:
    """dtype char ('f', 'd') -> cblas ``gemm`` (C = α·A·B + β·C, row-major), for those found."""
    found: dict[str, Callable[..., None]] = {}
    for char, letter, real in (("f", "s", ctypes.c_float), ("d", "d", ctypes.c_double)):
        hit = _symbol(((f"scipy_cblas_{letter}gemm64_", ctypes.c_int64), (f"cblas_{letter}gemm64_", ctypes.c_int64),
                       (f"scipy_cblas_{letter}gemm", ctypes.c_int), (f"cblas_{letter}gemm", ctypes.c_int)))
        if hit is not None:
            fn, integer = hit
            fn.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, integer, integer, integer, real,
                           ctypes.c_void_p, integer, ctypes.c_void_p, integer, real, ctypes.c_void_p, integer]
            fn.restype = None
            found[char] = fn
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
    if not _GEMM:
        _GEMM.append(find_gemm())
    gemm = _GEMM[0].get(out.dtype.char)
    lda, ldb, ldc = _rows(a), _rows(b), _rows(out)
    if gemm is None or None in (lda, ldb, ldc) or not a.dtype == b.dtype == out.dtype or not out.flags.writeable:
        return False
    (m, k), n = a.shape, b.shape[1]
    if b.shape[0] != k or out.shape != (m, n):
        raise ValueError(f"matmul_add_: shapes {a.shape} @ {b.shape} do not give out's {out.shape}")
    gemm(_ROW_MAJOR, _NO_TRANS, _NO_TRANS, m, n, k, 1.0, a.ctypes.data, lda, b.ctypes.data, ldb, 1.0, out.ctypes.data, ldc)
    return True


def find_omatcopy() -> dict[str, Callable[..., None]]:
    """dtype char ('f', 'd') -> OpenBLAS ``omatcopy`` (B = α·op(A), out of place), for those found."""
    found: dict[str, Callable[..., None]] = {}
    for char, letter, real in (("f", "s", ctypes.c_float), ("d", "d", ctypes.c_double)):
        hit = _symbol(((f"scipy_cblas_{letter}omatcopy64_", ctypes.c_int64), (f"cblas_{letter}omatcopy64_", ctypes.c_int64),
                       (f"scipy_cblas_{letter}omatcopy", ctypes.c_int), (f"cblas_{letter}omatcopy", ctypes.c_int)))
        if hit is not None:
            fn, integer = hit
            fn.argtypes = [ctypes.c_int, ctypes.c_int, integer, integer, real, ctypes.c_void_p, integer, ctypes.c_void_p, integer]
            fn.restype = None
            found[char] = fn
    return found


def transpose_into(out: np.ndarray, a: np.ndarray) -> bool:
    """``out[...] = a.T`` for 2-D arrays of one float dtype with unit-stride rows; whether it ran."""
    if not _OMATCOPY:
        _OMATCOPY.append(find_omatcopy())
    copy = _OMATCOPY[0].get(out.dtype.char)
    lda, ldb = _rows(a), _rows(out)
    if copy is None or None in (lda, ldb) or a.dtype != out.dtype or out.shape != a.shape[::-1]:
        return False
    rows, cols = a.shape
    copy(_ROW_MAJOR, _TRANS, rows, cols, 1.0, a.ctypes.data, lda, out.ctypes.data, ldb)
    return True
