"""What lesson 08's exercises share: the references (dlkit's conv2d, max_pool2d and im2col on float64, with their
autograd for the gradients), the window arithmetic the known mistakes are written with, and case drawing.

Layout as in PyTorch: x (N, C, H, W), weight (F, C, kh, kw), b (F,); an int stride and zero padding on both sides
of height and width. The known mistakes compute in float64 (a float32 case is compared to F32 tolerances).
"""
from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

import numpy as np

from ...harness.guard import reference
from .. import _dlkit
from .._common import distinct

CONV_BLOCKED = ("conv", "im2col", "unfold", "col2im")
POOL_BLOCKED = ("max_pool", "maxpool", "pool")


@reference("conv helper")
def out_size(n: int, k: int, s: int, p: int) -> int:
    """⌊(n + 2p − k)/s⌋ + 1: output positions along one axis."""
    return (n + 2 * p - k) // s + 1


@reference("conv helper")
def pad(x: np.ndarray, p: int) -> np.ndarray:
    """``p`` zeros on both sides of height and width."""
    return np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))


def windows(ho: int, wo: int, kh: int, kw: int, s: int) -> Iterator[tuple[int, int, Any]]:
    """(i, j, the slice of output position (i, j)'s window) for every output position."""
    for i in range(ho):
        for j in range(wo):
            yield i, j, np.s_[:, :, i * s:i * s + kh, j * s:j * s + kw]


def pool_view(x: np.ndarray, k: int, s: int) -> np.ndarray:
    """(N, C, Ho, Wo, k, k): every k × k window of x, keeping every s-th position."""
    return np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]


def f64(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A known mistake computed on float64 copies of its array arguments (a float32 case included)."""
    def wrapped(*args: Any) -> Any:
        return fn(*(np.asarray(a, dtype=np.float64) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
                    for a in args))
    wrapped.__name__ = getattr(fn, "__name__", "mistake")
    return wrapped


def like(result: np.ndarray, x: Any) -> np.ndarray:
    """``result`` in the dtype of the float array ``x``: an oracle stands in for a learner's function, which keeps
    its input's dtype (a float32 layer stays float32)."""
    dtype = np.asarray(x).dtype
    return result.astype(dtype) if dtype.kind == "f" else result


@reference("cnn conv2d reference")
def conv(x: np.ndarray, weight: np.ndarray, b: np.ndarray, stride: int, padding: int) -> np.ndarray:
    """dlkit's F.conv2d on float64 tensors."""
    import dlkit.functional as F

    return _dlkit.numpy(F.conv2d(_dlkit.tensor64(x), _dlkit.tensor64(weight), _dlkit.tensor64(b),
                                 stride=stride, padding=padding))


@reference("cnn conv2d gradient reference")
def conv_grads(dout: np.ndarray, x: np.ndarray, weight: np.ndarray, b: np.ndarray, stride: int,
               padding: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dx, dweight, db) of F.conv2d, by dlkit's autograd with ``dout`` as the output's gradient."""
    import dlkit.functional as F

    t = [_dlkit.tensor64(a, requires_grad=True) for a in (x, weight, b)]
    F.conv2d(*t, stride=stride, padding=padding).backward(_dlkit.tensor64(dout))
    return tuple(_dlkit.numpy(a.grad) for a in t)


@reference("cnn max_pool2d reference")
def pool(x: np.ndarray, kernel_size: int, stride: int) -> np.ndarray:
    """dlkit's F.max_pool2d on float64 tensors."""
    import dlkit.functional as F

    return like(_dlkit.numpy(F.max_pool2d(_dlkit.tensor64(x), kernel_size, stride)), x)


@reference("cnn max_pool2d gradient reference")
def pool_grad(dout: np.ndarray, x: np.ndarray, kernel_size: int, stride: int) -> np.ndarray:
    """dx of F.max_pool2d by dlkit's autograd: each window's gradient to its first maximum (row-major)."""
    import dlkit.functional as F

    want = np.shape(x)[:2] + tuple(out_size(n, kernel_size, stride, 0) for n in np.shape(x)[2:])
    if np.shape(dout) != want:  # what a Function's backward that lost its kernel_size or stride runs into
        raise ValueError(f"maxpool_backward: dout has shape {np.shape(dout)}, but kernel_size={kernel_size} and "
                         f"stride={stride} pool x {np.shape(x)} to {want}")
    t = _dlkit.tensor64(x, requires_grad=True)
    F.max_pool2d(t, kernel_size, stride).backward(_dlkit.tensor64(dout))
    return like(_dlkit.numpy(t.grad), x)


@reference("cnn im2col reference")
def im2col(x: np.ndarray, kh: int, kw: int, stride: int, padding: int) -> np.ndarray:
    """dlkit's im2col (channels last, columns (u, v, c)) reordered to the lesson's columns (c, u, v)."""
    from dlkit.backend.convolution import im2col as backend_im2col

    n, c, h, w = x.shape
    out = (out_size(h, kh, stride, padding), out_size(w, kw, stride, padding))
    nhwc = np.ascontiguousarray(pad(x, padding).transpose(0, 2, 3, 1))
    cols = backend_im2col(nhwc, (kh, kw), (stride, stride), out)
    return cols.reshape(-1, kh, kw, c).transpose(0, 3, 1, 2).reshape(-1, c * kh * kw)


def through_adapter(name: str, op: str, out: np.ndarray, grads: tuple, args: Sequence[Any]) -> tuple:
    """What the notebook's check, ``function_of_arrays``, makes of a Function class called ``name`` whose forward
    returns ``out`` and backward ``grads``, called on ``args``: those arrays, or the error it raises for a
    gradient of the wrong shape or dtype (as a learner's class gets it)."""
    from ...harness.function_classes import function_of_arrays

    methods = {"forward": staticmethod(lambda ctx, *arrays, **consts: out),
               "backward": staticmethod(lambda ctx, grad: grads)}
    return function_of_arrays(type(name, (), methods), op)(*args)


def tied(rng: np.random.Generator, shape: tuple[int, ...], kind: str) -> np.ndarray:
    """Inputs with ties for the maximum: a few integer "levels", or half the values exactly 0 ("relu")."""
    if kind == "relu":
        return np.maximum(distinct(rng, shape), 0.0)
    return rng.integers(0, 3, size=shape).astype(np.float64)


def drawn_conv(rng: np.random.Generator, count: int) -> list[tuple]:
    """``count`` convolution shapes (N, C, H, W, F, kh, kw, stride, padding) drawn from the case seed: H ≠ W,
    kh ≠ kw, windows that overlap (stride < kernel) and a padding below the kernel size."""
    rows: list[tuple] = []
    while len(rows) < count:
        n, c, f = (int(v) for v in rng.integers(1, 4, size=3))
        kh, kw = (int(v) for v in rng.choice([1, 2, 3, 4], size=2, replace=False))
        s, p = int(rng.integers(1, 3)), int(rng.integers(0, 3))
        h, w = (int(v) for v in rng.choice(np.arange(max(kh, kw) + 2, 10), size=2, replace=False))
        if s < max(kh, kw) and p < min(kh, kw) + 1:
            rows.append((n, c, h, w, f, kh, kw, s, p))
    return rows


def as_dtype(args: dict[str, Any], dtype: str, names: Sequence[str]) -> dict[str, Any]:
    """The named float arrays of ``args`` stored as ``dtype``."""
    return {k: (v.astype(dtype) if k in names else v) for k, v in args.items()}
