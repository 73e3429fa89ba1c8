"""Lesson 04 · Backpropagation: by_hand, the four backward rules of Value, topological_sort, backward."""
# ruff: noqa: C408  (written the way learners write: unused unpacked sizes, dict(...))
import math

from dlgrade.harness.adapters import one_node

from . import _value as V
from ._fresh import correct, learner_name, register_correct, register_wrong, wrong

L = "04"

# ---- backprop.by_hand() --------------------------------------------------------------------------
# q = x*y, m = max(x, z), s = q + m, f = s*z at x = 3, y = -2, z = 2.
# Right: q -6, m 3, s -3, f -6; ds 2, dq 2, dm 2, dx -2, dy 6, dz -3.


@wrong("backprop.by_hand", L, ["dx", "two paths", "both paths", "add up"],
       "x is used twice but only the path through q is counted: dx = -4")
def by_hand():
    return {"q": -6, "m": 3, "s": -3, "f": -6, "ds": 2, "dq": 2, "dm": 2, "dx": -4, "dy": 6, "dz": -3}


@wrong("backprop.by_hand", L, ["dz", "max", "route"], "the max gate also sends gradient to z (the loser): dz = -1")
def by_hand():  # noqa: F811
    return {"q": -6, "m": 3, "s": -3, "f": -6, "ds": 2, "dq": 2, "dm": 2, "dx": -2, "dy": 6, "dz": -1}


@wrong("backprop.by_hand", L, ["dy", "swap", "multiply"], "multiply gate without the swap: dy = dq * y = -4")
def by_hand():  # noqa: F811
    return {"q": -6, "m": 3, "s": -3, "f": -6, "ds": 2, "dq": 2, "dm": 2, "dx": -2, "dy": -4, "dz": -3}


@wrong("backprop.by_hand", L, ["dm", "max"], "thinks the max gate blocks the gradient: dm = 0, hence dx = -4")
def by_hand():  # noqa: F811
    return {"q": -6, "m": 3, "s": -3, "f": -6, "ds": 2, "dq": 2, "dm": 0, "dx": -4, "dy": 6, "dz": -3}


@wrong("backprop.by_hand", L, ["ds", "multiply", "swap"], "f = s*z passes 1 back to s (ds = 1), and everything below follows")
def by_hand():  # noqa: F811
    return {"q": -6, "m": 3, "s": -3, "f": -6, "ds": 1, "dq": 1, "dm": 1, "dx": -1, "dy": 3, "dz": -3}


@wrong("backprop.by_hand", L, ["dm", "missing", "key"], "forgets the key 'dm'")
def by_hand():  # noqa: F811
    return {"q": -6, "m": 3, "s": -3, "f": -6, "ds": 2, "dq": 2, "dx": -2, "dy": 6, "dz": -3}


@correct("backprop.by_hand", L, "floats computed by a small forward/backward in code")
def by_hand():  # noqa: F811
    x, y, z = 3.0, -2.0, 2.0
    q, m = x * y, max(x, z)
    s = q + m
    f = s * z
    ds, dz = z, s
    dq = dm = ds
    dx = dq * y + (dm if x >= z else 0.0)
    dz += dm if z > x else 0.0
    return dict(q=q, m=m, s=s, f=f, ds=ds, dq=dq, dm=dm, dx=dx, dy=dq * x, dz=dz)


# ---- backprop.add / mul / pow / sigmoid: one_node(Value, op) ----------------------------------------------


def add_assign(a, b, out):
    a.grad = out.grad
    b.grad = out.grad


def add_one(a, b, out):
    a.grad += 1.0
    b.grad += 1.0


def add_split(a, b, out):
    a.grad += out.grad / 2
    b.grad += out.grad / 2


def add_only_a(a, b, out):
    a.grad += out.grad


learner_name(add_assign, "add_backward")
learner_name(add_one, "add_backward")
learner_name(add_split, "add_backward")
learner_name(add_only_a, "add_backward")

register_wrong("backprop.add", L, one_node(V.make_value(add=add_assign), "add"),
               ["+=", "accumulate", "overwrit", "assign"], "a.grad = out.grad: assigns instead of adding", "assign")
register_wrong("backprop.add", L, one_node(V.make_value(add=add_one), "add"),
               ["upstream", "out.grad", "chain"], "a.grad += 1: forgets the upstream gradient", "no_upstream")
register_wrong("backprop.add", L, one_node(V.make_value(add=add_split), "add"),
               ["split", "half", "distribut", "0.5", "factor"], "splits the gradient in halves", "split")
