"""A scalar autodiff engine (micrograd style): topological sort and the backward pass.

The checks build graphs of ``dlgrade.harness.graphs.Value`` (``data``, ``grad``, ``_prev``:
the tuple of input nodes, ``_backward``: a closure that adds the node's gradient into
its inputs' ``grad``) from a plain spec (a kind and four numbers), in the learner's kernel
and here alike; the nodes' local derivatives come from this module (an oracle), never from
the kernel. The learner writes

- ``topological_sort(root) -> list``: every node reachable from ``root`` exactly once,
  each after all of its inputs (so ``root`` is last);
- ``backward(root)``: set ``root.grad = 1`` and call every node's ``_backward`` in reverse
  topological order, so each node's gradient is complete before it is passed on.

A learner's own ``Value`` class with the same attribute names can pass
``Value.backward`` (the unbound method) directly.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ...calling import answer, register_oracle
from ...diagnosis import WRONG_TYPE, Diagnosis
from ...harness.graphs import VALUE_OP, Value, node_ids, value_graph
from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register


def _local_gradients(op: str, *args: float) -> tuple[float, ...]:
    """The increments a node of op ``op`` sends to its inputs: (input values..., out.grad) -> per input."""
    *x, g = args
    if op == "+":
        return g, g
    if op == "*":
        return x[1] * g, x[0] * g
    if op == "tanh":
        t = math.tanh(x[0])
        return ((1 - t * t) * g,)
    raise ValueError(f"unknown op {op!r}")


register_oracle(VALUE_OP, _local_gradients)


def _cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    kinds = ["chain", "diamond", "square"] if not hidden else ["shared", "diamond", "square", "chain"]
    return [Case(args={"kind": kind, "vals": rng.uniform(-1.5, 1.5, 4)}, label=f"graph '{kind}'")
            for kind in kinds]


def _topo(root: Value) -> list[Value]:
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


@reference("autodiff.topological_sort reference")
def topological_sort(kind: str, vals: np.ndarray) -> list[int]:
    """A valid order of the graph's nodes, as creation indices."""
    root, nodes = value_graph(kind, vals, answer)
    return node_ids(_topo(root), nodes)


def _drive(root: Value) -> None:
    root.grad = 1.0
    for v in reversed(_topo(root)):
        v._backward()


@reference("autodiff.backward reference")
def backward(kind: str, vals: np.ndarray) -> np.ndarray:
    """Every node's gradient (creation order) after root.grad = 1 and each _backward in reverse order."""
    root, nodes = value_graph(kind, vals, answer)
    _drive(root)
    return np.array([v.grad for v in nodes])


def _verify_order(case: Case, args: dict, got: object) -> Diagnosis | None:
    if not isinstance(got, (list, tuple)):
        return Diagnosis(WRONG_TYPE, "topological_sort returned something that is not a list; expected a list "
                         "of nodes.")
    root, nodes = value_graph(args["kind"], args["vals"], answer)
    got_ids = [int(i) for i in got]
    if len(set(got_ids)) != len(got_ids):
        dup = next(i for k, i in enumerate(got_ids) if i in got_ids[:k])
        what = repr(nodes[dup]) if 0 <= dup < len(nodes) else "an object"
        return Diagnosis("duplicates", f"{what} appears more than once: a node used by several others "
                         "must be listed once — keep a set of visited nodes.")
    missing = [v for v in nodes if v._order not in set(got_ids)]
    if missing:
        return Diagnosis("missing_nodes", f"{len(missing)} of {len(nodes)} nodes are missing (e.g. "
                         f"{missing[0]!r}): visit the inputs of the inputs too, down to the leaves.")
    if any(i < 0 for i in got_ids):
        return Diagnosis("extra_nodes", "the list contains objects that are not nodes of this graph.")

    def valid(order: list[int]) -> bool:
        pos = {i: k for k, i in enumerate(order)}
        return all(pos[c._order] < pos[v._order] for v in nodes for c in v._prev)

    if valid(got_ids):
        return None
    if valid(got_ids[::-1]):
        return Diagnosis("reversed", "the order is reversed: each node must come after its inputs, "
                         "with the root last (reverse it in backward, not here).")
    return Diagnosis("wrong_order", "some node comes before one of its inputs: append a node only "
                     "after all of its inputs have been appended (depth-first, post-order).")


def _topo_no_visited(v: Value, out: list) -> list:
    for c in v._prev:
        _topo_no_visited(c, out)
    out.append(v)
    return out


def _bw_variant(kind: str) -> Callable[[str, np.ndarray], np.ndarray]:
    def drive(root: Value) -> None:
        if kind == "not_seeded":
            for v in reversed(_topo(root)):
                v._backward()
        elif kind == "forward_order":
            root.grad = 1.0
            for v in _topo(root):
                v._backward()
        elif kind == "double_counted":
            root.grad = 1.0
            for v in reversed(_topo_no_visited(root, [])):
                v._backward()
        elif kind == "recursive":
            root.grad = 1.0

            def go(v: Value) -> None:
                v._backward()
                for c in v._prev:
                    go(c)
            go(root)

    def run(graph_kind: str, vals: np.ndarray) -> np.ndarray:
        root, nodes = value_graph(graph_kind, vals, answer)
        drive(root)
        return np.array([v.grad for v in nodes])
    return run


register(Exercise(
    "autodiff.topological_sort", "topological_sort(root) -> list of nodes, inputs before outputs",
    topological_sort, _cases, outputs=(Output("order"),), verify=_verify_order,
    adapter="topological_sort_of_values",
))
register(Exercise(
    "autodiff.backward", "backward(root) -> None; fills .grad of every node", backward, _cases,
    outputs=(Output("grads"),), adapter="backward_of_values",
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
