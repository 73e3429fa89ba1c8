"""Lesson 08-cnn-training: the learner's convolution as a dlkit autograd Function, ``Conv2dFn``.

The notebook checks the class through ``dlgrade.harness.function_classes.function_of_arrays`` (forward, then
backward, once), so the exercise compares plain arrays: ``(x, weight, b, stride, padding, grad) -> (out, dx,
dweight, db)``, the same numbers as cnn.conv2d_forward and cnn.conv2d_backward (dlkit's F.conv2d and its
autograd). The adapter requires every gradient to have its input's shape and dtype; a mistake that breaks that
raises the adapter's error here as it does in the notebook, so it can still be named.

Cases include float32 first (the dtype the CNN trains in), non-square kernels, stride 2 and 3, padding 0 and 1,
so a backward that ignores the stride or padding saved on ``ctx`` fails. ``im2col`` (graded in lesson 08) answers
with the reference while this exercise runs; ``col2im`` is this exercise's own.
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .._common import make_case, pick
from . import _conv
from ._conv import conv, conv_grads, out_size, through_adapter

_BLOCKED = _conv.CONV_BLOCKED + _conv.POOL_BLOCKED

# (N, C, H, W, F, kh, kw, stride, padding, dtype): the training layers' stride 1, padding 0, float32 first.
_ROWS = ([(3, 1, 6, 7, 4, 3, 3, 1, 0, "float32"), (2, 3, 5, 6, 4, 3, 2, 1, 1, "float64"),
          (1, 2, 7, 5, 3, 2, 3, 2, 0, "float64"), (2, 2, 6, 5, 3, 2, 2, 2, 1, "float64")],
         [(2, 4, 7, 6, 5, 3, 3, 1, 0, "float32"), (2, 2, 6, 5, 3, 3, 2, 1, 0, "float64"),
          (1, 3, 5, 7, 2, 2, 3, 2, 1, "float64"), (3, 1, 8, 6, 2, 3, 2, 3, 1, "float64")])


@reference("cnn.conv2d_function reference")
def conv2d_function(x, weight, b, stride, padding, grad):
    """(out, dx, dweight, db) of a convolution Function: forward, then backward with ``grad``."""
    return (conv(x, weight, b, stride, padding), *conv_grads(grad, x, weight, b, stride, padding))


def _cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for n, c, h, w, f, kh, kw, s, p, dtype in pick(*_ROWS, hidden):
        args = {"x": rng.normal(size=(n, c, h, w)), "weight": rng.normal(size=(f, c, kh, kw)),
                "b": rng.normal(size=f), "stride": s, "padding": p,
                "grad": rng.normal(size=(n, f, out_size(h, kh, s, p), out_size(w, kw, s, p)))}
        args = _conv.as_dtype(args, dtype, ("x", "weight", "b", "grad"))
        cases.append(make_case(args, factors={"N": n}, note=f"kernel {kh}×{kw}, stride {s}, padding {p}, {dtype}"))
    return cases


def _col2im(dcols, shape, kh, kw, s, p, *, add=True, step=None):
    """The lesson's col2im: each kernel offset's piece added into the padded buffer (``step`` apart)."""
    n, c, h, w = shape
    ho, wo = out_size(h, kh, s, p), out_size(w, kw, s, p)
    t = step or s
    d = dcols.reshape(n, ho, wo, c, kh, kw)
    dxp = np.zeros((n, c, h + 2 * p, w + 2 * p))
    for u in range(kh):
        for v in range(kw):
            target = dxp[:, :, u:u + t * (ho - 1) + 1:t, v:v + t * (wo - 1) + 1:t]
            piece = d[:, :, :, :, u, v].transpose(0, 3, 1, 2)
            target[...] = target + piece if add else piece
    return dxp


def _variant(mode: str):
    """A Conv2dFn with one mistake, as the notebook's check sees it (through the adapter)."""
    def run(x, weight, b, stride, padding, grad):
        xs, ws, bs, gs = (np.asarray(a, dtype=np.float64) for a in (x, weight, b, grad))
        f, c, kh, kw = ws.shape
        cols = _conv.im2col(xs, kh, kw, stride, padding)
        w_mat = ws.reshape(-1, f).T if mode == "weight_reshape_order" else ws.reshape(f, -1)
        w_mat = ws[:, :, ::-1, ::-1].reshape(f, -1) if mode == "flipped_kernel" else w_mat
        rows = cols @ w_mat.T + (0 if mode == "no_bias" else bs)
        ho, wo = grad.shape[2:]
        out = rows.reshape(x.shape[0], f, ho, wo) if mode == "rows_reshaped_to_nchw" else \
            rows.reshape(x.shape[0], ho, wo, f).transpose(0, 3, 1, 2)
        g = gs.reshape(-1, f) if mode == "grad_rows_order" else gs.transpose(0, 2, 3, 1).reshape(-1, f)
        # backward's geometry: ctx lost the stride and padding (1, 0), or only the padding (0)
        s_b, p_b = {"ctx_defaults": (1, 0), "padding_not_saved": (stride, 0)}.get(mode, (stride, padding))
        dxp = _col2im(g @ w_mat, x.shape, kh, kw, s_b, p_b, add=mode != "overwrite",
                      step=1 if mode == "stride_in_col2im" else None)
        dx = {"not_cropped": dxp, "crop_minus_zero": dxp[:, :, p_b:-p_b, p_b:-p_b]}.get(
            mode, dxp[:, :, p_b:p_b + x.shape[2], p_b:p_b + x.shape[3]])
        dw = (cols.T @ g).reshape(ws.shape) if mode in ("dweight_layout", "weight_reshape_order") else \
            (g.T @ cols).reshape(ws.shape)
        dw = dw[:, :, ::-1, ::-1] if mode == "flipped_kernel" else dw
        db = g.mean(axis=0) if mode == "db_mean" else g.sum(axis=0)
        out, dx, dw, db = (np.asarray(a).astype(x.dtype) for a in (out, dx, dw, db))
        dx = dx.astype(np.float64) if mode == "dtype_changed" else dx
        grads = (dw, dx, db) if mode == "gradients_order" else (dx, dw, db)
        return through_adapter("Conv2dFn", "conv2d", out, grads, (x, weight, b, stride, padding, grad))
    return run


