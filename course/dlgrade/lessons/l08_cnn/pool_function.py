"""Lesson 08-cnn-training: the learner's max pooling as a dlkit autograd Function, ``MaxPool2dFn``.

Checked through ``function_of_arrays(MaxPool2dFn, "max_pool2d")``: ``(x, kernel_size, stride, grad) -> (out, dx)``,
the same numbers as cnn.max_pool_forward and cnn.max_pool_backward. ``MaxPool2dFn`` calls the learner's
``maxpool_forward`` and ``maxpool_backward``, graded on their own: while this exercise runs those two names answer
with the references, so it grades the wrapping (saving kernel_size and stride on ctx, passing them on, returning a
gradient of x's shape and dtype); a learner who pools inline is graded on the whole. The cases have no ties (the
tie rule is graded once, in cnn.max_pool_backward) and put float32 first.
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .._common import distinct, make_case, pick
from . import _conv
from ._conv import out_size, pool, pool_grad, pool_view, through_adapter
from .pool_backward import offsets
from .pool_forward import _not_strided

_ORACLES = {"maxpool_forward": "ex:cnn.max_pool_forward", "maxpool_backward": "ex:cnn.max_pool_backward"}

# (N, C, H, W, k, stride, dtype): windows that tile, overlap (stride < k) and leave a remainder; H ≠ W.
_ROWS = ([(2, 4, 6, 6, 2, 2, "float32"), (2, 3, 4, 6, 2, 2, "float64"), (1, 2, 5, 7, 3, 1, "float64"),
          (2, 1, 7, 5, 3, 2, "float64")],
         [(3, 3, 8, 6, 2, 2, "float32"), (1, 2, 6, 6, 3, 3, "float64"), (2, 2, 5, 4, 2, 1, "float64"),
          (1, 2, 7, 8, 3, 2, "float64")])


@reference("cnn.max_pool_function reference")
def max_pool_function(x, kernel_size, stride, grad):
    """(out, dx) of a max-pooling Function: forward, then backward with ``grad``."""
    return pool(x, kernel_size, stride), pool_grad(grad, x, kernel_size, stride)


def _cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for i, (n, c, h, w, k, s, dtype) in enumerate(pick(*_ROWS, hidden)):
        x = distinct(rng, (n, c, h, w))
        x = x - x.max() - 0.05 if i == 1 else x  # every value negative: a maximum that starts at 0 shows
        args = {"x": x, "kernel_size": k, "stride": s,
                "grad": rng.normal(size=(n, c, out_size(h, k, s, 0), out_size(w, k, s, 0)))}
        args = _conv.as_dtype(args, dtype, ("x", "grad"))
        cases.append(make_case(args, factors={"N": n}, note=f"kernel {k}, stride {s}, {dtype}"))
    return cases


def _variant(mode: str):
    """A MaxPool2dFn with one mistake, as the notebook's check sees it (through the adapter)."""
    def run(x, k, s, grad):
        xs, gs = np.asarray(x, dtype=np.float64), np.asarray(grad, dtype=np.float64)
        view = pool_view(xs, k, s)
        out = {"average_pool": view.mean(axis=(4, 5)), "min_pool": view.min(axis=(4, 5)),
               "max_starts_at_zero": np.maximum(view.max(axis=(4, 5)), 0.0),
               "window_not_strided": _not_strided(xs, k, s), "stride_is_kernel": pool(xs, k, k),
               "forward_defaults": pool(xs, 2, 2)}.get(mode, view.max(axis=(4, 5)))
        # backward: the geometry passed on to maxpool_backward, or an inline loop's own mistake
        kb, sb = {"ctx_defaults": (2, 2), "arguments_swapped": (s, k), "stride_as_kernel": (s, s)}.get(mode, (k, s))
        if mode == "average_pool":
            dx = _spread(gs, xs, k, s, 1.0 / (k * k))
        elif mode == "not_routed_to_max":
            dx = _spread(gs, xs, k, s, 1.0)
        elif mode == "min_pool":
            dx = pool_grad(gs, -xs, k, s)
        elif mode == "window_not_strided":
            dx = _not_strided_grad(gs, xs, k, s)
        elif mode == "ctx_defaults_inline":  # the offsets loop with kernel 2 and stride 2, forward's out saved
            dx = offsets(gs, xs, 2, 2, out=out)
        elif mode == "overwrite_offsets":
            dx = offsets(gs, xs, k, s, assign=True)
        elif mode == "max_starts_at_zero":  # the offsets loop finds no hit in an all-negative window
            dx = offsets(gs, xs, k, s, out=out)
        elif mode in ("upstream_returned", "stride_is_kernel", "forward_defaults"):
            dx = gs if mode == "upstream_returned" else pool_grad(gs, xs, k, s)  # forward's shape decides first
        else:
            dx = pool_grad(gs, xs, kb, sb)
        out, dx = np.asarray(out).astype(x.dtype), np.asarray(dx).astype(x.dtype)
        dx = dx.astype(np.float64) if mode == "dtype_changed" else dx
        return through_adapter("MaxPool2dFn", "max_pool2d", out, (dx,), (x, k, s, grad))
    return run


