"""``newton_step``: one Newton–Raphson step x ← x − lr·H⁻¹∇f, for small problems (a few variables).

Gradient descent moves along −∇f with a step size to tune; Newton's method fits a quadratic at x
(its gradient and curvature H) and jumps to that quadratic's minimum, which on a quadratic loss is
the exact answer in one step. The price is the Hessian: n² numbers and an n×n solve.
"""
from __future__ import annotations

from typing import Callable

from ..autograd.tensor import Tensor
from ..hessian import gradient, hessian


def newton_step(
    fn: Callable[[Tensor], Tensor],
    x: Tensor,
    lr: float = 1.0,
    hessian_fn: Callable[[Tensor], Tensor] | None = None,
    damping: float = 0.0,
) -> Tensor:
    """The point one Newton step from ``x`` (a new leaf tensor of x's shape and dtype; x is unchanged).

    ``fn`` maps x to a scalar loss. The Hessian comes from ``hessian_fn(x)`` when given (an exact one,
    shape ``(n, n)`` for n = x.numel()), else from finite differences of autograd gradients
    (``dlkit.hessian``). ``damping`` λ adds λ·I to H (Levenberg–Marquardt), which helps where H is
    not positive definite. All arithmetic is float64.
    """
    if not isinstance(x, Tensor):
        raise TypeError(f"newton_step: x must be a Tensor, got {type(x).__name__}")
    xp, n = x._xp, x.numel()
    g = xp.reshape(gradient(fn, x).data, (n, 1))
    h = hessian_fn(x) if hessian_fn is not None else hessian(fn, x)
    h = xp.reshape(xp.astype(h.data if isinstance(h, Tensor) else xp.asarray(h), xp.float64), (-1,))
    if h.shape[0] != n * n:
        raise ValueError(f"newton_step: the Hessian must have {n}×{n} = {n * n} entries for x of shape {x.shape}, got {h.shape[0]}")
    h = xp.reshape(h, (n, n)) + damping * xp.eye(n, dtype=xp.float64)
    direction = xp.reshape(xp.linalg.solve(h, g), x.shape)
    new = xp.astype(xp.astype(x.data, xp.float64) - lr * direction, x.data.dtype)
    out = Tensor._make(new, xp, None)
    out.requires_grad = x.requires_grad
    return out
