"""Kernels for convolution and pooling: pad, im2col, col2im, adding into a strided window, and
``masked`` (where(mask, values, 0), the gradient of ReLU, dropout and max-pool).

Layout: convolution works on a channels-last view (N, H, W, C) so that a patch's values are
contiguous and im2col is one copy followed by one 2-D matmul. Each kernel has a portable version
(standard array-API calls: slicing, stack, setitem) and a numpy fast path.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .kernels import example, get, register

Pads = tuple[tuple[int, int], ...]


def window_slices(
    kernel: tuple[int, int], stride: tuple[int, int], out: tuple[int, int]
) -> list[tuple[slice, slice]]:
    """For each kernel offset (i, j), row-major: the strided slices of the input rows and columns it touches."""
    (kh, kw), (sh, sw), (ho, wo) = kernel, stride, out
    return [
        (slice(i, i + sh * (ho - 1) + 1, sh), slice(j, j + sw * (wo - 1) + 1, sw))
        for i in range(kh)
        for j in range(kw)
    ]


@register("pad")
def _pad_portable(x: Any, widths: Pads, value: float, xp: Any) -> Any:
    """``x`` with ``widths[k] = (before, after)`` elements of ``value`` added on each side of axis k."""
    shape = tuple(s + a + b for s, (a, b) in zip(x.shape, widths))
    out = xp.full(shape, value, dtype=x.dtype)
    out[tuple(slice(a, a + s) for s, (a, _) in zip(x.shape, widths))] = x
    return out


@register("pad", "numpy")
def _pad_numpy(x: Any, widths: Pads, value: float, xp: Any) -> Any:
    return np.pad(x, widths, mode="constant", constant_values=value)


@register("add_into")
def _add_into_portable(buffer: Any, index: tuple[Any, ...], part: Any, xp: Any) -> None:
    """buffer[index] += part, in place (index: basic slices)."""
    buffer[index] = buffer[index] + part


@register("add_into", "numpy")
def _add_into_numpy(buffer: Any, index: tuple[Any, ...], part: Any, xp: Any) -> None:
    view = buffer[index]
    np.add(view, part, out=view)


@register("im2col")
def _im2col_portable(x: Any, kernel: tuple[int, int], stride: tuple[int, int], out: tuple[int, int], xp: Any) -> Any:
    """Patches of channels-last ``x`` (N, H, W, C) as rows: (N·Ho·Wo, kh·kw·C), columns ordered (kh, kw, C)."""
    n, c = x.shape[0], x.shape[3]
    patches = xp.stack([x[:, rows, cols, :] for rows, cols in window_slices(kernel, stride, out)], axis=3)
    return xp.reshape(patches, (n * out[0] * out[1], kernel[0] * kernel[1] * c))


@register("im2col", "numpy")
def _im2col_numpy(x: Any, kernel: tuple[int, int], stride: tuple[int, int], out: tuple[int, int], xp: Any) -> Any:
    (kh, kw), (sh, sw), (ho, wo) = kernel, stride, out
    n, c = x.shape[0], x.shape[3]
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, : sh * (ho - 1) + 1 : sh, : sw * (wo - 1) + 1 : sw]
    # (N, Ho, Wo, C, kh, kw) -> (N, Ho, Wo, kh, kw, C): C innermost, so the one copy reads contiguous runs.
    patches = np.ascontiguousarray(windows.transpose(0, 1, 2, 4, 5, 3))
    return patches.reshape(n * ho * wo, kh * kw * c)


@register("col2im")
def col2im(
    grad_rows: Any, w_mat: Any, shape: tuple[int, int, int, int],
    kernel: tuple[int, int], stride: tuple[int, int], out: tuple[int, int], xp: Any,
) -> Any:
    """The input gradient (N, Hp, Wp, C) of im2col + matmul, from the output gradient as rows
    ``grad_rows`` (N·Ho·Wo, O) and the weight ``w_mat`` (O, kh·kw·C).

    One small matmul per kernel offset — ``grad_rows @ w_mat[:, offset]`` is that offset's (N, Ho,
    Wo, C) block — added into its strided window of a zero buffer. Measured 1.4–1.8× faster than one
    big matmul making every patch gradient at once: the big (N·Ho·Wo, kh·kw·C) temporary costs more
    to write and to read back strided than the kh·kw extra BLAS calls.
    """
    add_into = get("add_into", xp)
    n, _, _, c = shape
    w_blocks = xp.reshape(w_mat, (w_mat.shape[0], kernel[0] * kernel[1], c))
    buffer = xp.zeros(shape, dtype=grad_rows.dtype)
    for k, (rows, cols) in enumerate(window_slices(kernel, stride, out)):
        block = xp.reshape(grad_rows @ w_blocks[:, k, :], (n, out[0], out[1], c))
        add_into(buffer, (slice(None), rows, cols, slice(None)), block, xp)
    return buffer


@register("masked")
def _masked_portable(mask: Any, values: Any, xp: Any) -> Any:
    """``where(mask, values, 0)``: the values where ``mask`` is True and exactly 0 elsewhere (a
    gradient routed through ReLU, dropout or max-pool). ``mask`` broadcasts against ``values``."""
    return xp.where(mask, values, xp.zeros((), dtype=values.dtype))


_SAME_SIZE_INT = {2: np.dtype(np.int16), 4: np.dtype(np.int32), 8: np.dtype(np.int64)}


@register("masked", "numpy")
def _masked_numpy(mask: Any, values: Any, xp: Any) -> Any:
    # np.where branches on every element and a random mask defeats branch prediction (8-10× slower
    # than a multiply); AND-ing the bits with 0 or all-ones is branch-free and still exact (values * mask
    # is not: inf·0 and nan·0 give nan where torch gives 0).
    bits = _SAME_SIZE_INT.get(values.dtype.itemsize)
    if bits is None or values.dtype.kind != "f" or mask.dtype.kind != "b":
        return np.where(mask, values, values.dtype.type(0))
    return np.bitwise_and(values.view(bits), np.negative(mask.view(np.int8)), dtype=bits).view(values.dtype)


@example("masked")
def _masked_example(xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    rng = np.random.default_rng(5)
    values = rng.standard_normal((3, 1, 4, 5)).astype(np.float32)
    values[0, 0, 0, :2] = (np.inf, np.nan)
    mask = rng.random((3, 2, 4, 5)) < 0.5
    mask[0, :, 0, :2] = False
    return (xp.asarray(mask), xp.asarray(values), xp), {}
