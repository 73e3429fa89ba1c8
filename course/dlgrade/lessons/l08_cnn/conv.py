"""2-D convolution and max pooling, NCHW, as in PyTorch.

- conv2d: x (N, C, H, W), weight (F, C, kh, kw), b (F,), an int stride and zero padding;
  a cross-correlation (no kernel flip), output (N, F, (H + 2p − kh)//s + 1, (W + 2p − kw)//s + 1).
- max_pool2d: square kernel ``kernel_size``, ``stride``, no padding; the gradient of each window goes to
  its maximum and adds up where windows overlap. Where several elements of a window tie for the
  maximum, the whole gradient goes to the FIRST of them in row-major order (top row first, left to
  right), as in dlkit and PyTorch; every backward exercise has cases with ties.
References loop over output positions with numpy (clear, and fast enough for test sizes).
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .._common import distinct, make_case, pick

# (N, C, H, W, F, k, stride, padding): H != W so swapped spatial axes show.
_CONV = ([(2, 3, 5, 6, 4, 3, 1, 1), (1, 2, 7, 5, 3, 3, 2, 0), (3, 1, 4, 4, 2, 2, 2, 1)],
         [(2, 2, 6, 5, 3, 3, 1, 0), (1, 3, 5, 7, 2, 3, 2, 1), (2, 1, 5, 5, 1, 2, 1, 2)])
# (N, C, H, W, k, stride): the second and third have overlapping windows.
_POOL = ([(2, 3, 4, 6, 2, 2), (1, 2, 5, 5, 3, 1), (2, 1, 6, 4, 2, 1)],
         [(1, 2, 6, 6, 3, 3), (2, 2, 5, 4, 2, 1), (3, 1, 7, 5, 3, 2)])
# Cases with ties for the backward: (N, C, H, W, k, stride, kind). "levels": a few integer levels, so most
# windows hold the maximum more than once; "relu": half the values exactly 0, as after a ReLU.
_POOL_TIES = ([(2, 2, 4, 6, 2, 2, "levels"), (1, 3, 5, 5, 3, 1, "relu")],
              [(2, 2, 6, 4, 2, 2, "relu"), (1, 2, 6, 5, 3, 2, "levels"), (2, 1, 5, 5, 2, 1, "levels")])
_CONV_BLOCKED = ("conv", "im2col", "unfold", "col2im")
_POOL_BLOCKED = ("max_pool", "maxpool", "pool")


@reference("conv helper")
def _out_size(n: int, k: int, s: int, p: int) -> int:
    return (n + 2 * p - k) // s + 1


@reference("conv helper")
def _windows(h: int, w: int, kh: int, kw: int, s: int):
    for i in range(_out_size(h, kh, s, 0)):
        for j in range(_out_size(w, kw, s, 0)):
            yield i, j, np.s_[:, :, i * s:i * s + kh, j * s:j * s + kw]


@reference("conv helper")
def _pad(x: np.ndarray, p: int) -> np.ndarray:
    return np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))


@reference("cnn.conv2d_forward reference")
def conv2d_forward(x, weight, b, stride, padding):
    """Cross-correlation of x with weight, plus b per output channel."""
    xp = _pad(x, padding)
    f, _, kh, kw = weight.shape
    out = np.empty((x.shape[0], f, _out_size(x.shape[2], kh, stride, padding),
                    _out_size(x.shape[3], kw, stride, padding)))
    for i, j, win in _windows(xp.shape[2], xp.shape[3], kh, kw, stride):
        out[:, :, i, j] = np.tensordot(xp[win], weight, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


@reference("cnn.conv2d_backward reference")
def conv2d_backward(dout, x, weight, b, stride, padding):
    """(dx, dweight, db) of conv2d_forward."""
    xp = _pad(x, padding)
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(weight)
    _, _, kh, kw = weight.shape
    for i, j, win in _windows(xp.shape[2], xp.shape[3], kh, kw, stride):
        d = dout[:, :, i, j]
        dw += np.tensordot(d, xp[win], axes=([0], [0]))
        dxp[win] += np.tensordot(d, weight, axes=([1], [0]))
    h, w = x.shape[2], x.shape[3]
    return dxp[:, :, padding:padding + h, padding:padding + w], dw, dout.sum(axis=(0, 2, 3))


@reference("cnn.max_pool_forward reference")
def max_pool_forward(x, kernel_size, stride):
    """Max over each kernel_size × kernel_size window."""
    n, c, h, w = x.shape
    out = np.empty((n, c, _out_size(h, kernel_size, stride, 0), _out_size(w, kernel_size, stride, 0)), dtype=x.dtype)
    for i, j, win in _windows(h, w, kernel_size, kernel_size, stride):
        out[:, :, i, j] = x[win].max(axis=(2, 3))
    return out


@reference("conv helper")
def _first_max_mask(patch: np.ndarray) -> np.ndarray:
    """True at the first maximum (row-major) of each (N, C, k, k) window, False elsewhere."""
    n, c, kh, kw = patch.shape
    first = patch.reshape(n, c, kh * kw).argmax(axis=2)          # argmax keeps the first of equal values
    return (np.arange(kh * kw) == first[..., None]).reshape(patch.shape)


@reference("cnn.max_pool_backward reference")
def max_pool_backward(dout, x, kernel_size, stride):
    """dx: each window's upstream gradient routed to its first maximum, summed over windows."""
    dx = np.zeros_like(x)
    for i, j, win in _windows(x.shape[2], x.shape[3], kernel_size, kernel_size, stride):
        dx[win] += _first_max_mask(x[win]) * dout[:, :, i, j][:, :, None, None]
    return dx


