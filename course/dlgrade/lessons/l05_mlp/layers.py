"""The fully connected layer, textbook convention: x (N, D) @ W (D, M) + b (M,) -> (N, M).

The references are dlkit's: ``F.linear(x, W.T, b)`` (dlkit's and PyTorch's ``Linear.weight`` is (M, D), i.e.
``W.T`` here) and its autograd for the backward pass. Known mistakes come from the lesson's warnings (the
layout, the sum over the batch for db, the 1/N already in dout) and the slips of cs231n's affine layer
(the bias as a column, the single-example formula applied to batch sums, an activation inside the layer).
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._common import make_case
from .._draw import F32_ATOL, F32_RTOL, drawn

# (N, D, M): batch, input features, output features. Non-square on every axis first, so a transposed operand
# raises or has the wrong shape; (3, 3, 3) catches what shapes cannot; D = 1 and M = 1 and N = 1 on their own.
_VISIBLE = [(4, 3, 2), (1, 5, 3), (6, 2, 5), (3, 3, 3), (5, 1, 4)]
_HIDDEN = [(5, 4, 3), (1, 2, 6), (7, 1, 2), (2, 6, 1), (4, 4, 4)]
_BLOCKED = ("linear", "matmul", "addmm")


def _linear(x: np.ndarray, W: np.ndarray, b: np.ndarray, dout: np.ndarray | None = None) -> tuple:
    """dlkit's F.linear on float64 tensors: the output, and with ``dout`` the gradients of x, W and b."""
    import dlkit.functional as F

    xt, Wt, bt = (_dlkit.tensor64(a, requires_grad=dout is not None) for a in (x, W, b))
    out = F.linear(xt, Wt.T, bt)
    if dout is None:
        return (_dlkit.numpy(out),)
    out.backward(_dlkit.tensor64(dout))
    return tuple(_dlkit.numpy(t.grad) for t in (xt, Wt, bt))


@reference("layers.linear_forward reference")
def linear_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x @ W + b, shape (N, M): dlkit's F.linear with W.T as its (out, in) weight."""
    return _linear(x, W, b)[0]


