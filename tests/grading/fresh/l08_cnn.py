"""Lesson 08 · Convolutional networks: conv_output_size, conv2d_forward (loops and im2col), conv2d_backward,
maxpool_forward, maxpool_backward."""
# ruff: noqa: RUF046, RUF059  (written the way learners write: unused unpacked sizes, dict(...))
import math

import numpy as np

from ._fresh import correct, wrong

L = "08"

# ---- cnn.conv_output_size(n, k, stride, padding) ---------------------------------------------------------


@wrong("cnn.conv_output_size", L, ["+ 1", "+1", "off by one", "starting position", "one more"], "forgets the + 1")
def conv_output_size(n, k, stride, padding):
    return (n + 2 * padding - k) // stride


@wrong("cnn.conv_output_size", L, ["2p", "2 * padding", "2·p", "both sides", "both ends", "twice"], "adds the padding once")
def conv_output_size(n, k, stride, padding):  # noqa: F811
    return (n + padding - k) // stride + 1


@wrong("cnn.conv_output_size", L, ["int", "integer", "//", "float"], "true division: returns a float")
def conv_output_size(n, k, stride, padding):  # noqa: F811
    return (n + 2 * padding - k) / stride + 1


@wrong("cnn.conv_output_size", L, ["floor", "round", "ceil"], "rounds up instead of down")
def conv_output_size(n, k, stride, padding):  # noqa: F811
    return -(-(n + 2 * padding - k) // stride) + 1


@wrong("cnn.conv_output_size", L, ["+ 1", "+1", "outside", "bracket", "parenthes"], "(n + 2p - k + 1) // s: the + 1 inside the division")
def conv_output_size(n, k, stride, padding):  # noqa: F811
    return (n + 2 * padding - k + 1) // stride


@wrong("cnn.conv_output_size", L, ["stride"], "ignores the stride")
def conv_output_size(n, k, stride, padding):  # noqa: F811
    return n + 2 * padding - k + 1


@correct("cnn.conv_output_size", L, "counts the window positions with len(range(...))")
def conv_output_size(n, k, stride, padding):  # noqa: F811
    return len(range(0, n + 2 * padding - k + 1, stride))


@correct("cnn.conv_output_size", L, "int(math.floor(...))")
def conv_output_size(n, k, stride, padding):  # noqa: F811
    return int(math.floor((n + 2 * padding - k) / stride)) + 1


# ---- cnn.conv2d_forward(x, weight, b, stride, padding): loops and im2col ------------------------------------------


def _out(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def _pad(x, p):
    return np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))


@wrong("cnn.conv2d_forward", L, ["padding", "pad"], "loops: never pads x")
def conv2d_forward_naive(x, weight, b, stride, padding):
    N, C, H, W = x.shape
    F, _, kh, kw = weight.shape
    Ho, Wo = _out(H, kh, stride, 0), _out(W, kw, stride, 0)
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, f, i, j] = np.sum(x[n, :, i * stride:i * stride + kh, j * stride:j * stride + kw] * weight[f]) + b[f]
    return out


@wrong("cnn.conv2d_forward", L, ["stride"], "loops: the window moves by 1 (i:i + kh) although the size uses the stride")
def conv2d_forward_naive(x, weight, b, stride, padding):  # noqa: F811
    N, C, H, W = x.shape
    F, _, kh, kw = weight.shape
    xp = _pad(x, padding)
    Ho, Wo = _out(H, kh, stride, padding), _out(W, kw, stride, padding)
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, f, i, j] = np.sum(xp[n, :, i:i + kh, j:j + kw] * weight[f]) + b[f]
    return out


@wrong("cnn.conv2d_forward", L, ["bias"], "loops: forgets the bias")
def conv2d_forward_naive(x, weight, b, stride, padding):  # noqa: F811
    N, C, H, W = x.shape
    F, _, kh, kw = weight.shape
    xp = _pad(x, padding)
    Ho, Wo = _out(H, kh, stride, padding), _out(W, kw, stride, padding)
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, f, i, j] = np.sum(xp[n, :, i * stride:i * stride + kh, j * stride:j * stride + kw] * weight[f])
    return out


@wrong("cnn.conv2d_forward", L, ["+ 1", "+1", "off by one", "shape", "last"], "loops: output size without the + 1")
def conv2d_forward_naive(x, weight, b, stride, padding):  # noqa: F811
    N, C, H, W = x.shape
    F, _, kh, kw = weight.shape
    xp = _pad(x, padding)
    Ho, Wo = (H + 2 * padding - kh) // stride, (W + 2 * padding - kw) // stride
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, f, i, j] = np.sum(xp[n, :, i * stride:i * stride + kh, j * stride:j * stride + kw] * weight[f]) + b[f]
    return out


