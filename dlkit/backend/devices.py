"""Devices: where a tensor's memory lives, and which array namespace computes there.

Three kinds of device::

    dlkit.device("cpu")                        numpy
    dlkit.device("cuda"), dlkit.device("cuda:1")  cupy on an NVIDIA GPU
    dlkit.device("array_api_strict")           the strict array-API stand-in (its default device)
    dlkit.device("array_api_strict:device1")   ... on its second device, which refuses to meet the first

Each device maps to one array namespace object. For numpy (and the strict stand-in's default
device) that is the library's own namespace; for other devices it is a ``BoundNamespace``: the
library's namespace whose creation functions (``zeros``, ``arange``, ``asarray`` of Python data,
...) allocate on that device. A tensor keeps its namespace in ``_xp``, so the ops' ``ctx.xp.zeros``
lands on the tensor's device, and two tensors on different devices never share a namespace
object (which is how ``Function.apply`` spots a device mix-up without any per-op cost).

cupy and array_api_strict are imported only when one of their devices is used.
"""
from __future__ import annotations

import functools
import importlib
from typing import Any, Callable

import array_api_compat
import numpy as np

NUMPY_XP = array_api_compat.array_namespace(np.empty(0))
TYPES = ("cpu", "cuda", "array_api_strict")
# The strict stand-in's devices that dlkit addresses: index None is its default device.
_STRICT_NAMES = {None: "CPU_DEVICE", 1: "device1", 2: "device2"}
_STRICT_INDEX = {name: index for index, name in _STRICT_NAMES.items()}
# Creation functions that take ``device=``; ``*_like`` functions follow their argument instead.
_CREATION = ("arange", "empty", "eye", "full", "linspace", "ones", "zeros")


