"""Lesson 06 (autodiff): the backward pass of sum, over every axis on its own, with and without keepdims, over
all axes (axis=None) and over a tuple of axes, on square and non-square inputs (where broadcasting a gradient
along the wrong axis raises, and where it silently lines up wrongly).

Known mistakes: the lesson's trap (the summed axis not put back before broadcasting, or put back where
keepdims already kept it), sum's local derivative taken as a mean or as ones, and the shapes of numpy's calls.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ...registry import Case
from .._common import make_case
from .ops import mistake, register_op, sum_back


def _sum(code: str, message: str, backward: Callable[[Any, np.ndarray], Any], look_for: str) -> object:
    return mistake("sum", code, message, backward, look_for)


def _count(ctx: Any) -> int:
    """How many elements went into each sum."""
    axes = range(len(ctx.shape)) if ctx.axis is None else np.atleast_1d(ctx.axis)
    return int(np.prod([ctx.shape[a] for a in axes]))


def _expanded(g: np.ndarray, ctx: Any, when: Callable[[Any], bool], at: Callable[[Any], Any]) -> np.ndarray:
    """g with ``at(ctx)`` axes inserted where ``when(ctx)``, broadcast to the input's shape."""
    if when(ctx):
        g = np.expand_dims(g, at(ctx))
    return np.broadcast_to(g, ctx.shape).copy()


_NO_EXPAND = ("when axis is given and keepdims=False the summed axis is gone from grad: put it back with "
              "np.expand_dims(grad, ctx.axis) before broadcasting to the input's shape (broadcasting lines axes "
              "up from the right, so it would pair grad with the wrong axis).")
SUM = (
    _sum("no_expand", _NO_EXPAND, lambda ctx, g: np.broadcast_to(g, ctx.shape).copy(), r"broadcast_to\(\s*grad"),
    _sum("no_expand", _NO_EXPAND, lambda ctx, g: np.ones(ctx.shape) * g, r"ones\(.*\)\s*\*\s*grad"),
    _sum("mean", "sum's local derivative is 1 for every element: each element gets the upstream gradient of its "
         "sum as it is, not divided by the number of elements.",
         lambda ctx, g: sum_back(g, ctx.shape, ctx.axis, ctx.keepdims) / _count(ctx),
         r"/\s*\(?\s*(?:n\b|N\b|ctx\.shape|np\.prod|len|count|size)"),
    _sum("local_only", "you returned ones (the local derivative) instead of the upstream gradient copied to every "
         "element that was summed.", lambda ctx, g: np.ones(ctx.shape), r"return\s+np\.ones"),
    _sum("returned_grad", "grad has the OUTPUT's shape: broadcast it back to the input's shape ctx.shape (after "
         "putting the summed axes back).", lambda ctx, g: g, r"return\s+grad\s*$"),
    _sum("zeros", "a sum passes the gradient on (each element's local derivative is 1); it is not zero.",
         lambda ctx, g: np.zeros(ctx.shape), r"zeros"),
    _sum("expand_with_keepdims", "with keepdims=True the summed axis is still there (size 1): put it back only "
         "when keepdims is False.",
         lambda ctx, g: _expanded(g, ctx, lambda c: c.axis is not None, lambda c: c.axis), r"if\s+ctx\.axis"),
    _sum("expand_at_0", "the axis goes back where it was summed: np.expand_dims(grad, ctx.axis), not at axis 0.",
         lambda ctx, g: _expanded(g, ctx, lambda c: c.axis is not None and not c.keepdims, lambda c: 0),
         r"expand_dims\(\s*grad\s*,\s*0|grad\[\s*None"),
    _sum("expand_at_end", "the axis goes back where it was summed: np.expand_dims(grad, ctx.axis), not at the end "
         "(grad[..., None]).",
         lambda ctx, g: _expanded(g, ctx, lambda c: c.axis is not None and not c.keepdims, lambda c: -1),
         r"None\s*\]|expand_dims\(\s*grad\s*,\s*-1"),
    _sum("summed_grad", "the gradient of a sum is not a sum: every element of the input gets the gradient of the "
         "sum it went into, a copy of grad along the summed axes.", lambda ctx, g: np.full(ctx.shape, g.sum()),
         r"grad\.sum\(|np\.sum\(\s*grad"),
    _sum("keepdims_inverted", "the condition is inverted: the axis must be put back when keepdims is FALSE "
         "(then it is gone from grad).",
         lambda ctx, g: _expanded(g, ctx, lambda c: c.axis is not None and c.keepdims, lambda c: c.axis),
         r"if\s+.*\bctx\.keepdims\b(?!\s*==\s*False)"),
    _sum("reshaped", "reshape keeps the number of elements; a sum's gradient has MORE elements than grad: "
         "broadcast it (np.broadcast_to(grad, ctx.shape)) after putting the summed axes back.",
         lambda ctx, g: g.reshape(ctx.shape), r"reshape\("),
)

_VISIBLE = [((4, 3), None, False), ((4, 3), 0, False), ((4, 3), 1, True), ((3, 3), 1, False),
            ((2, 3, 4), -1, False), ((1, 5), 1, False), ((2, 3, 4), 1, False), ((2, 3, 4), (0, 2), False),
            ((4, 3), None, True)]
_HIDDEN = [((3, 5), 1, False), ((4, 4), 1, False), ((5, 2), 0, True), ((2, 3, 4), 1, True), ((6,), None, False),
           ((2, 2, 3), 0, False), ((3, 4), None, True), ((2, 3, 4), (1, 2), True), ((3, 2, 4), -2, False),
           ((5,), 0, True), ((4, 1, 3), (0, 2), False)]


def _cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    out = []
    for i, (shape, axis, keepdims) in enumerate(_HIDDEN if hidden else _VISIBLE):
        a = rng.normal(size=shape)
        grad = rng.normal(size=np.sum(a, axis=axis, keepdims=keepdims).shape)
        note = f"axis={axis}, keepdims={keepdims}"
        if i == 2:  # the learner's code must work for float32 arrays too
            a, grad, note = a.astype(np.float32), grad.astype(np.float32), note + ", float32"
        out.append(make_case({"a": a, "axis": axis, "keepdims": keepdims, "grad": grad}, note=note))
    return out


register_op("sum", _cases, SUM, frozenset())
