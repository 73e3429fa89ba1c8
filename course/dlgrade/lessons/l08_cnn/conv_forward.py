"""Lesson 08: conv2d_forward(x (N,C,H,W), weight (F,C,kh,kw), b (F,), stride, padding) -> (N,F,Ho,Wo), a
cross-correlation (no kernel flip) as in PyTorch; the reference is dlkit's F.conv2d on float64.

Checked twice in the lesson: the loop version (conv2d_forward_naive) and the im2col version. Both may call the
learner's conv_output_size and im2col, graded on their own: while this exercise runs those names answer with the
references, so a mistake there costs points once.
"""
from __future__ import annotations

import numpy as np

from ...registry import Exercise, KnownMistake, register
from .._common import make_case, pick
from .._draw import F32_ATOL, F32_RTOL
from . import _conv
from ._conv import conv, f64, out_size

ORACLES = {"conv_output_size": "ex:cnn.conv_output_size", "im2col": "ex:cnn.im2col"}

# (N, C, H, W, F, kh, kw, stride, padding, dtype): H ≠ W, kh ≠ kw (and one square kernel), batch 1 and odd,
# one channel and several, stride 1 to 3 with overlapping windows, padding 0 to 2, kernels that do not tile.
_ROWS = ([(2, 3, 5, 6, 4, 3, 2, 1, 1, "float64"), (1, 2, 7, 5, 3, 2, 3, 2, 0, "float64"),
          (3, 1, 6, 4, 2, 3, 3, 2, 2, "float64"), (2, 2, 7, 6, 3, 1, 3, 3, 1, "float32")],
         [(2, 2, 6, 5, 3, 3, 2, 1, 0, "float64"), (1, 3, 5, 7, 2, 2, 3, 2, 1, "float32"),
          (3, 1, 7, 6, 1, 4, 2, 3, 2, "float64")])


def conv_cases(rng: np.random.Generator, hidden: bool, backward: bool):
    """The convolution cases (with ``dout`` first for the backward pass); hidden ones add two drawn shapes."""
    rows = pick(*_ROWS, hidden)
    if hidden:
        rows = rows + [(*r, "float64") for r in _conv.drawn_conv(rng, 2)]
    cases = []
    for n, c, h, w, f, kh, kw, s, p, dtype in rows:
        args = {"x": rng.normal(size=(n, c, h, w)), "weight": rng.normal(size=(f, c, kh, kw)),
                "b": rng.normal(size=f), "stride": s, "padding": p}
        if backward:
            args = {"dout": rng.normal(size=(n, f, out_size(h, kh, s, p), out_size(w, kw, s, p))), **args}
        args = _conv.as_dtype(args, dtype, ("dout", "x", "weight", "b"))
        cases.append(make_case(args, factors={"N": n}, note=f"kernel {kh}×{kw}, stride {s}, padding {p}, {dtype}"))
    return cases


def _matmul(x, weight, b, s, p, w_mat):
    """The im2col way with the weight matrix ``w_mat`` (C·kh·kw, F): rows (n, i, j), then (N, F, Ho, Wo)."""
    n, f = x.shape[0], weight.shape[0]
    ho, wo = out_size(x.shape[2], weight.shape[2], s, p), out_size(x.shape[3], weight.shape[3], s, p)
    rows = _conv.im2col(x, weight.shape[2], weight.shape[3], s, p) @ w_mat + b
    return rows.reshape(n, ho, wo, f).transpose(0, 3, 1, 2)


def _not_strided(x, weight, b, s, p):
    ho, wo = out_size(x.shape[2], weight.shape[2], s, p), out_size(x.shape[3], weight.shape[3], s, p)
    return conv(x, weight, b, 1, p)[:, :, :ho, :wo]


def _one_side(x, weight, b, s, p):
    return conv(np.pad(x, ((0, 0), (0, 0), (0, 2 * p), (0, 2 * p))), weight, b, s, 0)


def _rows_reshaped(x, weight, b, s, p):
    """(cols @ W.T + b).reshape(N, F, Ho, Wo): the (N·Ho·Wo, F) rows poured into the wrong axes."""
    out = conv(x, weight, b, s, p)
    return out.transpose(0, 2, 3, 1).reshape(out.shape)


