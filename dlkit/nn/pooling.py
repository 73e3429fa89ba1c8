"""Pooling layers ``MaxPool2d`` and ``AvgPool2d`` (no parameters)."""
from __future__ import annotations

from typing import Any

from .. import functional as F
from ..autograd.tensor import Tensor
from .module import Module


class _Pool2d(Module):
    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """The max of each window of (N, C, H, W); ``stride`` defaults to ``kernel_size``."""

    def forward(self, input: Tensor) -> Tensor:
        """(N, C, H, W) -> (N, C, H_out, W_out)."""
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """The mean of each window of (N, C, H, W); ``stride`` defaults to ``kernel_size``."""

    def forward(self, input: Tensor) -> Tensor:
        """(N, C, H, W) -> (N, C, H_out, W_out)."""
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding)