def _conv_cases(rng: np.random.Generator, hidden: bool, backward: bool):
    cases = []
    for n, c, h, w, f, k, s, p in pick(*_CONV, hidden):
        args = {"x": rng.normal(size=(n, c, h, w)), "weight": rng.normal(size=(f, c, k, k)),
                "b": rng.normal(size=f), "stride": s, "padding": p}
        if backward:
            ho, wo = _out_size(h, k, s, p), _out_size(w, k, s, p)
            args = {"dout": rng.normal(size=(n, f, ho, wo)), **args}
        cases.append(make_case(args, factors={"N": n}, note=f"stride {s}, padding {p}"))
    return cases


def _tied(rng: np.random.Generator, shape: tuple[int, ...], kind: str) -> np.ndarray:
    if kind == "relu":
        return np.maximum(distinct(rng, shape), 0.0)
    return rng.integers(0, 3, size=shape).astype(np.float64)


def _pool_cases(rng: np.random.Generator, hidden: bool, backward: bool):
    cases = []
    rows = [(*row, None) for row in pick(*_POOL, hidden)]
    if backward:
        rows += pick(*_POOL_TIES, hidden)
    for n, c, h, w, k, s, ties in rows:
        x = distinct(rng, (n, c, h, w)) if ties is None else _tied(rng, (n, c, h, w), ties)
        args = {"x": x, "kernel_size": k, "stride": s}
        note = f"kernel {k}, stride {s}" + ("" if ties is None else ", with ties for the maximum")
        if backward:
            ho, wo = _out_size(h, k, s, 0), _out_size(w, k, s, 0)
            args = {"dout": rng.normal(size=(n, c, ho, wo)), **args}
        cases.append(make_case(args, factors={"N": n}, note=note))
    return cases


def _flipped_forward(x, weight, b, stride, padding):
    return conv2d_forward(x, weight[:, :, ::-1, ::-1], b, stride, padding)


def _flipped_dw(dout, x, weight, b, stride, padding):
    dx, dw, db = conv2d_backward(dout, x, weight, b, stride, padding)
    return dx, dw[:, :, ::-1, ::-1], db


def _overwrite_dx(dout, x, weight, b, stride, padding):
    xp = _pad(x, padding)
    dxp = np.zeros_like(xp)
    _, _, kh, kw = weight.shape
    for i, j, win in _windows(xp.shape[2], xp.shape[3], kh, kw, stride):
        dxp[win] = np.tensordot(dout[:, :, i, j], weight, axes=([1], [0]))
    h, w = x.shape[2], x.shape[3]
    _, dw, db = conv2d_backward(dout, x, weight, b, stride, padding)
    return dxp[:, :, padding:padding + h, padding:padding + w], dw, db


def _avg_pool(x, k, s):
    n, c, h, w = x.shape
    out = np.empty((n, c, _out_size(h, k, s, 0), _out_size(w, k, s, 0)))
    for i, j, win in _windows(h, w, k, k, s):
        out[:, :, i, j] = x[win].mean(axis=(2, 3))
    return out