def _spread(grad, x, k, s, share):
    """Every element of window (i, j) gets ``share`` of grad[:, :, i, j]."""
    dx = np.zeros_like(x)
    for i, j, win in _conv.windows(grad.shape[2], grad.shape[3], k, k, s):
        dx[win] += share * grad[:, :, i, j][:, :, None, None]
    return dx


def _not_strided_grad(grad, x, k, s):
    """Windows (i, j) at (i, j), not (i·s, j·s): each gradient to its window's first maximum."""
    dx = np.zeros_like(x)
    for i, j, win in _conv.windows(grad.shape[2], grad.shape[3], k, k, 1):
        patch = x[win].reshape(*x.shape[:2], k * k)
        first = (np.arange(k * k) == patch.argmax(axis=2)[..., None]).reshape(x[win].shape)
        dx[win] += first * grad[:, :, i, j][:, :, None, None]
    return dx


_FWD, _BACK = "forward", "backward"
_CTX = ("backward used kernel 2 and stride 2, not the kernel_size and stride forward was called with: save them on "
        "ctx in forward and use them in backward.")
_MISTAKES = (KnownMistake("ctx_defaults", _CTX, _variant("ctx_defaults_inline"), _BACK, r"range\(\s*2\s*\)"),) + \
    tuple(KnownMistake(code, msg, _variant(code), look, rx) for code, msg, look, rx in (
    ("average_pool", "this is average pooling: forward takes the MAX of each window, and backward routes the "
     "window's whole gradient to that maximum.", _FWD, r"mean"),
    ("min_pool", "this is the MINIMUM of each window: max pooling keeps the largest value (and backward routes "
     "the gradient to it).", _FWD, r"min"),
    ("max_starts_at_zero", "the maximum starts at 0: a window whose values are all negative gives 0. Start from "
     "-inf (np.full(shape, -np.inf)).", _FWD, r"zeros"),
    ("not_routed_to_max", "every element of a window got the window's gradient; only the maximum affected the "
     "output, so only it gets the gradient (the others get 0).", _BACK, r"\+="),
    ("overwrite_offsets", "each offset's slice must be ADDED into dx (+=): the slices of overlapping windows share "
     "pixels, and `=` replaces what an earlier offset put there.", _BACK, r"\]\s*=\s*hit"),
    ("window_not_strided", "window (i, j) starts at (i·stride, j·stride), not at (i, j): multiply the position "
     "by the stride.", _FWD, r"\bi\s*:\s*i\s*\+"),
    ("ctx_defaults", _CTX, _BACK, r"maxpool_backward\("),
    ("arguments_swapped", "backward passed (stride, kernel_size) to maxpool_backward: its signature is "
     "(dout, x, kernel_size, stride).", _BACK, r"maxpool_backward\("),
    ("stride_as_kernel", "backward passed the stride as the kernel size too: maxpool_backward(grad, x, "
     "ctx.kernel_size, ctx.stride).", _BACK, r"maxpool_backward\("),
    ("stride_is_kernel", "the windows move by kernel_size, not by `stride`: with stride < kernel_size they "
     "overlap, and there are ⌊(H − k)/stride⌋ + 1 of them.", _FWD, r"//\s*k"),
    ("forward_defaults", "forward pooled 2 × 2 windows with stride 2 whatever it was given: pass its "
     "kernel_size and stride on to maxpool_forward.", _FWD, r"maxpool_forward\("),
    ("upstream_returned", "backward returned the upstream gradient itself: return the gradient of x, "
     "(maxpool_backward(grad, x, ctx.kernel_size, ctx.stride),).", _BACK, r"return"),
    ("dtype_changed", "dx came back as float64 for float32 inputs: keep the input's dtype "
     "(np.zeros_like(x)), or every layer after it computes in float64.", _BACK, r"zeros\("),
))

register(Exercise(
    "cnn.max_pool_function",
    "function_of_arrays(MaxPool2dFn, 'max_pool2d'): (x, kernel_size, stride, grad) -> (out, dx)",
    max_pool_function, _cases, outputs=(Output("out"), Output("dx")),
    blocked=_conv.CONV_BLOCKED + _conv.POOL_BLOCKED, mistakes=_MISTAKES, oracles=_ORACLES, rtol=1e-4, atol=1e-5,
    hints=frozenset({"mask"}),
))
