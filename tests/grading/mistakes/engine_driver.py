"""Lesson 06: the backward driver over the grader's graphs, and the Linear module on the learner's engine."""
from collections import deque

import numpy as np

from dlgrade.harness.adapters import linear_module

from ._catalogue import correct, wrong
from .engine import Tensor


def topological_order(root):
    order, visited = [], set()
    if root._ctx is None:
        return order
    visited.add(id(root))
    stack = [(root, iter(root._ctx.inputs))]
    while stack:
        node, inputs = stack[-1]
        for inp in inputs:
            if inp._ctx is not None and id(inp) not in visited:
                visited.add(id(inp))
                stack.append((inp, iter(inp._ctx.inputs)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _grads(node):
    grads = node._ctx.fn.backward(node._ctx, node.grad)
    return grads if isinstance(grads, tuple) else (grads,)


def _accumulate(inp, g):
    inp.grad = g if inp.grad is None else inp.grad + g


@correct("engine.backward")
def backward(root):
    """Seed with ones, reverse topological order, add into .grad, skip constants."""
    root.grad = np.ones_like(root.data)
    for node in reversed(topological_order(root)):
        for inp, g in zip(node._ctx.inputs, _grads(node)):
            if inp.requires_grad:
                _accumulate(inp, g)


@correct("engine.backward")
def backward_pending_dict(root):
    """Keeps pending gradients in a dict keyed by id, then writes them to .grad: also right."""
    pending = {id(root): np.ones_like(root.data)}
    for node in reversed(topological_order(root)):
        g_node = pending.pop(id(node))
        node.grad = g_node if node.grad is None else node.grad + g_node
        grads = node._ctx.fn.backward(node._ctx, g_node)
        grads = grads if isinstance(grads, tuple) else (grads,)
        for inp, g in zip(node._ctx.inputs, grads):
            if not inp.requires_grad:
                continue
            if inp._ctx is None:
                _accumulate(inp, g)
            else:
                pending[id(inp)] = g if id(inp) not in pending else pending[id(inp)] + g


@wrong("engine.backward", "overwrites")
def backward_overwrites(root):
    """Assigns instead of adding."""
    root.grad = np.ones_like(root.data)
    for node in reversed(topological_order(root)):
        for inp, g in zip(node._ctx.inputs, _grads(node)):
            if inp.requires_grad:
                inp.grad = g


@wrong("engine.backward", "exception")
def backward_forward_order(root):
    """Visits the nodes in topological order (leaves first): a backward gets grad None."""
    root.grad = np.ones_like(root.data)
    for node in topological_order(root):
        for inp, g in zip(node._ctx.inputs, _grads(node)):
            if inp.requires_grad:
                _accumulate(inp, g)


@wrong("engine.backward", "seeded_with_value")
def backward_seed_value(root):
    """Starts from the loss value instead of 1."""
    root.grad = root.data.copy()
    for node in reversed(topological_order(root)):
        for inp, g in zip(node._ctx.inputs, _grads(node)):
            if inp.requires_grad:
                _accumulate(inp, g)


@wrong("engine.backward", "seeded_with_zeros")
def backward_seed_zeros(root):
    root.grad = np.zeros_like(root.data)
    for node in reversed(topological_order(root)):
        for inp, g in zip(node._ctx.inputs, _grads(node)):
            if inp.requires_grad:
                _accumulate(inp, g)


@wrong("engine.backward", "constant_got_grad")
def backward_no_skip(root):
    """Gives every input a gradient, constants included."""
    root.grad = np.ones_like(root.data)
    for node in reversed(topological_order(root)):
        for inp, g in zip(node._ctx.inputs, _grads(node)):
            _accumulate(inp, g)


@wrong("engine.backward", "not_propagated")
def backward_root_only(root):
    """Runs only the root's backward."""
    root.grad = np.ones_like(root.data)
    for inp, g in zip(root._ctx.inputs, _grads(root)):
        if inp.requires_grad:
            _accumulate(inp, g)


@wrong("engine.backward", "exception")
def backward_skips_root(root):
    root.grad = np.ones_like(root.data)
    for node in reversed(topological_order(root)[:-1]):
        for inp, g in zip(node._ctx.inputs, _grads(node)):
            if inp.requires_grad:
                _accumulate(inp, g)


@wrong("engine.backward", "wrong_order")
def backward_recursive(root):
    """Recurses from the root into each input right after sending it gradient."""
    root.grad = np.ones_like(root.data)

    def visit(node):
        if node._ctx is None:
            return
        for inp, g in zip(node._ctx.inputs, _grads(node)):
            if inp.requires_grad:
                _accumulate(inp, g)
                visit(inp)
    visit(root)


@wrong("engine.backward", "double_counted")
def backward_own_order_no_visited(root):
    """Builds its own order with a recursion that has no visited set."""
    order = []

    def visit(node):
        if node._ctx is None:
            return
        for inp in node._ctx.inputs:
            visit(inp)
        order.append(node)
    visit(root)
    root.grad = np.ones_like(root.data)
    for node in reversed(order):
        for inp, g in zip(node._ctx.inputs, _grads(node)):
            if inp.requires_grad:
                _accumulate(inp, g)


@wrong("engine.backward", "not_topological")
def backward_queue(root):
    root.grad = np.ones_like(root.data)
    queue, seen = deque([root]), {id(root)}
    while queue:
        node = queue.popleft()
        for inp, g in zip(node._ctx.inputs, _grads(node)):
            if inp.requires_grad:
                _accumulate(inp, g)
                if inp._ctx is not None and id(inp) not in seen:
                    seen.add(id(inp))
                    queue.append(inp)


@wrong("engine.backward", "not_topological")
def backward_visited_recursion(root):
    """A recursion with a visited set: each node once, but possibly before all its users."""
    root.grad = np.ones_like(root.data)
    seen = set()

    def visit(node):
        if node._ctx is None or id(node) in seen:
            return
        seen.add(id(node))
        for inp, g in zip(node._ctx.inputs, _grads(node)):
            if inp.requires_grad:
                _accumulate(inp, g)
        for inp in node._ctx.inputs:
            visit(inp)
    visit(root)


@wrong("engine.backward", "reset_leaf_grads")
def backward_resets(root):
    """Clears every leaf's gradient before the pass."""
    order = topological_order(root)
    for node in order:
        for inp in node._ctx.inputs:
            if inp._ctx is None and inp.requires_grad:
                inp.grad = None
    root.grad = np.ones_like(root.data)
    for node in reversed(order):
        for inp, g in zip(node._ctx.inputs, _grads(node)):
            if inp.requires_grad:
                _accumulate(inp, g)


@wrong("engine.backward", "intermediates_not_stored")
def backward_leaves_only(root):
    """Passes gradients along in a dict and writes .grad only for the leaves."""
    pending = {id(root): np.ones_like(root.data)}
    root.grad = pending[id(root)]
    for node in reversed(topological_order(root)):
        grads = node._ctx.fn.backward(node._ctx, pending[id(node)])
        for inp, g in zip(node._ctx.inputs, grads if isinstance(grads, tuple) else (grads,)):
            if not inp.requires_grad:
                continue
            if inp._ctx is None:
                _accumulate(inp, g)
            else:
                pending[id(inp)] = g if id(inp) not in pending else pending[id(inp)] + g


@wrong("engine.backward", "accumulated_by_product")
def backward_times(root):
    root.grad = np.ones_like(root.data)
    for node in reversed(topological_order(root)):
        for inp, g in zip(node._ctx.inputs, _grads(node)):
            if inp.requires_grad:
                inp.grad = g if inp.grad is None else inp.grad * g


@wrong("engine.backward", "exception")
def backward_no_tuple(root):
    """Zips a bare array (one-input op) with the inputs, so zip walks its rows."""
    root.grad = np.ones_like(root.data)
    for node in reversed(topological_order(root)):
        grads = node._ctx.fn.backward(node._ctx, node.grad)
        for inp, g in zip(node._ctx.inputs, grads if isinstance(grads, tuple) else list(np.atleast_1d(grads))):
            if inp.requires_grad:
                _accumulate(inp, g)


# ----------------------------------------------------------------------------- Linear


class Module:
    def parameters(self):
        params = []
        for value in vars(self).values():
            if isinstance(value, Tensor) and value.requires_grad:
                params.append(value)
            elif isinstance(value, Module):
                params.extend(value.parameters())
        return params

    def __call__(self, x):
        return self.forward(x)


class Linear(Module):
    """The lesson's solution: uniform(-k, k) weight of shape (in, out), zero bias, x @ W + b."""

    def __init__(self, in_features, out_features, rng):
        k = 1 / np.sqrt(in_features)
        self.weight = Tensor(rng.uniform(-k, k, size=(in_features, out_features)), requires_grad=True)
        self.bias = Tensor(np.zeros(out_features), requires_grad=True)

    def forward(self, x):
        return x @ self.weight + self.bias


def _layer(expect, forward=False):
    """Register linear_module of a Linear whose __init__ (or, with ``forward``, forward) is the decorated code."""
    def deco(fn):
        body = {"forward": fn} if forward else {"__init__": fn}
        cls = type("Linear", (Linear,), body)
        entry = linear_module(cls)
        entry.__name__ = entry.__qualname__ = f"linear_{fn.__name__}"
        entry.__module__ = __name__
        entry.__doc__ = fn.__doc__
        (correct("engine.linear") if expect is None else wrong("engine.linear", expect))(entry)
        return fn
    return deco


def _init(in_features, out_features, W, b):
    return Tensor(W, requires_grad=True), Tensor(b, requires_grad=True)


correct("engine.linear")(linear_module(Linear))


@_layer("init_glorot")
def glorot(self, in_features, out_features, rng):
    k = np.sqrt(6 / (in_features + out_features))
    self.weight, self.bias = _init(in_features, out_features, rng.uniform(-k, k, size=(in_features, out_features)),
                                   np.zeros(out_features))


@_layer("init_normal")
def normal(self, in_features, out_features, rng):
    self.weight, self.bias = _init(in_features, out_features,
                                   rng.normal(size=(in_features, out_features)) / np.sqrt(in_features),
                                   np.zeros(out_features))


@_layer("init_unscaled")
def unit_uniform(self, in_features, out_features, rng):
    self.weight, self.bias = _init(in_features, out_features, rng.uniform(-1, 1, size=(in_features, out_features)),
                                   np.zeros(out_features))


@_layer("init_bias_drawn")
def torch_bias(self, in_features, out_features, rng):
    """Draws the bias like nn.Linear does, after the weight."""
    k = 1 / np.sqrt(in_features)
    W = rng.uniform(-k, k, size=(in_features, out_features))
    self.weight, self.bias = _init(in_features, out_features, W, rng.uniform(-k, k, size=out_features))


@_layer("init_fan_out")
def fan_out(self, in_features, out_features, rng):
    k = 1 / np.sqrt(out_features)
    self.weight, self.bias = _init(in_features, out_features, rng.uniform(-k, k, size=(in_features, out_features)),
                                   np.zeros(out_features))


@_layer("init_no_sqrt")
def no_sqrt(self, in_features, out_features, rng):
    k = 1 / in_features
    self.weight, self.bias = _init(in_features, out_features, rng.uniform(-k, k, size=(in_features, out_features)),
                                   np.zeros(out_features))


@_layer("init_positive")
def positive(self, in_features, out_features, rng):
    k = 1 / np.sqrt(in_features)
    self.weight, self.bias = _init(in_features, out_features, rng.uniform(0, k, size=(in_features, out_features)),
                                   np.zeros(out_features))


@_layer("init_transposed_draw")
def drawn_transposed(self, in_features, out_features, rng):
    k = 1 / np.sqrt(in_features)
    self.weight, self.bias = _init(in_features, out_features, rng.uniform(-k, k, size=(out_features, in_features)).T,
                                   np.zeros(out_features))


@_layer("init_he")
def he(self, in_features, out_features, rng):
    self.weight, self.bias = _init(in_features, out_features,
                                   rng.normal(size=(in_features, out_features)) * np.sqrt(2 / in_features),
                                   np.zeros(out_features))


@_layer("init_zeros")
def zeros(self, in_features, out_features, rng):
    self.weight, self.bias = _init(in_features, out_features, np.zeros((in_features, out_features)),
                                   np.zeros(out_features))


@_layer("weight_transposed")
def torch_layout(self, in_features, out_features, rng):
    """Stores the weight as (out, in) like PyTorch, but multiplies x @ weight."""
    k = 1 / np.sqrt(in_features)
    self.weight, self.bias = _init(in_features, out_features, rng.uniform(-k, k, size=(out_features, in_features)),
                                   np.zeros(out_features))


@_layer("no_requires_grad")
def no_grad(self, in_features, out_features, rng):
    k = 1 / np.sqrt(in_features)
    self.weight = Tensor(rng.uniform(-k, k, size=(in_features, out_features)))
    self.bias = Tensor(np.zeros(out_features))


@_layer("bias_row")
def row_bias(self, in_features, out_features, rng):
    k = 1 / np.sqrt(in_features)
    self.weight, self.bias = _init(in_features, out_features, rng.uniform(-k, k, size=(in_features, out_features)),
                                   np.zeros((1, out_features)))


@_layer("outside_graph", forward=True)
def on_data(self, x):
    """Computes the output on raw arrays, outside the graph."""
    return Tensor(x.data @ self.weight.data + self.bias.data)


@_layer("no_bias", forward=True)
def forgets_bias(self, x):
    return x @ self.weight
