"""Pooling over NCHW windows: ``max_pool2d`` and ``avg_pool2d``.

Both work on the channels-last view (N, H, W, C) of the input — the memory order of a dlkit
convolution's output, so nothing is copied to get there — and walk the kh·kw kernel offsets (a
handful), never the pixels: offset (i, j) sees the strided slice x[:, i::stride, j::stride, :] of
every window at once. Max pooling takes the running maximum of those slices; its backward gives
each window's gradient to one maximal element — the first in row-major order on ties, like torch.
When the windows tile the input (stride = kernel, no padding, the common 2×2 pool), the backward
needs no buffer to add into: the input seen as blocks (N, Ho, kh, Wo, kw, C) takes the gradient
in one masked broadcast.
"""
from __future__ import annotations

from typing import Any

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor
from ..backend import ops as B
from ._conv_args import out_size, pair

_ALL = slice(None)


def _channels_last(ctx: Context, x: Any, kernel: tuple[int, int], stride: tuple[int, int], padding: tuple[int, int], op: str, fill: float) -> Any:
    """The input as (N, H, W, C), padded with ``fill``; remembers the geometry on ``ctx`` for backward."""
    if x.ndim != 4:
        raise ValueError(f"{op}: input must be 4-D (N, C, H, W), got shape {tuple(x.shape)}")
    xp = ctx.xp
    ph, pw = padding
    out = (
        out_size(x.shape[2], kernel[0], stride[0], 2 * ph, op, "height"),
        out_size(x.shape[3], kernel[1], stride[1], 2 * pw, op, "width"),
    )
    x = xp.permute_dims(x, (0, 2, 3, 1))
    if ph or pw:
        x = B.pad(x, ((0, 0), (ph, ph), (pw, pw), (0, 0)), fill)
    ctx.geometry = (tuple(x.shape), kernel, stride, padding, out)
    return x


def _windows(ctx: Context) -> list[tuple[Any, ...]]:
    """Per kernel offset, the index of the slice of the channels-last input it sees in every window."""
    _, kernel, stride, _, out = ctx.geometry
    return [(_ALL, rows, cols, _ALL) for rows, cols in B.window_slices(kernel, stride, out)]


def _tiles(ctx: Context) -> bool:
    """Whether the windows tile the input: stride = kernel and no padding (each element in ≤ 1 window)."""
    _, kernel, stride, padding, _ = ctx.geometry
    return stride == kernel and padding == (0, 0)


def _blocks(ctx: Context, x: Any) -> Any:
    """Channels-last ``x`` (cropped to whole windows) as (N, Ho, kh, Wo, kw, C); a view on numpy."""
    (n, _, _, c), (kh, kw), (ho, wo) = ctx.geometry[0], ctx.geometry[1], ctx.geometry[4]
    return ctx.xp.reshape(x[:, : ho * kh, : wo * kw, :], (n, ho, kh, wo, kw, c))


def _from_blocks(ctx: Context, blocks: Any) -> Any:
    """Block-shaped gradients back to the NCHW input gradient (zeros for rows/columns no window covers)."""
    xp = ctx.xp
    n, h, w, c = ctx.geometry[0]
    _, ho, kh, wo, kw, _ = blocks.shape
    grad = xp.reshape(blocks, (n, ho * kh, wo * kw, c))
    if (ho * kh, wo * kw) != (h, w):
        grad = B.pad(grad, ((0, 0), (0, h - ho * kh), (0, w - wo * kw), (0, 0)))
    return xp.permute_dims(grad, (0, 3, 1, 2))


def _from_buffer(ctx: Context, buffer: Any) -> Any:
    """The channels-last padded gradient buffer back to the NCHW input gradient."""
    ph, pw = ctx.geometry[3]
    h, w = buffer.shape[1], buffer.shape[2]
    return ctx.xp.permute_dims(buffer[:, ph : h - ph, pw : w - pw, :], (0, 3, 1, 2))


class MaxPool2d(Function):
    """The largest value of each kh×kw window; the gradient flows to that one element."""

    @staticmethod
    def forward(ctx: Context, x: Any, kernel: tuple[int, int] = (2, 2), stride: tuple[int, int] = (2, 2), padding: tuple[int, int] = (0, 0)) -> Any:
        xp = ctx.xp
        x = _channels_last(ctx, x, kernel, stride, padding, "max_pool2d", -float("inf"))
        out = None
        for index in _windows(ctx):
            out = x[index] if out is None else xp.maximum(out, x[index])
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, out)
        return xp.permute_dims(out, (0, 3, 1, 2))

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        x, out = ctx.saved_tensors
        xp = ctx.xp
        grad = xp.permute_dims(grad, (0, 2, 3, 1))
        if _tiles(ctx):
            n, ho, wo, c = out.shape
            hit = _blocks(ctx, x) == xp.reshape(out, (n, ho, 1, wo, 1, c))
            kh, kw = ctx.geometry[1]
            if kh * kw > 1:  # ties: keep only the first maximum of each window, in row-major order
                claimed = hit[:, :, 0, :, 0, :]
                for i, j in [(i, j) for i in range(kh) for j in range(kw)][1:]:
                    first = hit[:, :, i, :, j, :] & ~claimed
                    hit[:, :, i, :, j, :] = first
                    claimed = claimed | first
            return _from_blocks(ctx, B.masked(hit, xp.reshape(grad, (n, ho, 1, wo, 1, c))))
        buffer = xp.zeros(ctx.geometry[0], dtype=grad.dtype)
        unclaimed = None  # windows whose maximum has not been routed yet
        for index in _windows(ctx):
            hit = x[index] == out
            if unclaimed is not None:
                hit = hit & unclaimed
            unclaimed = ~hit if unclaimed is None else unclaimed & ~hit
            B.add_into_(buffer, index, B.masked(hit, grad))
        return _from_buffer(ctx, buffer)


class AvgPool2d(Function):
    """The mean of each kh×kw window (zero padding counted, torch's default); each element gets grad/(kh·kw)."""

    @staticmethod
    def forward(ctx: Context, x: Any, kernel: tuple[int, int] = (2, 2), stride: tuple[int, int] = (2, 2), padding: tuple[int, int] = (0, 0)) -> Any:
        x = _channels_last(ctx, x, kernel, stride, padding, "avg_pool2d", 0.0)
        total = None
        for index in _windows(ctx):
            total = x[index] if total is None else total + x[index]
        return ctx.xp.permute_dims(total / (kernel[0] * kernel[1]), (0, 3, 1, 2))

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        xp = ctx.xp
        kh, kw = ctx.geometry[1]
        share = xp.permute_dims(grad, (0, 2, 3, 1)) / (kh * kw)
        if _tiles(ctx):
            n, ho, wo, c = share.shape
            return _from_blocks(ctx, xp.reshape(share, (n, ho, 1, wo, 1, c)) * xp.ones((1, 1, kh, 1, kw, 1), dtype=share.dtype))
        buffer = xp.zeros(ctx.geometry[0], dtype=grad.dtype)
        for index in _windows(ctx):
            B.add_into_(buffer, index, share)
        return _from_buffer(ctx, buffer)


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
