"""Scalar autodiff: topological sort and backward over micrograd-style nodes."""
from ._catalogue import correct, wrong


@correct("autodiff.topological_sort")
def topological_sort(root):
    order, seen = [], set()

    def visit(v):
        if v not in seen:
            seen.add(v)
            for child in v._prev:
                visit(child)
            order.append(v)
    visit(root)
    return order


@correct("autodiff.topological_sort")
def topological_sort_iterative(root):
    """Kahn's algorithm on the reversed edges."""
    nodes, stack = {}, [root]
    while stack:
        v = stack.pop()
        if id(v) not in nodes:
            nodes[id(v)] = v
            stack.extend(v._prev)
    users = {i: 0 for i in nodes}
    for v in nodes.values():
        for c in set(map(id, v._prev)):
            users[c] += 1
    ready, order = [root], []
    while ready:
        v = ready.pop()
        order.append(v)
        for c in {id(c): c for c in v._prev}.values():
            users[id(c)] -= 1
            if users[id(c)] == 0:
                ready.append(c)
    return order[::-1]


@wrong("autodiff.topological_sort", "duplicates")
def topological_sort_no_visited(root):
    order = []

    def visit(v):
        for child in v._prev:
            visit(child)
        order.append(v)
    visit(root)
    return order


@wrong("autodiff.topological_sort", "reversed")
def topological_sort_preorder_reversed(root):
    """Returns the backward-pass order (root first)."""
    return topological_sort(root)[::-1]


@wrong("autodiff.topological_sort", "missing_nodes")
def topological_sort_one_level(root):
    return list(root._prev) + [root]


@wrong("autodiff.topological_sort", "wrong_order")
def topological_sort_bfs(root):
    """Breadth-first from the root, reversed: fails when a node is reused at different depths."""
    order, seen, queue = [], {id(root)}, [root]
    while queue:
        v = queue.pop(0)
        order.append(v)
        for child in v._prev:
            if id(child) not in seen:
                seen.add(id(child))
                queue.append(child)
    return order[::-1]


@wrong("autodiff.topological_sort", "wrong_type")
def topological_sort_set(root):
    """A set has no order."""
    return set(topological_sort(root))


@wrong("autodiff.topological_sort", "missing_nodes")
def topological_sort_leaves_only(root):
    """Keeps only the nodes that are results of operations."""
    return [v for v in topological_sort(root) if v._prev]


@correct("autodiff.backward")
def backward(root):
    root.grad = 1.0
    for v in reversed(topological_sort(root)):
        v._backward()


@wrong("autodiff.backward", "not_seeded")
def backward_no_seed(root):
    for v in reversed(topological_sort(root)):
        v._backward()


@wrong("autodiff.backward", "not_propagated")
def backward_forward_order(root):
    root.grad = 1.0
    for v in topological_sort(root):
        v._backward()


@wrong("autodiff.backward", "double_counted")
def backward_no_visited(root):
    root.grad = 1.0
    for v in reversed(topological_sort_no_visited(root)):
        v._backward()


@wrong("autodiff.backward", "wrong_order")
def backward_recursive(root):
    """Recursion from the root: runs a shared node before all its users are done."""
    root.grad = 1.0

    def go(v):
        v._backward()
        for c in v._prev:
            go(c)
    go(root)


@wrong("autodiff.backward", "not_propagated")
def backward_one_level(root):
    root.grad = 1.0
    root._backward()


@wrong("autodiff.backward", "wrong_mask")
def backward_zeroes_inside(root):
    """Resets each node's grad before calling its _backward, discarding what arrived."""
    root.grad = 1.0
    for v in reversed(topological_sort(root)):
        if v is not root:
            v.grad = 0.0 if v._prev else v.grad
        v._backward()
