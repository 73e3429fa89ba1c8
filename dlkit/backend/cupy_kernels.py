"""cupy fast paths for the convolution and pooling kernels (no cuDNN: im2col and a GEMM, like on the CPU).

Registering imports nothing: cupy is imported inside each kernel, which only runs on cupy arrays.
The portable versions (``conv_kernels.py``) would work on cupy too, but build im2col from kh·kw
slices and ``stack``; these use one strided view and one copy, and cupy's own pad and in-place add.
"""
from __future__ import annotations

from typing import Any

from .kernels import register


@register("pad", "cupy")
def _pad_cupy(x: Any, widths: tuple[tuple[int, int], ...], value: float, xp: Any) -> Any:
    import cupy

    return cupy.pad(x, widths, mode="constant", constant_values=value)


@register("add_into", "cupy")
def _add_into_cupy(buffer: Any, index: tuple[Any, ...], part: Any, xp: Any) -> None:
    view = buffer[index]  # basic slices: a view, so the in-place add lands in the buffer
    view += part


@register("im2col", "cupy")
def _im2col_cupy(x: Any, kernel: tuple[int, int], stride: tuple[int, int], out: tuple[int, int], xp: Any) -> Any:
    """Patches of channels-last ``x`` (N, H, W, C) as rows (N·Ho·Wo, kh·kw·C), columns ordered (kh, kw, C)."""
    from cupy.lib.stride_tricks import as_strided
    import cupy

    (kh, kw), (sh, sw), (ho, wo) = kernel, stride, out
    n, c = x.shape[0], x.shape[3]
    s_n, s_h, s_w, s_c = x.strides
    # (N, Ho, Wo, kh, kw, C): a window per output pixel, read straight from x's memory.
    windows = as_strided(x, shape=(n, ho, wo, kh, kw, c), strides=(s_n, s_h * sh, s_w * sw, s_h, s_w, s_c))
    return cupy.ascontiguousarray(windows).reshape(n * ho * wo, kh * kw * c)
