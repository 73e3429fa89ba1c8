"""A scalar autodiff engine (micrograd style): topological sort and the backward pass.

The checks build graphs of this module's :class:`Value` (``data``, ``grad``, ``_prev``:
the tuple of input nodes, ``_backward``: a closure that adds the node's gradient into
its inputs' ``grad``). The learner writes

- ``topological_sort(root) -> list``: every node reachable from ``root`` exactly once,
  each after all of its inputs (so ``root`` is last);
- ``backward(root)``: set ``root.grad = 1`` and call every node's ``_backward`` in reverse
  topological order, so each node's gradient is complete before it is passed on.

A learner's own ``Value`` class with the same attribute names can pass
``Value.backward`` (the unbound method) directly.
"""
from __future__ import annotations

import itertools
import math
from typing import Callable

import numpy as np

from ...diagnosis import Diagnosis, WRONG_TYPE
from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register

_counter = itertools.count()


class Value:
    """A scalar node of a computation graph."""

    def __init__(self, data: float, _prev: tuple = (), _op: str = "", label: str = ""):
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_prev)
        self._op = _op
        self.label = label
        self._backward: Callable[[], None] = lambda: None
        self._order = next(_counter)  # creation order, to list gradients deterministically

    def __add__(self, other: "Value") -> "Value":
        out = Value(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other: "Value") -> "Value":
        out = Value(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def tanh(self) -> "Value":
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward() -> None:
            self.grad += (1 - t * t) * out.grad
        out._backward = _backward
        return out

    def __repr__(self) -> str:
        return f"Value({self.label or self._op}, data={self.data:.4g}, grad={self.grad:.4g})"


def _graph(kind: str, vals: np.ndarray) -> Value:
    a, b, c, d = (Value(v, label=n) for v, n in zip(vals, "abcd"))
    if kind == "diamond":  # a used three times, c twice: gradients must sum over paths
        e = a * b
        e.label = "e=a*b"
        f = e + a
        f.label = "f=e+a"
        g = (f * e).tanh()
        g.label = "g=tanh(f*e)"
        return g + (a * c)
    if kind == "square":  # x * x: the same node twice in one operation
        s = a * a
        s.label = "s=a*a"
        return (s + a) * b
    if kind == "chain":
        h = (a * b + c).tanh()
        h.label = "h=tanh(a*b+c)"
        return (h * d).tanh()
    if kind == "shared":  # a reused intermediate at different depths
        p = a * b
        p.label = "p=a*b"
        q = (p + c) * p
        q.label = "q=(p+c)*p"
        return (q + p * d).tanh() * p
    raise ValueError(kind)


def _cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    kinds = ["chain", "diamond", "square"] if not hidden else ["shared", "diamond", "square", "chain"]
    cases = []
    for kind in kinds:
        vals = rng.uniform(-1.5, 1.5, 4)
        cases.append(Case(factory=lambda kind=kind, vals=vals: {"root": _graph(kind, vals)},
                          label=f"graph '{kind}'"))
    return cases


@reference("autodiff helper")
def _nodes(root: Value) -> list[Value]:
    """Every node reachable from root, in creation order."""
    seen, stack, out = set(), [root], []
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
            stack.extend(v._prev)
    return sorted(out, key=lambda v: v._order)


@reference("autodiff.topological_sort reference")
def topological_sort(root: Value) -> list[Value]:
    """Iterative depth-first post-order: each node after its inputs, each exactly once."""
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        v, expanded = stack.pop()
        if expanded:
            order.append(v)
        elif id(v) not in visited:
            visited.add(id(v))
            stack.append((v, True))
            stack.extend((c, False) for c in v._prev if id(c) not in visited)
    return order


@reference("autodiff.backward reference")
def backward(root: Value) -> None:
    """root.grad = 1, then every _backward in reverse topological order."""
    root.grad = 1.0
    for v in reversed(topological_sort(root)):
        v._backward()


def _grads(args: dict, returned: object) -> np.ndarray:
    return np.array([v.grad for v in _nodes(args["root"])])


def _verify_order(case: Case, args: dict, got: object) -> Diagnosis | None:
    root = args["root"]
    if not isinstance(got, (list, tuple)):
        return Diagnosis(WRONG_TYPE, f"topological_sort returned a {type(got).__name__}; expected a list of nodes.")
    nodes = _nodes(root)
    ids = {id(v) for v in nodes}
    got_ids = [id(v) for v in got]
    if len(set(got_ids)) != len(got_ids):
        dup = next(v for i, v in enumerate(got) if id(v) in got_ids[:i])
        return Diagnosis("duplicates", f"{dup!r} appears more than once: a node used by several others "
                         "must be listed once — keep a set of visited nodes.")
    missing = [v for v in nodes if id(v) not in set(got_ids)]
    if missing:
        return Diagnosis("missing_nodes", f"{len(missing)} of {len(nodes)} nodes are missing (e.g. "
                         f"{missing[0]!r}): visit the inputs of the inputs too, down to the leaves.")
    if any(i not in ids for i in got_ids):
        return Diagnosis("extra_nodes", "the list contains objects that are not nodes of this graph.")

    def valid(order: list) -> bool:
        pos = {id(v): i for i, v in enumerate(order)}
        return all(pos[id(c)] < pos[id(v)] for v in order for c in v._prev)

    if valid(list(got)):
        return None
    if valid(list(got)[::-1]):
        return Diagnosis("reversed", "the order is reversed: each node must come after its inputs, "
                         "with the root last (reverse it in backward, not here).")
    return Diagnosis("wrong_order", "some node comes before one of its inputs: append a node only "
                     "after all of its inputs have been appended (depth-first, post-order).")


def _topo_no_visited(v, out):
    for c in v._prev:
        _topo_no_visited(c, out)
    out.append(v)
    return out


def _bw_variant(kind: str):
    def run(root):
        if kind == "not_seeded":
            for v in reversed(topological_sort(root)):
                v._backward()
        elif kind == "forward_order":
            root.grad = 1.0
            for v in topological_sort(root):
                v._backward()
        elif kind == "double_counted":
            root.grad = 1.0
            for v in reversed(_topo_no_visited(root, [])):
                v._backward()
        elif kind == "one_level":
            root.grad = 1.0
            root._backward()
        elif kind == "recursive":
            root.grad = 1.0

            def go(v):
                v._backward()
                for c in v._prev:
                    go(c)
            go(root)
    return run


register(Exercise(
    "autodiff.topological_sort", "topological_sort(root) -> list of nodes, inputs before outputs",
    topological_sort, _cases, outputs=(Output("order"),), verify=_verify_order,
))
register(Exercise(
    "autodiff.backward", "backward(root) -> None; fills .grad of every node", backward, _cases,
    outputs=(Output("grads"),), extract=_grads,
    mistakes=(
        KnownMistake("not_seeded", "every gradient is zero: start with root.grad = 1 (dL/dL), then "
                     "propagate.", _bw_variant("not_seeded")),
        KnownMistake("not_propagated", "only the root's direct inputs received gradients: every node's "
                     "_backward must run, in reverse topological order (root first). In forward order "
                     "each node passes on a gradient of 0, because nothing has reached it yet.",
                     _bw_variant("forward_order")),
        KnownMistake("wrong_order", "a node's _backward ran before every node using it was done (a plain "
                     "recursion from the root): process nodes in reverse topological order.",
                     _bw_variant("recursive")),
        KnownMistake("double_counted", "a node used twice had its _backward called twice, so its "
                     "gradient was passed on twice: the topological order needs a visited set.",
                     _bw_variant("double_counted")),
    ),
))
