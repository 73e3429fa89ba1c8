"""Pooling over NCHW windows: ``max_pool2d`` and ``avg_pool2d``.

Both walk the kh·kw kernel offsets (a handful), never the pixels: offset (i, j) sees the strided
slice x[..., i::stride, j::stride] of every window at once. Max pooling takes the running maximum
of those slices; its backward gives each window's gradient to one maximal element — the first in
row-major order on ties, like torch — by checking the offsets in the same order.
"""
from __future__ import annotations

from typing import Any

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor
from ..backend import conv_kernels as _conv_kernels  # noqa: F401  (registers the kernels used below)
from ..backend import kernels
from ..backend.conv_kernels import window_slices
from ._conv_args import out_size, pair


def _geometry(ctx: Context, x: Any, kernel: tuple[int, int], stride: tuple[int, int], padding: tuple[int, int], op: str, fill: float) -> tuple[Any, tuple[int, int]]:
    """The padded input and the output size; remembers the geometry on ``ctx`` for backward."""
    if x.ndim != 4:
        raise ValueError(f"{op}: input must be 4-D (N, C, H, W), got shape {tuple(x.shape)}")
    ph, pw = padding
    out = (
        out_size(x.shape[2], kernel[0], stride[0], 2 * ph, op, "height"),
        out_size(x.shape[3], kernel[1], stride[1], 2 * pw, op, "width"),
    )
    if ph or pw:
        x = kernels.get("pad", ctx.xp)(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), fill, ctx.xp)
    ctx.geometry = (tuple(x.shape), kernel, stride, padding, out)
    return x, out


def _unpad(buffer: Any, padding: tuple[int, int]) -> Any:
    ph, pw = padding
    return buffer[:, :, ph : buffer.shape[2] - ph, pw : buffer.shape[3] - pw] if (ph or pw) else buffer


def _windows(ctx: Context) -> list[tuple[Any, ...]]:
    _, kernel, stride, _, out = ctx.geometry
    return [(slice(None), slice(None), rows, cols) for rows, cols in window_slices(kernel, stride, out)]


class MaxPool2d(Function):
    """The largest value of each kh×kw window; the gradient flows to that one element."""

    @staticmethod
    def forward(ctx: Context, x: Any, kernel: tuple[int, int] = (2, 2), stride: tuple[int, int] = (2, 2), padding: tuple[int, int] = (0, 0)) -> Any:
        xp = ctx.xp
        x, _ = _geometry(ctx, x, kernel, stride, padding, "max_pool2d", -float("inf"))
        out = None
        for index in _windows(ctx):
            out = x[index] if out is None else xp.maximum(out, x[index])
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        x, out = ctx.saved_tensors
        xp = ctx.xp
        add_into = kernels.get("add_into", xp)
        buffer = xp.zeros(ctx.geometry[0], dtype=grad.dtype)
        unclaimed = None  # windows whose maximum has not been routed yet
        for index in _windows(ctx):
            hit = x[index] == out
            if unclaimed is not None:
                hit = hit & unclaimed
            unclaimed = ~hit if unclaimed is None else unclaimed & ~hit
            add_into(buffer, index, xp.where(hit, grad, 0.0), xp)
        return _unpad(buffer, ctx.geometry[3])


class AvgPool2d(Function):
    """The mean of each kh×kw window (zero padding counted, torch's default); each element gets grad/(kh·kw)."""

    @staticmethod
    def forward(ctx: Context, x: Any, kernel: tuple[int, int] = (2, 2), stride: tuple[int, int] = (2, 2), padding: tuple[int, int] = (0, 0)) -> Any:
        x, _ = _geometry(ctx, x, kernel, stride, padding, "avg_pool2d", 0.0)
        total = None
        for index in _windows(ctx):
            total = x[index] if total is None else total + x[index]
        return total / (kernel[0] * kernel[1])

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        xp = ctx.xp
        add_into = kernels.get("add_into", xp)
        kernel = ctx.geometry[1]
        share = grad / (kernel[0] * kernel[1])
        buffer = xp.zeros(ctx.geometry[0], dtype=grad.dtype)
        for index in _windows(ctx):
            add_into(buffer, index, share, xp)
        return _unpad(buffer, ctx.geometry[3])


def _pool_args(kernel_size: Any, stride: Any, padding: Any, op: str) -> dict[str, tuple[int, int]]:
    kernel = pair(kernel_size, "kernel_size", op)
    steps = kernel if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else pair(stride, "stride", op)
    pads = pair(padding, "padding", op, minimum=0)
    if pads[0] > kernel[0] // 2 or pads[1] > kernel[1] // 2:
        raise ValueError(f"{op}: padding should be at most half of kernel_size, got padding {pads} for kernel {kernel}")
    return {"kernel": kernel, "stride": steps, "padding": pads}


def _unsupported(op: str, **flags: bool) -> None:
    bad = [name for name, on in flags.items() if on]
    if bad:
        raise NotImplementedError(f"{op}: {', '.join(bad)} is not supported by dlkit")


def max_pool2d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
    dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False,
) -> Tensor:
    """Max over kh×kw windows of ``input`` (N, C, H, W); ``stride`` defaults to ``kernel_size``, padding is -inf."""
    _unsupported("max_pool2d", dilation=pair(dilation, "dilation", "max_pool2d") != (1, 1), ceil_mode=ceil_mode, return_indices=return_indices)
    return MaxPool2d.apply(input, **_pool_args(kernel_size, stride, padding, "max_pool2d"))


def avg_pool2d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
    ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None,
) -> Tensor:
    """Mean over kh×kw windows of ``input`` (N, C, H, W); ``stride`` defaults to ``kernel_size``."""
    _unsupported("avg_pool2d", ceil_mode=ceil_mode, count_include_pad=not count_include_pad, divisor_override=divisor_override is not None)
    return AvgPool2d.apply(input, **_pool_args(kernel_size, stride, padding, "avg_pool2d"))
