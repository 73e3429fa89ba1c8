"""The fully connected layer, textbook convention: x (N, D) @ W (D, M) + b (M,) -> (N, M).

(dlkit's and PyTorch's ``Linear.weight`` is (M, D), i.e. ``W.T`` here; ``F.linear(x, W.T, b)``.)
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .._common import make_case, pick

# (N, D, M): batch, input features, output features. The first is non-square on every
# axis so a transposed result has the wrong shape; (3, 3, 3) catches what shapes cannot.
_SHAPES = ([(4, 3, 2), (1, 5, 3), (6, 2, 5), (3, 3, 3)], [(5, 4, 3), (1, 2, 6), (7, 1, 2), (2, 6, 1), (4, 4, 4)])


@reference("layers.linear_forward reference")
def linear_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x @ W + b, shape (N, M)."""
    return x @ W + b


@reference("layers.linear_backward reference")
def linear_backward(dout: np.ndarray, x: np.ndarray, W: np.ndarray, b: np.ndarray):
    """(dx, dW, db) = (dout @ Wᵀ, xᵀ @ dout, Σ_batch dout)."""
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def _cases(rng: np.random.Generator, hidden: bool, backward: bool):
    cases = []
    for n, d, m in pick(*_SHAPES, hidden):
        args = {"x": rng.normal(size=(n, d)), "W": rng.normal(size=(d, m)), "b": rng.normal(size=m)}
        if backward:
            args = {"dout": rng.normal(size=(n, m)), **args}
        cases.append(make_case(args, factors={"N": n, "D": d, "M": m}))
    return cases


register(Exercise(
    "layers.linear_forward", "linear_forward(x (N, D), W (D, M), b (M,)) -> (N, M)", linear_forward,
    lambda rng, h: _cases(rng, h, False), outputs=(Output("out"),), blocked=("linear", "matmul", "addmm"),
    mistakes=(KnownMistake("transposed", "you used W transposed (x @ W.T): W is (D, M) here, so x @ W.",
                           lambda x, W, b: x @ W.T + b),),
))
register(Exercise(
    "layers.linear_backward", "linear_backward(dout (N, M), x (N, D), W (D, M), b (M,)) -> (dx, dW, db)",
    linear_backward, lambda rng, h: _cases(rng, h, True),
    outputs=(Output("dx"), Output("dW"), Output("db")), blocked=("linear", "matmul", "addmm"),
    mistakes=(
        KnownMistake("transposed", "a transposed operand in the matmul: dx = dout @ W.T (N, D) and "
                     "dW = x.T @ dout (D, M).", lambda dout, x, W, b: (dout @ W, x.T @ dout, dout.sum(0))),
        KnownMistake("transposed", "a transposed operand in the matmul: dW = x.T @ dout is (D, M).",
                     lambda dout, x, W, b: (dout @ W.T, (x.T @ dout).T, dout.sum(0))),
    ),
))
