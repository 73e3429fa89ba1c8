"""Lesson 08-cnn-training: the convolution as a dlkit Function, checked through the adapter."""
import dlkit
import numpy as np
from dlgrade.harness.function_classes import function_of_arrays

from ._catalogue import correct, wrong


def _size(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def im2col(x, kh, kw, stride, padding):
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(-1, x.shape[1] * kh * kw)


def _w_mat(weight, mode):
    """The weights as the (F, C·kh·kw) matrix forward multiplies by (with the mode's mistake)."""
    f = weight.shape[0]
    if mode == "w_columns":  # weight.reshape(-1, F), used as if it were the transpose
        return weight.reshape(-1, f).T
    if mode == "flipped":
        return weight[:, :, ::-1, ::-1].reshape(f, -1)
    return weight.reshape(f, -1)


def col2im(dcols, x_shape, kh, kw, stride, padding, accumulate=True, step=None, crop=None):
    n, c, h, w = x_shape
    ho, wo = _size(h, kh, stride, padding), _size(w, kw, stride, padding)
    t = step or stride
    d = dcols.reshape(n, ho, wo, c, kh, kw)
    dxp = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=dcols.dtype)
    for u in range(kh):
        for v in range(kw):
            piece = d[:, :, :, :, u, v].transpose(0, 3, 1, 2)
            if accumulate:
                dxp[:, :, u:u + t * ho:t, v:v + t * wo:t] += piece
            else:
                dxp[:, :, u:u + t * ho:t, v:v + t * wo:t] = piece
    if crop == "not_cropped":
        return dxp
    if crop == "crop_minus_zero":
        return dxp[:, :, padding:-padding, padding:-padding]
    return dxp[:, :, padding:padding + h, padding:padding + w]


def _conv_fn(mode=None):
    class Conv2dFn(dlkit.Function):
        @staticmethod
        def forward(ctx, x, weight, b, stride=1, padding=0):
            f, _, kh, kw = weight.shape
            n, _, h, w = x.shape
            cols = im2col(x, kh, kw, stride, padding)
            ctx.save_for_backward(cols, weight)
            ctx.x_shape, ctx.stride, ctx.padding = x.shape, stride, padding
            ho, wo = _size(h, kh, stride, padding), _size(w, kw, stride, padding)
            bias = 0 if mode == "no_bias" else b
            rows = cols @ _w_mat(weight, mode).T + bias
            if mode == "reshape_nchw":
                return rows.reshape(n, f, ho, wo)
            return rows.reshape(n, ho, wo, f).transpose(0, 3, 1, 2)

        @staticmethod
        def backward(ctx, grad):
            cols, weight = ctx.saved_tensors
            f, _, kh, kw = weight.shape
            geometry = {"ctx_defaults": (1, 0), "padding_lost": (ctx.stride, 0)}
            stride, padding = geometry.get(mode, (ctx.stride, ctx.padding))
            g = grad.reshape(-1, f) if mode == "grad_rows" else grad.transpose(0, 2, 3, 1).reshape(-1, f)
            dcols = g @ _w_mat(weight, mode)
            dx = col2im(dcols, ctx.x_shape, kh, kw, stride, padding,
                        accumulate=mode != "overwrite", step=1 if mode == "step_1" else None, crop=mode)
            dw = (g.T @ cols).reshape(weight.shape)
            if mode in ("dw_layout", "w_columns"):
                dw = (cols.T @ g).reshape(weight.shape)
            if mode == "flipped":
                dw = dw[:, :, ::-1, ::-1]
            db = g.mean(axis=0) if mode == "db_mean" else g.sum(axis=0)
            if mode == "grads_order":
                return dw, dx, db
            if mode == "float64":
                dx = dx.astype(np.float64)
            return dx, dw, db
    return Conv2dFn


@correct("cnn.conv2d_function")
def conv2d_function(x, weight, b, stride, padding, grad):
    return function_of_arrays(_conv_fn(), "conv2d")(x, weight, b, stride, padding, grad)


@wrong("cnn.conv2d_function", "overwrite")
def conv2d_function_col2im_overwrite(x, weight, b, stride, padding, grad):
    """col2im with = instead of +=."""
    return function_of_arrays(_conv_fn("overwrite"), "conv2d")(x, weight, b, stride, padding, grad)


@wrong("cnn.conv2d_function", "stride_in_col2im")
def conv2d_function_col2im_step_1(x, weight, b, stride, padding, grad):
    """col2im places the pieces one row apart whatever the stride."""
    return function_of_arrays(_conv_fn("step_1"), "conv2d")(x, weight, b, stride, padding, grad)


@wrong("cnn.conv2d_function", "dweight_layout")
def conv2d_function_dw_layout(x, weight, b, stride, padding, grad):
    """dweight = (cols.T @ g).reshape(weight.shape): right numbers, wrong places."""
    return function_of_arrays(_conv_fn("dw_layout"), "conv2d")(x, weight, b, stride, padding, grad)


@wrong("cnn.conv2d_function", "db_mean")
def conv2d_function_db_mean(x, weight, b, stride, padding, grad):
    return function_of_arrays(_conv_fn("db_mean"), "conv2d")(x, weight, b, stride, padding, grad)


@wrong("cnn.conv2d_function", "no_bias")
def conv2d_function_no_bias(x, weight, b, stride, padding, grad):
    return function_of_arrays(_conv_fn("no_bias"), "conv2d")(x, weight, b, stride, padding, grad)


@wrong("cnn.conv2d_function", "gradients_order")
def conv2d_function_grads_order(x, weight, b, stride, padding, grad):
    """Returns (dweight, dx, db): the adapter names the input whose gradient has the wrong shape."""
    return function_of_arrays(_conv_fn("grads_order"), "conv2d")(x, weight, b, stride, padding, grad)


@wrong("cnn.conv2d_function", "dtype_changed")
def conv2d_function_float64_dx(x, weight, b, stride, padding, grad):
    """dx in float64 for float32 inputs (np.zeros without dtype)."""
    return function_of_arrays(_conv_fn("float64"), "conv2d")(x, weight, b, stride, padding, grad)


def _run(mode):
    def run(x, weight, b, stride, padding, grad):
        return function_of_arrays(_conv_fn(mode), "conv2d")(x, weight, b, stride, padding, grad)
    run.__name__ = f"conv2d_function_{mode}"
    return run


for _mode, _code in (("not_cropped", "not_cropped"), ("crop_minus_zero", "crop_minus_zero"),
                     ("ctx_defaults", "ctx_defaults"), ("padding_lost", "padding_not_saved"),
                     ("flipped", "flipped_kernel"), ("reshape_nchw", "rows_reshaped_to_nchw"),
                     ("grad_rows", "grad_rows_order"), ("w_columns", "weight_reshape_order")):
    wrong("cnn.conv2d_function", _code)(_run(_mode))

