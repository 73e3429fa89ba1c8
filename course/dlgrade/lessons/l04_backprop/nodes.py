"""Lesson 04 (backprop): one node's backward pass in a scalar ``Value`` class.

The learner writes the backward rules ``add_backward(a, b, out)``, ``mul_backward``, ``pow_backward(a, k, out)``
and ``sigmoid_backward(a, out)`` that the notebook's micrograd-style ``Value`` calls from each operation's
``_backward`` closure. Each operation is checked on its own with :func:`one_node`, which turns the learner's
class into a function of plain numbers::

    check("backprop.mul", one_node(Value, "mul"))

``one_node(Value, "mul")(a, b, upstream, grad_before, same_node)`` builds ``Value(a)`` and ``Value(b)`` (the
same node twice when ``same_node``), puts ``grad_before`` in their ``grad`` (gradient that already arrived
along another path), computes ``out = a * b``, sets ``out.grad = upstream``, calls ``out._backward()`` once
and returns ``(out.data, a.grad, b.grad)``. Unary operations return ``(out.data, a.grad)``: ``pow`` takes
``(a, k, upstream, grad_before)`` for a constant number ``k``; ``sigmoid`` takes ``(a, upstream, grad_before)``.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ...harness.adapters import one_node
from ...harness.guard import reference
from ...registry import Case, Exercise, Output, register
from .node_mistakes import MISTAKES
from .value import Value

_SYMBOLS = {"add": "+", "mul": "*"}


def _nz(rng: np.random.Generator, lo: float, hi: float) -> float:
    """A number with random sign and magnitude in [lo, hi], away from 0 and from 1."""
    return float(rng.choice([-1.0, 1.0]) * rng.uniform(lo, hi))


_BINARY_LABELS = {"fresh": "a {s} b, grads start at 0",
                  "before": "a {s} b, a and b already hold gradient from another path",
                  "same": "a {s} a, one node used twice",
                  "twins": "a {s} b with b equal to a in value but another node",
                  "unit": "a {s} b with an upstream gradient of exactly 1"}


def _binary_cases(op: str) -> Callable[[np.random.Generator, bool], list[Case]]:
    sym = _SYMBOLS[op]

    def cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
        # (kind, gradient already there): `=` for `+=` shows only with one; a + a only with the same node
        kinds = [("fresh", False), ("before", True), ("same", False), ("twins", True), ("same", True)]
        if hidden:
            kinds = [("before", True), ("same", True), ("fresh", False), ("twins", False), ("unit", True),
                     ("same", False)]
        out = []
        for kind, prior in kinds:
            a, b, g = _nz(rng, 0.3, 2.0), _nz(rng, 0.3, 2.0), _nz(rng, 1.2, 2.5)
            b = a if kind == "twins" else b
            g = 1.0 if kind == "unit" else g
            label = _BINARY_LABELS[kind].format(s=sym) + ("" if kind == "before" or not prior
                                                          else ", a already holds gradient")
            out.append(Case(args={"a": a, "b": b, "upstream": g, "grad_before": _nz(rng, 0.3, 1.5) if prior else 0.0,
                                  "same_node": kind == "same"}, label=label))
        return out
    return cases


def _pow_cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    # integer, negative and fractional exponents (a fractional power needs a > 0); k = 1 and k = 0 are easy to
    # get right by accident, so they come only after cases that tell the rules apart
    ks = [(2, False), (3, True), (-1, True), (0.5, False), (-2, True)]
    if hidden:
        ks = [(1.5, True), (-2, False), (4, True), (3, False), (-0.5, True), (int(rng.integers(2, 6)), True)]
    out = []
    for k, prior in ks:
        a = _nz(rng, 0.4, 1.8)
        a = abs(a) if isinstance(k, float) else a
        out.append(Case(args={"a": a, "k": k, "upstream": _nz(rng, 1.2, 2.5),
                              "grad_before": _nz(rng, 0.3, 1.5) if prior else 0.0},
                        label=f"a ** {k} with a = {a:.3g}" + (", a already holds gradient" if prior else "")))
    return out


def _sigmoid_cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    # a = -800: exp(-a) overflows, so σ must come from the output the forward pass computed stably
    values = [float(rng.uniform(0.5, 3)), float(rng.uniform(-3, -0.5)), -800.0, float(rng.uniform(-2, 2))]
    priors = [False, True, False, True]
    if hidden:
        values = [float(rng.uniform(-3, 3)), -800.0 - float(rng.integers(0, 100)), float(rng.uniform(0.5, 4)),
                  float(rng.uniform(-4, -0.5)), 0.0]
        priors = [True, True, False, True, False]
    return [Case(args={"a": a, "upstream": _nz(rng, 1.2, 2.5), "grad_before": _nz(rng, 0.3, 1.5) if prior else 0.0},
                 label=f"a.sigmoid() with a = {a:.3g}" + (", a already holds gradient" if prior else ""))
            for a, prior in zip(values, priors)]


_SIGNATURES = {
    "add": "one_node(Value, 'add')(a, b, upstream, grad_before, same_node) -> (out, a.grad, b.grad)",
    "mul": "one_node(Value, 'mul')(a, b, upstream, grad_before, same_node) -> (out, a.grad, b.grad)",
    "pow": "one_node(Value, 'pow')(a, k, upstream, grad_before) -> (out, a.grad)",
    "sigmoid": "one_node(Value, 'sigmoid')(a, upstream, grad_before) -> (out, a.grad)",
}
_CASES = {"add": _binary_cases("add"), "mul": _binary_cases("mul"), "pow": _pow_cases, "sigmoid": _sigmoid_cases}

for _op in ("add", "mul", "pow", "sigmoid"):
    _outs = (Output("out", "scalar"), Output("a.grad", "scalar"))
    if _op in _SYMBOLS:
        _outs += (Output("b.grad", "scalar"),)
    register(Exercise(
        f"backprop.{_op}", _SIGNATURES[_op], reference(f"backprop.{_op} reference")(one_node(Value, _op)),
        _CASES[_op], outputs=_outs, mistakes=MISTAKES[_op],
        # no generic hint fits a backward rule (`+=` is right here, an optimizer's sign hint would mislead)
        hints=frozenset(),
    ))