_LOOP = "the line that multiplies a window by the filter"
_PRODUCT = "the matrix product line"
_MISTAKES = tuple(KnownMistake(code, msg, f64(fn), look, rx) for code, msg, fn, look, rx in (
    ("flipped_kernel", "the kernel is flipped: deep-learning 'convolution' is a cross-correlation, the sum of "
     "x[window] * weight without reversing weight.", lambda x, w, b, s, p: conv(x, w[:, :, ::-1, ::-1], b, s, p),
     _LOOP, r"::\s*-1|flip|rot90"),
    ("padding_ignored", "the input is not padded: add `padding` zeros around height and width first, "
     "np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))).", lambda x, w, b, s, p: conv(x, w, b, s, 0),
     "the np.pad line", r"np\.pad"),
    ("pad_one_side", "the zeros went on one side only: `padding` zeros go on BOTH sides of height and width, "
     "((0, 0), (0, 0), (p, p), (p, p)).", _one_side, "the np.pad line", r"np\.pad"),
    ("stride_ignored", "the windows move one position at a time: with stride s, output (i, j) reads the window "
     "at (i·s, j·s), and there are ⌊(H + 2p − kh)/s⌋ + 1 positions.", lambda x, w, b, s, p: conv(x, w, b, 1, p),
     "the output size or the window slice", r"range\("),
    ("window_not_strided", "window (i, j) starts at (i·stride, j·stride) of the padded input, not at (i, j): "
     "multiply the position by the stride when slicing.", _not_strided, "the line that slices a window",
     r"\bi\s*:\s*i\s*\+"),
    ("no_bias", "the bias is missing: add b[f] to every output of filter f.",
     lambda x, w, b, s, p: conv(x, w, np.zeros_like(b), s, p), _LOOP, r"\bsum\(|@"),
    ("batch_summed", "the window was summed over the whole batch: out[n, f, i, j] uses only image n, "
     "xp[n, :, window] (or sum over the channel and window axes only).",
     lambda x, w, b, s, p: np.broadcast_to(conv(x.sum(0, keepdims=True), w, b, s, p),
                                           (x.shape[0], w.shape[0]) + conv(x, w, b, s, p).shape[2:]),
     _LOOP, r"xp\[\s*:\s*,"),
    ("output_one_short", "the last row and column of outputs are missing: there are ⌊(H + 2p − kh)/s⌋ + 1 "
     "positions, the + 1 counting the first.", lambda x, w, b, s, p: conv(x, w, b, s, p)[:, :, :-1, :-1],
     "the output size", r"//"),
    ("rows_reshaped_to_nchw", "the (N·Ho·Wo, F) product was reshaped straight to (N, F, Ho, Wo): reshape to "
     "(N, Ho, Wo, F), then move the filter axis forward, .transpose(0, 3, 1, 2).", _rows_reshaped,
     "the reshape of the product", r"reshape\("),
    ("channels_last", "the output is (N, Ho, Wo, F); the layout is NCHW: move the filter axis forward, "
     ".transpose(0, 3, 1, 2).", lambda x, w, b, s, p: conv(x, w, b, s, p).transpose(0, 2, 3, 1),
     "the reshape of the product", r"reshape\("),
    ("weight_reshape_order", "weight.reshape(-1, F) scrambles the filters: flatten each filter to a row, "
     "weight.reshape(F, -1), and use its transpose, (C·kh·kw, F).",
     lambda x, w, b, s, p: _matmul(x, w, b, s, p, w.reshape(-1, w.shape[0])), _PRODUCT,
     r"reshape\(\s*-1\s*,"),
    ("weight_channel_order", "the weights were flattened (kh, kw, C), channels last, but im2col's columns run "
     "(C, kh, kw): weight.reshape(F, -1) keeps that order.",
     lambda x, w, b, s, p: _matmul(x, w, b, s, p, w.transpose(0, 2, 3, 1).reshape(w.shape[0], -1).T), _PRODUCT,
     r"transpose\(\s*0\s*,\s*2\s*,\s*3\s*,\s*1"),
))

register(Exercise(
    "cnn.conv2d_forward",
    "conv2d_forward(x (N,C,H,W), weight (F,C,kh,kw), b (F,), stride, padding) -> (N,F,Ho,Wo)",
    conv, lambda r, h: conv_cases(r, h, False), blocked=_conv.CONV_BLOCKED, mistakes=_MISTAKES,
    oracles=ORACLES, rtol=F32_RTOL, atol=F32_ATOL, hints=frozenset({"bias"}),
))