register_wrong("backprop.add", L, one_node(V.make_value(add=add_only_a), "add"),
               ["b.grad", "second input", "both", "other input"], "forgets b.grad", "only_a")


def mul_noswap(a, b, out):
    a.grad += a.data * out.grad
    b.grad += b.data * out.grad


def mul_no_upstream(a, b, out):
    a.grad += b.data
    b.grad += a.data


def mul_assign(a, b, out):
    a.grad = b.data * out.grad
    b.grad = a.data * out.grad


def mul_grad_not_data(a, b, out):
    a.grad += b.grad * out.grad
    b.grad += a.grad * out.grad


learner_name(mul_noswap, "mul_backward")
learner_name(mul_no_upstream, "mul_backward")
learner_name(mul_assign, "mul_backward")
learner_name(mul_grad_not_data, "mul_backward")

register_wrong("backprop.mul", L, one_node(V.make_value(mul=mul_noswap), "mul"),
               ["swap", "other input", "other one"], "a.grad += a.data * out.grad: no swap", "noswap")
register_wrong("backprop.mul", L, one_node(V.make_value(mul=mul_no_upstream), "mul"),
               ["upstream", "out.grad", "chain"], "a.grad += b.data: forgets the upstream gradient", "no_upstream")
register_wrong("backprop.mul", L, one_node(V.make_value(mul=mul_assign), "mul"),
               ["+=", "accumulate", "overwrit", "assign"], "assigns instead of adding", "assign")
register_wrong("backprop.mul", L, one_node(V.make_value(mul=mul_grad_not_data), "mul"),
               ["data", "value", "b.data"], "uses b.grad where b.data is meant", "grad_not_data")


def pow_no_minus_one(a, k, out):
    a.grad += k * a.data ** k * out.grad


def pow_no_k(a, k, out):
    a.grad += a.data ** (k - 1) * out.grad


def pow_assign(a, k, out):
    a.grad = k * a.data ** (k - 1) * out.grad


def pow_out_data(a, k, out):
    a.grad += k * out.data * out.grad


learner_name(pow_no_minus_one, "pow_backward")
learner_name(pow_no_k, "pow_backward")
learner_name(pow_assign, "pow_backward")
learner_name(pow_out_data, "pow_backward")

register_wrong("backprop.pow", L, one_node(V.make_value(pow_=pow_no_minus_one), "pow"),
               ["k - 1", "k-1", "exponent", "power"], "k * a^k: forgets to lower the power", "no_minus_one")
register_wrong("backprop.pow", L, one_node(V.make_value(pow_=pow_no_k), "pow"),
               ["factor k", "times k", "k *", "coefficient", "exponent", "k a^"], "a^(k-1): forgets the factor k", "no_k")
register_wrong("backprop.pow", L, one_node(V.make_value(pow_=pow_assign), "pow"),
               ["+=", "accumulate", "overwrit", "assign"], "assigns instead of adding", "assign")
register_wrong("backprop.pow", L, one_node(V.make_value(pow_=pow_out_data), "pow"),
               ["k - 1", "k-1", "out.data", "exponent", "a^k"], "k * out.data: uses a^k where a^(k-1) is meant", "out_data")


def sig_input(a, out):
    a.grad += a.data * (1 - a.data) * out.grad


def sig_no_upstream(a, out):
    a.grad += out.data * (1 - out.data)


def sig_assign(a, out):
    a.grad = out.data * (1 - out.data) * out.grad


def sig_recomputed(a, out):
    x = a.data
    e = math.exp(-abs(x))
    s = 1 / (1 + e) if x >= 0 else e / (1 + e)
    a.grad += s * (1 - s) * out.grad


learner_name(sig_input, "sigmoid_backward")
learner_name(sig_no_upstream, "sigmoid_backward")
learner_name(sig_assign, "sigmoid_backward")
learner_name(sig_recomputed, "sigmoid_backward")

register_wrong("backprop.sigmoid", L, one_node(V.make_value(sigmoid=sig_input), "sigmoid"),
               ["out.data", "output", "input", "a.data"], "a.data * (1 - a.data): the input where the output is meant", "input")
register_wrong("backprop.sigmoid", L, one_node(V.make_value(sigmoid=sig_no_upstream), "sigmoid"),
               ["upstream", "out.grad", "chain"], "forgets the upstream gradient", "no_upstream")
