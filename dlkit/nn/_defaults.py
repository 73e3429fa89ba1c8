"""What layers share when they create their parameters: empty storage and torch's default initialization."""
from __future__ import annotations

import math
from typing import Any

from .. import init
from ..autograd.tensor import Tensor
from ..backend.arrays import DEFAULT_FLOAT
from ..backend import ops as B
from ..creation import zeros
from .parameter import Parameter


def _check_sizes(shape: tuple[int, ...]) -> None:
    for size in shape:
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ValueError(f"layer sizes must be non-negative integers, got shape {shape!r}")


def empty_tensor(shape: tuple[int, ...], dtype: Any = None, device: Any = None) -> Tensor:
    """A zero tensor of ``shape`` (float32 unless ``dtype`` says otherwise) on ``device`` (default: the default device)."""
    _check_sizes(shape)
    return zeros(*shape, dtype=dtype or DEFAULT_FLOAT, device=device)


def empty_parameter(shape: tuple[int, ...], dtype: Any = None, device: Any = None, *,
                    for_transposed_matmul: bool = False) -> Parameter:
    """A zero parameter of ``shape``, to be filled by an initializer; ``for_transposed_matmul`` when the
    layer multiplies by its transpose (the backend then stores it for that product)."""
    _check_sizes(shape)
    return Parameter(B.new_parameter_storage(shape, dtype, device, for_transposed_matmul=for_transposed_matmul))


def fan_in_uniform_(weight: Parameter, bias: Parameter | None) -> None:
    """torch's default for Linear and Conv: weight and bias from U(-1/√fan_in, 1/√fan_in).

    torch writes the weight part as kaiming_uniform_(a=√5), which comes to the same bound.
    """
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in = init._calculate_fan_in_and_fan_out(weight)[0]
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        init.uniform_(bias, -bound, bound)
