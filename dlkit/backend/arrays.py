"""Namespaces, dtypes and conversion from Python data, following torch's dtype rules."""
from __future__ import annotations

from typing import Any

import array_api_compat
import numpy as np

DEFAULT_FLOAT = "float32"
DTYPE_NAMES = (
    "float32", "float64", "float16",
    "int8", "int16", "int32", "int64",
    "uint8", "uint16", "uint32", "uint64",
    "bool",
)

_NUMPY_XP = array_api_compat.array_namespace(np.empty(0))
# dtype object -> name, per namespace; dtype objects differ between array libraries.
_NAME_CACHE: dict[int, dict[Any, str]] = {}
_FLOAT_CACHE: dict[Any, bool] = {}


def default_namespace() -> Any:
    """The namespace new tensors live in when nothing says otherwise (numpy)."""
    return _NUMPY_XP


def is_array(x: Any) -> bool:
    """Whether ``x`` is an array of a library dlkit can wrap (numpy, cupy, array_api_strict, ...)."""
    return array_api_compat.is_array_api_obj(x)


def namespace_of(array: Any) -> Any:
    """The array-API namespace of ``array`` (resolved once per tensor, never per op)."""
    return array_api_compat.array_namespace(array)


def _names(xp: Any) -> dict[Any, str]:
    table = _NAME_CACHE.get(id(xp))
    if table is None:
        table = {getattr(xp, n): n for n in DTYPE_NAMES if hasattr(xp, n)}
        _NAME_CACHE[id(xp)] = table
    return table


def dtype_name(dtype: Any, xp: Any | None = None) -> str:
    """A dtype's plain name (``"float32"``) whatever library it comes from."""
    name = _names(xp or _NUMPY_XP).get(dtype)
    if name is not None:
        return name
    try:
        return np.dtype(dtype).name
    except TypeError:
        text = str(dtype)
        return text.rsplit(".", 1)[-1]


def resolve_dtype(dtype: Any, xp: Any) -> Any:
    """Turn ``dtype`` (a name, a numpy dtype or type, or a dtype of ``xp``) into ``xp``'s dtype object."""
    if dtype is None:
        return None
    if dtype in _names(xp):
        return dtype
    name = dtype if isinstance(dtype, str) else dtype_name(dtype)
    if name == "float":
        name = "float32"
    elif name == "double":
        name = "float64"
    elif name == "long":
        name = "int64"
    if name not in DTYPE_NAMES or not hasattr(xp, name):
        raise TypeError(f"dtype: unsupported dtype {dtype!r}; expected one of {', '.join(DTYPE_NAMES)}")
    return getattr(xp, name)


def is_floating(dtype: Any, xp: Any) -> bool:
    """Whether ``dtype`` is a real floating-point dtype (the only kind that can require grad)."""
    hit = _FLOAT_CACHE.get(dtype)
    if hit is None:
        hit = bool(xp.isdtype(dtype, "real floating"))
        _FLOAT_CACHE[dtype] = hit
    return hit


def asarray(data: Any, dtype: Any = None, xp: Any = None, copy: bool | None = None) -> Any:
    """Make an array from ``data`` with torch's rules.

    An array keeps its namespace and dtype. Python data becomes a numpy array: floats give
    float32 (not numpy's float64), ints give int64, bools give bool.
    """
    if is_array(data):
        xp = namespace_of(data)
        out = data
        if dtype is not None:
            target = resolve_dtype(dtype, xp)
            if out.dtype != target:
                return xp.astype(out, target)
        return xp.asarray(out, copy=True) if copy else out
    if xp is None:
        xp = _NUMPY_XP
    if dtype is not None:
        return xp.asarray(data, dtype=resolve_dtype(dtype, xp))
    if isinstance(data, np.generic):
        return xp.asarray(data)
    arr = np.asarray(data)
    if arr.dtype == np.float64:
        arr = arr.astype(np.float32)
    elif arr.dtype.kind in "iu":
        arr = arr.astype(np.int64)
    elif arr.dtype.kind not in "bf":
        raise TypeError(
            f"data: cannot make a tensor from {type(data).__name__} holding {arr.dtype} values; "
            "expected numbers, nested lists of numbers, or an array"
        )
    return arr if xp is _NUMPY_XP else xp.asarray(arr)


def to_numpy(array: Any) -> np.ndarray:
    """Copy ``array`` into a numpy array (an explicit transfer for non-numpy libraries)."""
    if isinstance(array, (np.ndarray, np.generic)):
        return np.asarray(array)
    if hasattr(array, "get"):  # cupy: device -> host copy
        return np.asarray(array.get())
    return np.from_dlpack(array)


def format_array(array: Any, indent: int) -> str:
    """The array's values printed like torch prints a tensor's."""
    values = to_numpy(array)
    return np.array2string(
        values, separator=", ", prefix=" " * indent, precision=4, suppress_small=False, threshold=1000
    )