register_wrong("backprop.sigmoid", L, one_node(V.make_value(sigmoid=sig_assign), "sigmoid"),
               ["+=", "accumulate", "overwrit", "assign"], "assigns instead of adding", "assign")
register_correct("backprop.sigmoid", L, one_node(V.make_value(sigmoid=sig_recomputed), "sigmoid"),
                 "recomputes sigma from a.data with a stable formula instead of reading out.data", "recomputed")


# ---- autodiff.topological_sort(root) ---------------------------------------------------------------------


@wrong("autodiff.topological_sort", L, ["once", "duplicate", "visited", "twice", "more than once"],
       "no visited set: a node reached along two paths is listed twice")
def topological_sort(root):
    order = []

    def visit(v):
        for c in v._prev:
            visit(c)
        order.append(v)

    visit(root)
    return order


@wrong("autodiff.topological_sort", L, ["inputs before", "before its inputs", "after all of its inputs", "post-order",
                                        "pre-order", "preorder", "root last", "order"],
       "appends a node before visiting its inputs (pre-order)")
def topological_sort(root):  # noqa: F811
    order, seen = [], set()

    def visit(v):
        if id(v) in seen:
            return
        seen.add(id(v))
        order.append(v)
        for c in v._prev:
            visit(c)

    visit(root)
    return order


@wrong("autodiff.topological_sort", L, ["revers", "root last", "root first"], "returns the order reversed (root first)")
def topological_sort(root):  # noqa: F811
    return list(reversed(V.topological_sort(root)))


@wrong("autodiff.topological_sort", L, ["order", "topolog", "before", "after"],
       "breadth-first levels from the root, reversed: wrong when paths have different lengths")
def topological_sort(root):  # noqa: F811
    order, seen, frontier = [], {id(root)}, [root]
    while frontier:
        nxt = []
        for v in frontier:
            order.append(v)
            for c in v._prev:
                if id(c) not in seen:
                    seen.add(id(c))
                    nxt.append(c)
        frontier = nxt
    return order[::-1]


@wrong("autodiff.topological_sort", L, ["root", "missing", "every node"], "leaves the root out")
def topological_sort(root):  # noqa: F811
    return V.topological_sort(root)[:-1]


@wrong("autodiff.topological_sort", L, ["leaves", "leaf", "inputs", "missing", "every node"], "leaves out the leaves (nodes without _prev)")
def topological_sort(root):  # noqa: F811
    return [v for v in V.topological_sort(root) if v._prev]


@correct("autodiff.topological_sort", L, "an explicit stack instead of recursion")
def topological_sort(root):  # noqa: F811
    order, visited = [], {id(root)}
    stack = [(root, iter(root._prev))]
    while stack:
        node, children = stack[-1]
        for c in children:
            if id(c) not in visited:
                visited.add(id(c))
                stack.append((c, iter(c._prev)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


# ---- autodiff.backward(root) -----------------------------------------------------------------------------


@wrong("autodiff.backward", L, ["seed", "root.grad", "= 1", "start"], "forgets root.grad = 1: every gradient stays 0")
def backward(root):
    for v in reversed(V.topological_sort(root)):
        v._backward()


@wrong("autodiff.backward", L, ["revers", "order"], "runs the closures in forward (topological) order")
def backward(root):  # noqa: F811
    root.grad = 1.0
    for v in V.topological_sort(root):
        v._backward()


@wrong("autodiff.backward", L, ["every node", "all nodes", "each node", "only the root"], "only calls root._backward()")
def backward(root):  # noqa: F811
    root.grad = 1.0
    root._backward()


@wrong("autodiff.backward", L, ["twice", "once", "duplicate", "visited", "more than once"],
       "its own sort without a visited set: shared nodes run _backward twice")
def backward(root):  # noqa: F811
    order = []

    def visit(v):
        for c in v._prev:
            visit(c)
        order.append(v)

    visit(root)
    root.grad = 1.0
    for v in reversed(order):
        v._backward()


@wrong("autodiff.backward", L, ["seed", "before", "root.grad", "first"], "sets root.grad = 1 after the loop")
def backward(root):  # noqa: F811
    for v in reversed(V.topological_sort(root)):
        v._backward()
    root.grad = 1.0


@correct("autodiff.backward", L, "indexes the topological order backwards with range")
def backward(root):  # noqa: F811
    order = V.topological_sort(root)
    root.grad = 1.0
    for i in range(len(order) - 1, -1, -1):
        order[i]._backward()
