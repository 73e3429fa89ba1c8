"""Lesson 04, scalar autodiff: topological sort and backward over micrograd-style nodes, written the way
learners write them (recursive helpers, stacks, queues)."""
from collections import deque

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


@correct("autodiff.topological_sort")
def topological_sort_dedupe(root):
    """No visited set, duplicates removed afterwards keeping each node's FIRST place: still a valid order."""
    order = []

    def visit(v):
        for c in v._prev:
            visit(c)
        order.append(v)
    visit(root)
    return list({id(v): v for v in order}.values())


@wrong("autodiff.topological_sort", "no_visited")
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


@wrong("autodiff.topological_sort", "one_level")
def topological_sort_one_level(root):
    return list(root._prev) + [root]


@wrong("autodiff.topological_sort", "breadth_first")
def topological_sort_bfs(root):
    """Breadth-first from the root, reversed: fails when a node is reused at different depths."""
    order, seen, queue = [], {id(root)}, deque([root])
    while queue:
        v = queue.popleft()
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


@wrong("autodiff.topological_sort", "no_leaves")
def topological_sort_leaves_dropped(root):
    """Keeps only the nodes that are results of operations."""
    return [v for v in topological_sort(root) if v._prev]


@wrong("autodiff.topological_sort", "preorder")
def topological_sort_append_first(root):
    order, seen = [], set()

    def visit(v):
        if v not in seen:
            seen.add(v)
            order.append(v)
            for child in v._prev:
                visit(child)
    visit(root)
    return order


@wrong("autodiff.topological_sort", "stack_preorder")
def topological_sort_stack(root):
    """An explicit stack that appends a node as soon as it is popped, then reverses."""
    order, seen, stack = [], set(), [root]
    while stack:
        v = stack.pop()
        if v in seen:
            continue
        seen.add(v)
        order.append(v)
        stack.extend(v._prev)
    return order[::-1]


@wrong("autodiff.topological_sort", "no_root")
def topological_sort_inputs_only(root):
    order, seen = [], set()

    def visit(v):
        for child in v._prev:
            if child not in seen:
                seen.add(child)
                visit(child)
                order.append(child)
    visit(root)
    return order


@wrong("autodiff.topological_sort", "visited_by_value")
def topological_sort_by_data(root):
    """Keeps the visited VALUES: two nodes holding the same number count as one."""
    order, seen = [], set()

    def visit(v):
        if v.data not in seen:
            seen.add(v.data)
            for child in v._prev:
                visit(child)
            order.append(v)
    visit(root)
    return order


@wrong("autodiff.topological_sort", "first_input_only")
def topological_sort_first_child(root):
    order, seen = [], set()

    def visit(v):
        if v not in seen:
            seen.add(v)
            if v._prev:
                visit(v._prev[0])
            order.append(v)
    visit(root)
    return order


# ------------------------------------------------------------------------------------------- backward


@correct("autodiff.backward")
def backward(root):
    root.grad = 1.0
    for v in reversed(topological_sort(root)):
        v._backward()


@correct("autodiff.backward")
def backward_own_order(root):
    """Builds its own order inline (an explicit stack, post-order): also right."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        v, done = stack.pop()
        if done:
            order.append(v)
        elif v not in seen:
            seen.add(v)
            stack.append((v, True))
            stack.extend((c, False) for c in v._prev)
    root.grad = 1.0
    for v in reversed(order):
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


@wrong("autodiff.backward", "zeroed_inside")
def backward_zeroes_inside(root):
    """Resets each node's grad before calling its _backward, discarding what arrived."""
    root.grad = 1.0
    for v in reversed(topological_sort(root)):
        if v is not root and v._prev:
            v.grad = 0.0
        v._backward()


@wrong("autodiff.backward", "nothing_passed_on")
def backward_seed_last(root):
    for v in reversed(topological_sort(root)):
        v._backward()
    root.grad = 1.0


@wrong("autodiff.backward", "breadth_first")
def backward_queue(root):
    root.grad = 1.0
    queue, seen = deque([root]), {root}
    while queue:
        v = queue.popleft()
        v._backward()
        for c in v._prev:
            if c not in seen:
                seen.add(c)
                queue.append(c)


@wrong("autodiff.backward", "visited_recursion")
def backward_recursive_visited(root):
    root.grad = 1.0
    seen = set()

    def go(v):
        if v in seen:
            return
        seen.add(v)
        v._backward()
        for c in v._prev:
            go(c)
    go(root)


@wrong("autodiff.backward", "seeded_with_value")
def backward_seed_value(root):
    root.grad = root.data
    for v in reversed(topological_sort(root)):
        v._backward()


@wrong("autodiff.backward", "every_node_seeded")
def backward_ones_everywhere(root):
    for v in reversed(topological_sort(root)):
        v.grad = 1.0
        v._backward()


@wrong("autodiff.backward", "nothing_passed_on")
def backward_children(root):
    root.grad = 1.0
    for v in reversed(topological_sort(root)):
        for c in v._prev:
            c._backward()


@wrong("autodiff.backward", "single_path")
def backward_chain_walk(root):
    """Walks down from the root as if the graph were a chain."""
    root.grad = 1.0
    v = root
    while v._prev:
        v._backward()
        v = v._prev[0]


@wrong("autodiff.backward", "stack_walk")
def backward_stack(root):
    root.grad = 1.0
    stack, seen = [root], set()
    while stack:
        v = stack.pop()
        if v in seen:
            continue
        seen.add(v)
        v._backward()
        stack.extend(v._prev)
