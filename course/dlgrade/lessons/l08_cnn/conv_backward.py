"""Lesson 08: conv2d_backward(dout, x, weight, b, stride, padding) -> (dx, dweight, db), the gradients of
conv2d_forward; the reference is dlkit's autograd through F.conv2d on float64.

The lesson's way loops over output positions: dweight += dout[:, :, i, j] ⊗ window, the window's share of dx
added (+=) into a padded buffer, the padding cut off at the end, db the sum of dout over (N, Ho, Wo).
"""
from __future__ import annotations

import numpy as np

from ...registry import Exercise, KnownMistake, Output, register
from .._draw import F32_ATOL, F32_RTOL
from . import _conv
from ._conv import conv_grads, f64, pad, windows
from .conv_forward import ORACLES, conv_cases


def _loop(dout, x, weight, s, p, *, t=None, t_dx=None, add=True, add_dw=True, flip_dx=False):
    """The lesson's loop: (the padded input's gradient, dweight). ``t``: where windows start (the stride);
    ``t_dx``: where dx's pieces go; ``add``/``add_dw``: += or =; ``flip_dx``: dx through the flipped kernel."""
    xp = pad(x, p)
    dxp, dw = np.zeros_like(xp), np.zeros_like(weight)
    kh, kw = weight.shape[2:]
    w_dx = weight[:, :, ::-1, ::-1] if flip_dx else weight
    t = s if t is None else t
    for i, j, win in windows(dout.shape[2], dout.shape[3], kh, kw, t):
        g = dout[:, :, i, j]
        piece = np.tensordot(g, xp[win], axes=([0], [0]))
        dw = dw + piece if add_dw else piece
        d = t if t_dx is None else t_dx
        at = np.s_[:, :, i * d:i * d + kh, j * d:j * d + kw]
        contrib = np.tensordot(g, w_dx, axes=([1], [0]))
        if add:
            dxp[at] += contrib
        else:
            dxp[at] = contrib
    return dxp, dw


def _crop(dxp, x, p):
    return dxp[:, :, p:p + x.shape[2], p:p + x.shape[3]]


def _grads(**how):
    """A mistake in the loop (see ``_loop``), with dx cropped and db right."""
    def run(dout, x, weight, b, s, p):
        dxp, dw = _loop(dout, x, weight, s, p, **how)
        return _crop(dxp, x, p), dw, dout.sum(axis=(0, 2, 3))
    return run


def _replace(part: int, make):
    """The reference's gradients with output ``part`` replaced by ``make(dout, x, weight, stride, padding, right)``."""
    def run(dout, x, weight, b, s, p):
        right = list(conv_grads(dout, x, weight, b, s, p))
        right[part] = make(dout, x, weight, s, p, right[part])
        return tuple(right)
    return run


_DX, _DW, _DB = "the line that adds into dx", "the line that adds into dweight", "the db line"
_CROP = "the line that cuts the padding off"
_MISTAKES = tuple(KnownMistake(code, msg, f64(fn), look, rx) for code, msg, fn, look, rx in (
    ("dweight_flipped", "dweight is flipped: dweight[f, c, u, v] = Σ dout[n, f, i, j] · x_padded[n, c, i·s + u, "
     "j·s + v], with no reversal.", _replace(1, lambda d, x, w, s, p, dw: dw[:, :, ::-1, ::-1]), _DW,
     r"::\s*-1|flip|rot90"),
    ("dx_flipped_kernel", "dx went through the flipped kernel: written as a loop over output positions, each "
     "window's share of dx is dout[n, f, i, j] · weight[f] as it is, with no rotation.",
     _grads(flip_dx=True), _DX, r"::\s*-1|flip|rot90"),
    ("overwrite", "where windows overlap, gradients must add up (+=), not overwrite (=): an input pixel used by "
     "several outputs receives the sum of their gradients.", _grads(add=False), _DX, r"\]\s*=[^=]"),
    ("dweight_overwrite", "dweight must add up (+=) over every output position: the same weights are used at all "
     "of them; `=` keeps only the last position's share.", _grads(add_dw=False), _DW, r"dw\w*\s*=[^=]"),
    ("not_cropped", "dx is the gradient of the PADDED input: cut the padding off (dxp[:, :, p:p + H, p:p + W]); "
     "the zeros of the padding were not inputs.", _replace(0, lambda d, x, w, s, p, dx: _loop(d, x, w, s, p)[0]),
     _CROP, r"return"),
    ("crop_minus_zero", "dxp[:, :, p:-p, p:-p] is empty when padding is 0 (-0 is 0): cut with p:p + H and "
     "p:p + W.", _replace(0, lambda d, x, w, s, p, dx: _loop(d, x, w, s, p)[0][:, :, p:-p, p:-p]), _CROP,
     r":\s*-\s*p"),
    ("cropped_one_side", "the padding was cut off at the end only: it sits on both sides, so keep "
     "dxp[:, :, p:p + H, p:p + W].",
     _replace(0, lambda d, x, w, s, p, dx: _loop(d, x, w, s, p)[0][:, :, :x.shape[2], :x.shape[3]]), _CROP,
     r"\[\s*:\s*,\s*:\s*,\s*:\s*\w"),
    ("stride_ignored", "the windows were placed one position apart: output (i, j) read the window at (i·stride, "
     "j·stride), so its gradient goes back there, for dx and for dweight.", _grads(t=1), "the window slice",
     r"\bi\s*:\s*i\s*\+"),
    ("dx_window_not_strided", "dx's pieces go back one position apart: output (i, j) read the window at "
     "(i·stride, j·stride), so its share of dx goes back there.", _grads(t_dx=1), _DX, r"\bi\s*:\s*i\s*\+"),
    ("dweight_averaged", "dweight was divided by the batch size: the loss already averages, so dweight is the "
     "SUM over the batch and the positions of dout times the window.",
     _replace(1, lambda d, x, w, s, p, dw: dw / x.shape[0]), _DW, r"/\s*(n|N|len|x\.shape)"),
    ("dweight_axes", "dweight is (C, F, kh, kw): it has the weight's shape (F, C, kh, kw), the filter axis first.",
     _replace(1, lambda d, x, w, s, p, dw: dw.transpose(1, 0, 2, 3)), _DW, r"einsum|tensordot"),
    ("db_positions_not_summed", "db must be summed over the output positions too: the bias is added at every "
     "(i, j) of every image, db = dout.sum(axis=(0, 2, 3)).",
     _replace(2, lambda d, x, w, s, p, db: d.sum(axis=0)), _DB, r"sum\(\s*(axis\s*=\s*)?0\s*\)"),
    ("db_batch_not_summed", "db must be summed over the batch too: every image adds the same bias, db = "
     "dout.sum(axis=(0, 2, 3)).", _replace(2, lambda d, x, w, s, p, db: d.sum(axis=(2, 3))), _DB,
     r"\(\s*2\s*,\s*3\s*\)"),
    ("db_mean", "db must SUM dout over the batch and every output position (the bias is added at each of them), "
     "not average it.", _replace(2, lambda d, x, w, s, p, db: d.mean(axis=(0, 2, 3))), _DB, r"mean"),
))

register(Exercise(
    "cnn.conv2d_backward", "conv2d_backward(dout, x, weight, b, stride, padding) -> (dx, dweight, db)",
    conv_grads, lambda r, h: conv_cases(r, h, True), outputs=(Output("dx"), Output("dweight"), Output("db")),
    blocked=_conv.CONV_BLOCKED, mistakes=_MISTAKES, oracles=ORACLES, rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"batch", "bias"}),
))
