"""Lesson 08-cnn-training: maxpool_forward(x (N,C,H,W), kernel_size, stride) -> (N,C,Ho,Wo), the maximum of each
kernel_size × kernel_size window (no padding); the reference is dlkit's F.max_pool2d on float64.

The cases here are shared with max_pool_backward (which adds windows with ties) and with the MaxPool2dFn check.
"""
from __future__ import annotations

import math

import numpy as np

from ...registry import Exercise, KnownMistake, register
from .._common import distinct, make_case, pick
from .._draw import F32_ATOL, F32_RTOL
from . import _conv
from ._conv import f64, out_size, pool, pool_view

# (N, C, H, W, k, stride, dtype): H ≠ W, batch 1 and several, one channel and several, windows that tile, overlap
# (stride < k), skip (stride > k) and leave a remainder; the first case is all negative (a max that starts at 0
# shows), the last visible one float32.
_ROWS = ([(2, 3, 4, 6, 2, 2, "float64"), (1, 2, 5, 5, 3, 1, "float64"), (2, 1, 6, 4, 2, 1, "float64"),
          (3, 2, 8, 5, 3, 2, "float32"), (1, 2, 7, 8, 2, 3, "float64")],
         [(1, 2, 6, 6, 3, 3, "float64"), (2, 2, 5, 4, 2, 1, "float32"), (3, 1, 8, 6, 3, 2, "float64")])
# Windows with ties, for the backward pass: (N, C, H, W, k, stride, kind); "levels": a few integer levels, so most
# windows hold their maximum more than once; "relu": half the values exactly 0, as after a ReLU.
_TIES = ([(2, 2, 4, 6, 2, 2, "levels"), (1, 3, 5, 5, 3, 1, "relu")],
         [(2, 2, 6, 4, 2, 2, "relu"), (1, 2, 6, 5, 3, 2, "levels"), (2, 1, 5, 5, 2, 1, "levels")])


def _drawn(rng: np.random.Generator, count: int) -> list[tuple]:
    """Pooling shapes drawn from the case seed: H ≠ W, k 2 or 3, stride 1 to 3."""
    rows: list[tuple] = []
    while len(rows) < count:
        k, s = int(rng.integers(2, 4)), int(rng.integers(1, 4))
        h, w = (int(v) for v in rng.choice(np.arange(k + 1, 10), size=2, replace=False))
        rows.append((int(rng.integers(1, 4)), int(rng.integers(1, 4)), h, w, k, s, "float64"))
    return rows


def pool_cases(rng: np.random.Generator, hidden: bool, backward: bool, ties: bool = True):
    """The pooling cases, with ``dout`` first for the backward pass (plus windows with ties when ``ties``)."""
    rows = [(*r[:6], None, r[6]) for r in pick(*_ROWS, hidden)]
    if hidden:
        rows += [(*r[:6], None, r[6]) for r in _drawn(rng, 2)]
    if backward and ties:
        rows += [(*r, "float64") for r in pick(*_TIES, hidden)]
    cases = []
    for i, (n, c, h, w, k, s, kind, dtype) in enumerate(rows):
        x = distinct(rng, (n, c, h, w)) if kind is None else _conv.tied(rng, (n, c, h, w), kind)
        if i == 0:
            x = x - x.max() - 0.05  # every value negative
        args = {"x": x, "kernel_size": k, "stride": s}
        if backward:
            args = {"dout": rng.normal(size=(n, c, out_size(h, k, s, 0), out_size(w, k, s, 0))), **args}
        args = _conv.as_dtype(args, dtype, ("dout", "x"))
        note = f"kernel {k}, stride {s}, {dtype}" + ("" if kind is None else ", with ties for the maximum")
        cases.append(make_case(args, factors={"N": n}, note=note))
    return cases


def _partial(x, k, s):
    """ceil_mode: windows that stick out past the end are kept, padded with -inf."""
    extra = [(math.ceil((n - k) / s) * s + k) - n for n in x.shape[2:]]
    xp = np.pad(x, ((0, 0), (0, 0), (0, extra[0]), (0, extra[1])), constant_values=-np.inf)
    return pool_view(xp, k, s).max(axis=(4, 5))


