"""Lesson 06 (autodiff), the backward driver: the learner's ``backward(root)`` runs on graphs of
``dlgrade.harness.graphs.Tensor`` built from a plain spec (a kind, a seed, whether the leaves already hold a
gradient), with shared nodes, diamonds, dead branches, constants, broadcasting and two distinct leaves with equal
values; every node's ``.grad`` is compared with the reference. The graph's ops ask this module for their local
gradients (an oracle): the learner's kernel never holds them.

Known drivers (each a way of getting the order, the seed or the accumulation wrong: micrograd's recursion
without an order, ``=`` for ``+=``, gradients thrown away between calls) are run on the same graph; where one
gives the learner's gradients exactly, the message names it.
"""
from __future__ import annotations

from collections import deque
from typing import Any, Callable

import numpy as np

from ... import diagnosis as dg
from ...calling import answer, register_oracle
from ...diagnosis import Diagnosis
from ...harness.graphs import TENSOR_OP, Tensor, tensor_grads, tensor_graph
from ...harness.guard import reference
from ...registry import Case, Exercise, Output, register
from .ops import sum_back, unbroadcast


def _op_backward(op: str, arrays: list, consts: dict, grad: np.ndarray) -> tuple:
    """The gradient of each input of one op, given the op's inputs and the gradient of its output."""
    g = np.asarray(grad, dtype=np.float64)
    a = np.asarray(arrays[0], dtype=np.float64)
    b = np.asarray(arrays[1], dtype=np.float64) if len(arrays) > 1 else None
    if op == "add":
        return unbroadcast(g, a.shape), unbroadcast(g, b.shape)
    if op == "mul":
        return unbroadcast(g * b, a.shape), unbroadcast(g * a, b.shape)
    if op == "matmul":
        return g @ b.T, a.T @ g
    if op == "sum":
        return (sum_back(g, a.shape, consts.get("axis"), bool(consts.get("keepdims"))),)
    if op == "exp":
        return (g * np.exp(a),)
    if op == "log":
        return (g / a,)
    if op == "relu":
        return (g * (a > 0),)
    if op == "sigmoid":
        s = np.exp(-np.logaddexp(0.0, -a))
        return (g * s * (1 - s),)
    raise ValueError(f"unknown op {op!r}")


register_oracle(TENSOR_OP, _op_backward)


def _order(root: Tensor, *, visited: bool = True, post: bool = True, breadth: bool = False) -> list[Tensor]:
    """The computed tensors root depends on: post-order (each after its inputs, root last) by default; without a
    visited set, in pre-order or breadth-first for the wrong orders."""
    if breadth:
        out, seen, queue = [], {id(root)}, deque([root])
        while queue:
            node = queue.popleft()
            out.append(node)
            for p in node._ctx.inputs:
                if p._ctx is not None and id(p) not in seen:
                    seen.add(id(p))
                    queue.append(p)
        return out[::-1]
    out, seen = [], set()

    def visit(node: Tensor) -> None:
        if node._ctx is None or (visited and id(node) in seen):
            return
        seen.add(id(node))
        if not post:
            out.append(node)
        for p in node._ctx.inputs:
            visit(p)
        if post:
            out.append(node)
    visit(root)
    return out if post else out[::-1]


def _grads_of(node: Tensor) -> tuple:
    grads = node._ctx.fn.backward(node._ctx, node.grad)
    return grads if isinstance(grads, tuple) else (grads,)


