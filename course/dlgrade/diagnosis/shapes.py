"""Shape rules: the output has another shape than expected, and what the two shapes have in common says why.

Each rule checks the values too, so it says what happened rather than guessing: axes in another order (any
number of axes), an axis that should have been summed (or was summed and should not be: which axes, and
whether it was a sum or a mean), a size-1 axis too many, an (N,) against (N, 1) broadcast, an output one
position short or long along an axis (see ``shifts``).
"""
from __future__ import annotations

import itertools
from typing import Collection, Iterator, Mapping

import numpy as np

from . import hints
from .core import BATCH_NOT_REDUCED, TRANSPOSED, WRONG_SHAPE, Diagnosis, close
from .shifts import size_off

_MAX_PERMUTED_NDIM = 6  # 720 orders at most


def _axes_text(axes: tuple[int, ...], shape: tuple[int, ...]) -> str:
    parts = [f"axis {a} (size {shape[a]})" for a in axes]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def axis_orders(e: np.ndarray, g: np.ndarray) -> Iterator[tuple[int, ...]]:
    """Orders of e's axes (other than the identity) that give g's shape."""
    if e.ndim != g.ndim or e.ndim < 2 or e.ndim > _MAX_PERMUTED_NDIM:
        return
    for p in itertools.permutations(range(e.ndim)):
        if p != tuple(range(e.ndim)) and tuple(e.shape[i] for i in p) == g.shape:
            yield p


def permuted(e: np.ndarray, g: np.ndarray, name: str, head: str, scope: Collection[str]) -> Diagnosis | None:
    """g is e with its axes in another order (values checked); for a shape that merely looks permuted, say so."""
    orders = list(axis_orders(e, g))
    for p in orders:
        if close(np.transpose(e, p), g):
            if e.ndim == 2:
                return Diagnosis(TRANSPOSED, f"{head}: it is transposed.{hints.hint(hints.MATMUL, scope)}",
                                 evidence={"axes": p})
            return Diagnosis(TRANSPOSED, f"{head}: the right values with the axes in another order: yours is "
                             f"the expected array transposed to axes {p}. Check the order of the axes in "
                             "reshape/transpose (and that a reshape is not used where a transpose is meant).",
                             evidence={"axes": p})
    if not orders:
        return None
    if g.size == e.size and close(e.reshape(g.shape), g):
        return Diagnosis(TRANSPOSED, f"{head}: the right numbers, but laid out by a reshape of the expected "
                         "array rather than a transpose: .reshape keeps the memory order, .T (or "
                         "np.transpose) swaps the axes.")
    return Diagnosis(TRANSPOSED, f"{head}: the sizes of the expected axes in another order (and not just a "
                     f"transpose of the right values).{hints.hint(hints.MATMUL, scope)}")


def _reductions(big: np.ndarray, small_shape: tuple[int, ...]) -> Iterator[tuple[tuple[int, ...], str, np.ndarray]]:
    """(axes, 'sum' or 'mean', result) for each way of reducing axes of ``big`` down to ``small_shape``: axes
    dropped, or (same number of axes) kept with size 1 as keepdims=True keeps them."""
    k = big.ndim - len(small_shape)
    if k < 0:
        return
    if k == 0:
        axes = tuple(i for i, (b, s) in enumerate(zip(big.shape, small_shape)) if b != s)
        if axes and all(small_shape[i] == 1 for i in axes):
            yield axes, "sum", big.sum(axis=axes, keepdims=True)
            yield axes, "mean", big.mean(axis=axes, keepdims=True)
        return
    for axes in itertools.combinations(range(big.ndim), k):
        if all(big.shape[a] == 1 for a in axes):
            continue  # dropping size-1 axes is a layout matter, not a missing sum
        if tuple(s for i, s in enumerate(big.shape) if i not in axes) == tuple(small_shape):
            yield axes, "sum", big.sum(axis=axes)
            yield axes, "mean", big.mean(axis=axes)


