"""Lesson 08-cnn-training: max pooling as a dlkit Function, checked through the adapter."""
import dlkit
import numpy as np
from dlgrade.harness.function_classes import function_of_arrays

from ._catalogue import correct, wrong


def _size(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def _pool_fn(mode=None):
    class MaxPool2dFn(dlkit.Function):
        @staticmethod
        def forward(ctx, x, kernel_size=2, stride=2):
            k, s = kernel_size, (kernel_size if mode == "stride_is_kernel" else stride)
            ho, wo = _size(x.shape[2], k, s, 0), _size(x.shape[3], k, s, 0)
            t = 1 if mode == "unstrided" else s  # the step between windows
            out = np.zeros((x.shape[0], x.shape[1], ho, wo), dtype=x.dtype) if mode == "zero_start" else None
            for u in range(k):
                for v in range(k):
                    win = x[:, :, u:u + t * ho:t, v:v + t * wo:t]
                    if mode == "average":
                        out = win / (k * k) if out is None else out + win / (k * k)
                    elif mode == "min":
                        out = win if out is None else np.minimum(out, win)
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
            t = 1 if mode == "unstrided" else s
            dx = np.zeros(x.shape) if mode == "float64" else np.zeros_like(x)
            taken = np.zeros(grad.shape, dtype=bool)
            for u in range(k):
                for v in range(k):
                    sl = np.s_[:, :, u:u + t * ho:t, v:v + t * wo:t]
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


@wrong("cnn.max_pool_function", "overwrite_offsets")
def max_pool_function_overwrite(x, kernel_size, stride, grad):
    return function_of_arrays(_pool_fn("overwrite"), "max_pool2d")(x, kernel_size, stride, grad)


@wrong("cnn.max_pool_function", "ctx_defaults")
def max_pool_function_ctx_defaults(x, kernel_size, stride, grad):
    """backward ignores the kernel size and stride saved on ctx (uses 2 and 2): right for 2 × 2 windows of
    stride 2, a shape error for the others, reported as sizes hard-coded."""
    return function_of_arrays(_pool_fn("ctx_defaults"), "max_pool2d")(x, kernel_size, stride, grad)


@wrong("cnn.max_pool_function", "upstream_returned")
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
            if mode == "forward_defaults":
                return maxpool_forward(x, 2, 2)
            return maxpool_forward(x, kernel_size, stride)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            if mode == "ctx_defaults":
                return maxpool_backward(grad, x, 2, 2)
            if mode == "swapped":
                return (maxpool_backward(grad, x, ctx.stride, ctx.kernel_size),)
            if mode == "stride_twice":
                return (maxpool_backward(grad, x, ctx.stride, ctx.stride),)
            return maxpool_backward(grad, x, ctx.kernel_size, ctx.stride)
    return MaxPool2dFn


@correct("cnn.max_pool_function")
def max_pool_function_wrapper(x, kernel_size, stride, grad):
    return function_of_arrays(_wrapper(), "max_pool2d")(x, kernel_size, stride, grad)


@wrong("cnn.max_pool_function", "ctx_defaults")
def max_pool_function_wrapper_defaults(x, kernel_size, stride, grad):
    """Calls maxpool_backward(grad, x, 2, 2): the kernel size and stride of forward are not passed on."""
    return function_of_arrays(_wrapper("ctx_defaults"), "max_pool2d")(x, kernel_size, stride, grad)


def _inline(mode):
    def run(x, kernel_size, stride, grad):
        return function_of_arrays(_pool_fn(mode), "max_pool2d")(x, kernel_size, stride, grad)
    run.__name__ = f"max_pool_function_{mode}"
    return run


def _wrapped(mode):
    def run(x, kernel_size, stride, grad):
        return function_of_arrays(_wrapper(mode), "max_pool2d")(x, kernel_size, stride, grad)
    run.__name__ = f"max_pool_function_wrapper_{mode}"
    return run


for _mode, _code in (("min", "min_pool"), ("zero_start", "max_starts_at_zero"), ("unstrided", "window_not_strided"),
                     ("stride_is_kernel", "stride_is_kernel"), ("float64", "dtype_changed")):
    wrong("cnn.max_pool_function", _code)(_inline(_mode))
for _mode, _code in (("swapped", "arguments_swapped"), ("stride_twice", "stride_as_kernel"),
                     ("forward_defaults", "forward_defaults")):
    wrong("cnn.max_pool_function", _code)(_wrapped(_mode))

