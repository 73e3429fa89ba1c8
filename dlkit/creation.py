"""Making tensors: from data, filled with a value, ranges, and seeded random numbers.

Every function takes ``device=`` (``"cpu"``, ``"cuda"``, ``"array_api_strict"``, a ``dlkit.device``);
without it new tensors go to the default device (``dlkit.set_default_device``), and ``*_like``
functions follow their argument. Python data and numpy arrays go to the default device (as in
torch, so one ``set_default_device("cuda")`` moves a lesson's data too); arrays already on a
device (cupy, array_api_strict) stay there unless ``device`` asks for a move. ``from_numpy``
always stays on the CPU, sharing memory.
"""
from __future__ import annotations

from typing import Any

from . import backend
from .autograd.tensor import Tensor


def _shape(size: tuple[Any, ...], fn: str) -> tuple[int, ...]:
    """Accept ``zeros(2, 3)`` and ``zeros((2, 3))``, and reject what is not a shape."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, int) or isinstance(s, bool) or s < 0:
            raise ValueError(f"{fn}: size must be non-negative integers, got {size!r}")
    return tuple(size)


def _finish(data: Any, requires_grad: bool) -> Tensor:
    t = Tensor._make(data, backend.namespace_of(data), None)
    if requires_grad:
        t.requires_grad = True
    return t


def _namespace(device: Any) -> Any:
    """The namespace that allocates on ``device`` (the default device's when None)."""
    return backend.default_namespace() if device is None else backend.device(device).namespace


def _from_data(data: Any, dtype: Any, device: Any, copy: bool | None) -> Any:
    if isinstance(data, Tensor):
        data = data.data
    if device is None and backend.is_array(data) and backend.get_default_device().type != "cpu" \
            and backend.device_of(data).type == "cpu":
        device = backend.get_default_device()  # host data (numpy) goes to the default device, like torch
    if backend.is_array(data) and device is not None:
        moved = backend.to_device(data, device)
        copy = copy and moved is data
        data = moved
    return backend.asarray(data, dtype=dtype, xp=_namespace(device), copy=copy)


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (floats become float32, ints int64; arrays keep their dtype)."""
    return _finish(_from_data(data, dtype, device, copy=True), requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, sharing memory with an array when no conversion or move is needed."""
    if isinstance(data, Tensor) and dtype is None and (device is None or data.device == backend.device(device)):
        return data
    return _finish(_from_data(data, dtype, device, copy=None), False)


def from_numpy(array: Any) -> Tensor:
    """A tensor sharing memory with a numpy array (dtype kept; on the CPU)."""
    return _finish(backend.asarray(array), False)


def _filled(size: tuple[Any, ...], value: Any, dtype: Any, device: Any, requires_grad: bool, fn: str) -> Tensor:
    xp = _namespace(device)
    if dtype is None:
        if fn != "full" or isinstance(value, float):
            dtype = "float32"
        else:
            dtype = "bool" if isinstance(value, bool) else "int64"
    data = xp.full(_shape(size, fn), value, dtype=backend.resolve_dtype(dtype, xp))
    return _finish(data, requires_grad)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (float32 unless ``dtype`` says otherwise)."""
    return _filled(size, 0, dtype, device, requires_grad, "zeros")


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    return _filled(size, 1, dtype, device, requires_grad, "ones")


def full(size: Any, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value`` (its dtype follows the value, like torch)."""
    return _filled((size,), fill_value, dtype, device, requires_grad, "full")


def _like_namespace(t: Tensor, device: Any) -> Any:
    return t._xp if device is None else backend.device(device).namespace


def _like(t: Tensor, value: Any, dtype: Any, device: Any, requires_grad: bool) -> Tensor:
    xp = _like_namespace(t, device)
    target = backend.resolve_dtype(dtype if dtype is not None else t.dtype_name, xp)
    return _finish(xp.full(t.data.shape, value, dtype=target), requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with ``t``'s shape, dtype and device."""
    return _like(t, 0, dtype, device, requires_grad)


def ones_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with ``t``'s shape, dtype and device."""
    return _like(t, 1, dtype, device, requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` with ``t``'s shape, dtype and device."""
    return _like(t, fill_value, dtype, device, requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, end) (int64 for integer arguments, float32 otherwise)."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    xp = _namespace(device)
    if dtype is None:
        dtype = "int64" if all(isinstance(v, int) for v in (start, end, step)) else "float32"
    return _finish(xp.arange(start, end, step, dtype=backend.resolve_dtype(dtype, xp)), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    xp = _namespace(device)
    return _finish(xp.linspace(start, end, steps, dtype=backend.resolve_dtype(dtype or "float32", xp)), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n × m)."""
    xp = _namespace(device)
    return _finish(xp.eye(n, m, dtype=backend.resolve_dtype(dtype or "float32", xp)), requires_grad)


def rand(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples from [0, 1), seeded by ``dlkit.manual_seed`` (one stream per device)."""
    return _finish(backend.random.uniform(_shape(size, "rand"), dtype=dtype, device=device), requires_grad)


def randn(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples, seeded by ``dlkit.manual_seed`` (one stream per device)."""
    return _finish(backend.random.normal(_shape(size, "randn"), dtype=dtype, device=device), requires_grad)


def randint(low: int, high: int, size: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Integers from [low, high), seeded by ``dlkit.manual_seed``."""
    data = backend.random.integers(_shape((size,), "randint"), low, high, device=device)
    t = _finish(data, False)
    return t if dtype is None else t.to(dtype)


def rand_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples with ``t``'s shape (and dtype and device)."""
    data = backend.random.uniform(t.shape, dtype=dtype or t.dtype_name, xp=_like_namespace(t, device))
    return _finish(data, requires_grad)


def randn_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples with ``t``'s shape (and dtype and device)."""
    data = backend.random.normal(t.shape, dtype=dtype or t.dtype_name, xp=_like_namespace(t, device))
    return _finish(data, requires_grad)
