"""Convolution (really cross-correlation, as in torch): ``conv2d`` and ``conv1d``, NCHW.

The forward is im2col on a channels-last view — every output pixel's patch becomes one row of
a matrix, copied once — and one 2-D matmul with the weight as (out, kh·kw·in). With a bias, the
patches get a column of ones and the weight matrix the bias as its last column (the "bias trick"):
the same matmul adds it, and in the backward the same matmul that gives the weight gradient gives
the bias gradient, with no pass of their own over the large output. The backward reuses the
patches for those gradients and builds the input gradient with col2im (one matmul per kernel
offset, added into a padded buffer). No Python loop runs over pixels or batch items; the
array-library-specific parts are operations of ``dlkit.backend.ops``.
"""
from __future__ import annotations

from typing import Any

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor
from ..backend import ops as B
from ._conv_args import conv_padding, out_size, pair
from .shape import squeeze, unsqueeze


class Conv2d(Function):
    """out[n, o, y, x] = Σ_{c, i, j} in[n, c, y·s + i − p, x·s + j − p] · w[o, c, i, j] + b[o]."""

    @classmethod
    def shape_error(cls, shapes: tuple[Any, ...], consts: dict[str, Any]) -> str | None:
        x, w, b = shapes
        if x is None or len(x) != 4:
            return f"conv2d: input must be 4-D (N, C, H, W), got shape {x}"
        if w is None or len(w) != 4:
            return f"conv2d: weight must be 4-D (out_channels, in_channels, kH, kW), got shape {w}"
        if x[1] != w[1]:
            return (
                f"conv2d: input has {x[1]} channels (input.shape[1]) but weight expects {w[1]} "
                f"(weight.shape[1]); got input of shape {x} and weight of shape {w}"
            )
        if b is not None and tuple(b) != (w[0],):
            return f"conv2d: bias must have shape ({w[0]},) (out_channels), got {b}"
        return None

    @staticmethod
    def forward(
        ctx: Context, x: Any, weight: Any, bias: Any = None,
        stride: tuple[int, int] = (1, 1), padding: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (0, 0)),
    ) -> Any:
        xp = ctx.xp
        if x.ndim != 4 or weight.ndim != 4 or x.shape[1] != weight.shape[1]:
            raise ValueError("conv2d shapes")
        if bias is not None and tuple(bias.shape) != (weight.shape[0],):
            raise ValueError("conv2d bias")
        n, c, h, w = x.shape
        o, _, kh, kw = weight.shape
        (pt, pb), (pl, pr) = padding
        ho = out_size(h, kh, stride[0], pt + pb, "conv2d", "height")
        wo = out_size(w, kw, stride[1], pl + pr, "conv2d", "width")
        x_nhwc = B.channels_last(x)
        if pt or pb or pl or pr:
            x_nhwc = B.pad(x_nhwc, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
        cols = B.im2col(x_nhwc, (kh, kw), stride, (ho, wo), ones_column=bias is not None)
        w_mat = xp.reshape(xp.permute_dims(weight, (0, 2, 3, 1)), (o, kh * kw * c))
        if bias is not None:  # the bias trick: the bias is the weight matrix's last column
            w_mat = xp.concat([w_mat, xp.reshape(bias, (o, 1))], axis=1)
        out = cols @ w_mat.mT
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(cols if need[1] else None, w_mat if need[0] else None)
            ctx.geometry = (x_nhwc.shape, (h, w), (kh, kw), stride, (pt, pl), (ho, wo))
        # A channels-last result seen as NCHW: no copy, and the next conv's im2col reads it contiguously.
        return xp.permute_dims(xp.reshape(out, (n, ho, wo, o)), (0, 3, 1, 2))

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any, Any]:
        cols, w_mat = ctx.saved_tensors
        xp = ctx.xp
        padded_shape, (h, w), kernel, stride, (pt, pl), out = ctx.geometry
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        o, c = grad.shape[1], padded_shape[3]
        k = kernel[0] * kernel[1] * c
        rows = xp.reshape(xp.permute_dims(grad, (0, 2, 3, 1)), (-1, o))
        gw = gb = gx = None
        if need_w:
            g = rows.mT @ cols  # (O, kh·kw·C), and with the bias trick the bias gradient as one more column
            gw = xp.permute_dims(xp.reshape(g[:, :k], (o, kernel[0], kernel[1], c)), (0, 3, 1, 2))
            if need_b:
                gb = g[:, k]
        elif need_b:
            gb = B.sum_rows(rows)
        if need_x:
            buffer = B.col2im(rows, w_mat[:, :k], padded_shape, kernel, stride, out)
            gx = xp.permute_dims(buffer[:, pt : pt + h, pl : pl + w, :], (0, 3, 1, 2))
        return gx, gw, gb


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution of ``input`` (N, C_in, H, W) with ``weight`` (C_out, C_in, kH, kW) and ``bias`` (C_out,).

    ``stride`` and ``padding`` are ints or (height, width) pairs; ``padding`` may also be "valid"
    or "same" (output size = input size, stride 1). Output: (N, C_out, H_out, W_out) with
    H_out = (H + 2·padding − kH) // stride + 1.
    """
    if pair(dilation, "dilation", "conv2d") != (1, 1) or groups != 1:
        raise NotImplementedError("conv2d: dilation and groups other than 1 are not supported by dlkit")
    if weight.ndim != 4:
        raise ValueError(f"conv2d: weight must be 4-D (out_channels, in_channels, kH, kW), got shape {weight.shape}")
    steps = pair(stride, "stride", "conv2d")
    pads = conv_padding(padding, weight.shape[2:], steps, "conv2d")
    return Conv2d.apply(input, weight, bias, stride=steps, padding=pads)


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-D convolution of ``input`` (N, C_in, L) with ``weight`` (C_out, C_in, k): ``conv2d`` with height 1."""
    if input.ndim != 3 or weight.ndim != 3:
        raise ValueError(
            f"conv1d: input must be (N, C_in, L) and weight (C_out, C_in, k), got shapes {input.shape} and {weight.shape}"
        )
    one = lambda v: v[0] if isinstance(v, (tuple, list)) and len(v) == 1 else v  # noqa: E731  (torch accepts (s,))
    stride, dilation = one(stride), one(dilation)
    padding = one(padding) if isinstance(padding, (tuple, list)) else padding
    pads = padding if isinstance(padding, str) else (0, padding)
    out = conv2d(unsqueeze(input, 2), unsqueeze(weight, 2), bias, (1, stride), pads, (1, dilation), groups)
    return squeeze(out, 2)
