"""The typical wrong topological sorts and backward passes of lesson 04's scalar engine, as code on the same
graphs the learner's functions walk. Sources: the lesson's own pitfalls (a visited set, reverse order, the
seed 1), micrograd pull request 64 (a recursion from the root instead of the order: right on trees, wrong
where a non-leaf node is reused), micrograd pull request 102 (gradients left from before), and the slips of
iterative and breadth-first rewrites.
"""
from __future__ import annotations

from collections import deque
from typing import Any, Callable

Node = Any
Sort = Callable[[Node], list]
Driver = Callable[[Node, Sort], None]


def postorder(root: Node) -> list:
    """Iterative depth-first post-order: each node after its inputs, each exactly once (the right order)."""
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        v, expanded = stack.pop()
        if expanded:
            order.append(v)
        elif id(v) not in visited:
            visited.add(id(v))
            stack.append((v, True))
            stack.extend((c, False) for c in reversed(v._prev) if id(c) not in visited)
    return order


def _recursive(root: Node, *, visited: bool = True, before: bool = False, key: Callable = id,
               first_only: bool = False) -> list:
    """The lesson's recursive sort, with its typical slips as switches."""
    order, seen = [], set()

    def visit(v: Node) -> None:
        if visited:
            if key(v) in seen:
                return
            seen.add(key(v))
        if before:
            order.append(v)
        for c in v._prev[:1] if first_only else v._prev:
            visit(c)
        if not before:
            order.append(v)
    visit(root)
    return order


def _bfs(root: Node) -> list:
    order, seen, queue = [], {id(root)}, deque([root])
    while queue:
        v = queue.popleft()
        order.append(v)
        for c in v._prev:
            if id(c) not in seen:
                seen.add(id(c))
                queue.append(c)
    return order


def _stack_preorder(root: Node) -> list:
    order, seen, stack = [], set(), [root]
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen.add(id(v))
            order.append(v)
            stack.extend(v._prev)
    return order


# (code, message, sort): compared with the learner's order exactly, after the structural checks found it wrong
SORTS: tuple[tuple[str, str, Sort], ...] = (
    ("no_visited", "a node used by several others is listed once per use: keep a set of visited nodes and skip "
     "a node already in it.", lambda r: _recursive(r, visited=False)),
    ("preorder", "each node is appended BEFORE its inputs are visited: visit the inputs first, then append the "
     "node (post-order), so the root comes last.", lambda r: _recursive(r, before=True)),
    ("reversed", "the order is reversed: each node must come after its inputs, with the root last (reverse it "
     "in backward, not here).", lambda r: postorder(r)[::-1]),
    ("breadth_first", "a breadth-first walk from the root, reversed, is not a topological order: a node reused "
     "at two depths is placed by its first use. Append a node only after ALL its inputs (depth-first, "
     "post-order).", lambda r: _bfs(r)[::-1]),
    ("stack_preorder", "popping a node from the stack and appending it at once lists it before its inputs were "
     "placed: push the node back and append it only after its inputs are done (post-order).",
     lambda r: _stack_preorder(r)[::-1]),
    ("one_level", "only the root and its direct inputs are listed: visit the inputs of the inputs too, down to "
     "the leaves (recursively).", lambda r: list(r._prev) + [r]),
    ("no_leaves", "the leaves (nodes without inputs) are missing: every node reachable from the root belongs "
     "in the list, inputs included.", lambda r: [v for v in postorder(r) if v._prev]),
    ("no_root", "the root is missing: after visiting its inputs, append the root itself too (it comes last).",
     lambda r: postorder(r)[:-1]),
    ("visited_by_value", "nodes with equal values were taken for the same node: keep the nodes themselves (or "
     "id(v)) in the visited set, not their .data — two nodes can hold the same number.",
     lambda r: _recursive(r, key=lambda v: v.data)),
    ("first_input_only", "only each node's first input was followed: loop over all of v._prev.",
     lambda r: _recursive(r, first_only=True)),
)


# ----------------------------------------------------------------------------------------- backward passes


