"""Round-2 fresh entries for lesson 08 (08-cnn and 08-cnn-training).

Every entry calls private, correct helpers (``_out_size``, ``_im2col``) rather than module-level names a
learner's notebook would hold, so that one entry's mistake never leaks into another.
"""
import numpy as np
from dlgrade.harness.function_classes import function_of_arrays

import dlkit

from ._fresh import correct, learner_name, register_wrong, wrong


def _out_size(n, k, stride, padding):
    return (n + 2 * padding - k) // stride + 1


def _pad(x, p):
    return np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))


def _im2col(x, kh, kw, stride, padding):
    xp = _pad(x, padding)
    windows = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(-1, x.shape[1] * kh * kw)


# ---------------------------------------------------------------- conv_output_size


@wrong("cnn.conv_output_size", "08", ["both sides", "2 * padding", "2p", "each side", "two sides"],
       "adds the padding once (n + padding - k) instead of on both sides")
def conv_output_size(n, k, stride, padding):
    return (n + padding - k) // stride + 1


@correct("cnn.conv_output_size", "08", "counts the window start positions with len(range(...))")
def conv_output_size(n, k, stride, padding):  # noqa: F811
    return len(range(0, n + 2 * padding - k + 1, stride))


# ---------------------------------------------------------------- conv2d_forward (naive and im2col)


@wrong("cnn.conv2d_forward", "08", ["stride", "i * s", "i*s", "step", "i * stride"],
       "takes the patch at xp[..., i:i+kh, j:j+kw], forgetting to multiply the position by the stride")
def conv2d_forward_naive(x, weight, b, stride, padding):
    n_batch, _, h, w = x.shape
    n_filters, _, kh, kw = weight.shape
    xp = _pad(x, padding)
    ho, wo = _out_size(h, kh, stride, padding), _out_size(w, kw, stride, padding)
    out = np.zeros((n_batch, n_filters, ho, wo))
    for n in range(n_batch):
        for f in range(n_filters):
            for i in range(ho):
                for j in range(wo):
                    patch = xp[n, :, i:i + kh, j:j + kw]
                    out[n, f, i, j] = np.sum(patch * weight[f]) + b[f]
    return out


@wrong("cnn.conv2d_forward", "08", ["flip", "cross-correlation", "correlation", "rotat", "180"],
       "flips the kernel (a textbook convolution) although the layer computes a cross-correlation")
def conv2d_forward_naive(x, weight, b, stride, padding):  # noqa: F811
    n_batch, _, h, w = x.shape
    n_filters, _, kh, kw = weight.shape
    xp = _pad(x, padding)
    ho, wo = _out_size(h, kh, stride, padding), _out_size(w, kw, stride, padding)
    flipped = weight[:, :, ::-1, ::-1]
    out = np.zeros((n_batch, n_filters, ho, wo))
    for n in range(n_batch):
        for f in range(n_filters):
            for i in range(ho):
                for j in range(wo):
                    patch = xp[n, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
                    out[n, f, i, j] = np.sum(patch * flipped[f]) + b[f]
    return out


@wrong("cnn.conv2d_forward", "08", ["transpos", "(n, ho, wo, f)", "layout", "channels last"],
       "reshapes the (N*Ho*Wo, F) product straight to (N, F, Ho, Wo) without the transpose")
def conv2d_forward(x, weight, b, stride, padding):
    n_batch, _, h, w = x.shape
    n_filters, _, kh, kw = weight.shape
    ho, wo = _out_size(h, kh, stride, padding), _out_size(w, kw, stride, padding)
    out = _im2col(x, kh, kw, stride, padding) @ weight.reshape(n_filters, -1).T + b
    return out.reshape(n_batch, n_filters, ho, wo)


@correct("cnn.conv2d_forward", "08", "np.einsum over a strided sliding_window_view, no im2col matrix")
def conv2d_forward(x, weight, b, stride, padding):  # noqa: F811
    kh, kw = weight.shape[2:]
    xp = _pad(x, padding)
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    return np.einsum("ncijuv,fcuv->nfij", win, weight) + b[None, :, None, None]


# ---------------------------------------------------------------- im2col


@wrong("cnn.im2col", "08", ["(n, i, j)", "transpos", "row order", "channel axis", "order"],
       "reshapes the windows without moving the channel axis after the positions (rows come out in (n, c, i, j) order)")
def im2col(x, kh, kw, stride, padding):
    xp = _pad(x, padding)
    windows = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    return windows.reshape(-1, x.shape[1] * kh * kw)


# ---------------------------------------------------------------- conv2d_backward


def _conv_backward(dout, x, weight, stride, padding, accumulate=True):
    _, _, h, w = x.shape
    _, _, kh, kw = weight.shape
    xp = _pad(x, padding)
    dxp = np.zeros_like(xp)
    dweight = np.zeros_like(weight)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw)
            g = dout[:, :, i, j]
            dweight += np.einsum("nf,nchw->fchw", g, xp[:, :, rows, cols])
            piece = np.einsum("nf,fchw->nchw", g, weight)
            if accumulate:
                dxp[:, :, rows, cols] += piece
            else:
                dxp[:, :, rows, cols] = piece
    return dxp[:, :, padding:padding + h, padding:padding + w], dweight


