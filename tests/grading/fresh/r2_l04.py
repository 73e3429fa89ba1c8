"""Round-2 fresh entries for lesson 04 (backprop): the Value rules, topological_sort, backward, by_hand.

Each Value-rule entry plugs one (possibly wrong) rule into the notebook's Value class (``_value.make_value``)
and hands it to ``one_node`` exactly as the notebook does.
"""
from dlgrade.harness.adapters import one_node

from . import _value
from ._fresh import correct, register_correct, register_wrong, wrong


def _topo(root):
    order, seen = [], set()

    def visit(v):
        if id(v) in seen:
            return
        seen.add(id(v))
        for c in v._prev:
            visit(c)
        order.append(v)

    visit(root)
    return order


# ---------------------------------------------------------------- by_hand


@wrong("backprop.by_hand", "04", ["both paths", "two paths", "add up", "diamond", "used twice"],
       "dx counts only the path through q = x * y and forgets the path through m = max(x, z)")
def by_hand():
    return {"q": -6, "m": 3, "s": -3, "f": -6,
            "ds": 2, "dq": 2, "dm": 2, "dx": -4, "dy": 6, "dz": -3}


@wrong("backprop.by_hand", "04", ["max", "route", "larger", "only the", "winner"],
       "lets the max gate pass its gradient to both inputs, so dz also gets dm (dz = -1)")
def by_hand():  # noqa: F811
    return {"q": -6, "m": 3, "s": -3, "f": -6,
            "ds": 2, "dq": 2, "dm": 2, "dx": -2, "dy": 6, "dz": -1}


# ---------------------------------------------------------------- the four rules


def add_backward(a, b, out):
    a.grad += out.data
    b.grad += out.data


register_wrong("backprop.add", "04", one_node(_value.make_value(add=add_backward), "add"),
               ["out.grad", "upstream", "out.data", "instead of the gradient"],
               "passes the output's value out.data back instead of its gradient out.grad")


def mul_backward(a, b, out):
    a.grad += b.grad * out.grad
    b.grad += a.grad * out.grad


register_wrong("backprop.mul", "04", one_node(_value.make_value(mul=mul_backward), "mul"),
               ["b.data", "a.data", ".data", "other input's value"],
               "multiplies by the other input's .grad instead of its .data")


def pow_backward(a, k, out):
    a.grad += k * a.data ** k * out.grad


register_wrong("backprop.pow", "04", one_node(_value.make_value(pow_=pow_backward), "pow"),
               ["k - 1", "k-1", "exponent", "power rule"],
               "forgets to lower the exponent: k * a ** k instead of k * a ** (k - 1)")


def sigmoid_backward(a, out):
    a.grad += a.data * (1 - a.data) * out.grad


register_wrong("backprop.sigmoid", "04", one_node(_value.make_value(sigmoid=sigmoid_backward), "sigmoid"),
               ["out.data", "a.data", "sigmoid's output", "not its input", "output σ"],
               "uses the input a.data in sigma(1 - sigma) instead of the output out.data")


def add_backward(a, b, out):
    for node in (a, b):
        node.grad += 1.0 * out.grad


register_correct("backprop.add", "04", one_node(_value.make_value(add=add_backward), "add"),
                 "a loop over both inputs (so a + a gets the gradient twice)")


# ---------------------------------------------------------------- topological_sort


@wrong("autodiff.topological_sort", "04", ["visited", "once", "duplicate", "twice", "more than once"],
       "has no visited set, so a node used twice is listed twice")
def topological_sort(root):
    order = []

    def visit(v):
        for child in v._prev:
            visit(child)
        order.append(v)

    visit(root)
    return order


@wrong("autodiff.topological_sort", "04", ["post-order", "pre-order", "inputs first", "root last", "after its inputs"],
       "appends a node before visiting its inputs (pre-order), so the root comes first")
def topological_sort(root):  # noqa: F811
    order, visited = [], set()

    def visit(v):
        if v in visited:
            return
        visited.add(v)
        order.append(v)
        for child in v._prev:
            visit(child)

    visit(root)
    return order


@correct("autodiff.topological_sort", "04", "iterative depth-first search with an explicit stack")
def topological_sort(root):  # noqa: F811
    order, done, entered = [], set(), set()
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            if id(node) not in done:
                done.add(id(node))
                order.append(node)
            continue
        if id(node) in entered:
            continue
        entered.add(id(node))
        stack.append((node, True))
        for child in list(node._prev)[::-1]:
            if id(child) not in entered:
                stack.append((child, False))
    return order


# ---------------------------------------------------------------- backward


@wrong("autodiff.backward", "04", ["revers", "output first"],
       "calls _backward in topological (forward) order instead of reverse order")
def backward(root):
    root.grad = 1.0
    for v in _topo(root):
        v._backward()


@wrong("autodiff.backward", "04", ["root.grad", "seed", "= 1", "starting gradient", "df/df"],
       "never sets root.grad = 1, so every gradient stays 0")
def backward(root):  # noqa: F811
    for v in reversed(_topo(root)):
        v._backward()


@correct("autodiff.backward", "04", "Kahn's algorithm: counts each node's users and runs a node once all users are done")
def backward(root):  # noqa: F811
    users = {}
    nodes = {id(root): root}
    stack = [root]
    while stack:
        v = stack.pop()
        for c in v._prev:
            users[id(c)] = users.get(id(c), 0) + 1
            if id(c) not in nodes:
                nodes[id(c)] = c
                stack.append(c)
    root.grad = 1.0
    ready = [root]
    while ready:
        v = ready.pop()
        v._backward()
        for c in v._prev:
            users[id(c)] -= 1
            if users[id(c)] == 0:
                ready.append(c)


