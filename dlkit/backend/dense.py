"""Array operations for the backward pass of dense layers: the seed gradient, a bias gradient as the
sum of rows, and the weight gradient dW = dYᵀ·X written in the weight's own layout.

A column-major weight (``storage.py``) wants a column-major gradient, so the optimizer's update
``W -= lr·dW`` walks both arrays in the same order. Computed as ``(Xᵀ·dY)ᵀ`` that gradient would be a
transposed view, which the engine must copy before a leaf may keep it; the fast paths have BLAS
write the product straight into column-major storage instead, so there is neither a view nor a copy.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .devices import namespace_of
from .dispatch import op
from .storage import is_column_major


def _ones_like_numpy(x: Any) -> Any:
    # np.array is one C call; np.ones (and the array-API wrapper) go through Python layers that a
    # training step runs nowhere else, so they are cold in the cache every time.
    return np.array(1, dtype=x.dtype) if x.ndim == 0 else np.ones(x.shape, dtype=x.dtype)


@op(numpy=_ones_like_numpy)
def ones_like(x: Any) -> Any:
    """Ones of ``x``'s shape and dtype: the seed gradient of a backward pass."""
    return namespace_of(x).ones_like(x)


def _sum_rows_numpy(rows: Any) -> Any:
    # For tall arrays (a conv layer has one row per output pixel) a matrix-vector product with
    # ones runs in BLAS, on every thread, ~5x faster than the reduction (and no less accurate:
    # BLAS accumulates in blocks too). Short arrays are not worth a BLAS call.
    if rows.shape[0] >= 4096 and rows.dtype.kind == "f" and rows.dtype.itemsize >= 4:
        return np.ones(rows.shape[0], dtype=rows.dtype) @ rows
    return np.add.reduce(rows, axis=0)


@op(numpy=_sum_rows_numpy)
def sum_rows(rows: Any) -> Any:
    """The sum over axis 0 of a 2-D array (M, K): a bias gradient from its output gradient as rows
    (a dense layer's batch, a conv layer's output pixels)."""
    return namespace_of(rows).sum(rows, axis=0)


def _weight_grad_blas(lib: Any, grad: Any, x: Any, weight: Any) -> Any:
    if not is_column_major(weight):
        return grad.T @ x
    dtype = grad.dtype if grad.dtype == x.dtype else lib.result_type(grad, x)
    gw = lib.empty((grad.shape[1], x.shape[1]), dtype=dtype, order="F")
    lib.matmul(x.T, grad, out=gw.T)  # gw.T is the row-major (in, out) product Xᵀ·dY
    return gw


def _linear_weight_grad_numpy(grad: Any, x: Any, weight: Any) -> Any:
    return _weight_grad_blas(np, grad, x, weight)


def _linear_weight_grad_cupy(grad: Any, x: Any, weight: Any) -> Any:
    import cupy  # only reached with cupy arrays

    return _weight_grad_blas(cupy, grad, x, weight)


@op(numpy=_linear_weight_grad_numpy, cupy=_linear_weight_grad_cupy)
def linear_weight_grad(grad: Any, x: Any, weight: Any) -> Any:
    """dYᵀ·X for 2-D ``grad`` (batch, out) and ``x`` (batch, in): the (out, in) gradient of ``weight``,
    in ``weight``'s layout (column-major for a column-major weight)."""
    return grad.mT @ x
