"""Numerical gradients by centered differences, and ``gradcheck`` comparing them with autograd.

For a function f of tensors, pick a fixed random direction v in output space and look at the
scalar s = Σ v·f. Autograd gives ∂s/∂x in one backward pass; the numerical estimate nudges
each input element by ±eps and takes (s(x+eps) − s(x−eps)) / 2·eps. Everything runs in float64,
where the centered difference is accurate to about eps² ≈ 1e-12 plus rounding ≈ 1e-10.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from . import backend
from .autograd.grad_mode import no_grad
from .autograd.tensor import Tensor


class GradcheckError(RuntimeError):
    """Autograd's gradient and the numerical gradient disagree; the message shows the worst element."""


def _as_inputs(inputs: Any) -> tuple[Any, ...]:
    return tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)


def _float64_leaves(inputs: Sequence[Any]) -> tuple[list[Any], list[int]]:
    """Float64 copies of the inputs; those to check (floating, requiring grad) become leaves."""
    floating = [
        i for i, x in enumerate(inputs) if isinstance(x, Tensor) and backend.is_floating(x.data.dtype, x._xp)
    ]
    wanted = [i for i in floating if inputs[i].requires_grad] or floating
    out: list[Any] = list(inputs)
    for i in floating:
        out[i] = Tensor._make(inputs[i]._xp.astype(inputs[i].data, inputs[i]._xp.float64), inputs[i]._xp, None)
        if i in wanted:
            out[i].requires_grad = True
    return out, wanted


def _projection(out: Tensor, seed: int) -> Any:
    """The direction v: 1 for a scalar output (plain gradient), random otherwise."""
    if out.numel() == 1:
        return out._xp.ones(out.shape, dtype=out._xp.float64)
    direction = np.random.default_rng(seed).standard_normal(out.shape)
    return out._xp.asarray(direction.astype(np.float64))


def _scalar(fn: Callable[..., Tensor], args: Sequence[Any], direction: Any) -> float:
    out = fn(*args)
    return float(backend.to_numpy(out._xp.sum(out.data * direction)))


def numerical_grad(
    fn: Callable[..., Tensor], inputs: Any, eps: float = 1e-6, seed: int = 0
) -> list[np.ndarray | None]:
    """Centered-difference gradient of Σ v·fn(*inputs) for each checked input (float64 numpy arrays)."""
    args, wanted = _float64_leaves(_as_inputs(inputs))
    with no_grad():
        direction = _projection(fn(*args), seed)
        grads: list[np.ndarray | None] = [None] * len(args)
        for i in wanted:
            base = backend.to_numpy(args[i].data).astype(np.float64)
            flat = base.reshape(-1).copy()
            g = np.zeros_like(flat)
            xp = args[i]._xp
            for k in range(flat.size):
                old = flat[k]
                values = []
                for step in (eps, -eps):
                    flat[k] = old + step
                    nudged = list(args)
                    nudged[i] = Tensor._make(xp.asarray(flat.reshape(base.shape)), xp, None)
                    values.append(_scalar(fn, nudged, direction))
                flat[k] = old
                g[k] = (values[0] - values[1]) / (2 * eps)
            grads[i] = g.reshape(base.shape)
    return grads


def analytic_grad(fn: Callable[..., Tensor], inputs: Any, seed: int = 0) -> list[np.ndarray | None]:
    """Autograd's gradient of Σ v·fn(*inputs) for each checked input (float64 numpy arrays)."""
    args, wanted = _float64_leaves(_as_inputs(inputs))
    out = fn(*args)
    if not isinstance(out, Tensor) or not out.requires_grad:
        raise GradcheckError("gradcheck: the function's output does not depend on any input that requires grad")
    out.backward(_projection(out, seed))
    grads: list[np.ndarray | None] = [None] * len(args)
    for i in wanted:
        g = args[i].grad
        grads[i] = np.zeros(args[i].shape) if g is None else backend.to_numpy(g.data).astype(np.float64)
    return grads


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """True when autograd matches centered differences for every input (in float64).

    An element passes when |analytic − numerical| ≤ atol + rtol·|numerical|, torch's rule. On
    failure this raises ``GradcheckError`` naming the input and its worst element (or returns
    False with ``raise_exception=False``).
    """
    analytic = analytic_grad(fn, inputs, seed)
    numeric = numerical_grad(fn, inputs, eps, seed)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        if a is None or n is None:
            continue
        excess = np.abs(a - n) - (atol + rtol * np.abs(n))
        if excess.size and (np.max(excess) > 0 or not np.all(np.isfinite(a))):
            worst = np.unravel_index(int(np.nanargmax(np.where(np.isfinite(excess), excess, np.inf))), a.shape)
            if raise_exception:
                raise GradcheckError(
                    f"gradcheck: gradient of input {i} (shape {a.shape}) is wrong; worst element at index "
                    f"{tuple(int(k) for k in worst)}: analytic {a[worst]:.6g}, numerical {n[worst]:.6g} "
                    f"(|difference| {abs(a[worst] - n[worst]):.3g} > atol {atol:g} + rtol {rtol:g}·|numerical|)"
                )
            return False
    return True
