"""Lesson 08-cnn-training: maxpool_backward(dout, x, kernel_size, stride) -> dx (N,C,H,W): each window's gradient
goes to its maximum and adds up where windows overlap. Where several elements of a window tie for the maximum,
the whole gradient goes to the FIRST of them in row-major order, as in dlkit and PyTorch (the reference is dlkit's
autograd through F.max_pool2d); every run has cases with ties.

The lesson's recipe recomputes ``out`` with maxpool_forward, graded on its own: while this exercise runs, that
name answers with the reference.
"""
from __future__ import annotations

import numpy as np

from ...registry import Exercise, KnownMistake, register
from .._draw import F32_ATOL, F32_RTOL
from . import _conv
from ._conv import f64, out_size, pool_grad, pool_view, windows
from .pool_forward import pool_cases


def _pick(patch: np.ndarray, rule: str) -> np.ndarray:
    """The share of a window's gradient each element of ``patch`` (N, C, k, k) gets under ``rule``."""
    n, c, k, _ = patch.shape
    flat = patch.reshape(n, c, k * k)
    tied = flat == flat.max(axis=2, keepdims=True)
    first = np.arange(k * k) == flat.argmax(axis=2)[..., None]
    share = {"first": first, "all": tied, "split": tied / tied.sum(axis=2, keepdims=True),
             "last": np.arange(k * k) == (k * k - 1 - tied[..., ::-1].argmax(axis=2))[..., None],
             "min": np.arange(k * k) == flat.argmin(axis=2)[..., None],
             "every": np.ones_like(flat), "average": np.full(flat.shape, 1.0 / (k * k))}[rule]
    share = share.reshape(patch.shape).astype(float)
    return share


def _route(rule: str = "first", amount: str = "dout", t: str = "stride", add: bool = True, swap: bool = False):
    """A backward pass that sends each window's ``amount`` (dout, 1, or the input's value) to ``rule``'s elements,
    windows placed ``t`` apart ("stride", "one", or "kernel": non-overlapping), ``add`` (+=) or overwrite (=),
    ``swap``: each element's row and column inside the window exchanged."""
    def run(dout, x, k, s):
        step = {"stride": s, "one": 1, "kernel": k}[t]
        ho, wo = dout.shape[2:]
        if t == "kernel":  # the windows of stride k that dout has a gradient for
            ho, wo = min(ho, out_size(x.shape[2], k, k, 0)), min(wo, out_size(x.shape[3], k, k, 0))
        dx = np.zeros_like(x)
        for i, j, win in windows(ho, wo, k, k, step):
            share = _pick(x[win], rule)
            if swap:
                share = share.swapaxes(2, 3)
            g = {"dout": dout[:, :, i, j][:, :, None, None], "ones": 1.0, "values": x[win]}[amount]
            dx[win] = dx[win] + share * g if add else np.where(share > 0, share * g, dx[win])
        return dx
    return run


def offsets(dout, x, k, s, assign=False, out=None):
    """The lesson's recipe: a loop over the k × k offsets, each window claimed by its first maximum (``taken``),
    the hits added (+=) into the offset's strided slice of dx, or assigned (=) with ``assign``; ``out`` is the
    forward's output (recomputed when not given)."""
    ho, wo = dout.shape[2:]
    out = pool_view(x, k, s).max(axis=(4, 5)) if out is None else out
    dx, taken = np.zeros_like(x), np.zeros(out.shape, dtype=bool)
    for u in range(k):
        for v in range(k):
            sl = np.s_[:, :, u:u + s * (ho - 1) + 1:s, v:v + s * (wo - 1) + 1:s]
            hit = (x[sl] == out) & ~taken
            taken |= hit
            dx[sl] = hit * dout if assign else dx[sl] + hit * dout
    return dx


_TIES = "The whole gradient goes to the FIRST maximum in row-major order (top row first, then left to right)"
_ROUTE = "the line that routes the gradient"
_MISTAKES = tuple(KnownMistake(code, msg, f64(fn), look, rx) for code, msg, fn, look, rx in (
    ("overwrite", "where windows overlap, gradients must add up (+=), not overwrite (=): an input that is the "
     "maximum of several windows receives the sum of their gradients.", _route(add=False), _ROUTE,
     r"\]\s*=[^=]"),
    ("overwrite_offsets", "each offset's slice must be ADDED into dx (+=): the slices of overlapping windows share "
     "pixels, and `=` replaces what an earlier offset put there (zeros included).",
     lambda d, x, k, s: offsets(d, x, k, s, assign=True), "the line that writes the offset's slice of dx",
     r"\]\s*=\s*hit"),
    ("not_routed_to_max", "the gradient must go only to each window's maximum: the other inputs did not affect "
     "the output, so they get 0.", _route("every"), _ROUTE, r"\+="),
    ("average_pool", "this is average pooling's gradient: max pooling routes the window's whole gradient to its "
     "maximum.", _route("average"), _ROUTE, r"/\s*\(?\s*k"),
    ("tie_all", f"right without ties, wrong with them: every tied maximum got the whole gradient (win == "
     f"win.max() marks them all). {_TIES}; skip later hits.", _route("all"), _ROUTE, r"==\s*\w*\.?max"),
    ("tie_split", f"right without ties, wrong with them: the gradient was shared among the tied maxima. {_TIES}, "
     "as in the library the checks compare with.", _route("split"), _ROUTE, r"/\s*\w*\.?sum"),
    ("tie_last", f"right without ties, wrong with them: the gradient went to the LAST tied maximum. {_TIES}: "
     "replace the maximum only on a strictly larger value.", _route("last"), _ROUTE, r">="),
    ("routed_to_min", "the gradient went to each window's MINIMUM: it belongs to the maximum, the element that "
     "reached the output.", _route("min"), _ROUTE, r"argmin|min\("),
    ("ones_not_dout", "each maximum got 1, not the window's upstream gradient: add dout[n, c, i, j] (the chain "
     "rule: local derivative 1 times the gradient arriving).", _route(amount="ones"), _ROUTE, r"\+=\s*(1|hit|mask)"),
    ("values_not_gradient", "each maximum got its own VALUE (the forward output): the backward pass sends it "
     "the upstream gradient dout[n, c, i, j].", _route(amount="values"), _ROUTE, r"\+=.*\bx\b"),
    ("row_col_swapped", "the gradient lands at (column, row) of the maximum's place in its window: unravel the "
     "flat index as (index // k, index % k), row first.", _route(swap=True), "the line that unravels argmax",
     r"%\s*k\s*,|divmod|unravel"),
    ("stride_is_kernel", "the windows move by kernel_size, not by `stride`: with stride < kernel_size they "
     "overlap, and each has its own gradient dout[:, :, i, j].", _route(t="kernel"), "the window slice",
     r"\*\s*k\b"),
    ("window_not_strided", "window (i, j) starts at (i·stride, j·stride), not at (i, j): multiply the position "
     "by the stride.", _route(t="one"), "the window slice", r"\bi\s*:\s*i\s*\+"),
))

register(Exercise(
    "cnn.max_pool_backward", "max_pool_backward(dout, x, kernel_size, stride) -> dx (N,C,H,W)",
    pool_grad, lambda r, h: pool_cases(r, h, True), blocked=_conv.POOL_BLOCKED, mistakes=_MISTAKES,
    oracles={"maxpool_forward": "ex:cnn.max_pool_forward"}, rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"mask"}),
))