def _drive(root: Tensor, nodes: list[Tensor], *, slip: str = "") -> None:
    """The backward pass; ``slip`` names one typical wrong version of it (see _DRIVER_MISTAKES)."""
    if slip == "reset_leaf_grads":
        for node in nodes:
            if node._ctx is None and node.requires_grad:
                node.grad = None
    root.grad = {"seeded_with_value": np.array(root.data, copy=True),
                 "seeded_with_zeros": np.zeros_like(root.data)}.get(slip, np.ones_like(root.data))
    order = {"double_counted": lambda: _order(root, visited=False), "breadth_first": lambda: _order(root, breadth=True),
             "preorder": lambda: _order(root, post=False)}.get(slip, lambda: _order(root))()
    todo = [root] if slip == "root_only" else order[::-1]
    pending: dict[int, np.ndarray] = {}
    for node in todo:
        if slip == "intermediates_not_stored" and node is not root:
            node.grad = pending.pop(id(node))
        for inp, g in zip(node._ctx.inputs, _grads_of(node)):
            if not inp.requires_grad and slip != "constant_got_grad":
                continue
            if slip == "intermediates_not_stored" and inp._ctx is not None:
                pending[id(inp)] = g if id(inp) not in pending else pending[id(inp)] + g
                continue
            if inp.grad is None or slip == "overwrites":
                inp.grad = g
            else:
                inp.grad = inp.grad * g if slip == "product" else inp.grad + g
    if slip == "intermediates_not_stored":
        for node in todo[1:]:
            node.grad = None


def _drive_recursive(root: Tensor, nodes: list[Tensor]) -> None:
    """Depth-first from the root without a topological order: a shared node passes on a partial gradient."""
    root.grad = np.ones_like(root.data)

    def go(node: Tensor) -> None:
        if node._ctx is None:
            return
        for inp, g in zip(node._ctx.inputs, _grads_of(node)):
            if inp.requires_grad:
                inp.grad = g if inp.grad is None else inp.grad + g
                go(inp)
    go(root)


def _run(drive: Callable[..., None], kind: str, seed: int, pre: bool) -> list[Any]:
    root, nodes = tensor_graph(kind, seed, pre, answer)
    drive(root, nodes)
    return tensor_grads(nodes)


@reference("engine.backward reference")
def backward_reference(kind: str, seed: int, pre: bool) -> list[Any]:
    """Seed with ones, visit nodes in reverse topological order, add each input's gradient."""
    return _run(_drive, kind, seed, pre)


_GRAPH_LABELS = {"chain": "loss = sum(relu(x @ W + b) * c)",
                 "diamond": "a diamond: a used four times, exp(a) twice",
                 "shared": "a shared node at two depths, a dead branch, a constant",
                 "mlp": "a two-layer network with cross-entropy, a dead branch",
                 "twins": "two leaves with equal values, a column broadcast, a sum over axis 0"}


def _driver_cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    kinds = [("chain", False), ("diamond", False), ("mlp", False), ("chain", True), ("twins", True),
             ("shared", False)]
    if hidden:
        kinds = [("shared", False), ("diamond", True), ("mlp", False), ("shared", True), ("chain", False),
                 ("twins", False), ("mlp", True)]
    out = []
    for kind, pre in kinds:
        seed = int(rng.integers(0, 2**31))
        label = f"{_GRAPH_LABELS[kind]}; graph seed {seed}" + (
            "; the leaves already hold a gradient from an earlier backward" if pre else "")
        out.append(Case(args={"kind": kind, "seed": seed, "pre": pre}, label=label))
    return out


def _same_grads(a: list[Any], b: list[Any]) -> bool:
    if not isinstance(a, list) or len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if (x is None) != (y is None):
            return False
        if x is not None and (not isinstance(x, np.ndarray) or x.shape != y.shape or not dg.close(x, y)):
            return False
    return True


def _slip(name: str) -> Callable[..., None]:
    return lambda r, n: _drive(r, n, slip=name)


_NOT_TOPOLOGICAL = ("each node ran its backward once, but some before all of their users had sent their share (a "
                    "breadth-first or pre-order walk from the root): use reversed(topological_order(root)), which "
                    "puts every user before its inputs.")
