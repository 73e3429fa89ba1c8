"""``hessian``: the matrix of second derivatives of a scalar function, by finite differences of gradients.

Column j of H is ∂(∇f)/∂x_j ≈ (∇f(x + eps·e_j) − ∇f(x − eps·e_j)) / 2·eps, with the gradients from
autograd, all in float64. Centered differences of exact gradients are accurate to about eps², so
the default eps = 1e-5 gives ~1e-10. The result is symmetrized, (H + Hᵀ)/2, as a true Hessian is.
For the small problems of the optimizer lesson (a handful of variables), where Newton's method
x ← x − H⁻¹∇f is affordable.
"""
from __future__ import annotations

from typing import Callable

from .autograd.grad_mode import enable_grad
from .autograd.tensor import Tensor


def gradient(fn: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """∇fn at ``x`` (float64, no history) for a function returning a scalar tensor."""
    xp = x._xp
    leaf = Tensor._make(xp.astype(x.data, xp.float64), xp, None)
    leaf.requires_grad = True
    with enable_grad():
        out = fn(leaf)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise ValueError(
                f"gradient: fn must return a scalar tensor, got {getattr(out, 'shape', type(out).__name__)}"
            )
        if out.requires_grad:
            out.backward()
    grad = leaf.grad.data if leaf.grad is not None else xp.zeros_like(leaf.data)
    return Tensor._make(grad, xp, None)


def hessian(fn: Callable[[Tensor], Tensor], x: Tensor, eps: float = 1e-5) -> Tensor:
    """The Hessian of scalar ``fn`` at ``x``: shape ``x.shape + x.shape``, float64, like torch.autograd.functional.hessian."""
    if not isinstance(x, Tensor):
        raise TypeError(f"hessian: x must be a Tensor, got {type(x).__name__}")
    xp = x._xp
    base = xp.reshape(xp.astype(x.data, xp.float64), (-1,))
    n = base.shape[0]
    steps = xp.eye(n, dtype=xp.float64) * eps
    columns = []
    for j in range(n):  # one pair of gradients per variable: fine for the few variables this is meant for
        step = steps[j, :]
        plus = gradient(fn, Tensor._make(xp.reshape(base + step, x.shape), xp, None)).data
        minus = gradient(fn, Tensor._make(xp.reshape(base - step, x.shape), xp, None)).data
        columns.append(xp.reshape(plus - minus, (-1,)) / (2 * eps))
    h = xp.stack(columns, axis=1)
    h = (h + h.T) / 2
    return Tensor._make(xp.reshape(h, tuple(x.shape) * 2), xp, None)