@reference("layers.linear_backward reference")
def linear_backward(dout: np.ndarray, x: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple:
    """(dx, dW, db) = (dout @ Wᵀ, xᵀ @ dout, Σ_batch dout): dlkit's autograd of F.linear."""
    return _linear(x, W, b, dout)


def _cases(rng: np.random.Generator, hidden: bool, backward: bool):
    shapes = _HIDDEN + drawn(rng, 2, [(1, 7), (1, 6), (1, 6)]) if hidden else _VISIBLE
    cases = []
    for i, (n, d, m) in enumerate(shapes):
        args = {"x": rng.normal(size=(n, d)), "W": rng.normal(size=(d, m)), "b": rng.normal(size=m)}
        if backward:
            args = {"dout": rng.normal(size=(n, m)), **args}
        note = ""
        if i == 1:  # the learner's code must work for float32 arrays too
            args = {k: v.astype(np.float32) for k, v in args.items()}
            note = "float32"
        cases.append(make_case(args, factors={"N": n, "D": d, "M": m}, note=note))
    return cases


_OUT = "the line that computes the output"
_FORWARD = (
    KnownMistake("transposed", "you used W transposed (x @ W.T): W is (D, M) here, inputs by outputs, so x @ W "
                 "(PyTorch's Linear.weight is the (M, D) one).", lambda x, W, b: x @ W.T + b, _OUT, r"W\.T"),
    KnownMistake("no_bias", "the bias is missing: the layer computes x @ W + b.", lambda x, W, b: x @ W, _OUT,
                 r"@\s*W\s*$|dot\(\s*x\s*,\s*W\s*\)\s*$"),
    KnownMistake("bias_twice", "the bias was added twice: x @ W + b adds it once (it is broadcast over the rows).",
                 lambda x, W, b: x @ W + 2 * b, _OUT, r"\+\s*b\b.*\+\s*b\b|\+=\s*b\b"),
    KnownMistake("math_order", "(W @ xᵀ)ᵀ is the column-vector formula for a W of shape (M, D); here W is (D, M) "
                 "and the examples are rows: x @ W + b.", lambda x, W, b: (W @ x.T).T + b, _OUT, r"W\s*@\s*x"),
    KnownMistake("elementwise", "`*` multiplies element by element; the layer needs the matrix product x @ W "
                 "(np.dot or @).", lambda x, W, b: x * W + b, _OUT, r"x\s*\*\s*W"),
    KnownMistake("bias_column", "the bias was made a column (one number per example): b has one entry per "
                 "OUTPUT and is added to every row, x @ W + b.", lambda x, W, b: x @ W + b[:, None], _OUT,
                 r"b\s*\[\s*:\s*,\s*None\s*\]|b\.reshape\(\s*-1\s*,\s*1\s*\)"),
    KnownMistake("bias_subtracted", "the bias is added, not subtracted: x @ W + b.", lambda x, W, b: x @ W - b, _OUT,
                 r"-\s*b\b"),
    KnownMistake("transposed_x", "x.T @ W treats the features as the batch: the examples are the rows of x, so "
                 "x @ W.", lambda x, W, b: x.T @ W + b, _OUT, r"x\.T\s*@"),
    KnownMistake("summed_batch", "the rows were summed: the layer returns one row per example, (N, M), with no "
                 "sum over the batch.", lambda x, W, b: (x @ W).sum(axis=0) + b, _OUT, r"\.sum\(|np\.sum\("),
    KnownMistake("activation_inside", "an activation was applied: the linear layer is only x @ W + b; the ReLU is "
                 "its own layer (and its own function).", lambda x, W, b: np.maximum(x @ W + b, 0), _OUT,
                 r"maximum|relu"),
    KnownMistake("bias_multiplied", "the bias is added, not multiplied: x @ W + b.", lambda x, W, b: (x @ W) * b,
                 _OUT, r"\)\s*\*\s*b\b|@\s*W\s*\*\s*b\b"),
    KnownMistake("bias_before", "the bias was added to x before the product: it belongs to the outputs, "
                 "x @ W + b.", lambda x, W, b: (x + b) @ W, _OUT, r"\(\s*x\s*\+\s*b\s*\)"),
    KnownMistake("bias_into_W", "x @ (W + b) adds the bias to every row of W, so it gets multiplied by x: the "
                 "bias is added after the product, x @ W + b.", lambda x, W, b: x @ (W + b), _OUT,
                 r"\(\s*W\s*\+\s*b\s*\)"),
)

_DX, _DW, _DB = "the line that computes dx", "the line that computes dW", "the line that computes db"
_BACKWARD = (
    KnownMistake("transposed_dx", "dx = dout @ W.T: W is (D, M), so multiplying dout (N, M) by W.T gives (N, D), "
                 "x's shape.", lambda dout, x, W, b: (dout @ W, x.T @ dout, dout.sum(0)), _DX, r"dout\s*@\s*W\b(?!\.T)"),
    KnownMistake("transposed_dW", "dW = x.T @ dout has W's shape (D, M); dout.T @ x is its transpose (M, D).",
                 lambda dout, x, W, b: (dout @ W.T, dout.T @ x, dout.sum(0)), _DW, r"dout\.T\s*@\s*x"),
    KnownMistake("dx_transposed_result", "W @ dout.T is dx transposed, (D, N): dx = dout @ W.T has x's shape.",
                 lambda dout, x, W, b: (W @ dout.T, x.T @ dout, dout.sum(0)), _DX, r"W\s*@\s*dout\.T"),
    KnownMistake("db_not_summed", "db must be summed over the batch: the bias was added to every row, so its "
                 "gradient is dout.sum(axis=0), shape (M,).", lambda dout, x, W, b: (dout @ W.T, x.T @ dout, dout),
                 _DB, r"db\s*=\s*dout\s*$"),
    KnownMistake("db_mean", "db is the SUM of dout over the batch, not its mean: dout already carries the loss's "
                 "1/N.", lambda dout, x, W, b: (dout @ W.T, x.T @ dout, dout.mean(0)), _DB, r"mean\("),
    KnownMistake("db_wrong_axis", "db sums over the batch, axis 0 (one entry per output): axis=1 sums over the "
                 "outputs instead.", lambda dout, x, W, b: (dout @ W.T, x.T @ dout, dout.sum(axis=1)), _DB,
                 r"axis\s*=\s*(?:1|-1)"),
    KnownMistake("db_total", "db has one entry per output, (M,): sum over the batch only (axis=0), not over "
                 "everything.", lambda dout, x, W, b: (dout @ W.T, x.T @ dout, dout.sum()), _DB,
                 r"dout\.sum\(\s*\)|np\.sum\(\s*dout\s*\)"),
    KnownMistake("dW_over_n", "dW was divided by N: dout already carries the loss's 1/N, so dW = x.T @ dout.",
                 lambda dout, x, W, b: (dout @ W.T, x.T @ dout / x.shape[0], dout.sum(0)), _DW, r"/\s*(?:N|n|len|x\.shape)"),
    KnownMistake("all_over_n", "every gradient was divided by N: dout already carries the loss's 1/N; the "
                 "layer's backward only multiplies and sums.",
                 lambda dout, x, W, b: tuple(g / x.shape[0] for g in (dout @ W.T, x.T @ dout, dout.sum(0))), _DW,
                 r"/\s*(?:N|n|len|x\.shape)"),
    KnownMistake("negated", "every gradient has the wrong sign: the backward pass passes gradients back as they "
                 "are; the minus of gradient DEScent belongs to the update.",
                 lambda dout, x, W, b: (-(dout @ W.T), -(x.T @ dout), -dout.sum(0)), _DW, r"-\s*\(?\s*(?:x|dout)"),
    KnownMistake("outer_of_sums", "np.outer of the summed rows is the one-example formula applied to batch sums: "
                 "dW = x.T @ dout sums one outer product PER EXAMPLE (they differ unless N = 1).",
                 lambda dout, x, W, b: (dout @ W.T, np.outer(x.sum(0), dout.sum(0)), dout.sum(0)), _DW, r"outer\("),
    KnownMistake("dW_uses_output", "dW took the layer's output where the gradient dout belongs: dW = x.T @ dout.",
                 lambda dout, x, W, b: (dout @ W.T, x.T @ (x @ W + b), dout.sum(0)), _DW, r"x\.T\s*@\s*\(\s*x\s*@"),
)

register(Exercise(
    "layers.linear_forward", "linear_forward(x (N, D), W (D, M), b (M,)) -> (N, M)", linear_forward,
    lambda rng, h: _cases(rng, h, False), outputs=(Output("out"),), blocked=_BLOCKED, mistakes=_FORWARD,
    rtol=F32_RTOL, atol=F32_ATOL,
))
register(Exercise(
    "layers.linear_backward", "linear_backward(dout (N, M), x (N, D), W (D, M), b (M,)) -> (dx, dW, db)",
    linear_backward, lambda rng, h: _cases(rng, h, True),
    outputs=(Output("dx"), Output("dW"), Output("db")), blocked=_BLOCKED, mistakes=_BACKWARD,
    rtol=F32_RTOL, atol=F32_ATOL,
))
