"""A scalar autodiff engine (micrograd style): topological sort and the backward pass.

The checks build graphs of ``dlgrade.harness.graphs.Value`` (``data``, ``grad``, ``_prev``: the tuple of input
nodes, ``_backward``: a closure that adds the node's gradient into its inputs' ``grad``) from a plain spec (a
kind and four numbers), in the learner's kernel and here alike; the nodes' local derivatives come from this
module (an oracle), never from the kernel. The learner writes

- ``topological_sort(root) -> list``: every node reachable from ``root`` exactly once, each after all of its
  inputs (so ``root`` is last);
- ``backward(root)``: set ``root.grad = 1`` and call every node's ``_backward`` in reverse topological order,
  so each node's gradient is complete before it is passed on. A ``topological_sort`` it calls is the grader's
  (an oracle too): a wrong sort costs points once, in its own exercise.

The graphs have shared nodes at two depths, diamonds, a node used twice in one operation (a * a) and two
distinct nodes with equal values ("twins").
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...calling import answer, register_oracle
from ...diagnosis import WRONG_TYPE, Diagnosis
from ...harness.graphs import VALUE_OP, VALUE_TOPO, Value, node_ids, value_graph
from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register
from .graph_mistakes import DRIVERS, SORTS, Driver, postorder


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


def _order_from(kind: str, vals: Any, start: int) -> list[int]:
    """A topological order of the nodes ``start`` depends on, as creation indices (the driver's oracle)."""
    _, nodes = value_graph(kind, vals, answer)
    return node_ids(postorder(next(v for v in nodes if v._order == int(start))), nodes)


register_oracle(VALUE_OP, _local_gradients)
register_oracle(VALUE_TOPO, _order_from)

_LABELS = {"chain": "a chain of tanh nodes", "diamond": "a diamond: a used three times, c twice",
           "square": "a * a: one node twice in one operation", "shared": "an intermediate reused at two depths",
           "twins": "two distinct nodes with equal values (b = a, a*c = c*b)"}


def _cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    kinds = ["chain", "diamond", "square", "twins", "shared"]
    if hidden:
        kinds = ["shared", "twins", "diamond", "square", "chain"]
    out = []
    for kind in kinds:
        vals = rng.uniform(0.3, 1.5, 4) * rng.choice([-1.0, 1.0], 4)
        out.append(Case(args={"kind": kind, "vals": vals}, label=f"graph '{kind}': {_LABELS[kind]}"))
    return out


@reference("autodiff.topological_sort reference")
def topological_sort(kind: str, vals: np.ndarray) -> list[int]:
    """A valid order of the graph's nodes, as creation indices."""
    root, nodes = value_graph(kind, vals, answer)
    return node_ids(postorder(root), nodes)


def _drive(root: Value, topo: Any = postorder) -> None:
    root.grad = 1.0
    for v in reversed(topo(root)):
        v._backward()


def _grads(drive: Driver, kind: str, vals: np.ndarray) -> np.ndarray:
    root, nodes = value_graph(kind, vals, answer)
    drive(root, postorder)
    return np.array([v.grad for v in nodes])


@reference("autodiff.backward reference")
def backward(kind: str, vals: np.ndarray) -> np.ndarray:
    """Every node's gradient (creation order) after root.grad = 1 and each _backward in reverse order."""
    return _grads(_drive, kind, vals)


def _structure(got_ids: list[int], nodes: list[Value]) -> Diagnosis | None:
    """What is wrong with an order as a list of the graph's nodes (not yet its order)."""
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
    return None


def _valid(order: list[int], nodes: list[Value]) -> bool:
    pos = {i: k for k, i in enumerate(order)}
    return all(pos[c._order] < pos[v._order] for v in nodes for c in v._prev)


def _verify_order(case: Case, args: dict, got: object) -> Diagnosis | None:
    if not isinstance(got, (list, tuple)):
        return Diagnosis(WRONG_TYPE, "topological_sort returned something that is not a list; expected a list "
                         "of nodes.")
    root, nodes = value_graph(args["kind"], args["vals"], answer)
    got_ids = [int(i) for i in got]
    wrong = _structure(got_ids, nodes)
    if wrong is None and _valid(got_ids, nodes):
        return None
    for code, message, sort in SORTS:  # a known wrong sort that gives exactly this list names the slip
        if node_ids(sort(root), nodes) == got_ids:
            return Diagnosis(code, message)
    if wrong is not None:
        return wrong
    if _valid(got_ids[::-1], nodes):
        return Diagnosis("reversed", "the order is reversed: each node must come after its inputs, "
                         "with the root last (reverse it in backward, not here).")
    return Diagnosis("wrong_order", "some node comes before one of its inputs: append a node only "
                     "after all of its inputs have been appended (depth-first, post-order).")


register(Exercise(
    "autodiff.topological_sort", "topological_sort(root) -> list of nodes, inputs before outputs",
    topological_sort, _cases, outputs=(Output("order"),), verify=_verify_order,
    adapter="topological_sort_of_values",
))


def _driver_mistake(code: str, message: str, drive: Driver, look_for: str) -> KnownMistake:
    return KnownMistake(code, message, lambda kind, vals: _grads(drive, kind, vals), "the loop of backward",
                        look_for)


register(Exercise(
    "autodiff.backward", "backward(root) -> None; fills .grad of every node", backward, _cases,
    outputs=(Output("grads"),), adapter="backward_of_values",
    oracles={"topological_sort": VALUE_TOPO},  # answered as creation indices by the adapter
    mistakes=tuple(_driver_mistake(*d) for d in DRIVERS),
    hints=frozenset(),
))