_DRIVER_MISTAKES: tuple[tuple[str, str, Callable[..., None]], ...] = (
    ("reset_leaf_grads", "the leaves' earlier gradients were thrown away: gradients ACCUMULATE in .grad across "
     "backward calls until someone zeroes them (that is what zero_grad() is for), so add to an existing .grad.",
     _slip("reset_leaf_grads")),
    ("overwrites", "a node's gradient was replaced, not added to: a node used in several places (a diamond, a * a, "
     "or a leaf holding gradient from an earlier backward) must SUM what arrives along every use: inp.grad = g if "
     "inp.grad is None else inp.grad + g.", _slip("overwrites")),
    ("seeded_with_value", "the backward pass started from the root's value: seed it with ones, root.grad = "
     "np.ones_like(root.data) (dL/dL = 1).", _slip("seeded_with_value")),
    ("seeded_with_zeros", "the root was seeded with zeros, so every gradient is 0: dL/dL = 1, root.grad = "
     "np.ones_like(root.data).", _slip("seeded_with_zeros")),
    ("not_propagated", "only the root's own backward ran: loop over EVERY node of the topological order, from the "
     "root back to the leaves.", _slip("root_only")),
    ("wrong_order", "a shared node passed on its gradient before every use of it had sent its share (a depth-first "
     "walk from the root): run the nodes' backwards in reverse topological order, each exactly once.",
     _drive_recursive),
    ("double_counted", "a node reached along two paths ran its backward twice, passing its gradient on twice: "
     "visit each node once (the topological order's visited set).", _slip("double_counted")),
    ("not_topological", _NOT_TOPOLOGICAL, _slip("breadth_first")),
    ("not_topological", _NOT_TOPOLOGICAL, _slip("preorder")),
    ("constant_got_grad", "constants and data received a .grad: skip inputs with requires_grad False. Nothing will "
     "ever update them, and computing their gradients wastes time.", _slip("constant_got_grad")),
    ("intermediates_not_stored", "the intermediate nodes ended with .grad None: every node the root depends on "
     "keeps the sum of what it received in .grad, not only the leaves.", _slip("intermediates_not_stored")),
    ("accumulated_by_product", "what arrives along a second path was MULTIPLIED into .grad: the multivariate chain "
     "rule adds the paths' contributions, inp.grad = inp.grad + g.", _slip("product")),
)


def _structural(nodes: list[Tensor], got: list[Any], want: list[Any]) -> Diagnosis | None:
    """What is wrong node by node, when no known driver gives the learner's gradients."""
    for node, g, e in zip(nodes, got, want):
        if e is not None and g is None:
            return Diagnosis("missing_grad", f"`{node.name}` ended with .grad None, but the loss depends on it: "
                             "every node between the leaves and the root must pass its gradient on, and every "
                             "node (intermediate ones too) keeps the sum of what it received in .grad.")
        if e is None and g is not None:
            return Diagnosis("dead_branch", f"`{node.name}` got a .grad it should not have: only nodes the root "
                             "depends on and that require grad take part (found by walking inputs from the root).")
        if e is not None and np.shape(g) != e.shape:
            return Diagnosis("grad_shape", f"the gradient of `{node.name}` has shape {np.shape(g)} but the node "
                             f"has shape {e.shape}. A backward of a one-input op returns a bare array: wrap it in "
                             "a tuple (grads = (grads,)) before zipping it with ctx.inputs, or zip walks its rows.")
    for node, g, e in zip(nodes, got, want):
        if e is not None and not dg.close(e, np.asarray(g, dtype=np.float64)):
            d = dg.compare(e, g, name=f"{node.name}.grad")
            return Diagnosis(d.code, d.message, d.detail)
    return Diagnosis(dg.VALUES, "the gradients differ from the reference.")


def _verify_driver(case: Case, args: dict, got: Any) -> Diagnosis | None:
    kind, seed, pre = args["kind"], args["seed"], args["pre"]
    want = backward_reference(kind, seed, pre)
    if _same_grads(got, want):
        return None
    if not isinstance(got, list) or len(got) != len(want):
        return Diagnosis(dg.VALUES, "the graph's gradients could not be read after your backward(root).")
    for code, message, variant in _DRIVER_MISTAKES:
        try:
            wrong = _run(variant, kind, seed, pre)
        except Exception:  # a variant that cannot run on this graph does not fit
            continue
        if _same_grads(got, wrong):
            return Diagnosis(code, message)
    return _structural(tensor_graph(kind, seed, pre, answer)[1], got, want)


register(Exercise(
    "engine.backward", "backward(root) -> None; fills .grad of every node the root depends on",
    backward_reference, _driver_cases, outputs=(Output("grads"),), verify=_verify_driver,
    blocked=("backward",), adapter="backward_of_tensors",
))
