"""BLAS routines that numpy ships but does not call, reached through ctypes (found on first use).

numpy's wheels bundle an OpenBLAS with the whole BLAS interface; numpy calls its matrix products,
but not, for instance, ``axpy`` (y += α·x in one pass, on every BLAS thread). Finding that library
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
