"""The output size of a convolution along one axis and im2col (lesson 08), written the ways learners write them."""
import math

import numpy as np

from ._catalogue import correct, wrong


@correct("cnn.conv_output_size")
def conv_output_size(n, k, stride, padding):
    return (n + 2 * padding - k) // stride + 1


@correct("cnn.conv_output_size")
def conv_output_size_floor(n, k, stride, padding):
    """math.floor of a true division: the same whole number."""
    return int(math.floor((n + 2 * padding - k) / stride)) + 1


@wrong("cnn.conv_output_size", "padding_ignored")
def conv_output_size_no_padding(n, k, stride, padding):
    return (n - k) // stride + 1


@wrong("cnn.conv_output_size", "padding_once")
def conv_output_size_padding_once(n, k, stride, padding):
    """Padding counted on one side only."""
    return (n + padding - k) // stride + 1


@wrong("cnn.conv_output_size", "no_plus_one")
def conv_output_size_no_plus_one(n, k, stride, padding):
    return (n + 2 * padding - k) // stride


@wrong("cnn.conv_output_size", "true_division")
def conv_output_size_true_division(n, k, stride, padding):
    """/ instead of //: a fractional number of positions."""
    return (n + 2 * padding - k) / stride + 1


@wrong("cnn.conv_output_size", "rounded_up")
def conv_output_size_ceil(n, k, stride, padding):
    return math.ceil((n + 2 * padding - k) / stride) + 1


@wrong("cnn.conv_output_size", "rounded_up")
def conv_output_size_round(n, k, stride, padding):
    """round() of the true division: rounds half of the cases up."""
    return round((n + 2 * padding - k) / stride + 0.01) + 1


@wrong("cnn.conv_output_size", "stride_ignored")
def conv_output_size_no_stride(n, k, stride, padding):
    return n + 2 * padding - k + 1


@wrong("cnn.conv_output_size", "plus_one_inside_division")
def conv_output_size_plus_one_inside(n, k, stride, padding):
    """The + 1 inside the division: wrong exactly where it equals forgetting the + 1."""
    return (n + 2 * padding - k + 1) // stride


@wrong("cnn.conv_output_size", "kernel_ignored")
def conv_output_size_no_kernel(n, k, stride, padding):
    return (n + 2 * padding) // stride + 1


@wrong("cnn.conv_output_size", "same_padding_always")
def conv_output_size_same_padding_always(n, k, stride, padding):
    """Assumes 'same' padding whatever the padding is: n // stride."""
    return (n - 1) // stride + 1


@wrong("cnn.conv_output_size", "rounded_nearest")
def conv_output_size_round_half_even(n, k, stride, padding):
    return round((n + 2 * padding - k) / stride) + 1


@wrong("cnn.conv_output_size", "padding_subtracted")
def conv_output_size_minus_padding(n, k, stride, padding):
    return (n - 2 * padding - k) // stride + 1


@wrong("cnn.conv_output_size", "transposed_formula")
def conv_output_size_transposed(n, k, stride, padding):
    """The formula of a transposed convolution, from another course's table."""
    return (n - 1) * stride - 2 * padding + k


@wrong("cnn.conv_output_size", "padding_after_division")
def conv_output_size_pad_output(n, k, stride, padding):
    return (n - k) // stride + 1 + 2 * padding


# ---------------------------------------------------------------------------------------
# im2col(x, kh, kw, stride, padding) -> (N·Ho·Wo, C·kh·kw), rows (n, i, j), columns (c, u, v)


def _padded(x, p):
    return np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))


def _windows(xp, kh, kw, s):
    return np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::s, ::s]


@correct("cnn.im2col")
def im2col(x, kh, kw, stride, padding):
    win = _windows(_padded(x, padding), kh, kw, stride)
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(-1, x.shape[1] * kh * kw)


@correct("cnn.im2col")
def im2col_loops(x, kh, kw, stride, padding):
    """A loop over images and output positions, one flattened window per row."""
    xp = _padded(x, padding)
    ho = (x.shape[2] + 2 * padding - kh) // stride + 1
    wo = (x.shape[3] + 2 * padding - kw) // stride + 1
    rows = []
    for n in range(x.shape[0]):
        for i in range(ho):
            for j in range(wo):
                rows.append(xp[n, :, i * stride:i * stride + kh, j * stride:j * stride + kw].ravel())
    return np.array(rows)


