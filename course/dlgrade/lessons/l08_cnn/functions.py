"""Lesson 08-cnn-training: the learner's convolution and max pooling as dlkit autograd Functions.

The notebook checks a class through ``dlgrade.harness.function_classes.function_of_arrays`` (it runs the
class's forward, then its backward, once), so both exercises compare plain arrays:

- cnn.conv2d_function: ``(x, weight, b, stride, padding, grad) -> (out, dx, dweight, db)``, the output of
  ``Conv2dFn.forward(ctx, x, weight, b, stride=stride, padding=padding)`` and the three gradients its
  ``backward(ctx, grad)`` returns; the same numbers as cnn.conv2d_forward and cnn.conv2d_backward.
- cnn.max_pool_function: ``(x, kernel_size, stride, grad) -> (out, dx)``, for ``MaxPool2dFn``; the same
  numbers as cnn.max_pool_forward and cnn.max_pool_backward. Its cases have no ties (the tie rule is graded
  once, in cnn.max_pool_backward).

Cases include float32 (the dtype the CNN trains in; the adapter requires every array to keep its input's
dtype), stride 2, padding 1, and overlapping pooling windows, so a backward that ignores the stride,
padding or kernel size saved on ``ctx`` fails.

Oracles: ``MaxPool2dFn`` calls the learner's ``maxpool_forward`` and ``maxpool_backward``, graded on their
own; while cnn.max_pool_function runs, those two names answer with the references, so one mistake costs points
once and this exercise grades the wrapping (a learner who pools inline, without calling them, is graded on
the whole). ``Conv2dFn`` uses only helpers written in its own answer cell (``im2col``, ``col2im``).
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .._common import distinct, make_case, pick
from .conv import _out_size, _pad, _windows, conv2d_backward, conv2d_forward, max_pool_backward, \
    max_pool_forward

_POOL_ORACLES = {"maxpool_forward": "ex:cnn.max_pool_forward", "maxpool_backward": "ex:cnn.max_pool_backward"}

# (N, C, H, W, F, k, stride, padding, dtype); H != W so swapped axes show; the training layers are stride 1,
# padding 0, float32, and float32 comes first, so a dtype error is reported as itself.
_CONV = ([(3, 1, 6, 7, 4, 3, 1, 0, "float32"), (2, 3, 5, 6, 4, 3, 1, 1, "float64"),
          (1, 2, 7, 5, 3, 3, 2, 0, "float64"), (2, 2, 6, 5, 3, 2, 2, 1, "float64")],
         [(2, 4, 7, 6, 5, 3, 1, 0, "float32"), (2, 2, 6, 5, 3, 3, 1, 0, "float64"),
          (1, 3, 5, 7, 2, 3, 2, 1, "float64"), (3, 1, 5, 5, 2, 2, 1, 2, "float64")])
# (N, C, H, W, k, stride, dtype): windows that tile, overlap (stride < k) and leave a remainder.
_POOL = ([(2, 4, 6, 6, 2, 2, "float32"), (2, 3, 4, 6, 2, 2, "float64"), (1, 2, 5, 5, 3, 1, "float64"),
          (2, 1, 7, 5, 3, 2, "float64")],
         [(3, 3, 8, 6, 2, 2, "float32"), (1, 2, 6, 6, 3, 3, "float64"), (2, 2, 5, 4, 2, 1, "float64"),
          (1, 2, 7, 7, 3, 2, "float64")])


@reference("cnn.conv2d_function reference")
def conv2d_function(x, weight, b, stride, padding, grad):
    """(out, dx, dweight, db) of a convolution Function: forward, then backward with ``grad``."""
    return (conv2d_forward(x, weight, b, stride, padding), *conv2d_backward(grad, x, weight, b, stride, padding))


@reference("cnn.max_pool_function reference")
def max_pool_function(x, kernel_size, stride, grad):
    """(out, dx) of a max-pooling Function: forward, then backward with ``grad``."""
    return max_pool_forward(x, kernel_size, stride), max_pool_backward(grad, x, kernel_size, stride)


def _conv_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for n, c, h, w, f, k, s, p, dtype in pick(*_CONV, hidden):
        ho, wo = _out_size(h, k, s, p), _out_size(w, k, s, p)
        args = {"x": rng.normal(size=(n, c, h, w)), "weight": rng.normal(size=(f, c, k, k)),
                "b": rng.normal(size=f), "stride": s, "padding": p, "grad": rng.normal(size=(n, f, ho, wo))}
        args = {k_: (v.astype(dtype) if isinstance(v, np.ndarray) else v) for k_, v in args.items()}
        cases.append(make_case(args, factors={"N": n}, note=f"stride {s}, padding {p}, {dtype}"))
    return cases


def _pool_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for n, c, h, w, k, s, dtype in pick(*_POOL, hidden):
        ho, wo = _out_size(h, k, s, 0), _out_size(w, k, s, 0)
        args = {"x": distinct(rng, (n, c, h, w)).astype(dtype), "kernel_size": k, "stride": s,
                "grad": rng.normal(size=(n, c, ho, wo)).astype(dtype)}
        cases.append(make_case(args, factors={"N": n}, note=f"kernel {k}, stride {s}, {dtype}"))
    return cases


# ----- known mistakes of the convolution Function ---------------------------------------------------

def _cols(x, kh, kw, s, p):
    xp = _pad(x, p)
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::s, ::s]
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(-1, x.shape[1] * kh * kw)


def _col2im(dcols, shape, kh, kw, s, p, accumulate=True, place_stride=None):
    n, c, h, w = shape
    ho, wo = _out_size(h, kh, s, p), _out_size(w, kw, s, p)
    t = place_stride or s
    d = dcols.reshape(n, ho, wo, c, kh, kw)
    dxp = np.zeros((n, c, h + 2 * p, w + 2 * p))
    for u in range(kh):
        for v in range(kw):
            piece = d[:, :, :, :, u, v].transpose(0, 3, 1, 2)
            target = dxp[:, :, u:u + t * (ho - 1) + 1:t, v:v + t * (wo - 1) + 1:t]
            if accumulate:
                target += piece
            else:
                target[...] = piece
    return dxp[:, :, p:p + h, p:p + w]


def _conv_variant(mode):
    def run(x, weight, b, stride, padding, grad):
        f, c, kh, kw = weight.shape
        out = conv2d_forward(x, weight, b, stride, padding)
        dx, dw, db = conv2d_backward(grad, x, weight, b, stride, padding)
        g = grad.transpose(0, 2, 3, 1).reshape(-1, f)
        dcols = g @ weight.reshape(f, -1)
        if mode == "overwrite":
            dx = _col2im(dcols, x.shape, kh, kw, stride, padding, accumulate=False)
        elif mode == "place_stride_1":
            dx = _col2im(dcols, x.shape, kh, kw, stride, padding, place_stride=1)
        elif mode == "dw_layout":
            dw = (_cols(x, kh, kw, stride, padding).T @ g).reshape(weight.shape)
        elif mode == "db_mean":
            db = g.mean(axis=0)
        elif mode == "not_cropped":  # the gradient of the padded input
            dx = np.zeros(_pad(x, padding).shape)
            for i, j, win in _windows(dx.shape[2], dx.shape[3], kh, kw, stride):
                dx[win] += np.tensordot(grad[:, :, i, j], weight, axes=([1], [0]))
        elif mode == "no_bias":
            out = conv2d_forward(x, weight, np.zeros_like(b), stride, padding)
        elif mode == "ctx_defaults":  # backward with stride 1 and padding 0 instead of the saved ones
            dx, dw, db = conv2d_backward(grad, x, weight, b, 1, 0)
        elif mode == "flipped":
            out = conv2d_forward(x, weight[:, :, ::-1, ::-1], b, stride, padding)
            dw = dw[:, :, ::-1, ::-1]
            dx = conv2d_backward(grad, x, weight[:, :, ::-1, ::-1], b, stride, padding)[0]
        return out, dx, dw, db
    return run


_CONV_MISTAKES = (
    KnownMistake("overwrite", "col2im must ADD each kernel offset's piece into dx (+=): every input pixel lies "
                 "in several windows and receives the sum of their gradients; `=` keeps only the last offset.",
                 _conv_variant("overwrite")),
    KnownMistake("stride_in_col2im", "col2im puts the pieces back with the wrong step: output position (i, j) "
                 "read the input at (i·stride + u, j·stride + v), so offset (u, v)'s piece goes to rows "
                 "u, u + stride, u + 2·stride, … (a slice u : u + stride·H_out : stride).",
                 _conv_variant("place_stride_1")),
    KnownMistake("dweight_layout", "dweight has the right numbers in the wrong places: cols.T @ g is (C·kh·kw, F); "
                 "the weight matrix is (F, C·kh·kw), so dweight = (g.T @ cols).reshape(weight.shape) (or "
                 "transpose before reshaping).", _conv_variant("dw_layout")),
    KnownMistake("db_mean", "db must SUM dout over the batch and every output position (the bias is added at "
                 "each of them), not average it.", _conv_variant("db_mean")),
    KnownMistake("not_cropped", "dx is the gradient of the PADDED input: cut the padding off "
                 "(dx_padded[:, :, p:p + H, p:p + W]); the zeros of the padding were not inputs.",
                 _conv_variant("not_cropped")),
    KnownMistake("no_bias", "forward leaves out the bias: add b[f] to every output of filter f.",
                 _conv_variant("no_bias")),
    KnownMistake("ctx_defaults", "the gradients use stride 1 and padding 0, not the stride and padding forward "
                 "was called with: save them on ctx in forward (ctx.stride = stride) and use them in backward.",
                 _conv_variant("ctx_defaults")),
    KnownMistake("flipped_kernel", "the kernel is flipped: deep-learning 'convolution' is a cross-correlation, "
                 "out = Σ x[window] · weight without reversing weight.", _conv_variant("flipped")),
)


# ----- known mistakes of the max-pooling Function ---------------------------------------------------

def _pool_variant(mode):
    def run(x, k, s, grad):
        out = max_pool_forward(x, k, s)
        dx = max_pool_backward(grad, x, k, s)
        if mode == "average":
            out = np.empty_like(out)
            dx = np.zeros_like(x)
            for i, j, win in _windows(x.shape[2], x.shape[3], k, k, s):
                out[:, :, i, j] = x[win].mean(axis=(2, 3))
                dx[win] += grad[:, :, i, j][:, :, None, None] / (k * k)
        elif mode == "everywhere":
            dx = np.zeros_like(x)
            for i, j, win in _windows(x.shape[2], x.shape[3], k, k, s):
                dx[win] += grad[:, :, i, j][:, :, None, None]
        elif mode == "overwrite":  # the lesson's loop over the k × k offsets, with = where += belongs
            ho, wo = grad.shape[2], grad.shape[3]
            dx = np.zeros_like(x)
            taken = np.zeros(grad.shape, dtype=bool)
            for u in range(k):
                for v in range(k):
                    sl = np.s_[:, :, u:u + s * (ho - 1) + 1:s, v:v + s * (wo - 1) + 1:s]
                    hit = (x[sl] == out) & ~taken
                    taken |= hit
                    dx[sl] = hit * grad
        elif mode == "ctx_defaults":  # backward with kernel 2, stride 2 whatever forward used
            dx = max_pool_backward(grad, x, 2, 2)
        elif mode == "stride_is_kernel":
            ho, wo = _out_size(x.shape[2], k, k, 0), _out_size(x.shape[3], k, k, 0)
            out = max_pool_forward(x, k, k)
            dx = max_pool_backward(grad[:, :, :ho, :wo], x, k, k)
        elif mode == "min":
            out = -max_pool_forward(-x, k, s)
            dx = max_pool_backward(grad, -x, k, s)
        return out, dx
    return run


_OVERWRITE = ("where windows overlap (stride < kernel size), gradients must add up (+=), not overwrite (=): an "
              "input that is the maximum of several windows receives the sum of their gradients.")

_POOL_MISTAKES = (
    KnownMistake("average_pool", "this is average pooling: forward takes the max of each window, and backward "
                 "routes the window's whole gradient to that maximum.", _pool_variant("average")),
    KnownMistake("not_routed_to_max", "every element of a window got the window's gradient; only the maximum "
                 "affected the output, so only it gets the gradient (the others get 0).",
                 _pool_variant("everywhere")),
    KnownMistake("overwrite", _OVERWRITE, _pool_variant("overwrite")),
    KnownMistake("ctx_defaults", "backward used kernel 2 and stride 2, not the kernel_size and stride forward was "
                 "called with: save them on ctx in forward and pass them on in backward.",
                 _pool_variant("ctx_defaults")),
    KnownMistake("stride_is_kernel", "the windows move by kernel_size, not by `stride`: with stride < kernel_size "
                 "they overlap, and there are more of them.", _pool_variant("stride_is_kernel")),
    KnownMistake("min_pool", "this is the MINIMUM of each window: max pooling keeps the largest value.",
                 _pool_variant("min")),
)

_BLOCKED = ("conv", "im2col", "unfold", "col2im", "max_pool", "maxpool", "pool")

register(Exercise(
    "cnn.conv2d_function",
    "function_of_arrays(Conv2dFn, 'conv2d'): (x, weight, b, stride, padding, grad) -> (out, dx, dweight, db)",
    conv2d_function, _conv_cases,
    outputs=(Output("out"), Output("dx"), Output("dweight"), Output("db")),
    blocked=_BLOCKED, mistakes=_CONV_MISTAKES, rtol=1e-4, atol=1e-5,
))
register(Exercise(
    "cnn.max_pool_function",
    "function_of_arrays(MaxPool2dFn, 'max_pool2d'): (x, kernel_size, stride, grad) -> (out, dx)",
    max_pool_function, _pool_cases,
    outputs=(Output("out"), Output("dx")),
    blocked=_BLOCKED, mistakes=_POOL_MISTAKES, oracles=_POOL_ORACLES, rtol=1e-4, atol=1e-5,
))
