"""Kernels the array API lacks, each with a portable fallback and per-library fast paths.

``register(name, library)`` adds an implementation; ``get(name, xp)`` picks the fast path for
``xp``'s library when there is one, and the portable version (standard array-API calls only)
otherwise. The GPU backend adds cupy entries here.
"""
from __future__ import annotations

from typing import Any, Callable

import array_api_compat
import numpy as np

_REGISTRY: dict[str, dict[str, Callable[..., Any]]] = {}


def library_of(xp: Any) -> str:
    """The registry key for a namespace: ``numpy``, ``cupy`` or ``portable``."""
    if array_api_compat.is_numpy_namespace(xp):
        return "numpy"
    if array_api_compat.is_cupy_namespace(xp):
        return "cupy"
    return "portable"


def register(name: str, library: str = "portable") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: make ``fn`` the ``library`` implementation of kernel ``name``."""
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        _REGISTRY.setdefault(name, {})[library] = fn
        return fn
    return deco


def get(name: str, xp: Any, library: str | None = None) -> Callable[..., Any]:
    """The implementation of kernel ``name`` for ``xp`` (or for an explicit ``library``)."""
    impls = _REGISTRY.get(name)
    if impls is None:
        raise KeyError(f"kernel {name!r} is not registered; known: {sorted(_REGISTRY)}")
    key = library or library_of(xp)
    return impls.get(key) or impls["portable"]


def names() -> list[str]:
    """All registered kernel names."""
    return sorted(_REGISTRY)


@register("index_add")
def _index_add_portable(shape: tuple[int, ...], index: Any, values: Any, xp: Any) -> Any:
    """Zeros of ``shape`` with ``values`` summed into rows ``index`` (1-D integer index on axis 0).

    Duplicated indices must add up, which array-API ``__setitem__`` cannot do, so the rows are
    gathered with a one-hot matrix product instead.
    """
    if index.ndim != 1:
        raise NotImplementedError(
            f"index_add: the portable kernel takes a 1-D integer index, got shape {tuple(index.shape)}"
        )
    rows = shape[0]
    index = xp.where(index < 0, index + rows, index)
    onehot = xp.astype(xp.reshape(index, (-1, 1)) == xp.reshape(xp.arange(rows), (1, -1)), values.dtype)
    flat = xp.reshape(values, (index.shape[0], -1))
    return xp.reshape(onehot.mT @ flat, shape)


@register("index_add", "numpy")
def _index_add_numpy(shape: tuple[int, ...], index: Any, values: Any, xp: Any) -> Any:
    out = np.zeros(shape, dtype=values.dtype)
    np.add.at(out, index, values)
    return out


@register("scatter_add_key")
def _scatter_key_portable(shape: tuple[int, ...], key: Any, values: Any, xp: Any) -> Any:
    """Zeros of ``shape`` with ``values`` summed into ``out[key]`` for an advanced-indexing key."""
    if isinstance(key, tuple) and len(key) == 1:
        key = key[0]
    if is_integer_array(key):
        return _index_add_portable(shape, key, values, xp)
    raise NotImplementedError(
        "indexing backward: this array library has no scatter-add fast path, and the portable one "
        "handles only a single 1-D integer index on the first axis"
    )


@register("scatter_add_key", "numpy")
def _scatter_key_numpy(shape: tuple[int, ...], key: Any, values: Any, xp: Any) -> Any:
    out = np.zeros(shape, dtype=values.dtype)
    np.add.at(out, key, values)
    return out


def is_integer_array(x: Any) -> bool:
    """Whether ``x`` is an array of integers (an advanced index)."""
    if not array_api_compat.is_array_api_obj(x):
        return False
    xp = array_api_compat.array_namespace(x)
    return bool(xp.isdtype(x.dtype, "integral"))
