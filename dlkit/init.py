"""Weight initializers, in place, with torch's names, formulas and gains (seeded by ``dlkit.manual_seed``).

    layer = dlkit.nn.Linear(784, 128)
    dlkit.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    dlkit.init.zeros_(layer.bias)

Each function fills ``tensor.data`` with new values of the same shape, dtype and array library,
and returns the tensor.
"""
from __future__ import annotations

import math
from typing import Any

from .autograd.tensor import Tensor
from .backend import random as _random
from .backend import ops as B

_LINEAR_LIKE = {
    "linear", "identity", "conv1d", "conv2d", "conv3d",
    "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid",
}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor that keeps activations' variance steady through ``nonlinearity`` (torch's table)."""
    if nonlinearity in _LINEAR_LIKE:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected one of "
        f"{sorted(_LINEAR_LIKE | {'tanh', 'relu', 'leaky_relu', 'selu'})}"
    )


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out): inputs and outputs per unit, counting a conv kernel's receptive field."""
    if tensor.ndim < 2:
        raise ValueError(
            f"init: fan in and fan out need a tensor with at least 2 dimensions, got shape {tensor.shape}"
        )
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor: Tensor, values: Any) -> Tensor:
    """Put ``values`` (same shape) into ``tensor`` keeping its dtype, array library and storage layout."""
    if values.dtype != tensor.data.dtype:
        values = tensor._xp.astype(values, tensor.data.dtype)
    tensor.data = B.stored_like(tensor.data, values)
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with samples from U(a, b)."""
    return _fill(tensor, _random.uniform(tensor.shape, a, b, dtype=tensor.dtype_name, xp=tensor._xp))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with samples from N(mean, std²)."""
    return _fill(tensor, _random.normal(tensor.shape, mean, std, dtype=tensor.dtype_name, xp=tensor._xp))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    return _fill(tensor, tensor._xp.full(tensor.data.shape, val, dtype=tensor.data.dtype))


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with zeros."""
    return constant_(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with ones."""
    return constant_(tensor, 1)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot uniform: U(-a, a) with a = gain·√(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot normal: N(0, std²) with std = gain·√(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> Tensor:
    """He uniform: U(-bound, bound) with bound = gain·√(3 / fan); ``a`` is leaky_relu's negative slope."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> Tensor:
    """He normal: N(0, std²) with std = gain / √fan."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std)


def orthogonal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """A (semi-)orthogonal matrix (rows or columns orthonormal), scaled by ``gain``; extra axes are flattened."""
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: the tensor needs at least 2 dimensions, got shape {tensor.shape}")
    xp = tensor._xp
    rows = tensor.shape[0]
    cols = tensor.numel() // rows if rows else 0
    flat = _random.normal((rows, cols), dtype="float64", xp=xp)
    if rows < cols:
        flat = flat.mT
    q, r = xp.linalg.qr(flat)
    # Fixing the signs by R's diagonal makes Q uniformly distributed (torch does the same).
    q = q * xp.sign(xp.linalg.diagonal(r))
    if rows < cols:
        q = q.mT
    return _fill(tensor, xp.reshape(q * gain, tensor.shape))