class Device:
    """A place for tensors to live: ``type`` (``"cpu"``, ``"cuda"``, ``"array_api_strict"``) and ``index``.

    Compares equal to another ``Device`` or a string naming the same device
    (``dlkit.device("cuda:0") == "cuda:0"``). Usable as a context manager that sets the default
    device for new tensors, like ``torch.device``.
    """

    __slots__ = ("type", "index", "_previous")

    def __init__(self, type: str, index: int | None = None) -> None:
        if type not in TYPES:
            raise ValueError(f"device: unknown device type {type!r}; expected one of {', '.join(TYPES)}")
        if type == "cpu" and index not in (None, 0):
            raise ValueError(f"device: the cpu device has no index {index}")
        if type == "array_api_strict" and index not in _STRICT_NAMES:
            raise ValueError(
                f"device: array_api_strict has devices {', '.join(repr(str(Device(type, i))) for i in _STRICT_NAMES)}; "
                f"got index {index!r}"
            )
        if type == "cuda" and index is not None and (not isinstance(index, int) or index < 0):
            raise ValueError(f"device: a cuda index must be a non-negative int, got {index!r}")
        self.type = type
        self.index = None if type == "cpu" else index
        self._previous: list[Device] = []

    def __str__(self) -> str:
        if self.index is None:
            return self.type
        if self.type == "array_api_strict":
            return f"{self.type}:{_STRICT_NAMES[self.index]}"
        return f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type={self.type!r})"
        return f"device(type={self.type!r}, index={self.index})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except ValueError:
                return False
        if not isinstance(other, Device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    @property
    def namespace(self) -> Any:
        """The array namespace that computes on this device (allocating here)."""
        return namespace_for(self)

    @property
    def native(self) -> Any:
        """The array library's own device object (``"cpu"``, a ``cupy.cuda.Device``, a strict ``Device``)."""
        if self.type == "cpu":
            return "cpu"
        if self.type == "cuda":
            return import_cupy().cuda.Device(self._cuda_index())
        return import_strict().Device(_STRICT_NAMES[self.index])

    def _cuda_index(self) -> int:
        return self.index if self.index is not None else import_cupy().cuda.Device().id

    def __enter__(self) -> "Device":
        self._previous.append(get_default_device())
        set_default_device(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        set_default_device(self._previous.pop())


CPU = Device("cpu")


def device(spec: Any = "cpu", index: int | None = None) -> Device:
    """A ``Device`` from a name (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"array_api_strict:device1"``), an int (a GPU), or a Device."""
    if isinstance(spec, Device):
        return spec if index is None else Device(spec.type, index)
    if isinstance(spec, bool):
        raise TypeError("device: expected a device name, got a bool")
    if isinstance(spec, int):
        return Device("cuda", spec)
    if not isinstance(spec, str):
        raise TypeError(f"device: expected a device name such as 'cpu' or 'cuda:0', got {type(spec).__name__}")
    kind, _, suffix = spec.strip().partition(":")
    if kind not in TYPES:
        raise ValueError(f"device: unknown device {spec!r}; expected 'cpu', 'cuda', 'cuda:N' or 'array_api_strict[:device1]'")
    if suffix:
        if index is not None:
            raise ValueError(f"device: {spec!r} already names an index; do not pass index={index} too")
        index = _parse_index(kind, suffix, spec)
    return Device(kind, index)


def _parse_index(kind: str, suffix: str, spec: str) -> int | None:
    if kind == "array_api_strict" and suffix in _STRICT_INDEX:
        return _STRICT_INDEX[suffix]
    if not suffix.isdigit():
        raise ValueError(f"device: cannot read the index in {spec!r}")
    index = int(suffix)
    return None if kind == "array_api_strict" and index == 0 else index


def is_device_like(obj: Any) -> bool:
    """Whether ``obj`` names a device (rather than, say, a dtype)."""
    if isinstance(obj, Device):
        return True
    return isinstance(obj, str) and obj.strip().partition(":")[0] in TYPES


# ----- default device ------------------------------------------------------------------------
_default: list[Any] = [CPU, NUMPY_XP]


def set_default_device(spec: Any) -> None:
    """Make new tensors (``tensor``, ``zeros``, ``randn``, ...) go to ``spec`` unless told otherwise.

    The lessons' one-line switch: ``dlkit.set_default_device("cuda" if dlkit.cuda.is_available() else "cpu")``.
    """
    dev = device(spec if spec is not None else "cpu")
    _default[:] = [dev, dev.namespace]


def get_default_device() -> Device:
    """The device new tensors go to."""
    return _default[0]


def default_namespace() -> Any:
    """The namespace of the default device (numpy unless ``set_default_device`` said otherwise)."""
    return _default[1]


# ----- namespaces per device -----------------------------------------------------------------
class BoundNamespace:
    """An array namespace whose creation functions allocate on one device.

    Everything else is the library's own function, looked up once and cached on the instance,
    so an op pays nothing for the binding.
    """

    def __init__(self, xp: Any, dev: Device, native: Any, context: bool) -> None:
        self.__name__ = xp.__name__  # array_api_compat recognizes libraries by name
        self._xp = xp
        self._native = native
        self._context = context  # cupy allocates on the current device: enter it instead of passing device=
        self._array_type = type(xp.asarray(0))
        self.device = dev

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._xp, name)
        if name in _CREATION:
            value = self._creator(value)
        elif name == "asarray":
            value = self._creator(value, arrays_stay=True)
        setattr(self, name, value)
        return value

    def _creator(self, fn: Callable[..., Any], arrays_stay: bool = False) -> Callable[..., Any]:
        native, context, own = self._native, self._context, self._array_type

        @functools.wraps(fn)
        def create(*args: Any, **kwargs: Any) -> Any:
            # An existing array keeps its device: asarray never moves data behind the caller's back.
            if kwargs.get("device") is not None or (arrays_stay and args and isinstance(args[0], own)):
                return fn(*args, **kwargs)
            if context:
                with native:
                    return fn(*args, **kwargs)
            return fn(*args, device=native, **kwargs)

        return create

    def __repr__(self) -> str:
        return f"<{self.__name__} namespace on {self.device}>"


_NAMESPACES: dict[Device, Any] = {CPU: NUMPY_XP}
_DEVICE_OF_NAMESPACE: dict[int, Device] = {id(NUMPY_XP): CPU}


def namespace_for(dev: Device) -> Any:
    """The namespace for ``dev`` (one object per device, made on first use)."""
    xp = _NAMESPACES.get(dev)
    if xp is not None:
        return xp
    if dev.type == "cuda" and dev.index is None:
        return namespace_for(Device("cuda", dev._cuda_index()))
    if dev.type == "cuda":
        library = array_api_compat.array_namespace(import_cupy().empty(0))
        xp = BoundNamespace(library, dev, dev.native, context=True)
    elif dev.index is None:
        xp = import_strict()
    else:
        xp = BoundNamespace(import_strict(), dev, dev.native, context=False)
    _NAMESPACES[dev] = xp
    _DEVICE_OF_NAMESPACE[id(xp)] = dev
    return xp


def device_of_namespace(xp: Any) -> Device:
    """The device a namespace computes on (numpy: the CPU)."""
    dev = _DEVICE_OF_NAMESPACE.get(id(xp))
    if dev is not None:
        return dev
    if array_api_compat.is_array_api_strict_namespace(xp):
        return Device("array_api_strict")
    if array_api_compat.is_cupy_namespace(xp):
        return Device("cuda", import_cupy().cuda.Device().id)
    return CPU


def device_of(array: Any) -> Device:
    """The device an array lives on."""
    if isinstance(array, (np.ndarray, np.generic)):
        return CPU
    xp = array_api_compat.array_namespace(array)
    if array_api_compat.is_array_api_strict_namespace(xp):
        name = array.device._device
        if name not in _STRICT_INDEX:
            raise ValueError(f"device: dlkit does not address the array_api_strict device {name!r}")
        return Device("array_api_strict", _STRICT_INDEX[name])
    if array_api_compat.is_cupy_namespace(xp):
        return Device("cuda", array.device.id)
    if array_api_compat.is_numpy_namespace(xp):
        return CPU
    raise TypeError(f"device: dlkit does not know where a {type(array).__module__}.{type(array).__name__} lives")


def namespace_of(array: Any) -> Any:
    """The namespace of ``array``, bound to the array's device (resolved once per tensor, never per op)."""
    if type(array) is np.ndarray:
        return NUMPY_XP
    xp = array_api_compat.array_namespace(array)
    if xp is NUMPY_XP:
        return xp
    if array_api_compat.is_array_api_strict_namespace(xp) or array_api_compat.is_cupy_namespace(xp):
        return namespace_for(device_of(array))
    return xp  # another array-API library: used as it is, on whatever device it chose


# ----- explicit transfers --------------------------------------------------------------------
def to_host(array: Any) -> np.ndarray:
    """A numpy copy of ``array`` (the array itself when it already is numpy): an explicit transfer."""
    if isinstance(array, (np.ndarray, np.generic)):
        return np.asarray(array)
    if array_api_compat.is_cupy_array(array):
        return array.get()
    if array_api_compat.is_array_api_strict_namespace(array_api_compat.array_namespace(array)):
        return np.asarray(array.to_device(import_strict().Device("CPU_DEVICE")))
    return np.from_dlpack(array)


def to_device(array: Any, target: Any) -> Any:
    """``array`` copied to device ``target`` (the array itself when it is already there)."""
    dev = device(target)
    source = device_of(array)
    if source == dev or (dev.type == "cuda" and dev.index is None and source.type == "cuda"):
        return array
    if source.type == dev.type == "array_api_strict":
        return array.to_device(dev.native)
    if source.type == dev.type == "cuda":
        with dev.native:  # a peer copy between GPUs
            return import_cupy().asarray(array)
    host = to_host(array)
    if dev.type == "cpu":
        return host
    return namespace_for(dev).asarray(host)


# ----- lazily imported libraries -------------------------------------------------------------
def import_cupy() -> Any:
    try:
        return importlib.import_module("cupy")
    except ImportError:
        raise RuntimeError(
            "device: cuda devices need cupy; install it with `pip install -e .[gpu]` (cupy-cuda12x) on a machine "
            "with an NVIDIA GPU, or use dlkit.device('cpu')"
        ) from None


def import_strict() -> Any:
    try:
        return importlib.import_module("array_api_strict")
    except ImportError:
        raise RuntimeError("device: the array_api_strict device needs `pip install array-api-strict`") from None


def cuda_available() -> bool:
    """Whether cupy is installed and sees at least one GPU."""
    try:
        cupy = importlib.import_module("cupy")
    except ImportError:
        return False
    try:
        return bool(cupy.cuda.is_available())
    except Exception:  # a broken driver or CUDA runtime means no usable GPU
        return False


def cuda_device_count() -> int:
    """How many GPUs cupy sees (0 without cupy or a GPU)."""
    if not cuda_available():
        return 0
    return int(import_cupy().cuda.runtime.getDeviceCount())


def cuda_synchronize() -> None:
    """Wait until every queued GPU kernel has finished (for timing); nothing to do without a GPU."""
    if cuda_available():
        import_cupy().cuda.runtime.deviceSynchronize()
