"""Array namespaces and devices: the only part of dlkit that knows which array library is underneath.

The engine (``dlkit.autograd``) and the ops (``dlkit.functional``) talk to arrays through the
Python array API standard; this package resolves the namespace of an array (bound to its
device), turns Python data into arrays with torch's dtype rules, moves arrays between devices
on request, draws random numbers per device, and keeps per-library fast paths.
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
from . import devices, dtypes, kernels, memory, random
# Registering the fast paths: importing these fills the kernel registry.
from . import conv_kernels, cupy_kernels, linear_kernels, loss_kernels, update_kernels

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
    "kernels",
    "namespace_for",
    "namespace_of",
    "random",
    "resolve_dtype",
    "set_default_device",
    "to_device",
    "to_numpy",
]
