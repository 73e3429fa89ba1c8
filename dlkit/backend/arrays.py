"""Namespaces, dtypes and conversion from Python data, following torch's dtype rules."""
from __future__ import annotations

from typing import Any

import array_api_compat
import numpy as np

from .devices import NUMPY_XP as _NUMPY_XP, default_namespace, namespace_of, to_host
from .dtypes import name_of

DEFAULT_FLOAT = "float32"
DTYPE_NAMES = (
    "float32", "float64", "float16",
    "int8", "int16", "int32", "int64",
    "uint8", "uint16", "uint32", "uint64",
    "bool",
)

# Caches keyed by (type(dtype), dtype): dtype objects differ between array libraries, and
# array_api_strict's hash like numpy's but warn when compared with them; the type comes first,
# so a lookup never compares dtypes of two libraries.
_NAMES: dict[tuple[type, Any], str] = {}
_OWN_DTYPES: dict[int, dict[tuple[type, Any], Any]] = {}
_FLOAT_CACHE: dict[tuple[int, Any], bool] = {}
_ALIASES = {"float": "float32", "double": "float64", "long": "int64", "half": "float16", "bool_": "bool"}


def is_array(x: Any) -> bool:
    """Whether ``x`` is an array of a library dlkit can wrap (numpy, cupy, array_api_strict, ...)."""
    return array_api_compat.is_array_api_obj(x)


def _own_dtypes(xp: Any) -> dict[tuple[type, Any], Any]:
    table = _OWN_DTYPES.get(id(xp))
    if table is None:
        table = {(type(d), d): d for d in (getattr(xp, n) for n in DTYPE_NAMES if hasattr(xp, n))}
        _OWN_DTYPES[id(xp)] = table
    return table


def dtype_name(dtype: Any, xp: Any | None = None) -> str:
    """A dtype's plain name (``"float32"``) whatever library it comes from (``xp`` is not needed)."""
    if isinstance(dtype, str):
        return str.__str__(dtype)
    key = (type(dtype), dtype)
    name = _NAMES.get(key)
    if name is None:
        name = _NAMES[key] = name_of(dtype)
    return name


def resolve_dtype(dtype: Any, xp: Any) -> Any:
    """Turn ``dtype`` (a name, a numpy dtype or type, or a dtype of ``xp``) into ``xp``'s dtype object."""
    if dtype is None:
        return None
    if not isinstance(dtype, str):
        own = _own_dtypes(xp).get((type(dtype), dtype))
        if own is not None:
            return own
    name = dtype_name(dtype)
    name = _ALIASES.get(name, name)
    if name not in DTYPE_NAMES or not hasattr(xp, name):
        raise TypeError(f"dtype: unsupported dtype {dtype!r}; expected one of {', '.join(DTYPE_NAMES)}")
    return getattr(xp, name)


def is_floating(dtype: Any, xp: Any) -> bool:
    """Whether ``dtype`` is a real floating-point dtype (the only kind that can require grad)."""
    key = (id(xp), dtype)
    hit = _FLOAT_CACHE.get(key)
    if hit is None:
        hit = bool(xp.isdtype(dtype, "real floating"))
        _FLOAT_CACHE[key] = hit
    return hit


def asarray(data: Any, dtype: Any = None, xp: Any = None, copy: bool | None = None) -> Any:
    """Make an array from ``data`` with torch's rules.

    An array keeps its namespace, device and dtype. Python data goes to ``xp`` (the default
    device's namespace when None): floats give float32 (not numpy's float64), ints give int64,
    bools give bool.
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
        xp = default_namespace()
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
    """``array`` as a numpy array: itself on the CPU, an explicit copy from any other device."""
    return to_host(array)


def format_array(array: Any, indent: int) -> str:
    """The array's values printed like torch prints a tensor's."""
    values = to_numpy(array)
    return np.array2string(
        values, separator=", ", prefix=" " * indent, precision=4, suppress_small=False, threshold=1000
    )
