"""Array operations for advanced indexing: gathering ``array[key]`` and its adjoint, summing values
back into ``out[key]`` (where repeated indices must add up).

The array API standard allows a boolean mask only as the sole index, and integer arrays only when
every axis gets one, and its ``__setitem__`` cannot add up repeats; the portable versions work
within those rules, numpy and cupy index natively.
"""
from __future__ import annotations

import math
from typing import Any

import array_api_compat
import numpy as np

from .devices import namespace_of
from .dispatch import op


def is_integer_array(x: Any) -> bool:
    """Whether ``x`` is an array of integers (an advanced index)."""
    if not array_api_compat.is_array_api_obj(x):
        return False
    return bool(namespace_of(x).isdtype(x.dtype, "integral"))


def _gather_native(array: Any, key: Any) -> Any:
    return array[key]


@op(numpy=_gather_native, cupy=_gather_native)
def gather(array: Any, key: Any) -> Any:
    """``array[key]`` for an advanced key: a boolean mask alone, or integers/integer arrays for the leading axes.

    Leading integer (array) indices are turned into one flat index over those axes and gathered with ``take``.
    """
    xp = namespace_of(array)
    parts = key if isinstance(key, tuple) else (key,)
    if parts and parts[-1] is Ellipsis:
        parts = parts[:-1]
    if len(parts) == 1 and not isinstance(parts[0], int) and xp.isdtype(parts[0].dtype, "bool"):
        return array[parts[0]]
    if len(parts) > array.ndim or not all(isinstance(p, int) or is_integer_array(p) for p in parts):
        raise NotImplementedError(
            "indexing: this array library has no general advanced indexing; the portable version takes a boolean "
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


def _scatter_add_numpy(shape: tuple[int, ...], key: Any, values: Any) -> Any:
    out = np.zeros(shape, dtype=values.dtype)
    np.add.at(out, key, values)  # unlike out[key] += values, repeats add up
    return out


def _scatter_add_cupy(shape: tuple[int, ...], key: Any, values: Any) -> Any:
    import cupy  # only reached with cupy arrays
    import cupyx

    out = cupy.zeros(shape, dtype=values.dtype)
    cupyx.scatter_add(out, key, values)
    return out


@op(numpy=_scatter_add_numpy, cupy=_scatter_add_cupy, on=2)
def scatter_add(shape: tuple[int, ...], key: Any, values: Any) -> Any:
    """Zeros of ``shape`` with ``values`` summed into ``out[key]`` (repeated indices add up): the adjoint of ``gather``.

    Gathering an array of flat positions with the same key tells which element each value came
    from; the values are then summed into those positions with a one-hot matrix product (exact:
    each product is 0 or 1 times a value).
    """
    xp = namespace_of(values)
    size = math.prod(shape)
    positions = xp.reshape(gather(xp.reshape(xp.arange(size), shape), key), (-1,))
    onehot = xp.astype(xp.reshape(positions, (-1, 1)) == xp.reshape(xp.arange(size), (1, -1)), values.dtype)
    flat = onehot.mT @ xp.reshape(values, (positions.shape[0], -1))
    return xp.reshape(flat, shape)
