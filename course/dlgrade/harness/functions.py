"""Test functions handed to a learner's code (a loss to differentiate numerically, say), built from plain
parameters on whichever side needs them, so a case can be sent to a kernel as data.

A case names one with ``wire.TestFunction("logistic_loss", {"X": X, "y": y})``; :func:`materialize` turns
that (and ``wire.Rng``) into the callable (or the generator) on both sides of the wire.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .wire import Rng, TestFunction, WireError


def logistic_loss(X: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], float]:
    """Mean logistic loss of weights w on (X, y): mean(log(1 + e^z) − y z), z = X w."""
    def f(w: np.ndarray) -> float:
        z = X @ w
        return float(np.mean(np.logaddexp(0.0, z) - y * z))
    return f


def wavy(a: np.ndarray) -> Callable[[np.ndarray], float]:
    """sum(a · sin 3x + x³): smooth, with a different slope everywhere."""
    def f(x: np.ndarray) -> float:
        return float(np.sum(np.sin(3.0 * x) * a + x ** 3))
    return f


def softmax_ce(y: np.ndarray) -> Callable[[np.ndarray], float]:
    """Mean softmax cross-entropy of logits z against labels y, plus sum(z²)."""
    def f(z: np.ndarray) -> float:
        m = z.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
        return float(np.mean(lse - z[np.arange(len(y)), y]) + np.sum(z ** 2))
    return f


def exp_sum() -> Callable[[np.ndarray], float]:
    """sum(exp 2x)."""
    def f(x: np.ndarray) -> float:
        return float(np.sum(np.exp(2.0 * x)))
    return f


def mlp_loss(x: np.ndarray, y: np.ndarray) -> Callable[[list], float]:
    """Mean softmax cross-entropy on (x, y) of a tanh MLP whose parameters are the list [W1, b1, W2, b2, ...] in
    dlkit's layout (weights (out, in)): h = tanh(h @ W.T + b) between layers, no tanh on the last."""
    def f(params: list) -> float:
        h = x
        for k in range(0, len(params) - 2, 2):
            h = np.tanh(h @ params[k].T + params[k + 1])
        z = h @ params[-2].T + params[-1]
        m = z.max(axis=1, keepdims=True)
        return float(np.mean(m[:, 0] + np.log(np.exp(z - m).sum(axis=1)) - z[np.arange(len(y)), y]))
    return f


BUILDERS: dict[str, Callable[..., Callable]] = {
    "logistic_loss": logistic_loss, "wavy": wavy, "softmax_ce": softmax_ce, "exp_sum": exp_sum,
    "mlp_loss": mlp_loss,
}


def materialize(spec: Any) -> Any:
    """The callable a TestFunction names, or a fresh generator for an Rng."""
    if isinstance(spec, Rng):
        return spec.make()
    if isinstance(spec, TestFunction):
        try:
            build = BUILDERS[spec.name]
        except KeyError:
            raise WireError(f"unknown test function {spec.name!r}") from None
        f = build(**spec.params)
        f.__name__ = spec.name
        return f
    raise WireError(f"cannot materialize {type(spec).__name__}")
