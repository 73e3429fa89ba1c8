"""Kernels the array API lacks, each with a portable fallback and per-library fast paths.

``register(name, library)`` adds an implementation; ``get(name, xp)`` picks the fast path for
``xp``'s library when there is one, and the portable version (standard array-API calls only)
otherwise. ``example(name)`` registers a function making sample arguments for a kernel, so the
test suite checks every fast path against the portable fallback (``tests/dlkit/test_kernels.py``).

Library keys: ``"numpy"``, ``"cupy"`` (imported lazily, inside the kernel), ``"portable"``.
Kernels take ``xp`` (the namespace bound to the inputs' device) so they allocate there.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import array_api_compat
import numpy as np

_REGISTRY: dict[str, dict[str, Callable[..., Any]]] = {}
_EXAMPLES: dict[str, Callable[[Any], tuple[tuple[Any, ...], dict[str, Any]]]] = {}
_RESOLVED: dict[tuple[str, Any], Callable[..., Any]] = {}  # get()'s answers, cleared by register()
LIBRARIES = ("portable", "numpy", "cupy")


def library_of(xp: Any) -> str:
    """The registry key for a namespace: ``numpy``, ``cupy`` or ``portable``."""
    if array_api_compat.is_numpy_namespace(xp):
        return "numpy"
    if array_api_compat.is_cupy_namespace(xp):
        return "cupy"
    return "portable"


def register(name: str, library: str = "portable") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: make ``fn`` the ``library`` implementation of kernel ``name``."""
    if library not in LIBRARIES:
        raise ValueError(f"register: library must be one of {LIBRARIES}, got {library!r}")

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        _REGISTRY.setdefault(name, {})[library] = fn
        _RESOLVED.clear()  # a new implementation may change what get() picks
        return fn
    return deco


def example(name: str) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Decorator: ``make(xp) -> (args, kwargs)`` builds sample arguments for kernel ``name`` in namespace ``xp``."""
    def deco(make: Callable[[Any], Any]) -> Callable[[Any], Any]:
        _EXAMPLES[name] = make
        return make
    return deco


def example_arguments(name: str, xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]] | None:
    """Sample ``(args, kwargs)`` for kernel ``name`` in ``xp`` (None when no example was registered)."""
    make = _EXAMPLES.get(name)
    return None if make is None else make(xp)


def libraries(name: str) -> list[str]:
    """The libraries with an implementation of kernel ``name``."""
    return sorted(_REGISTRY.get(name, {}))


def get(name: str, xp: Any, library: str | None = None) -> Callable[..., Any]:
    """The implementation of kernel ``name`` for ``xp`` (or for an explicit ``library``)."""
    if library is None:
        # Ops look kernels up on every call; resolving the namespace's library each time costs
        # more than a small kernel's arithmetic, so the choice is remembered per (name, namespace).
        try:
            return _RESOLVED[name, xp]
        except (KeyError, TypeError):  # TypeError: a namespace object that is not hashable
            pass
    impls = _REGISTRY.get(name)
    if impls is None:
        raise KeyError(f"kernel {name!r} is not registered; known: {sorted(_REGISTRY)}")
    key = library or library_of(xp)
    fn = impls.get(key) or impls["portable"]
    if library is None:
        try:
            _RESOLVED[name, xp] = fn
        except TypeError:
            pass
    return fn


def names() -> list[str]:
    """All registered kernel names."""
    return sorted(_REGISTRY)


@register("ones")
def _ones_portable(shape: tuple[int, ...], dtype: Any, xp: Any) -> Any:
    """An array of ones: the seed gradient of every backward pass."""
    return xp.ones(shape, dtype=dtype)


@register("ones", "numpy")
def _ones_numpy(shape: tuple[int, ...], dtype: Any, xp: Any) -> Any:
    # np.array is one C call; np.ones (and the array-API wrapper) go through Python layers that a
    # training step runs nowhere else, so they are cold in the cache every time.
    return np.array(1, dtype=dtype) if shape == () else np.ones(shape, dtype=dtype)


@example("ones")
def _ones_example(xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return ((2, 3), xp.float32, xp), {}


@register("sum_rows")
def _sum_rows_portable(rows: Any, xp: Any) -> Any:
    """The sum over axis 0 of a 2-D array (M, K): a bias gradient from its output gradient as rows
    (a dense layer's batch, a conv layer's output pixels)."""
    return xp.sum(rows, axis=0)


@register("sum_rows", "numpy")
def _sum_rows_numpy(rows: Any, xp: Any) -> Any:
    # For tall arrays (a conv layer has one row per output pixel) a matrix-vector product with
    # ones runs in BLAS, on every thread, ~5x faster than the reduction (and no less accurate:
    # BLAS accumulates in blocks too). Short arrays are not worth a BLAS call.
    if rows.shape[0] >= 4096 and rows.dtype.kind == "f" and rows.dtype.itemsize >= 4:
        return np.ones(rows.shape[0], dtype=rows.dtype) @ rows
    return np.add.reduce(rows, axis=0)


@example("sum_rows")
def _sum_rows_example(xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    rows = np.random.default_rng(7).standard_normal((5000, 3)).astype(np.float32)
    return (xp.asarray(rows), xp), {}


@register("index_add")
def _index_add_portable(shape: tuple[int, ...], index: Any, values: Any, xp: Any) -> Any:
    """Zeros of ``shape`` with ``values`` summed into rows ``index`` (1-D integer index on axis 0).

    Duplicated indices must add up, which array-API ``__setitem__`` cannot do, so the rows are
    gathered with a one-hot matrix product instead (exact: each product is 0 or 1 times a value).
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
@register("scatter_add_key", "numpy")
def _scatter_add_numpy(shape: tuple[int, ...], key: Any, values: Any, xp: Any) -> Any:
    """Zeros of ``shape`` with ``values`` summed into ``out[key]`` by ``np.add.at`` (repeats add up)."""
    out = np.zeros(shape, dtype=values.dtype)
    np.add.at(out, key, values)
    return out


