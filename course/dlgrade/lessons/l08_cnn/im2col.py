"""Lesson 08: im2col(x, kh, kw, stride, padding) -> cols (N·Ho·Wo, C·kh·kw), every window of the padded input
flattened, rows ordered (n, i, j) and columns (c, u, v) — the layout that makes a convolution
``cols @ weight.reshape(F, -1).T``. The reference is dlkit's own im2col (channels last), reordered to this layout.

Graded on its own so that cnn.conv2d_forward (which calls it) can be graded with the reference's (one mistake costs
points once), and so that 08-cnn-training's Conv2dFn can use it the same way.
"""
from __future__ import annotations

import numpy as np

from ...registry import Exercise, KnownMistake, register
from .._common import make_case, pick
from . import _conv
from ._conv import f64, out_size

# (N, C, H, W, kh, kw, stride, padding, dtype): H ≠ W and kh ≠ kw, batch 1 and several, one channel and several,
# stride 1 to 3 (windows that overlap and that skip), padding 0 to 2, a kernel that does not tile the input.
_ROWS = ([(2, 3, 5, 6, 3, 2, 1, 1, "float64"), (1, 2, 7, 5, 2, 3, 2, 0, "float64"),
          (3, 1, 6, 4, 3, 3, 2, 2, "float64"), (2, 2, 8, 7, 2, 4, 3, 1, "float32")],
         [(2, 2, 6, 5, 3, 2, 1, 0, "float64"), (1, 3, 5, 7, 2, 3, 2, 1, "float32"),
          (3, 1, 7, 6, 4, 2, 3, 2, "float64")])


def _cases(rng: np.random.Generator, hidden: bool):
    rows = pick(*_ROWS, hidden)
    if hidden:
        rows = rows + [(n, c, h, w, kh, kw, s, p, "float64") for n, c, h, w, _, kh, kw, s, p in
                       _conv.drawn_conv(rng, 2)]
    cases = []
    for n, c, h, w, kh, kw, s, p, dtype in rows:
        args = {"x": rng.normal(size=(n, c, h, w)).astype(dtype), "kh": kh, "kw": kw, "stride": s, "padding": p}
        cases.append(make_case(args, factors={"N": n}, note=f"kernel {kh}×{kw}, stride {s}, padding {p}, {dtype}"))
    return cases


def _win(x, kh, kw, s, p, padded=None):
    """(N, C, Ho, Wo, kh, kw): every window of the padded x, keeping every s-th position."""
    xp = _conv.pad(x, p) if padded is None else padded
    return np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::s, ::s]


def _rows(win, order=(0, 2, 3, 1, 4, 5)):
    """The windows as rows, axes taken in ``order`` (the lesson's: n, i, j, then c, u, v)."""
    return win.transpose(order).reshape(-1, np.prod(win.shape[1:2] + win.shape[4:]))


def _lesson(x, kh, kw, s, p):
    return _rows(_win(x, kh, kw, s, p))


def _every_axis(x, kh, kw, s, p):
    """np.pad(x, padding) pads the batch and channel axes too; the rest is the lesson's code."""
    xp = np.pad(x, p)
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::s, ::s]
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(-1, x.shape[1] * kh * kw)


def _kernel_axes_strided(x, kh, kw, s, p):
    """[..., ::s, ::s] strides the window's own axes (kh, kw), not the positions."""
    win = np.lib.stride_tricks.sliding_window_view(_conv.pad(x, p), (kh, kw), axis=(2, 3))[..., ::s, ::s]
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(-1, x.shape[1] * kh * kw)


def _swapped_kernel(x, kh, kw, s, p):
    """Windows of shape (kw, kh) flattened as if (kh, kw)."""
    win = np.lib.stride_tricks.sliding_window_view(_conv.pad(x, p), (kw, kh), axis=(2, 3))[:, :, ::s, ::s]
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(-1, x.shape[1] * kh * kw)


def _looped(x, kh, kw, s, p, strided=True, short=0):
    """The loop over output positions; ``strided`` False starts window (i, j) at (i, j); ``short`` drops rows."""
    xp = _conv.pad(x, p)
    ho, wo = out_size(x.shape[2], kh, s, p) - short, out_size(x.shape[3], kw, s, p) - short
    t = s if strided else 1
    return np.array([xp[n, :, i * t:i * t + kh, j * t:j * t + kw].ravel() for n in range(x.shape[0])
                     for i in range(ho) for j in range(wo)]).reshape(-1, x.shape[1] * kh * kw)