def _cols(xp, kh, kw, s):
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::s, ::s]
    N, C, Ho, Wo = win.shape[:4]
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, C * kh * kw), (N, Ho, Wo)


@wrong("cnn.conv2d_forward", L, ["flip", "cross-correlation", "correlation", "rotat"], "flips the kernel (true convolution)")
def conv2d_forward(x, weight, b, stride, padding):
    F, C, kh, kw = weight.shape
    cols, (N, Ho, Wo) = _cols(_pad(x, padding), kh, kw, stride)
    out = cols @ weight[:, :, ::-1, ::-1].reshape(F, -1).T + b
    return out.reshape(N, Ho, Wo, F).transpose(0, 3, 1, 2)


@wrong("cnn.conv2d_forward", L, ["transpos", "reshape", "axis order", "layout", "scrambl"],
       "reshapes the (N Ho Wo, F) product straight to (N, F, Ho, Wo)")
def conv2d_forward(x, weight, b, stride, padding):  # noqa: F811
    F, C, kh, kw = weight.shape
    cols, (N, Ho, Wo) = _cols(_pad(x, padding), kh, kw, stride)
    out = cols @ weight.reshape(F, -1).T + b
    return out.reshape(N, F, Ho, Wo)


@wrong("cnn.conv2d_forward", L, ["pad", "channel", "batch", "height and width"], "np.pad(x, padding) pads all four axes")
def conv2d_forward(x, weight, b, stride, padding):  # noqa: F811
    F, C, kh, kw = weight.shape
    xp = np.pad(x, padding)
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :C, ::stride, ::stride]
    N, _, Ho, Wo = win.shape[:4]
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, C * kh * kw)
    out = cols @ weight.reshape(F, -1).T + b
    return out.reshape(N, Ho, Wo, F).transpose(0, 3, 1, 2)