def not_reduced(e: np.ndarray, g: np.ndarray, name: str, head: str, factors: Mapping[str, float],
                scope: Collection[str]) -> Diagnosis | None:
    """g has axes that e does not: was one not summed (or averaged)?"""
    for axes, how, red in _reductions(g, e.shape):
        if close(e, red):
            what = "all its elements" if len(axes) == g.ndim else _axes_text(axes, g.shape)
            verb = "summed" if how == "sum" else "averaged"
            # down to one number: every axis goes, however many the learner's array still has
            call = f"np.{how}(...) over every axis" if len(axes) == g.ndim else \
                f"np.{how}(..., axis={axes if len(axes) > 1 else axes[0]})"
            return Diagnosis(BATCH_NOT_REDUCED, f"{head}: {verb} over {what} yours would be right: that "
                             f"{'sum' if how == 'sum' else 'mean'} is missing ({call}).",
                             evidence={"axes": axes, "how": how})
    if e.ndim == 0:
        return Diagnosis(BATCH_NOT_REDUCED, f"{head}: expected a single number. Did you forget to sum or average "
                         "over the examples?")
    return None


def over_reduced(e: np.ndarray, g: np.ndarray, name: str, head: str) -> Diagnosis | None:
    """g has fewer axes than e: is it e summed (or averaged) over axes that should have stayed?"""
    for axes, how, red in _reductions(e, g.shape):
        if close(red, g):
            what = "every axis" if len(axes) == e.ndim else _axes_text(axes, e.shape)
            verb = "summed" if how == "sum" else "averaged"
            return Diagnosis(WRONG_SHAPE, f"{head}: it is the expected array {verb} over {what}; that "
                             f"{'axis' if len(axes) == 1 else 'reduction'} must stay. Check the axis= of the "
                             "sum or mean (and that it is not over everything).",
                             evidence={"axes": axes, "how": how})
    return None


def shape_diagnosis(e: np.ndarray, g: np.ndarray, name: str, factors: Mapping[str, float],
                    scope: Collection[str] = hints.ALL) -> Diagnosis:
    """Different shapes: the most specific explanation the values support."""
    head = f"`{name}` has shape {g.shape}, expected {e.shape}"
    for rule in (lambda: permuted(e, g, name, head, scope),
                 lambda: not_reduced(e, g, name, head, factors, scope),
                 lambda: over_reduced(e, g, name, head),
                 lambda: size_off(e, g, name, head)):
        d = rule()
        if d is not None:
            return d
    if e.ndim == 1 and g.ndim == 2 and g.shape == (e.shape[0], e.shape[0]) and e.shape[0] > 1:
        return Diagnosis(WRONG_SHAPE, f"{head}: an (N, 1) array was broadcast against an (N,) "
                         "array. Flatten one of them (e.g. `y.reshape(-1)`) before subtracting.")
    if g.size == e.size:
        same = close(e.ravel(), g.ravel())
        ones = tuple(s for s in g.shape if s != 1) == tuple(s for s in e.shape if s != 1)
        what = ("the right values, with an extra axis of size 1" if same and ones
                else "the right values in another layout" if same else "the right number of elements, "
                "in another layout")
        return Diagnosis(WRONG_SHAPE, f"{head}: {what}. A stray reshape, keepdims=True or an (N, 1) column "
                         "instead of (N,)?")
    if g.ndim > e.ndim:
        return Diagnosis(BATCH_NOT_REDUCED, f"{head}: it has axes the expected output does not have (and neither "
                         f"their sum nor their mean gives the expected values).{hints.hint(hints.BATCH, scope)}")
    if g.ndim == e.ndim - 1 and g.shape == e.shape[1:]:
        batch = " (the batch: every example needs its own value)" if factors.get("N") == e.shape[0] else ""
        return Diagnosis(WRONG_SHAPE, f"{head}: the first axis (size {e.shape[0]}) is missing{batch}.")
    return Diagnosis(WRONG_SHAPE, f"{head}.")
