"""Convolution layers ``Conv2d`` and ``Conv1d`` (weights (out, in, *kernel), torch's default initialization)."""
from __future__ import annotations

from typing import Any

from .. import functional as F
from ..autograd.tensor import Tensor
from ..functional._conv_args import pair
from ._defaults import empty_parameter, fan_in_uniform_
from .module import Module


class _ConvNd(Module):
    """What Conv1d and Conv2d share: parameters, initialization, repr."""

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: tuple[int, ...], stride: Any, padding: Any,
        bias: bool, device: Any, dtype: Any,
    ) -> None:
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.weight = empty_parameter((out_channels, in_channels) + kernel_size, dtype, device)
        self.bias = empty_parameter((out_channels,), dtype, device) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh weights: U(-1/√fan_in, 1/√fan_in) with fan_in = in_channels·kernel area (torch's default)."""
        fan_in_uniform_(self.weight, self.bias)

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding not in ((0,) * len(self.kernel_size), 0):
            text += f", padding={self.padding!r}" if isinstance(self.padding, str) else f", padding={self.padding}"
        return text + ("" if self.bias is not None else ", bias=False")


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) with ``weight`` (C_out, C_in, kH, kW) and ``bias`` (C_out,)."""

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
        dilation: Any = 1, groups: int = 1, bias: bool = True, device: Any = None, dtype: Any = None,
    ) -> None:
        if pair(dilation, "dilation", "Conv2d") != (1, 1) or groups != 1:
            raise NotImplementedError("Conv2d: dilation and groups other than 1 are not supported by dlkit")
        pads = padding if isinstance(padding, str) else pair(padding, "padding", "Conv2d", minimum=0)
        super().__init__(
            in_channels, out_channels, pair(kernel_size, "kernel_size", "Conv2d"),
            pair(stride, "stride", "Conv2d"), pads, bias, device, dtype,
        )

    def forward(self, input: Tensor) -> Tensor:
        """(N, C_in, H, W) -> (N, C_out, H_out, W_out)."""
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding)


def _single(value: Any, name: str) -> int:
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"Conv1d: {name} must be a non-negative int, got {value!r}")
    return value


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) with ``weight`` (C_out, C_in, k) and ``bias`` (C_out,)."""

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
        dilation: Any = 1, groups: int = 1, bias: bool = True, device: Any = None, dtype: Any = None,
    ) -> None:
        if _single(dilation, "dilation") != 1 or groups != 1:
            raise NotImplementedError("Conv1d: dilation and groups other than 1 are not supported by dlkit")
        pads = padding if isinstance(padding, str) else (_single(padding, "padding"),)
        super().__init__(
            in_channels, out_channels, (_single(kernel_size, "kernel_size"),), (_single(stride, "stride"),),
            pads, bias, device, dtype,
        )

    def forward(self, input: Tensor) -> Tensor:
        """(N, C_in, L) -> (N, C_out, L_out)."""
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        return F.conv1d(input, self.weight, self.bias, self.stride[0], padding)
