"""Array namespaces: the only part of dlkit that knows which array library is underneath.

The engine (``dlkit.autograd``) and the ops (``dlkit.functional``) talk to arrays through the
Python array API standard; this package resolves the namespace of an array, turns Python data
into arrays with torch's dtype rules, draws random numbers, and keeps per-library fast paths.
"""
from .arrays import (
    DEFAULT_FLOAT,
    DTYPE_NAMES,
    asarray,
    default_namespace,
    dtype_name,
    format_array,
    is_array,
    is_floating,
    namespace_of,
    resolve_dtype,
    to_numpy,
)
from . import kernels, random

__all__ = [
    "DEFAULT_FLOAT",
    "DTYPE_NAMES",
    "asarray",
    "default_namespace",
    "dtype_name",
    "format_array",
    "is_array",
    "is_floating",
    "kernels",
    "namespace_of",
    "random",
    "resolve_dtype",
    "to_numpy",
]