@wrong("cnn.conv2d_backward", "08", ["position", "spatial", "axis", "(0, 2, 3)", "height and width"],
       "sums dout over the batch only for db, leaving an (F, Ho, Wo) array")
def conv2d_backward(dout, x, weight, b, stride, padding):
    dx, dweight = _conv_backward(dout, x, weight, stride, padding)
    return dx, dweight, dout.sum(axis=0)


@wrong("cnn.conv2d_backward", "08", ["overlap", "+=", "add", "accumulat"],
       "writes each window's input gradient with = instead of +=, losing what overlapping windows sent")
def conv2d_backward(dout, x, weight, b, stride, padding):  # noqa: F811
    dx, dweight = _conv_backward(dout, x, weight, stride, padding, accumulate=False)
    return dx, dweight, dout.sum(axis=(0, 2, 3))


# ---------------------------------------------------------------- max pooling


@wrong("cnn.max_pool_forward", "08", ["-inf", "negative", "initial", "start at 0", "all-negative"],
       "starts the running maximum at 0 instead of -inf, so windows of negative numbers give 0")
def maxpool_forward(x, kernel_size, stride):
    k, s = kernel_size, stride
    ho, wo = _out_size(x.shape[2], k, s, 0), _out_size(x.shape[3], k, s, 0)
    out = np.zeros((x.shape[0], x.shape[1], ho, wo), dtype=x.dtype)
    for u in range(k):
        for v in range(k):
            out = np.maximum(out, x[:, :, u:u + s * ho:s, v:v + s * wo:s])
    return out


def _maxpool(x, k, s):
    ho, wo = _out_size(x.shape[2], k, s, 0), _out_size(x.shape[3], k, s, 0)
    out = np.full((x.shape[0], x.shape[1], ho, wo), -np.inf, dtype=x.dtype)
    for u in range(k):
        for v in range(k):
            out = np.maximum(out, x[:, :, u:u + s * ho:s, v:v + s * wo:s])
    return out


@wrong("cnn.max_pool_backward", "08", ["tie", "first", "taken", "only one", "every maximum"],
       "sends the gradient to every element equal to the window's maximum, so tied maxima all get it")
def maxpool_backward(dout, x, kernel_size, stride):
    k, s = kernel_size, stride
    ho, wo = dout.shape[2], dout.shape[3]
    out = _maxpool(x, k, s)
    dx = np.zeros_like(x)
    for u in range(k):
        for v in range(k):
            hit = x[:, :, u:u + s * ho:s, v:v + s * wo:s] == out
            dx[:, :, u:u + s * ho:s, v:v + s * wo:s] += hit * dout
    return dx


@correct("cnn.max_pool_backward", "08", "loops over the windows and uses np.argmax (first maximum, row-major)")
def maxpool_backward(dout, x, kernel_size, stride):  # noqa: F811
    k, s = kernel_size, stride
    n, c, ho, wo = dout.shape
    dx = np.zeros_like(x)
    for i in range(ho):
        for j in range(wo):
            win = x[:, :, i * s:i * s + k, j * s:j * s + k].reshape(n, c, k * k)
            first = np.argmax(win, axis=2)
            u, v = np.divmod(first, k)
            nn_, cc = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
            np.add.at(dx, (nn_, cc, i * s + u, j * s + v), dout[:, :, i, j])
    return dx


# ---------------------------------------------------------------- Conv2dFn (08-cnn-training)


class Conv2dFnNoTranspose(dlkit.Function):
    @staticmethod
    def forward(ctx, x, weight, b, stride=1, padding=0):
        n, _, h, w = x.shape
        f, _, kh, kw = weight.shape
        cols = _im2col(x, kh, kw, stride, padding)
        ctx.save_for_backward(cols, weight)
        ctx.x_shape, ctx.stride, ctx.padding = x.shape, stride, padding
        ho, wo = _out_size(h, kh, stride, padding), _out_size(w, kw, stride, padding)
        return (cols @ weight.reshape(f, -1).T + b).reshape(n, ho, wo, f).transpose(0, 3, 1, 2)

    @staticmethod
    def backward(ctx, grad):
        cols, weight = ctx.saved_tensors
        f, _, kh, kw = weight.shape
        g = grad.reshape(-1, f)
        n, c, h, w = ctx.x_shape
        s, p = ctx.stride, ctx.padding
        ho, wo = _out_size(h, kh, s, p), _out_size(w, kw, s, p)
        d = (g @ weight.reshape(f, -1)).reshape(n, ho, wo, c, kh, kw)
        dxp = np.zeros((n, c, h + 2 * p, w + 2 * p), dtype=grad.dtype)
        for u in range(kh):
            for v in range(kw):
                dxp[:, :, u:u + s * ho:s, v:v + s * wo:s] += d[:, :, :, :, u, v].transpose(0, 3, 1, 2)
        return dxp[:, :, p:p + h, p:p + w], (g.T @ cols).reshape(weight.shape), g.sum(axis=0)


register_wrong("cnn.conv2d_function", "08",
               function_of_arrays(learner_name(Conv2dFnNoTranspose, "Conv2dFn"), "conv2d"),
               ["transpos", "(n, ho, wo, f)", "layout", "channels last"],
               "in backward, reshapes grad (N, F, Ho, Wo) straight to (-1, F) without moving F last first")
