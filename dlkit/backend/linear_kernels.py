"""The fully connected layer's weight gradient dW = dYᵀ·X, produced in the weight's own layout.

A column-major weight (see ``layout.py``) wants a column-major gradient, so the optimizer's
update ``W -= lr·dW`` walks both arrays in the same order. Computed as ``(Xᵀ·dY)ᵀ`` that gradient
would be a transposed view, which the engine must copy before a leaf may keep it; the fast paths
have BLAS write the product straight into column-major storage instead, so there is neither a
view nor a copy.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .kernels import example, register


@register("linear_weight_grad")
def _linear_weight_grad_portable(grad: Any, x: Any, column_major: bool, xp: Any) -> Any:
    """dYᵀ·X for 2-D ``grad`` (batch, out) and ``x`` (batch, in): (out, in), row-major."""
    return grad.mT @ x


def _weight_grad(lib: Any, grad: Any, x: Any, column_major: bool) -> Any:
    if not column_major:
        return grad.T @ x
    dtype = grad.dtype if grad.dtype == x.dtype else lib.result_type(grad, x)
    gw = lib.empty((grad.shape[1], x.shape[1]), dtype=dtype, order="F")
    lib.matmul(x.T, grad, out=gw.T)  # gw.T is the row-major (in, out) product Xᵀ·dY
    return gw


@register("linear_weight_grad", "numpy")
def _linear_weight_grad_numpy(grad: Any, x: Any, column_major: bool, xp: Any) -> Any:
    """dYᵀ·X, column-major when ``column_major`` (written in place by BLAS, no copy)."""
    return _weight_grad(np, grad, x, column_major)


@register("linear_weight_grad", "cupy")
def _linear_weight_grad_cupy(grad: Any, x: Any, column_major: bool, xp: Any) -> Any:
    """dYᵀ·X on the GPU, column-major when ``column_major``."""
    import cupy  # only reached with cupy arrays

    return _weight_grad(cupy, grad, x, column_major)


@example("linear_weight_grad")
def _linear_weight_grad_example(xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    rng = np.random.default_rng(5)
    grad = rng.standard_normal((6, 3)).astype(np.float32)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    return (xp.asarray(grad), xp.asarray(x), True, xp), {}
