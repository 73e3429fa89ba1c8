"""Lesson 08-cnn-training: convolution and max pooling as dlkit Functions, checked through the adapter."""
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


def col2im(dcols, x_shape, kh, kw, stride, padding, accumulate=True, step=None):
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
            return (cols @ weight.reshape(f, -1).T + bias).reshape(n, ho, wo, f).transpose(0, 3, 1, 2)

        @staticmethod
        def backward(ctx, grad):
            cols, weight = ctx.saved_tensors
            f, _, kh, kw = weight.shape
            stride, padding = ctx.stride, ctx.padding
            g = grad.transpose(0, 2, 3, 1).reshape(-1, f)
            dcols = g @ weight.reshape(f, -1)
            dx = col2im(dcols, ctx.x_shape, kh, kw, stride, padding,
                        accumulate=mode != "overwrite", step=1 if mode == "step_1" else None)
            dw = (g.T @ cols).reshape(weight.shape)
            if mode == "dw_layout":
                dw = (cols.T @ g).reshape(weight.shape)
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


@wrong("cnn.conv2d_function", "exception")
def conv2d_function_grads_order(x, weight, b, stride, padding, grad):
    """Returns (dweight, dx, db): the adapter names the input whose gradient has the wrong shape."""
    return function_of_arrays(_conv_fn("grads_order"), "conv2d")(x, weight, b, stride, padding, grad)


@wrong("cnn.conv2d_function", "exception")
def conv2d_function_float64_dx(x, weight, b, stride, padding, grad):
    """dx in float64 for float32 inputs (np.zeros without dtype)."""
    return function_of_arrays(_conv_fn("float64"), "conv2d")(x, weight, b, stride, padding, grad)


def _pool_fn(mode=None):
    class MaxPool2dFn(dlkit.Function):
        @staticmethod
        def forward(ctx, x, kernel_size=2, stride=2):
            k, s = kernel_size, stride
            ho, wo = _size(x.shape[2], k, s, 0), _size(x.shape[3], k, s, 0)
            out = None
            for u in range(k):
                for v in range(k):
                    win = x[:, :, u:u + s * ho:s, v:v + s * wo:s]
                    if mode == "average":
                        out = win / (k * k) if out is None else out + win / (k * k)
                    else:
                        out = win if out is None else np.maximum(out, win)
            ctx.save_for_backward(x, out)
            ctx.kernel_size, ctx.stride = k, s
            return out.copy()

        @staticmethod
        def backward(ctx, grad):
            x, out = ctx.saved_tensors
            k, s = (2, 2) if mode == "ctx_defaults" else (ctx.kernel_size, ctx.stride)
            ho, wo = grad.shape[2], grad.shape[3]
            dx = np.zeros_like(x)
            taken = np.zeros(grad.shape, dtype=bool)
            for u in range(k):
                for v in range(k):
                    sl = np.s_[:, :, u:u + s * ho:s, v:v + s * wo:s]
                    if mode == "average":
                        dx[sl] += grad / (k * k)
                        continue
                    if mode == "everywhere":
                        dx[sl] += grad
                        continue
                    hit = (x[sl] == out) & ~taken
                    taken |= hit
                    if mode == "overwrite":
                        dx[sl] = hit * grad
                    else:
                        dx[sl] += hit * grad
            if mode == "bare_grad":
                return grad
            return (dx,)
    return MaxPool2dFn


@correct("cnn.max_pool_function")
def max_pool_function(x, kernel_size, stride, grad):
    return function_of_arrays(_pool_fn(), "max_pool2d")(x, kernel_size, stride, grad)


@wrong("cnn.max_pool_function", "average_pool")
def max_pool_function_average(x, kernel_size, stride, grad):
    return function_of_arrays(_pool_fn("average"), "max_pool2d")(x, kernel_size, stride, grad)


@wrong("cnn.max_pool_function", "not_routed_to_max")
def max_pool_function_everywhere(x, kernel_size, stride, grad):
    return function_of_arrays(_pool_fn("everywhere"), "max_pool2d")(x, kernel_size, stride, grad)


@wrong("cnn.max_pool_function", "overwrite")
def max_pool_function_overwrite(x, kernel_size, stride, grad):
    return function_of_arrays(_pool_fn("overwrite"), "max_pool2d")(x, kernel_size, stride, grad)


@wrong("cnn.max_pool_function", "hardcoded_shape")
def max_pool_function_ctx_defaults(x, kernel_size, stride, grad):
    """backward ignores the kernel size and stride saved on ctx (uses 2 and 2): right for 2 × 2 windows of
    stride 2, a shape error for the others, reported as sizes hard-coded."""
    return function_of_arrays(_pool_fn("ctx_defaults"), "max_pool2d")(x, kernel_size, stride, grad)


@wrong("cnn.max_pool_function", "exception")
def max_pool_function_returns_upstream(x, kernel_size, stride, grad):
    """backward returns the upstream gradient itself: the adapter reports its shape."""
    return function_of_arrays(_pool_fn("bare_grad"), "max_pool2d")(x, kernel_size, stride, grad)


# The lesson's way: MaxPool2dFn wraps maxpool_forward / maxpool_backward (graded on their own; while the
# Function is checked those two names answer with the references, so only the wrapping is judged here).

def maxpool_forward(x, kernel_size, stride):
    k, s = kernel_size, stride
    ho, wo = _size(x.shape[2], k, s, 0), _size(x.shape[3], k, s, 0)
    out = x[:, :, 0:s * ho:s, 0:s * wo:s]
    for u in range(k):
        for v in range(k):
            out = np.maximum(out, x[:, :, u:u + s * ho:s, v:v + s * wo:s])
    return out


def maxpool_backward(dout, x, kernel_size, stride):
    raise AssertionError("while the Function is checked, maxpool_backward answers with the reference")


def _wrapper(mode=None):
    class MaxPool2dFn(dlkit.Function):
        @staticmethod
        def forward(ctx, x, kernel_size=2, stride=2):
            ctx.save_for_backward(x)
            ctx.kernel_size, ctx.stride = kernel_size, stride
            return maxpool_forward(x, kernel_size, stride)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            if mode == "ctx_defaults":
                return maxpool_backward(grad, x, 2, 2)
            return maxpool_backward(grad, x, ctx.kernel_size, ctx.stride)
    return MaxPool2dFn


@correct("cnn.max_pool_function")
def max_pool_function_wrapper(x, kernel_size, stride, grad):
    return function_of_arrays(_wrapper(), "max_pool2d")(x, kernel_size, stride, grad)


@wrong("cnn.max_pool_function", "ctx_defaults")
def max_pool_function_wrapper_defaults(x, kernel_size, stride, grad):
    """Calls maxpool_backward(grad, x, 2, 2): the kernel size and stride of forward are not passed on."""
    return function_of_arrays(_wrapper("ctx_defaults"), "max_pool2d")(x, kernel_size, stride, grad)