def _pool_back_variant(mode):
    def back(dout, x, k, s):
        dx = np.zeros_like(x)
        for i, j, win in _windows(x.shape[2], x.shape[3], k, k, s):
            patch = x[win]
            tied = patch == patch.max(axis=(2, 3), keepdims=True)
            first = _first_max_mask(patch)
            g = dout[:, :, i, j][:, :, None, None]
            if mode == "overwrite":
                dx[win] = np.where(first, g, dx[win])
            elif mode == "all":
                dx[win] += g + 0 * first
            elif mode == "average":
                dx[win] += g / (k * k) + 0 * first
            elif mode == "tie_all":    # every tied maximum gets the whole gradient
                dx[win] += tied * g
            elif mode == "tie_split":  # the gradient shared equally among the tied maxima
                dx[win] += tied * g / tied.sum(axis=(2, 3), keepdims=True)
            else:  # "tie_last": the last maximum in row-major order
                n, c = patch.shape[:2]
                flipped = tied.reshape(n, c, k * k)[:, :, ::-1]
                last = k * k - 1 - flipped.argmax(axis=2)
                dx[win] += (np.arange(k * k) == last[..., None]).reshape(patch.shape) * g
        return dx
    return back


_TIES = ("When several elements of a window tie for the maximum, the whole gradient goes to the FIRST of them "
         "in row-major order (top row first, then left to right), as in dlkit and PyTorch; the other tied "
         "elements get 0. ")


_OVERWRITE = ("where windows overlap, gradients must add up (+=), not overwrite (=): an input "
              "used by several outputs receives the sum of their gradients.")

register(Exercise(
    "cnn.conv2d_forward", "conv2d_forward(x (N,C,H,W), weight (F,C,kh,kw), b (F,), stride, padding) -> (N,F,Ho,Wo)",
    conv2d_forward, lambda r, h: _conv_cases(r, h, False), blocked=_CONV_BLOCKED,
    mistakes=(KnownMistake("flipped_kernel", "the kernel is flipped: deep-learning 'convolution' is a "
                           "cross-correlation, sum of x[window] * weight without reversing weight.", _flipped_forward),),
))
register(Exercise(
    "cnn.conv2d_backward", "conv2d_backward(dout, x, weight, b, stride, padding) -> (dx, dweight, db)",
    conv2d_backward, lambda r, h: _conv_cases(r, h, True),
    outputs=(Output("dx"), Output("dweight"), Output("db")), blocked=_CONV_BLOCKED,
    mistakes=(
        KnownMistake("flipped_kernel", "dweight is flipped: dweight[f, c, u, v] = Σ dout[n, f, i, j] · "
                     "x_padded[n, c, i·s + u, j·s + v], with no reversal.", _flipped_dw),
        KnownMistake("overwrite", _OVERWRITE, _overwrite_dx),
    ),
))
register(Exercise(
    "cnn.max_pool_forward", "max_pool_forward(x (N,C,H,W), kernel_size, stride) -> (N,C,Ho,Wo)",
    max_pool_forward, lambda r, h: _pool_cases(r, h, False), blocked=_POOL_BLOCKED,
    mistakes=(KnownMistake("average_pool", "this is average pooling: take the max of each window.",
                           _avg_pool),),
))
register(Exercise(
    "cnn.max_pool_backward", "max_pool_backward(dout, x, kernel_size, stride) -> dx (N,C,H,W)",
    max_pool_backward, lambda r, h: _pool_cases(r, h, True), blocked=_POOL_BLOCKED,
    mistakes=(
        KnownMistake("overwrite", _OVERWRITE, _pool_back_variant("overwrite")),
        KnownMistake("not_routed_to_max", "the gradient must go only to each window's maximum "
                     "(the other inputs did not affect the output).", _pool_back_variant("all")),
        KnownMistake("average_pool", "this is average pooling's gradient: max pooling routes the whole "
                     "gradient to the window's maximum.", _pool_back_variant("average")),
        KnownMistake("tie_all", "right without ties, wrong with them: every tied maximum got the whole gradient "
                     "(a mask `win == win.max()` marks them all). " + _TIES + "Keep a record of the windows "
                     "whose maximum has been found and skip later hits.", _pool_back_variant("tie_all")),
        KnownMistake("tie_split", "right without ties, wrong with them: the gradient was shared among the tied "
                     "maxima. " + _TIES + "Splitting would be a valid subgradient, but it is not what the "
                     "library computes, and the checks compare with the library.", _pool_back_variant("tie_split")),
        KnownMistake("tie_last", "right without ties, wrong with them: the gradient went to the LAST tied "
                     "maximum. " + _TIES + "A scan that replaces the maximum only on a strictly larger value "
                     "keeps the first.", _pool_back_variant("tie_last")),
    ),
))
