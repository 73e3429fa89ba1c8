"""``@op``: one backend operation, written portably, with per-library fast paths chosen by its input.

    @op(numpy=_pad_numpy, cupy=_pad_cupy)
    def pad(x, widths, value=0.0):
        ...  # the portable version: standard array-API calls only

``pad(x, ...)`` then runs ``_pad_numpy`` on a numpy array, ``_pad_cupy`` on a cupy array, and the
portable body on anything else (array_api_strict, unknown array-API libraries). The library is told
from the array argument itself, once per call, so callers pass arrays and nothing else: no
namespace, no name to look up. ``implementations(name)`` lists every version, so the test suite can
check each fast path against the portable one on the same inputs (``tests/dlkit/test_backend_ops.py``).
"""
from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

import array_api_compat
import numpy as np

F = TypeVar("F", bound=Callable[..., Any])
_OPS: dict[str, Callable[..., Any]] = {}
_IMPLEMENTATIONS: dict[str, dict[str, Callable[..., Any]]] = {}


def library_of(array: Any) -> str:
    """Which implementation serves ``array``: ``"numpy"``, ``"cupy"`` or ``"portable"``."""
    # type() first: numpy arrays are nearly every call, and this check costs the least
    if type(array) is np.ndarray or isinstance(array, np.generic):
        return "numpy"
    if array_api_compat.is_cupy_array(array):
        return "cupy"
    return "portable"


def op(numpy: Callable[..., Any] | None = None, cupy: Callable[..., Any] | None = None, on: int = 0) -> Callable[[F], F]:
    """Decorator: the decorated function is the portable version; ``numpy``/``cupy`` are fast paths
    for arrays of those libraries; the positional argument ``on`` tells which library an input is."""
    def deco(portable: F) -> F:
        written = {"portable": portable, "numpy": numpy, "cupy": cupy}
        chosen = {library: fn or portable for library, fn in written.items()}

        @functools.wraps(portable)
        def run(*args: Any, **kwargs: Any) -> Any:
            return chosen[library_of(args[on])](*args, **kwargs)

        name = portable.__name__
        _OPS[name] = run
        _IMPLEMENTATIONS[name] = {library: fn for library, fn in written.items() if fn is not None}
        return run  # type: ignore[return-value]
    return deco


def names() -> list[str]:
    """Every backend operation defined with ``@op``."""
    return sorted(_OPS)


def implementations(name: str) -> dict[str, Callable[..., Any]]:
    """Operation ``name``'s versions by library (``"portable"`` always, ``"numpy"``/``"cupy"`` where written)."""
    if name not in _IMPLEMENTATIONS:
        raise KeyError(f"implementations: no backend operation {name!r}; known: {names()}")
    return dict(_IMPLEMENTATIONS[name])
