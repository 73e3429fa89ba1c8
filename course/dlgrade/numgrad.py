"""Numerical gradients for learners (cs231n style), to debug a backward pass by hand.

Typical use in a notebook::

    num = numerical_gradient(lambda w: loss(X, y, w), w)
    print(rel_error(num, my_grad))      # < 1e-7: correct; > 1e-4: look for a bug

These tools are for the learner's own debugging. While a check runs a learner's
function they are unavailable, so a backward pass cannot be "implemented" by
differentiating numerically.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .harness.guard import reference


@reference("numerical_gradient")
def numerical_gradient(
    f: Callable[[np.ndarray], Any],
    x: np.ndarray,
    dout: np.ndarray | None = None,
    h: float = 1e-5,
) -> np.ndarray:
    """Centered-difference gradient of ``sum(f(x) * dout)`` with respect to ``x``.

    ``f`` maps the array ``x`` to a scalar (then leave ``dout`` as None) or to an array
    (then ``dout`` is the upstream gradient, of ``f(x)``'s shape). ``x`` must be a float
    array; it is changed in place one element at a time and restored, so ``f`` must read
    the values of ``x`` when called. Use float64: with float32, rounding error
    (~1e-7 / h) swamps the result. The error of a centered difference is O(h²), so with
    h = 1e-5 a smooth function's gradient is accurate to about 1e-10 relative.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"numerical_gradient: x must be a float numpy array, got {type(x).__name__}"
                        f"{' of dtype ' + str(x.dtype) if isinstance(x, np.ndarray) else ''}")
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = _weighted(f(x), dout)
        x[i] = old - h
        minus = _weighted(f(x), dout)
        x[i] = old  # restore: f may be called again on the same array
        grad[i] = (plus - minus) / (2 * h)
        it.iternext()
    return grad


def _weighted(out: Any, dout: np.ndarray | None) -> float:
    out = np.asarray(out, dtype=np.float64)
    if dout is None:
        if out.size != 1:
            raise ValueError(f"numerical_gradient: f returned shape {out.shape}; pass dout of that "
                             "shape (the upstream gradient) when f is not scalar-valued")
        return float(out.reshape(()))
    if np.shape(dout) != out.shape:
        raise ValueError(f"numerical_gradient: dout has shape {np.shape(dout)}, expected f(x)'s "
                         f"shape {out.shape}")
    return float(np.sum(out * dout))


def rel_error(a: Any, b: Any) -> float:
    """Largest element-wise relative error ``|a-b| / max(1e-8, |a|+|b|)``.

    How to read it when comparing an analytic gradient with a numerical one (float64):
    below 1e-7 the gradient is right; 1e-7 to 1e-4 is fine near kinks (ReLU at 0,
    max ties) and suspicious otherwise; 1e-4 to 1e-2 usually means a bug; above 1e-2
    the gradient is wrong. The 1e-8 floor stops two near-zero numbers from looking
    wildly different.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: a has shape {a.shape} but b has shape {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
