"""Lesson 06 (autodiff): ``unbroadcast(grad, shape)``, the gradient of a broadcast result summed back down to the
shape it was broadcast from. The reference is dlkit's own helper (``dlkit.autograd.broadcast.unbroadcast``).

Cases stretch each kind of axis on its own: missing leading axes only, a size-1 axis first, in the middle and
last, both kinds at once, a 0-d target, a target of one element, and nothing to do. Known mistakes come from the
lesson's two rules (sum the leading axes away; sum the stretched size-1 axes keeping them), the indexing slips
of implementations found in the wild (axes counted before the leading ones were removed), and shortcuts.
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register
from .._draw import F32_ATOL, F32_RTOL


@reference("engine.unbroadcast reference")
def unbroadcast_reference(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """dlkit's own helper: sum over the axes broadcasting added or stretched."""
    from dlkit.autograd.broadcast import unbroadcast
    return np.array(unbroadcast(grad, tuple(shape), np))


def _lead(grad: np.ndarray, shape: tuple) -> int:
    return grad.ndim - len(shape)


def _stretched(g: np.ndarray, shape: tuple) -> tuple[int, ...]:
    """The axes of ``g`` (already down to len(shape) axes) that broadcasting stretched from 1."""
    return tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)


def _leading_only(grad, shape):
    return grad.sum(axis=tuple(range(_lead(grad, shape))))


def _no_keepdims(grad, shape):
    g = _leading_only(grad, shape)
    return g.sum(axis=_stretched(g, shape))


def _mean(grad, shape):
    g = grad.mean(axis=tuple(range(_lead(grad, shape))))
    return g.mean(axis=_stretched(g, shape), keepdims=True)


def _left_aligned(grad, shape):
    g = grad.sum(axis=tuple(range(len(shape), grad.ndim)))
    return g.sum(axis=_stretched(g, shape), keepdims=True)


def _first_copy(grad, shape):
    g = grad[(0,) * _lead(grad, shape)]
    return g[tuple(slice(0, 1) if s == 1 else slice(None) for s in shape)]


def _lead_kept(grad, shape):
    g = grad.sum(axis=tuple(range(_lead(grad, shape))), keepdims=True)
    return g.sum(axis=tuple(i for i, s in enumerate((1,) * _lead(grad, shape) + tuple(shape))
                           if s == 1 and g.shape[i] != 1), keepdims=True)


def _loop_shifts(grad, shape):
    g = _leading_only(grad, shape)
    for i, n in enumerate(shape):
        if n == 1:
            g = g.sum(axis=i)
    return g


def _offset(grad, shape):
    # the axes found on the reduced gradient, then summed on it at their position in the full one
    lead = _lead(grad, shape)
    g = _leading_only(grad, shape)
    return g.sum(axis=tuple(i + lead for i in _stretched(g, shape)), keepdims=True)


def _unaligned(grad, shape):
    # the size-1 axes summed at their index in `shape`, on the gradient before its leading axes are gone
    g = grad.sum(axis=tuple(i for i, s in enumerate(shape) if s == 1 and grad.shape[i] != 1), keepdims=True)
    return g.sum(axis=tuple(range(_lead(grad, shape))))