@wrong("cnn.im2col", "padding_ignored")
def im2col_no_pad(x, kh, kw, stride, padding):
    win = _windows(x, kh, kw, stride)
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(-1, x.shape[1] * kh * kw)


@wrong("cnn.im2col", "stride_ignored")
def im2col_every_position(x, kh, kw, stride, padding):
    win = _windows(_padded(x, padding), kh, kw, 1)
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(-1, x.shape[1] * kh * kw)


@wrong("cnn.im2col", "kernel_axes_strided")
def im2col_ellipsis_stride(x, kh, kw, stride, padding):
    win = np.lib.stride_tricks.sliding_window_view(_padded(x, padding), (kh, kw), axis=(2, 3))[..., ::stride, ::stride]
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(-1, x.shape[1] * kh * kw)


@wrong("cnn.im2col", "column_order")
def im2col_channels_last(x, kh, kw, stride, padding):
    win = _windows(_padded(x, padding), kh, kw, stride)
    return win.transpose(0, 2, 3, 4, 5, 1).reshape(-1, x.shape[1] * kh * kw)


@wrong("cnn.im2col", "no_transpose")
def im2col_reshape_only(x, kh, kw, stride, padding):
    return _windows(_padded(x, padding), kh, kw, stride).reshape(-1, x.shape[1] * kh * kw)


@wrong("cnn.im2col", "window_transposed")
def im2col_window_columns(x, kh, kw, stride, padding):
    win = _windows(_padded(x, padding), kh, kw, stride)
    return win.transpose(0, 2, 3, 1, 5, 4).reshape(-1, x.shape[1] * kh * kw)


@wrong("cnn.im2col", "rows_column_major")
def im2col_positions_by_column(x, kh, kw, stride, padding):
    win = _windows(_padded(x, padding), kh, kw, stride)
    return win.transpose(0, 3, 2, 1, 4, 5).reshape(-1, x.shape[1] * kh * kw)


@wrong("cnn.im2col", "rows_batch_last")
def im2col_batch_inner(x, kh, kw, stride, padding):
    win = _windows(_padded(x, padding), kh, kw, stride)
    return win.transpose(2, 3, 0, 1, 4, 5).reshape(-1, x.shape[1] * kh * kw)


@wrong("cnn.im2col", "kernel_axes_swapped")
def im2col_kw_kh(x, kh, kw, stride, padding):
    win = _windows(_padded(x, padding), kw, kh, stride)
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(-1, x.shape[1] * kh * kw)


@wrong("cnn.im2col", "pad_one_side")
def im2col_pad_after(x, kh, kw, stride, padding):
    xp = np.pad(x, ((0, 0), (0, 0), (0, 2 * padding), (0, 2 * padding)))
    return _windows(xp, kh, kw, stride).transpose(0, 2, 3, 1, 4, 5).reshape(-1, x.shape[1] * kh * kw)


@wrong("cnn.im2col", "padded_every_axis")
def im2col_pad_all(x, kh, kw, stride, padding):
    xp = np.pad(x, padding)
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(-1, x.shape[1] * kh * kw)


@wrong("cnn.im2col", "transposed_result")
def im2col_cs231n_layout(x, kh, kw, stride, padding):
    """One window per column, cs231n's im2col_indices layout."""
    return im2col(x, kh, kw, stride, padding).T


@wrong("cnn.im2col", "window_not_strided")
def im2col_loops_unstrided(x, kh, kw, stride, padding):
    xp = _padded(x, padding)
    ho = (x.shape[2] + 2 * padding - kh) // stride + 1
    wo = (x.shape[3] + 2 * padding - kw) // stride + 1
    return np.array([xp[n, :, i:i + kh, j:j + kw].ravel() for n in range(x.shape[0])
                     for i in range(ho) for j in range(wo)])


@wrong("cnn.im2col", "one_position_short")
def im2col_loops_short(x, kh, kw, stride, padding):
    xp = _padded(x, padding)
    ho = (x.shape[2] + 2 * padding - kh) // stride
    wo = (x.shape[3] + 2 * padding - kw) // stride
    return np.array([xp[n, :, i * stride:i * stride + kh, j * stride:j * stride + kw].ravel()
                     for n in range(x.shape[0]) for i in range(ho) for j in range(wo)])