_COL2IM, _BACK = "col2im's loop", "backward"
_MISTAKES = tuple(KnownMistake(code, msg, _variant(code), look, rx) for code, msg, look, rx in (
    ("overwrite", "col2im must ADD each kernel offset's piece into dx (+=): every input pixel lies in several "
     "windows and receives the sum of their gradients; `=` keeps only the last offset.", _COL2IM, r"\]\s*=[^=]"),
    ("stride_in_col2im", "col2im puts the pieces back with the wrong step: offset (u, v)'s piece goes to rows u, "
     "u + stride, u + 2·stride, … (a slice u : u + stride·Ho : stride).", _COL2IM, r"u\s*:\s*u\s*\+\s*\w+\s*\]"),
    ("dweight_layout", "dweight has the right numbers in the wrong places: cols.T @ g is (C·kh·kw, F); the weight "
     "matrix is (F, C·kh·kw), so dweight = (g.T @ cols).reshape(weight.shape).", _BACK, r"cols\.T\s*@"),
    ("db_mean", "db must SUM the gradient over every row (the bias is added at every position of every image), "
     "not average it.", _BACK, r"mean"),
    ("not_cropped", "dx is the gradient of the PADDED input: col2im must cut the padding off "
     "(dx_padded[:, :, p:p + H, p:p + W]); the zeros of the padding were not inputs.", _COL2IM, r"return"),
    ("crop_minus_zero", "dxp[:, :, p:-p, p:-p] is empty when padding is 0 (-0 is 0): cut with p:p + H and "
     "p:p + W.", _COL2IM, r":\s*-\s*\w+\s*,"),
    ("no_bias", "forward leaves out the bias: add b[f] to every output of filter f.", "forward", r"@"),
    ("ctx_defaults", "the gradients use stride 1 and padding 0, not the stride and padding forward was called "
     "with: save them on ctx in forward (ctx.stride = stride) and use them in backward.", _BACK, r"col2im\("),
    ("padding_not_saved", "backward used padding 0: save the padding on ctx in forward (ctx.padding = padding) "
     "and pass it on to col2im.", _BACK, r"col2im\("),
    ("flipped_kernel", "the kernel is flipped: deep-learning 'convolution' is a cross-correlation, out = Σ "
     "x[window] · weight without reversing weight.", "forward", r"::\s*-1|flip|rot90"),
    ("rows_reshaped_to_nchw", "the (N·Ho·Wo, F) product was reshaped straight to (N, F, Ho, Wo): reshape to "
     "(N, Ho, Wo, F), then .transpose(0, 3, 1, 2).", "forward", r"reshape\("),
    ("grad_rows_order", "grad (N, F, Ho, Wo) was reshaped to rows without moving F last: the rows must follow "
     "cols, (n, i, j): grad.transpose(0, 2, 3, 1).reshape(-1, F).", _BACK, r"grad\.reshape"),
    ("weight_reshape_order", "weight.reshape(-1, F) scrambles the filters: flatten each filter to a row, "
     "weight.reshape(F, -1) (F, C·kh·kw), and use it in forward and backward.", "forward",
     r"reshape\(\s*-1\s*,"),
    ("dtype_changed", "dx came back as float64 for float32 inputs: create col2im's buffer in the gradient's "
     "dtype, np.zeros(shape, dtype=dcols.dtype), or every layer after it computes in float64.", _COL2IM,
     r"zeros\("),
    ("gradients_order", "backward must return the gradients in the order of forward's array inputs, (dx, dweight, "
     "db): each has the shape of its input.", _BACK, r"return"),
))

register(Exercise(
    "cnn.conv2d_function",
    "function_of_arrays(Conv2dFn, 'conv2d'): (x, weight, b, stride, padding, grad) -> (out, dx, dweight, db)",
    conv2d_function, _cases, outputs=(Output("out"), Output("dx"), Output("dweight"), Output("db")),
    blocked=_BLOCKED, mistakes=_MISTAKES, oracles={"im2col": "ex:cnn.im2col"}, rtol=1e-4, atol=1e-5,
    hints=frozenset({"batch", "bias"}),
))