def _not_strided(x, k, s):
    ho, wo = out_size(x.shape[2], k, s, 0), out_size(x.shape[3], k, s, 0)
    return pool_view(x, k, 1)[:, :, :ho, :wo].max(axis=(4, 5))


def _channels(x, k, s):
    m = pool_view(x, k, s).max(axis=(1, 4, 5), keepdims=True)[..., 0, 0]
    return np.broadcast_to(m, pool(x, k, s).shape)


_MAX = "the line that takes the maximum"
_SIZE = "the output size"
_MISTAKES = tuple(KnownMistake(code, msg, f64(fn), look, rx) for code, msg, fn, look, rx in (
    ("average_pool", "this is average pooling: take the MAX of each window.",
     lambda x, k, s: pool_view(x, k, s).mean(axis=(4, 5)), _MAX, r"mean|/\s*\(?\s*k"),
    ("sum_pool", "this is the SUM of each window: max pooling keeps the largest value.",
     lambda x, k, s: pool_view(x, k, s).sum(axis=(4, 5)), _MAX, r"sum|\+="),
    ("min_pool", "this is the MINIMUM of each window: max pooling keeps the largest value.",
     lambda x, k, s: pool_view(x, k, s).min(axis=(4, 5)), _MAX, r"min"),
    ("argmax_not_max", "these are the POSITIONS of the maxima inside their windows (argmax); return the maximum "
     "values themselves (max).", lambda x, k, s: pool_view(x, k, s).reshape(*pool(x, k, s).shape, k * k)
     .argmax(axis=-1).astype(float), _MAX, r"argmax"),
    ("max_starts_at_zero", "the maximum starts at 0: a window whose values are all negative gives 0. Start from "
     "-inf (np.full(shape, -np.inf)) or from the window's first element.",
     lambda x, k, s: np.maximum(pool(x, k, s), 0.0), "the line that creates out", r"zeros"),
    ("global_max", "that is one maximum per channel over the whole map; pooling takes one per WINDOW, "
     "an (N, C, Ho, Wo) output.", lambda x, k, s: x.max(axis=(2, 3)), _MAX, r"axis\s*=\s*\(\s*2\s*,\s*3\s*\)"),
    ("channels_mixed", "the maximum was taken across channels too: each channel is pooled on its own, the max "
     "over the window's two spatial axes only.", _channels, _MAX, r"axis\s*=\s*\(\s*1"),
    ("stride_is_kernel", "the windows move by kernel_size, not by `stride`: with stride < kernel_size they "
     "overlap, and there are ⌊(H − k)/stride⌋ + 1 of them.", lambda x, k, s: pool(x, k, k), _SIZE, r"//\s*k"),
    ("arguments_swapped", "kernel_size and stride are swapped: the window is kernel_size × kernel_size and moves "
     "`stride` positions at a time.", lambda x, k, s: pool_view(x, s, k).max(axis=(4, 5)), _SIZE,
     r"stride\s*,\s*kernel_size"),
    ("window_not_strided", "window (i, j) starts at (i·stride, j·stride), not at (i, j): multiply the position "
     "by the stride when slicing.", _not_strided, "the window slice", r"\bi\s*:\s*i\s*\+"),
    ("output_one_short", "the last row and column of windows are missing: there are ⌊(H − k)/stride⌋ + 1 "
     "positions, the + 1 counting the first.", lambda x, k, s: pool(x, k, s)[:, :, :-1, :-1], _SIZE, r"//"),
    ("partial_windows", "windows that stick out past the edge were kept (rounding the size up, ceil_mode): only "
     "whole windows count, ⌊(H − k)/stride⌋ + 1 of them.", _partial, _SIZE, r"ceil|-\s*1\s*\)\s*//"),
))

register(Exercise(
    "cnn.max_pool_forward", "max_pool_forward(x (N,C,H,W), kernel_size, stride) -> (N,C,Ho,Wo)",
    pool, lambda r, h: pool_cases(r, h, False), blocked=_conv.POOL_BLOCKED, mistakes=_MISTAKES,
    rtol=F32_RTOL, atol=F32_ATOL, hints=frozenset(),
))
