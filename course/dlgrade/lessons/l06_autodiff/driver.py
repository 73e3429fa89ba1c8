"""Lesson 06 (autodiff), the backward driver: the learner's ``backward(root)`` runs on graphs of
``dlgrade.harness.graphs.Tensor`` built from a plain spec (a kind, a seed, whether the leaves already hold a
gradient), with shared nodes, diamonds, dead branches, constants; every node's ``.grad`` is compared with the
reference. The graph's ops ask this module for their local gradients (an oracle): the learner's kernel never
holds them.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ... import diagnosis as dg
from ...calling import answer, register_oracle
from ...diagnosis import Diagnosis
from ...harness.graphs import TENSOR_OP, Tensor, tensor_grads, tensor_graph
from ...harness.guard import reference
from ...registry import Case, Exercise, Output, register
from .ops import _sum_back, _unbroadcast


def _op_backward(op: str, arrays: list, consts: dict, grad: np.ndarray) -> tuple:
    """The gradient of each input of one op, given the op's inputs and the gradient of its output."""
    g = np.asarray(grad, dtype=np.float64)
    a = np.asarray(arrays[0], dtype=np.float64)
    b = np.asarray(arrays[1], dtype=np.float64) if len(arrays) > 1 else None
    if op == "add":
        return _unbroadcast(g, a.shape), _unbroadcast(g, b.shape)
    if op == "mul":
        return _unbroadcast(g * b, a.shape), _unbroadcast(g * a, b.shape)
    if op == "matmul":
        return g @ b.T, a.T @ g
    if op == "sum":
        return (_sum_back(g, a.shape, consts.get("axis"), bool(consts.get("keepdims"))),)
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


def _topological_order(root: Tensor) -> list[Tensor]:
    """Non-leaf nodes root depends on, each after its inputs (root last); iterative DFS."""
    order: list[Tensor] = []
    if root._ctx is None:
        return order
    visited = {id(root)}
    stack = [(root, iter(root._ctx.inputs))]
    while stack:
        node, parents = stack[-1]
        for p in parents:
            if p._ctx is not None and id(p) not in visited:
                visited.add(id(p))
                stack.append((p, iter(p._ctx.inputs)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _drive(root: Tensor, nodes: list[Tensor], *, overwrite: bool = False, order: str = "reverse",
           seed_value: bool = False, reset_leaves: bool = False) -> None:
    """The backward pass, with switches that turn it into the typical wrong versions."""
    if reset_leaves:
        for node in nodes:
            if node._ctx is None and node.requires_grad:
                node.grad = None
    root.grad = np.array(root.data, copy=True) if seed_value else np.ones_like(root.data)
    todo = _topological_order(root)
    todo = todo[::-1] if order == "reverse" else todo[-1:]
    for node in todo:
        ctx = node._ctx
        grads = ctx.fn.backward(ctx, node.grad)
        grads = grads if isinstance(grads, tuple) else (grads,)
        for inp, g in zip(ctx.inputs, grads):
            if inp.requires_grad:
                inp.grad = g if (inp.grad is None or overwrite) else inp.grad + g


def _drive_recursive(root: Tensor, nodes: list[Tensor]) -> None:
    """Depth-first from the root without a topological order: a shared node passes on a partial gradient."""
    root.grad = np.ones_like(root.data)

    def go(node: Tensor) -> None:
        if node._ctx is None:
            return
        grads = node._ctx.fn.backward(node._ctx, node.grad)
        grads = grads if isinstance(grads, tuple) else (grads,)
        for inp, g in zip(node._ctx.inputs, grads):
            if not inp.requires_grad:
                continue
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
                 "mlp": "a two-layer network with cross-entropy, a dead branch"}


def _driver_cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    kinds = [("chain", False), ("diamond", False), ("mlp", False), ("chain", True)]
    if hidden:
        kinds = [("shared", False), ("diamond", True), ("mlp", False), ("shared", True), ("chain", False)]
    out = []
    for kind, pre in kinds:
        label = _GRAPH_LABELS[kind] + ("; the leaves already hold a gradient from an earlier backward" if pre else "")
        out.append(Case(args={"kind": kind, "seed": int(rng.integers(0, 2**31)), "pre": pre}, label=label))
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


_DRIVER_MISTAKES: tuple[tuple[str, str, Callable[..., None]], ...] = (
    ("reset_leaf_grads", "the leaves' earlier gradients were thrown away: gradients ACCUMULATE in .grad "
     "across backward calls until someone zeroes them (that is what zero_grad() is for), so add to an "
     "existing .grad.", lambda r, n: _drive(r, n, reset_leaves=True)),
    ("overwrites", "a node's gradient was replaced, not added to: a node used in several places (a diamond, "
     "a * a, or a leaf holding gradient from an earlier backward) must SUM what arrives along every use: "
     "inp.grad = g if inp.grad is None else inp.grad + g.", lambda r, n: _drive(r, n, overwrite=True)),
    ("seeded_with_value", "the backward pass started from the root's value: seed it with ones, "
     "root.grad = np.ones_like(root.data) (dL/dL = 1).", lambda r, n: _drive(r, n, seed_value=True)),
    ("not_propagated", "only the root's own backward ran: loop over EVERY node of the topological order, "
     "from the root back to the leaves.", lambda r, n: _drive(r, n, order="root_only")),
    ("wrong_order", "a shared node passed on its gradient before every use of it had sent its share (a "
     "depth-first walk from the root, or a node visited more than once): run the nodes' backwards in "
     "reverse topological order, each exactly once.", _drive_recursive),
)


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
    _, nodes = tensor_graph(kind, seed, pre, answer)
    for node, g in zip(nodes, got):
        if not node.requires_grad and g is not None:
            return Diagnosis("constant_got_grad", f"`{node.name}` does not require grad (a constant or the "
                             "data) but received a .grad: skip inputs with requires_grad False. Nothing "
                             "will ever update them, and computing their gradients wastes time.")
    for node, g, e in zip(nodes, got, want):
        if e is not None and g is None:
            return Diagnosis("missing_grad", f"`{node.name}` ended with .grad None, but the loss depends on it: "
                             "every node between the leaves and the root must pass its gradient on, and every "
                             "node (intermediate ones too) keeps the sum of what it received in .grad.")
        if e is None and g is not None:
            return Diagnosis("dead_branch", f"`{node.name}` does not lead to the loss but got a gradient: only "
                             "nodes the root depends on (found by walking inputs from the root) take part.")
        if e is not None and np.shape(g) != e.shape:
            return Diagnosis("grad_shape", f"the gradient of `{node.name}` has shape {np.shape(g)} but the node "
                             f"has shape {e.shape}. A backward of a one-input op returns a bare array: wrap it "
                             "in a tuple (grads = (grads,)) before zipping it with ctx.inputs, or zip walks "
                             "its rows.")
    for node, g, e in zip(nodes, got, want):
        if e is not None and not dg.close(e, np.asarray(g, dtype=np.float64)):
            d = dg.compare(e, g, name=f"{node.name}.grad")
            return Diagnosis(d.code, d.message, d.detail)
    return Diagnosis(dg.VALUES, "the gradients differ from the reference.")


register(Exercise(
    "engine.backward", "backward(root) -> None; fills .grad of every node the root depends on",
    backward_reference, _driver_cases, outputs=(Output("grads"),), verify=_verify_driver,
    blocked=("backward",), adapter="backward_of_tensors",
))
