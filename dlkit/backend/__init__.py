"""Array namespaces and devices: the only part of dlkit that knows which array library is underneath.

The engine (``dlkit.autograd``) and the ops (``dlkit.functional``) talk to arrays through the
Python array API standard; this package resolves the namespace of an array (bound to its
device), turns Python data into arrays with torch's dtype rules, moves arrays between devices
on request, and draws random numbers per device. What the array API lacks (im2col, scatter-add,
fused updates, parameter layouts, ...) are the plain functions of ``ops``, each with per-library
fast paths; every speed trick lives behind them. Importing the package changes nothing outside
dlkit: process-wide tuning waits for ``tune_process()``.
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
from .devices import (
    Device,
    device,
    device_of,
    device_of_namespace,
    get_default_device,
    is_device_like,
    namespace_for,
    set_default_device,
    to_device,
)
from .dtypes import DType, as_dtype
from . import devices, dtypes, ops, random
from .tuning import tune_process

__all__ = [
    "DEFAULT_FLOAT",
    "DTYPE_NAMES",
    "DType",
    "Device",
    "as_dtype",
    "asarray",
    "default_namespace",
    "device",
    "device_of",
    "device_of_namespace",
    "dtype_name",
    "devices",
    "dtypes",
    "format_array",
    "get_default_device",
    "is_array",
    "is_device_like",
    "is_floating",
    "namespace_for",
    "namespace_of",
    "ops",
    "random",
    "resolve_dtype",
    "set_default_device",
    "to_device",
    "to_numpy",
    "tune_process",
]