@wrong("cnn.conv2d_forward", L, ["channel", "order", "flatten", "reshape"], "patches flattened as (u, v, c), filters as (c, u, v)")
def conv2d_forward(x, weight, b, stride, padding):  # noqa: F811
    F, C, kh, kw = weight.shape
    win = np.lib.stride_tricks.sliding_window_view(_pad(x, padding), (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    N, _, Ho, Wo = win.shape[:4]
    cols = win.transpose(0, 2, 3, 4, 5, 1).reshape(N * Ho * Wo, C * kh * kw)
    out = cols @ weight.reshape(F, -1).T + b
    return out.reshape(N, Ho, Wo, F).transpose(0, 3, 1, 2)


@correct("cnn.conv2d_forward", L, "einsum over sliding windows")
def conv2d_forward(x, weight, b, stride, padding):  # noqa: F811
    kh, kw = weight.shape[2:]
    win = np.lib.stride_tricks.sliding_window_view(_pad(x, padding), (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    return np.einsum("ncijuv,fcuv->nfij", win, weight) + b[None, :, None, None]


@correct("cnn.conv2d_forward", L, "loops over kernel offsets (u, v), each a strided slice times a weight column")
def conv2d_forward_naive(x, weight, b, stride, padding):  # noqa: F811
    N, C, H, W = x.shape
    F, _, kh, kw = weight.shape
    xp = _pad(x, padding)
    Ho, Wo = _out(H, kh, stride, padding), _out(W, kw, stride, padding)
    out = np.zeros((N, F, Ho, Wo)) + b[None, :, None, None]
    for u in range(kh):
        for v in range(kw):
            sl = xp[:, :, u:u + stride * (Ho - 1) + 1:stride, v:v + stride * (Wo - 1) + 1:stride]   # (N, C, Ho, Wo)
            out += np.einsum("ncij,fc->nfij", sl, weight[:, :, u, v])
    return out


# ---- cnn.conv2d_backward(dout, x, weight, b, stride, padding) -------------------------------------------------------


def _conv_back(dout, x, weight, stride, padding, *, crop=True, accumulate=True, pad_win=True, use_stride=True):
    F, C, kh, kw = weight.shape
    xp = _pad(x, padding)
    src = xp if pad_win else x
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(weight)
    Ho, Wo = dout.shape[2:]
    s = stride if use_stride else 1
    for i in range(Ho):
        for j in range(Wo):
            win = src[:, :, i * s:i * s + kh, j * s:j * s + kw]
            g = dout[:, :, i, j]
            if win.shape[2:] == (kh, kw):
                dw += np.einsum("nf,nchw->fchw", g, win)
            piece = np.einsum("nf,fchw->nchw", g, weight)
            if accumulate:
                dxp[:, :, i * s:i * s + kh, j * s:j * s + kw] += piece
            else:
                dxp[:, :, i * s:i * s + kh, j * s:j * s + kw] = piece
    dx = dxp[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]] if crop else dxp
    return dx, dw


@wrong("cnn.conv2d_backward", L, ["axis", "batch", "shape"], "db = dout.sum(axis=(2, 3)): per image")
def conv2d_backward(dout, x, weight, b, stride, padding):
    dx, dw = _conv_back(dout, x, weight, stride, padding)
    return dx, dw, dout.sum(axis=(2, 3))


@wrong("cnn.conv2d_backward", L, ["padding", "crop", "cut", "pad"], "returns the padded dx")
def conv2d_backward(dout, x, weight, b, stride, padding):  # noqa: F811
    dx, dw = _conv_back(dout, x, weight, stride, padding, crop=False)
    return dx, dw, dout.sum(axis=(0, 2, 3))


@wrong("cnn.conv2d_backward", L, ["overlap", "+=", "add up", "accumulate", "sum"], "dxp[...] = piece: overlapping windows overwrite")
def conv2d_backward(dout, x, weight, b, stride, padding):  # noqa: F811
    dx, dw = _conv_back(dout, x, weight, stride, padding, accumulate=False)
    return dx, dw, dout.sum(axis=(0, 2, 3))


@wrong("cnn.conv2d_backward", L, ["pad", "padded"], "dweight from windows of the unpadded x")
def conv2d_backward(dout, x, weight, b, stride, padding):  # noqa: F811
    F, C, kh, kw = weight.shape
    dx, _ = _conv_back(dout, x, weight, stride, padding)
    xs = np.pad(x, ((0, 0), (0, 0), (0, 2 * padding), (0, 2 * padding)))   # windows start at the unpadded corner
    dw = np.zeros_like(weight)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            win = xs[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            dw += np.einsum("nf,nchw->fchw", dout[:, :, i, j], win)
    return dx, dw, dout.sum(axis=(0, 2, 3))


@wrong("cnn.conv2d_backward", L, ["stride"], "windows at i:i + kh, ignoring the stride")
def conv2d_backward(dout, x, weight, b, stride, padding):  # noqa: F811
    dx, dw = _conv_back(dout, x, weight, stride, padding, use_stride=False)
    return dx, dw, dout.sum(axis=(0, 2, 3))


@wrong("cnn.conv2d_backward", L, ["order", "swap"], "returns (dweight, dx, db)")
def conv2d_backward(dout, x, weight, b, stride, padding):  # noqa: F811
    dx, dw = _conv_back(dout, x, weight, stride, padding)
    return dw, dx, dout.sum(axis=(0, 2, 3))


@correct("cnn.conv2d_backward", L, "im2col: dW from one product, dx by scattering the column gradients back")
def conv2d_backward(dout, x, weight, b, stride, padding):  # noqa: F811
    F, C, kh, kw = weight.shape
    xp = _pad(x, padding)
    cols, (N, Ho, Wo) = _cols(xp, kh, kw, stride)
    g = dout.transpose(0, 2, 3, 1).reshape(-1, F)                    # (N Ho Wo, F)
    dw = (g.T @ cols).reshape(weight.shape)
    dcols = (g @ weight.reshape(F, -1)).reshape(N, Ho, Wo, C, kh, kw)
    dxp = np.zeros_like(xp)
    for u in range(kh):
        for v in range(kw):
            dxp[:, :, u:u + stride * (Ho - 1) + 1:stride, v:v + stride * (Wo - 1) + 1:stride] += \
                dcols[:, :, :, :, u, v].transpose(0, 3, 1, 2)
    dx = dxp[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]]
    return dx, dw, dout.sum(axis=(0, 2, 3))


# ---- cnn.max_pool_forward / max_pool_backward ------------------------------------------------------------------------


def _pool_out(n, k, s):
    return (n - k) // s + 1


@wrong("cnn.max_pool_forward", L, ["stride"], "windows at i:i + k (step 1) with the strided output size")
def maxpool_forward(x, kernel_size, stride):
    N, C, H, W = x.shape
    k = kernel_size
    Ho, Wo = _pool_out(H, k, stride), _pool_out(W, k, stride)
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = x[:, :, i:i + k, j:j + k].max(axis=(2, 3))
    return out


@wrong("cnn.max_pool_forward", L, ["max", "average", "mean"], "average pooling")
def maxpool_forward(x, kernel_size, stride):  # noqa: F811
    N, C, H, W = x.shape
    k, s = kernel_size, stride
    Ho, Wo = _pool_out(H, k, s), _pool_out(W, k, s)
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = x[:, :, i * s:i * s + k, j * s:j * s + k].mean(axis=(2, 3))
    return out


@wrong("cnn.max_pool_forward", L, ["axis", "axes"], "max over axes (1, 2): channels and rows")
def maxpool_forward(x, kernel_size, stride):  # noqa: F811
    N, C, H, W = x.shape
    k, s = kernel_size, stride
    Ho, Wo = _pool_out(H, k, s), _pool_out(W, k, s)
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = x[:, :, i * s:i * s + k, j * s:j * s + k].max(axis=(1, 2))
    return out


@wrong("cnn.max_pool_forward", L, ["stride", "output size", "shape"], "output size H // k, ignoring the stride")
def maxpool_forward(x, kernel_size, stride):  # noqa: F811
    N, C, H, W = x.shape
    k, s = kernel_size, stride
    Ho, Wo = H // k, W // k
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * s:i * s + k, j * s:j * s + k]
            out[:, :, i, j] = win.max(axis=(2, 3)) if win.size else 0
    return out


@correct("cnn.max_pool_forward", L, "sliding_window_view with strided slicing, max over the window axes")
def maxpool_forward(x, kernel_size, stride):  # noqa: F811
    k = kernel_size
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]
    return win.max(axis=(4, 5))


def _pool_back(dout, x, k, s, *, accumulate=True, avg=False, with_dout=True, global_max=False):
    dx = np.zeros_like(x, dtype=float)
    Ho, Wo = dout.shape[2:]
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * s:i * s + k, j * s:j * s + k]
            if avg:
                mask = np.full(win.shape, 1.0 / (k * k))
            elif global_max:
                mask = win == x.max(axis=(2, 3), keepdims=True)
            else:
                mask = win == win.max(axis=(2, 3), keepdims=True)
            piece = mask * (dout[:, :, i, j][:, :, None, None] if with_dout else 1.0)
            if accumulate:
                dx[:, :, i * s:i * s + k, j * s:j * s + k] += piece
            else:
                dx[:, :, i * s:i * s + k, j * s:j * s + k] = piece
    return dx