_TWO_RULES = "sum the extra leading axes away, then the stretched size-1 axes with keepdims=True"
MISTAKES = (
    KnownMistake("leading_only", "you summed only the extra leading axes: an axis where the input had size 1 was "
                 "stretched too (e.g. (4, 1) used as (4, 3)), so its copies must also be summed, with "
                 "keepdims=True to keep the 1.", _leading_only, "the lines that sum", r"sum\("),
    KnownMistake("keepdims", "the size-1 axes were summed away: sum them with keepdims=True so an input of shape "
                 "(4, 1) gets a gradient of shape (4, 1), not (4,).", _no_keepdims, "the sum over the size-1 axes",
                 r"sum\(\s*axis\s*=[^)]*\)\s*$"),
    KnownMistake("mean", "you averaged the copies: an input used k times receives the SUM of its k gradients "
                 "(multivariate chain rule), not their mean.", _mean, "the lines that reduce", r"mean\("),
    KnownMistake("left_aligned", "broadcasting lines shapes up on the right (trailing axes): the extra axes of grad "
                 "are the leading ones, grad.ndim - len(shape) of them.", _left_aligned, "the sum over the extra axes",
                 r"range\(\s*len\(\s*shape\s*\)"),
    KnownMistake("slice", "you kept one copy of the gradient and dropped the others: every copy the broadcast made "
                 "contributed to the output, so add them all up (sum).", _first_copy, "the indexing line",
                 r"\[\s*0\s*\]|slice\("),
    KnownMistake("identity", "the gradient came back as it is: " + _TWO_RULES + ".", lambda grad, shape: grad,
                 "the return line", r"return\s+grad\s*$"),
    KnownMistake("summed_everything", "grad.sum() adds up every element: only the axes broadcasting added or "
                 "stretched are summed (" + _TWO_RULES + ").", lambda grad, shape: grad.sum(), "the sum",
                 r"\.sum\(\s*\)|np\.sum\(\s*grad\s*\)"),
    KnownMistake("axis0_only", "only axis 0 was summed: broadcasting can add several leading axes and stretch any "
                 "size-1 axis — " + _TWO_RULES + ".", lambda grad, shape: grad.sum(axis=0), "the sum",
                 r"sum\(\s*axis\s*=\s*0\s*\)"),
    KnownMistake("loop_shifts", "summing the size-1 axes one at a time without keepdims removes each, so the next "
                 "index points one axis too far: sum with keepdims=True (or all those axes in one call).",
                 _loop_shifts, "the sum inside the loop", r"sum\(\s*axis\s*=\s*i\s*\)"),
    KnownMistake("lead_kept", "the leading axes must be summed away, not kept with keepdims=True: the result has "
                 "len(shape) axes (a reshape to shape at the end also does it).", _lead_kept, "the first sum",
                 r"keepdims\s*=\s*True"),
    KnownMistake("reshape_only", "reshape cannot sum: the broadcast made copies, and their gradients must be added "
                 "up (" + _TWO_RULES + ").", lambda grad, shape: grad.reshape(shape), "the reshape",
                 r"reshape\("),
    KnownMistake("axis_offset", "after the leading axes are summed away, the size-1 axes are at their index in "
                 "`shape`: do not add the number of leading axes again.", _offset, "the sum over the size-1 axes",
                 r"\+\s*lead|lead\s*\+"),
    KnownMistake("unaligned", "the size-1 axes were looked up at their index in `shape` on grad BEFORE its leading "
                 "axes were summed away: sum the leading axes first (or add grad.ndim - len(shape) to each index).",
                 _unaligned, "the sum over the size-1 axes", r"for\s+i\s*,\s*\w+\s+in\s+enumerate\(\s*shape"),
)

_CASES = (
    [((4, 3), (3,)), ((4, 3), (4, 1)), ((2, 3, 4), (3, 1)), ((1, 5), (5,)), ((3, 4), (3, 4)), ((2, 4), ()),
     ((2, 3, 4), (2, 1, 4)), ((4, 3), (1, 3)), ((2, 3), (1,)), ((3, 2, 4), (1, 1, 4))],
    [((5, 2), (2,)), ((3, 2, 4), (2, 1)), ((2, 3, 5), (1, 3, 1)), ((4, 6), (4, 1)), ((6,), (1,)),
     ((2, 2, 3), (2, 1, 3)), ((3, 2), ()), ((2, 3, 4, 5), (3, 1, 5)), ((3, 3), (1, 1)), ((4, 1, 2), (1, 2))],
)


def _cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    out = []
    for i, (gshape, shape) in enumerate(_CASES[hidden]):
        grad = rng.normal(size=gshape)
        note = ""
        if i == 3:  # the learner's code must work for float32 arrays too
            grad, note = grad.astype(np.float32), ", float32"
        out.append(Case(args={"grad": grad, "shape": tuple(shape)}, label=f"grad {gshape} -> shape {shape}{note}"))
    return out


register(Exercise(
    "engine.unbroadcast", "unbroadcast(grad, shape) -> grad summed down to `shape`",
    unbroadcast_reference, _cases, outputs=(Output("grad"),), blocked=("unbroadcast",), mistakes=MISTAKES,
    hints=frozenset(), rtol=F32_RTOL, atol=F32_ATOL,
))
