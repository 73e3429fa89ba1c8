"""The fully connected layer's parameter gradients dW = dYᵀ·X and db = Σ dY, dW in the weight's own layout.

A column-major weight (see ``layout.py``) wants a column-major gradient, so the optimizer's
update ``W -= lr·dW`` walks both arrays in the same order. Computed as ``(Xᵀ·dY)ᵀ`` that gradient
would be a transposed view, which the engine must copy before a leaf may keep it; the fast paths
have BLAS write the product straight into column-major storage instead, so there is neither a
view nor a copy. They also sum the bias gradient with the ufunc's own reduction, skipping the
wrapper layers a generic ``sum`` goes through (at small batch sizes those layers cost more than the sum).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .kernels import example, register


@register("linear_param_grads")
def _linear_param_grads_portable(grad: Any, x: Any, column_major: bool, need_w: bool, need_b: bool, xp: Any) -> tuple[Any, Any]:
    """(dYᵀ·X, Σ_rows dY) for 2-D ``grad`` (batch, out) and ``x`` (batch, in); None where not needed."""
    return (grad.mT @ x if need_w else None), (xp.sum(grad, axis=0) if need_b else None)


def _param_grads(
    lib: Any, sum_rows: Any, grad: Any, x: Any, column_major: bool, need_w: bool, need_b: bool
) -> tuple[Any, Any]:
    gw = None
    if need_w and column_major:
        dtype = grad.dtype if grad.dtype == x.dtype else lib.result_type(grad, x)
        gw = lib.empty((grad.shape[1], x.shape[1]), dtype=dtype, order="F")
        lib.matmul(x.T, grad, out=gw.T)  # gw.T is the row-major (in, out) product Xᵀ·dY
    elif need_w:
        gw = grad.T @ x
    return gw, (sum_rows(grad, axis=0) if need_b else None)


@register("linear_param_grads", "numpy")
def _linear_param_grads_numpy(grad: Any, x: Any, column_major: bool, need_w: bool, need_b: bool, xp: Any) -> tuple[Any, Any]:
    """(dYᵀ·X, Σ_rows dY); dW column-major when ``column_major`` (written in place by BLAS, no copy)."""
    return _param_grads(np, np.add.reduce, grad, x, column_major, need_w, need_b)


@register("linear_param_grads", "cupy")
def _linear_param_grads_cupy(grad: Any, x: Any, column_major: bool, need_w: bool, need_b: bool, xp: Any) -> tuple[Any, Any]:
    """(dYᵀ·X, Σ_rows dY) on the GPU; dW column-major when ``column_major``."""
    import cupy  # only reached with cupy arrays

    return _param_grads(cupy, cupy.sum, grad, x, column_major, need_w, need_b)


@example("linear_param_grads")
def _linear_param_grads_example(xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    rng = np.random.default_rng(5)
    grad = rng.standard_normal((6, 3)).astype(np.float32)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    return (xp.asarray(grad), xp.asarray(x), True, True, True, xp), {}
