"""Array operations for convolution and pooling: channels-last, pad, im2col, col2im, adding into a
strided window, and ``masked`` (where(mask, values, 0): the gradient of ReLU, dropout and max-pool).

Layout: convolution works on a channels-last view (N, H, W, C) so that a patch's values are
contiguous and im2col is one copy followed by one 2-D matmul. Each operation is written portably
(standard array-API calls: slicing, stack, setitem) with numpy and cupy fast paths beside it.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .devices import namespace_of
from .dispatch import implementations, op
from .workspace import scratch

Pads = tuple[tuple[int, int], ...]
Pair = tuple[int, int]


def window_slices(kernel: Pair, stride: Pair, out: Pair) -> list[tuple[slice, slice]]:
    """For each kernel offset (i, j), row-major: the strided slices of the input rows and columns it touches."""
    (kh, kw), (sh, sw), (ho, wo) = kernel, stride, out
    return [
        (slice(i, i + sh * (ho - 1) + 1, sh), slice(j, j + sw * (wo - 1) + 1, sw))
        for i in range(kh)
        for j in range(kw)
    ]


# ----- channels_last -----------------------------------------------------------------------------
def _channels_last_numpy(x: Any) -> Any:
    view = x.transpose(0, 2, 3, 1)
    if view.flags.c_contiguous or not x.flags.c_contiguous:
        return view  # already channels-last in memory (a dlkit conv's output), or strided anyway
    from . import blas

    # NCHW memory: each image is a (C, H·W) matrix to transpose. OpenBLAS's blocked transpose runs
    # 2.5× faster than numpy's strided copy (conv-b64's 8 MB input: 1.9 against 4.7 ms).
    n, h, w, c = view.shape
    out = np.empty((n, h, w, c), dtype=x.dtype)
    flat_in, flat_out = x.reshape(n, c, h * w), out.reshape(n, h * w, c)
    for i in range(n):
        if not blas.transpose_into(flat_out[i], flat_in[i]):
            return view
    return out


@op(numpy=_channels_last_numpy)
def channels_last(x: Any) -> Any:
    """NCHW ``x`` as (N, H, W, C): a view of the same values (on numpy, laid out channels-last in memory)."""
    return namespace_of(x).permute_dims(x, (0, 2, 3, 1))


# ----- pad ---------------------------------------------------------------------------------------
def _pad_numpy(x: Any, widths: Pads, value: float = 0.0) -> Any:
    return np.pad(x, widths, mode="constant", constant_values=value)


def _pad_cupy(x: Any, widths: Pads, value: float = 0.0) -> Any:
    import cupy  # only reached with cupy arrays

    return cupy.pad(x, widths, mode="constant", constant_values=value)


@op(numpy=_pad_numpy, cupy=_pad_cupy)
def pad(x: Any, widths: Pads, value: float = 0.0) -> Any:
    """``x`` with ``widths[k] = (before, after)`` elements of ``value`` added on each side of axis k."""
    xp = namespace_of(x)
    shape = tuple(s + a + b for s, (a, b) in zip(x.shape, widths))
    out = xp.full(shape, value, dtype=x.dtype)
    out[tuple(slice(a, a + s) for s, (a, _) in zip(x.shape, widths))] = x
    return out


# ----- add_into_ ---------------------------------------------------------------------------------
def _add_into_inplace(buffer: Any, index: tuple[Any, ...], part: Any) -> None:
    view = buffer[index]  # basic slices: a view, so the in-place add lands in the buffer
    view += part


@op(numpy=_add_into_inplace, cupy=_add_into_inplace)
def add_into_(buffer: Any, index: tuple[Any, ...], part: Any) -> None:
    """``buffer[index] += part``, in place (``index``: basic slices)."""
    buffer[index] = buffer[index] + part


# ----- im2col ------------------------------------------------------------------------------------
def _im2col_numpy(x: Any, kernel: Pair, stride: Pair, out: Pair, ones_column: bool = False) -> Any:
    (kh, kw), (sh, sw), (ho, wo) = kernel, stride, out
    n, c = x.shape[0], x.shape[3]
    k = kh * kw * c
    cols = scratch((n * ho * wo, k + ones_column), x.dtype)  # reused from the last step when it is large
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, : sh * (ho - 1) + 1 : sh, : sw * (wo - 1) + 1 : sw]
    # (N, Ho, Wo, C, kh, kw) -> (N, Ho, Wo, kh, kw, C): C innermost, so the one copy reads contiguous runs.
    np.copyto(cols[:, :k].reshape(n, ho, wo, kh, kw, c), windows.transpose(0, 1, 2, 4, 5, 3))
    if ones_column:
        cols[:, k] = 1
    return cols


def _im2col_cupy(x: Any, kernel: Pair, stride: Pair, out: Pair, ones_column: bool = False) -> Any:
    import cupy  # only reached with cupy arrays
    from cupy.lib.stride_tricks import as_strided

    (kh, kw), (sh, sw), (ho, wo) = kernel, stride, out
    n, c = x.shape[0], x.shape[3]
    s_n, s_h, s_w, s_c = x.strides
    # (N, Ho, Wo, kh, kw, C): a window per output pixel, read straight from x's memory.
    windows = as_strided(x, shape=(n, ho, wo, kh, kw, c), strides=(s_n, s_h * sh, s_w * sw, s_h, s_w, s_c))
    cols = cupy.ascontiguousarray(windows).reshape(n * ho * wo, kh * kw * c)
    return cupy.concatenate([cols, cupy.ones((cols.shape[0], 1), dtype=cols.dtype)], axis=1) if ones_column else cols


@op(numpy=_im2col_numpy, cupy=_im2col_cupy)
def im2col(x: Any, kernel: Pair, stride: Pair, out: Pair, ones_column: bool = False) -> Any:
    """Patches of channels-last ``x`` (N, H, W, C) as rows: (N·Ho·Wo, kh·kw·C), columns ordered (kh, kw, C);
    with ``ones_column``, one more column of ones (the bias trick: the bias becomes a weight column)."""
    xp = namespace_of(x)
    n, c = x.shape[0], x.shape[3]
    patches = xp.stack([x[:, rows, cols, :] for rows, cols in window_slices(kernel, stride, out)], axis=3)
    cols = xp.reshape(patches, (n * out[0] * out[1], kernel[0] * kernel[1] * c))
    return xp.concat([cols, xp.ones((cols.shape[0], 1), dtype=cols.dtype)], axis=1) if ones_column else cols


# ----- col2im ------------------------------------------------------------------------------------
def _col2im_numpy(grad_rows: Any, w_mat: Any, shape: tuple[int, int, int, int], kernel: Pair, stride: Pair, out: Pair) -> Any:
    # Stride 1, the course's convolutions: the input gradient as kh·kw GEMMs that accumulate in place.
    # Laid out flat over the padded grid (N·Hp·Wp rows of C), offset (i, j) adds grad[p − (i·Wp + j)]·W_ij
    # into row p: one contiguous block of rows, once the output gradient sits in a zero grid of the same
    # size (so rows that wrap around an edge read zeros). BLAS's C += A·B makes no temporary and needs no
    # separate pass to add it, and runs on every BLAS thread; col2im below writes a block and adds it,
    # single-threaded. Measured, course CNN's second conv: 3.2 -> 2.8 ms at 1 thread; conv-b64: 46 -> 37 ms.
    from . import blas

    n, hp, wp, c = shape
    (kh, kw), (ho, wo) = kernel, out
    o = grad_rows.shape[1]
    if stride != (1, 1) or grad_rows.dtype != w_mat.dtype or grad_rows.dtype.char not in "fd":
        return implementations("col2im")["portable"](grad_rows, w_mat, shape, kernel, stride, out)  # one block per offset
    margin = (kh - 1) * wp + (kw - 1)  # zero rows before the first image, read by the largest offset
    grid = np.zeros((margin + n * hp * wp, o), dtype=grad_rows.dtype)
    grid[margin:].reshape(n, hp, wp, o)[:, :ho, :wo, :] = grad_rows.reshape(n, ho, wo, o)
    buffer = np.zeros((n * hp * wp, c), dtype=grad_rows.dtype)
    rows = buffer.shape[0]
    for k in range(kh * kw):
        i, j = divmod(k, kw)
        start = margin - (i * wp + j)
        if not blas.matmul_add_(buffer, grid[start : start + rows], w_mat[:, k * c : (k + 1) * c]):
            buffer += grid[start : start + rows] @ w_mat[:, k * c : (k + 1) * c]
    return buffer.reshape(shape)


@op(numpy=_col2im_numpy)
def col2im(grad_rows: Any, w_mat: Any, shape: tuple[int, int, int, int], kernel: Pair, stride: Pair, out: Pair) -> Any:
    """The input gradient (N, Hp, Wp, C) of im2col + matmul, from the output gradient as rows
    ``grad_rows`` (N·Ho·Wo, O) and the weight ``w_mat`` (O, kh·kw·C).

    One small matmul per kernel offset — ``grad_rows @ w_mat[:, offset]`` is that offset's (N, Ho,
    Wo, C) block — added into its strided window of a zero buffer. Measured 1.4–1.8× faster than one
    big matmul making every patch gradient at once: the big (N·Ho·Wo, kh·kw·C) temporary costs more
    to write and to read back strided than the kh·kw extra BLAS calls.
    """
    xp = namespace_of(grad_rows)
    n, _, _, c = shape
    w_blocks = xp.reshape(w_mat, (w_mat.shape[0], kernel[0] * kernel[1], c))
    buffer = xp.zeros(shape, dtype=grad_rows.dtype)
    for k, (rows, cols) in enumerate(window_slices(kernel, stride, out)):
        block = xp.reshape(grad_rows @ w_blocks[:, k, :], (n, out[0], out[1], c))
        add_into_(buffer, (slice(None), rows, cols, slice(None)), block)
    return buffer


# ----- masked ------------------------------------------------------------------------------------
_SAME_SIZE_INT = {2: np.dtype(np.int16), 4: np.dtype(np.int32), 8: np.dtype(np.int64)}


def _masked_numpy(mask: Any, values: Any) -> Any:
    # np.where branches on every element and a random mask defeats branch prediction (8-10× slower
    # than a multiply), and values * mask is not exact (inf·0 and nan·0 give nan where torch gives 0).
    # Multiplying the values' bits, read as integers, by the mask's 0 or 1 is branch-free and exact:
    # the bits themselves or all zeros (+0.0). One pass over the values (AND-ing the bits with the
    # negated mask took a second pass to negate it: ReLU's backward on 590k floats, 0.24 -> 0.17 ms).
    bits = _SAME_SIZE_INT.get(values.dtype.itemsize)
    if bits is None or values.dtype.kind != "f" or mask.dtype.kind != "b":
        return np.where(mask, values, values.dtype.type(0))
    return np.multiply(values.view(bits), mask.view(np.int8), dtype=bits).view(values.dtype)


@op(numpy=_masked_numpy, on=1)
def masked(mask: Any, values: Any) -> Any:
    """``where(mask, values, 0)``: the values where ``mask`` is True and exactly 0 elsewhere (a
    gradient routed through ReLU, dropout or max-pool). ``mask`` broadcasts against ``values``."""
    xp = namespace_of(values)
    return xp.where(mask, values, xp.zeros((), dtype=values.dtype))