@wrong("cnn.max_pool_backward", L, ["overlap", "+=", "add", "accumulate", "sum"], "dx[...] = piece: overlapping windows overwrite")
def maxpool_backward(dout, x, kernel_size, stride):
    return _pool_back(dout, x, kernel_size, stride, accumulate=False)


@wrong("cnn.max_pool_backward", L, ["max", "average", "route", "evenly", "spread"], "spreads the gradient evenly (average pooling)")
def maxpool_backward(dout, x, kernel_size, stride):  # noqa: F811
    return _pool_back(dout, x, kernel_size, stride, avg=True)


@wrong("cnn.max_pool_backward", L, ["dout", "upstream"], "returns the mask without dout")
def maxpool_backward(dout, x, kernel_size, stride):  # noqa: F811
    return _pool_back(dout, x, kernel_size, stride, with_dout=False)


@wrong("cnn.max_pool_backward", L, ["none", "broadcast", "axes", "shape", "trailing"],
       "dout[:, :, i, j] without the two trailing axes: does not broadcast against the window")
def maxpool_backward(dout, x, kernel_size, stride):  # noqa: F811
    k, s = kernel_size, stride
    dx = np.zeros_like(x, dtype=float)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            win = x[:, :, i * s:i * s + k, j * s:j * s + k]
            dx[:, :, i * s:i * s + k, j * s:j * s + k] += (win == win.max(axis=(2, 3), keepdims=True)) * dout[:, :, i, j]
    return dx


@wrong("cnn.max_pool_backward", L, ["window", "whole map", "global"], "compares against the max of the whole map")
def maxpool_backward(dout, x, kernel_size, stride):  # noqa: F811
    return _pool_back(dout, x, kernel_size, stride, global_max=True)


# Relabelled after the first measurement (written as a correct answer against the lesson's earlier text): it
# gives the whole gradient to every tied maximum; the lesson's pool-intro now says the first one takes it.
@wrong("cnn.max_pool_backward", L, ["first maximum", "every tied maximum"],
       "sliding windows: one strided += per window offset (u, v), every tied maximum hit")
def maxpool_backward(dout, x, kernel_size, stride):  # noqa: F811
    k, s = kernel_size, stride
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
    Ho, Wo = win.shape[2:4]
    mx = win.max(axis=(4, 5))
    dx = np.zeros_like(x, dtype=float)
    for u in range(k):
        for v in range(k):
            hit = win[:, :, :, :, u, v] == mx                                     # (N, C, Ho, Wo)
            dx[:, :, u:u + s * (Ho - 1) + 1:s, v:v + s * (Wo - 1) + 1:s] += hit * dout
    return dx