def _sorted_run(sort: Sort, *, reverse: bool = True, seed: Any = 1.0, seed_late: bool = False,
                every: bool = False, zero_inside: bool = False) -> Driver:
    """A backward pass over ``sort``'s order, with its typical slips as switches."""
    def drive(root: Node, _topo: Sort) -> None:
        order = sort(root)
        if not seed_late:
            root.grad = root.data if seed == "value" else seed
        for v in (reversed(order) if reverse else order):
            if every:
                v.grad = 1.0
            elif zero_inside and v is not root and v._prev:
                v.grad = 0.0
            v._backward()
        if seed_late:
            root.grad = 1.0
    return drive


def _recursive_drive(*, visited: bool) -> Driver:
    def drive(root: Node, _topo: Sort) -> None:
        root.grad, seen = 1.0, set()

        def go(v: Node) -> None:
            if visited and id(v) in seen:
                return
            seen.add(id(v))
            v._backward()
            for c in v._prev:
                go(c)
        go(root)
    return drive


def _bfs_drive(root: Node, _topo: Sort) -> None:
    root.grad = 1.0
    for v in _bfs(root):
        v._backward()


def _single_path(root: Node, _topo: Sort) -> None:
    root.grad, v = 1.0, root
    while v._prev:
        v._backward()
        v = v._prev[0]


def _stack_drive(root: Node, _topo: Sort) -> None:
    root.grad, stack, seen = 1.0, [root], set()
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen.add(id(v))
            v._backward()
            stack.extend(v._prev)


# (code, message, drive(root, the right sort), the line to look for): each computed on the case's graph
DRIVERS: tuple[tuple[str, str, Driver, str], ...] = (
    ("not_seeded", "every gradient is zero: start with root.grad = 1 (dL/dL), then propagate.",
     _sorted_run(postorder, seed=0.0), r"root\.grad\s*="),
    ("not_propagated", "only the root's direct inputs received gradients: every node's _backward must run, in "
     "REVERSE topological order (root first). In forward order each node passes on a gradient of 0, because "
     "nothing has reached it yet.", _sorted_run(postorder, reverse=False), r"for\s+\w+\s+in\s+(?!reversed)"),
    ("wrong_order", "a node's _backward ran before every node using it was done (a plain recursion from the "
     "root): process nodes in reverse topological order.", _recursive_drive(visited=False), r"^\s+def\s+\w+\("),
    ("double_counted", "a node used twice had its _backward called twice, so its gradient was passed on twice: "
     "the topological order needs a visited set.", _sorted_run(lambda r: _recursive(r, visited=False)),
     r"for\s+\w+\s+in\b"),
    ("nothing_passed_on", "every gradient but the root's is 0: no gradient ever left the root. Seed root.grad = 1 "
     "BEFORE the loop, and call each node's own _backward (v._backward()), root first.",
     _sorted_run(postorder, seed_late=True), r"root\.grad\s*=\s*1|\w+\._backward\(\)"),
    ("zeroed_inside", "each node's gradient was reset to 0 just before its _backward ran, throwing away what its "
     "users had sent: the backward pass only adds, it never resets.", _sorted_run(postorder, zero_inside=True),
     r"\.grad\s*=\s*0"),
    ("breadth_first", "nodes ran in breadth-first order from the root: a node reused at two depths passed its "
     "gradient on before its deeper user had sent its share. Use reverse topological order.", _bfs_drive,
     r"pop\(0\)|popleft|queue"),
    ("visited_recursion", "a recursion from the root with a visited set runs a shared node at its first use, "
     "before its other users have sent their share: use reverse topological order.",
     _recursive_drive(visited=True), r"^\s+def\s+\w+\("),
    ("seeded_with_value", "the backward pass started from the root's value: seed it with 1 (dL/dL = 1), "
     "root.grad = 1.", _sorted_run(postorder, seed="value"), r"root\.grad\s*=\s*root\.data"),
    ("every_node_seeded", "every node's grad was set to 1 before its _backward: only the root is seeded; every "
     "other node's grad is what its users added into it.", _sorted_run(postorder, every=True),
     r"\b(?!root)\w+\.grad\s*=\s*1"),
    ("single_path", "only the nodes along one path from the root ran their _backward (following each node's "
     "first input, as if the graph were a chain): every node must run, in reverse topological order.",
     _single_path, r"while\b"),
    ("stack_walk", "a stack that runs each node's _backward as soon as it is first popped walks the graph "
     "depth-first from the root: a shared node runs before all its users are done. Use reverse topological order.",
     _stack_drive, r"\.pop\(\)"),
)