_RESHAPE = "the line that reshapes the windows"
_WINDOWS = "the sliding_window_view line"
_MISTAKES = tuple(KnownMistake(code, msg, f64(fn), look, rx) for code, msg, fn, look, rx in (
    ("padding_ignored", "the input is not padded: pad height and width with `padding` zeros on both sides first, "
     "np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))).", lambda x, kh, kw, s, p: _lesson(x, kh, kw, s, 0),
     "the np.pad line", r"np\.pad"),
    ("stride_ignored", "every position was kept: with stride s keep every s-th window along height and width, "
     "[:, :, ::s, ::s] on the (N, C, H', W', kh, kw) windows.", lambda x, kh, kw, s, p: _lesson(x, kh, kw, 1, p),
     _WINDOWS, r"sliding_window_view"),
    ("kernel_axes_strided", "`[..., ::s, ::s]` strides the LAST two axes, the window's own (kh, kw): the positions "
     "are axes 2 and 3, [:, :, ::s, ::s].", _kernel_axes_strided, _WINDOWS, r"\.\.\.\s*,\s*::"),
    ("column_order", "the columns are ordered (u, v, c), channels last; the lesson's weights flatten as (c, u, v): "
     "transpose to (n, i, j, c, u, v), transpose(0, 2, 3, 1, 4, 5), before reshaping.",
     lambda x, kh, kw, s, p: _rows(_win(x, kh, kw, s, p), (0, 2, 3, 4, 5, 1)), _RESHAPE, r"transpose"),
    ("no_transpose", "the windows were reshaped without moving the axes first: (N, C, Ho, Wo, kh, kw) must become "
     "(N, Ho, Wo, C, kh, kw), transpose(0, 2, 3, 1, 4, 5), so that each row is one window.",
     lambda x, kh, kw, s, p: _win(x, kh, kw, s, p).reshape(-1, x.shape[1] * kh * kw), _RESHAPE,
     r"^(?!.*transpose).*reshape\("),
    ("window_transposed", "each window is flattened column by column: keep the window's axes in order (u, v), "
     "transpose(0, 2, 3, 1, 4, 5), so that columns run (c, u, v).",
     lambda x, kh, kw, s, p: _rows(_win(x, kh, kw, s, p), (0, 2, 3, 1, 5, 4)), _RESHAPE, r"transpose"),
    ("rows_column_major", "the rows run over positions column by column, (n, j, i); they must run row by row, "
     "(n, i, j), as the output (N, F, Ho, Wo) is read back: transpose(0, 2, 3, 1, 4, 5).",
     lambda x, kh, kw, s, p: _rows(_win(x, kh, kw, s, p), (0, 3, 2, 1, 4, 5)), _RESHAPE, r"transpose"),
    ("rows_batch_last", "the rows run (i, j, n), the batch last; they must run (n, i, j), the batch first, as the "
     "output (N, F, Ho, Wo) is read back: transpose(0, 2, 3, 1, 4, 5).",
     lambda x, kh, kw, s, p: _rows(_win(x, kh, kw, s, p), (2, 3, 0, 1, 4, 5)), _RESHAPE, r"transpose"),
    ("kernel_axes_swapped", "the window shape is (kw, kh): sliding_window_view takes (height, width), so it is "
     "(kh, kw) for axes (2, 3).", _swapped_kernel, _WINDOWS,
     r"\(\s*kw\s*,\s*kh\s*\)"),
    ("pad_one_side", "the zeros went on one side only: `padding` zeros go on BOTH sides of height and width, "
     "((0, 0), (0, 0), (p, p), (p, p)).", lambda x, kh, kw, s, p: _lesson(
         np.pad(x, ((0, 0), (0, 0), (0, 2 * p), (0, 2 * p))), kh, kw, s, 0), "the np.pad line", r"np\.pad"),
    ("padded_every_axis", "np.pad(x, padding) pads EVERY axis, the batch and channels too: give one pair per axis, "
     "((0, 0), (0, 0), (p, p), (p, p)).", _every_axis, "the np.pad line", r"np\.pad\(\s*x\s*,\s*\w+\s*\)"),
    ("transposed_result", "that is (C·kh·kw, N·Ho·Wo), one window per COLUMN (cs231n's layout); here each window is "
     "a ROW: (N·Ho·Wo, C·kh·kw), so that cols @ W.T is the convolution.",
     lambda x, kh, kw, s, p: _lesson(x, kh, kw, s, p).T, "the return line", r"\.T\b"),
    ("window_not_strided", "window (i, j) starts at (i·stride, j·stride) of the padded input, not at (i, j): "
     "multiply the position by the stride.", lambda x, kh, kw, s, p: _looped(x, kh, kw, s, p, strided=False),
     "the line that slices a window", r"\bi\s*:\s*i\s*\+"),
    ("one_position_short", "the last window of each row and column is missing: there are ⌊(H + 2p − kh)/s⌋ + 1 "
     "positions (the + 1 counts the first).", lambda x, kh, kw, s, p: _looped(x, kh, kw, s, p, short=1),
     "the line that computes the output size", r"//"),
))


register(Exercise(
    "cnn.im2col", "im2col(x (N,C,H,W), kh, kw, stride, padding) -> cols (N·Ho·Wo, C·kh·kw), rows (n, i, j), "
    "columns (c, u, v)", _conv.im2col, _cases, blocked=_conv.CONV_BLOCKED, mistakes=_MISTAKES,
    oracles={"conv_output_size": "ex:cnn.conv_output_size"}, hints=frozenset(),
))