@register("index_add", "cupy")
@register("scatter_add_key", "cupy")
def _scatter_add_cupy(shape: tuple[int, ...], key: Any, values: Any, xp: Any) -> Any:
    """Zeros of ``shape`` with ``values`` summed into ``out[key]`` on the GPU (``cupyx.scatter_add``)."""
    import cupyx  # only reached with cupy arrays

    out = xp.zeros(shape, dtype=values.dtype)
    cupyx.scatter_add(out, key, values)
    return out


@example("index_add")
def _index_add_example(xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    values = np.random.default_rng(0).standard_normal((6, 2, 3)).astype(np.float32)
    index = np.array([0, 4, 4, -1, 2, 0], dtype=np.int64)
    return ((5, 2, 3), xp.asarray(index), xp.asarray(values), xp), {}


@register("gather_key")
def _gather_key_portable(array: Any, key: Any, xp: Any) -> Any:
    """``array[key]`` for an advanced key, written with what the array API specifies.

    The standard allows a boolean mask only as the sole index, and integer arrays only when every
    axis gets an integer (numpy's ``x[idx]`` on a matrix is not portable). Leading integer (array)
    indices are turned into one flat index over those axes and gathered with ``take``.
    """
    parts = key if isinstance(key, tuple) else (key,)
    if parts and parts[-1] is Ellipsis:
        parts = parts[:-1]
    if len(parts) == 1 and not isinstance(parts[0], int) and xp.isdtype(parts[0].dtype, "bool"):
        return array[parts[0]]
    if len(parts) > array.ndim or not all(isinstance(p, int) or is_integer_array(p) for p in parts):
        raise NotImplementedError(
            "indexing: this array library has no general advanced indexing; the portable kernel takes a boolean "
            "mask alone, or integers/integer tensors for the leading axes (x[rows], x[rows, cols])"
        )
    shape = tuple(array.shape)
    lead = len(parts)
    index = xp.broadcast_arrays(*(xp.asarray(p) for p in parts))
    flat = None
    for axis, i in enumerate(index):
        i = xp.where(i < 0, i + shape[axis], i)
        flat = i if flat is None else flat * shape[axis] + i
    source = xp.reshape(array, (math.prod(shape[:lead]),) + shape[lead:])
    picked = xp.take(source, xp.reshape(flat, (-1,)), axis=0)
    return xp.reshape(picked, tuple(flat.shape) + shape[lead:])


@register("gather_key", "numpy")
@register("gather_key", "cupy")
def _gather_key_native(array: Any, key: Any, xp: Any) -> Any:
    return array[key]


@example("gather_key")
def _gather_key_example(xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    array = xp.asarray(np.arange(24.0, dtype=np.float32).reshape(2, 3, 4))
    rows = xp.asarray(np.array([[1, 0], [1, 1]], dtype=np.int64))
    cols = xp.asarray(np.array([2, -1], dtype=np.int64))
    return (array, (rows, cols), xp), {}


@register("scatter_add_key")
def _scatter_key_portable(shape: tuple[int, ...], key: Any, values: Any, xp: Any) -> Any:
    """Zeros of ``shape`` with ``values`` summed into ``out[key]`` for an advanced key.

    Indexing an array of flat positions with the same key tells which element each value came
    from; the values are then summed into those positions (repeats add up).
    """
    size = math.prod(shape)
    positions = _gather_key_portable(xp.reshape(xp.arange(size), shape), key, xp)
    flat = _index_add_portable((size,), xp.reshape(positions, (-1,)), xp.reshape(values, (-1,)), xp)
    return xp.reshape(flat, shape)


@example("scatter_add_key")
def _scatter_key_example(xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    rows = xp.asarray(np.array([0, 2, 2, 1], dtype=np.int64))
    cols = xp.asarray(np.array([1, 1, 1, 0], dtype=np.int64))
    values = xp.asarray(np.arange(1.0, 5.0, dtype=np.float32))
    return ((3, 2), (rows, cols), values, xp), {}


def is_integer_array(x: Any) -> bool:
    """Whether ``x`` is an array of integers (an advanced index)."""
    if not array_api_compat.is_array_api_obj(x):
        return False
    xp = array_api_compat.array_namespace(x)
    return bool(xp.isdtype(x.dtype, "integral"))
