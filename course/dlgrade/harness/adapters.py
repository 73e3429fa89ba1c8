"""Adapters: turn a learner's class into a function of plain arrays, so it can be checked like any other.

``one_node(Value, op)`` (lesson 04), ``one_op(Cls, op)`` and ``linear_module(Linear)`` (lesson 06) run one
operation (or one layer) of the learner's own engine forward and backward once and return plain numbers and
arrays. They hold no reference: they only call the learner's code, and the result is compared elsewhere.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import graphs
from .describe import describe

_NODE_BINARY = {"add": "+", "mul": "*"}
_NODE_UNARY = ("pow", "sigmoid")
OP_BINARY = ("add", "mul", "matmul")
OP_UNARY = ("exp", "log", "sigmoid", "relu")
OPS = OP_BINARY + OP_UNARY + ("sum",)


def _node(out: Any, expr: str, method: str) -> Any:
    """The result of an operation, or a clear error when it is not a graph node."""
    if out is None:
        raise TypeError(f"`{expr}` gave None: does `{method}` end with `return out`?")
    for attr in ("data", "grad", "_backward"):
        if not hasattr(out, attr):
            raise TypeError(f"`{expr}` gave {describe(out)} without `.{attr}`: `{method}` must return "
                            "a new Value whose _backward closure is set (out._backward = _backward).")
    return out


def one_node(Value: type, op: str) -> Callable[..., tuple]:
    """A function of plain numbers that runs one operation of ``Value`` forward and backward.

    ``op`` is "add", "mul", "pow" or "sigmoid"; see the module docstring for the signatures.
    """
    if op not in _NODE_BINARY and op not in _NODE_UNARY:
        raise ValueError(f"one_node: op must be one of add, mul, pow, sigmoid; got {op!r}")
    method_name = {"add": "__add__", "mul": "__mul__", "pow": "__pow__", "sigmoid": "sigmoid"}[op]
    # Held in the closure so the grading guard also sees the notebook globals the methods use.
    method = getattr(Value, method_name, None)

    if op in _NODE_BINARY:
        def run(a, b, upstream, grad_before, same_node):
            if method is None:
                raise TypeError(f"your Value class has no {method_name} method")
            va = Value(a)
            vb = va if same_node else Value(b)
            va.grad = grad_before
            vb.grad = grad_before
            expr = "a {0} a" if same_node else "a {0} b"
            out = _node(va + vb if op == "add" else va * vb, expr.format(_NODE_BINARY[op]), method_name)
            out.grad = upstream
            out._backward()
            return float(out.data), float(va.grad), float(vb.grad)
    elif op == "pow":
        def run(a, k, upstream, grad_before):
            if method is None:
                raise TypeError("your Value class has no __pow__ method")
            va = Value(a)
            va.grad = grad_before
            out = _node(va ** k, "a ** k", method_name)
            out.grad = upstream
            out._backward()
            return float(out.data), float(va.grad)
    else:
        def run(a, upstream, grad_before):
            if method is None:
                raise TypeError("your Value class has no sigmoid method")
            va = Value(a)
            va.grad = grad_before
            out = _node(va.sigmoid(), "a.sigmoid()", method_name)
            out.grad = upstream
            out._backward()
            return float(out.data), float(va.grad)
    run.__name__ = f"{getattr(Value, '__name__', 'Value')}_{op}"
    run.__qualname__ = run.__name__
    return run



class OpContext:
    """The ``ctx`` handed to a learner's forward and backward in the op checks."""

    def __init__(self) -> None:
        self.saved_tensors: tuple = ()

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep arrays for backward."""
        self.saved_tensors = arrays


OP_BINARY = ("add", "mul", "matmul")
OP_UNARY = ("exp", "log", "sigmoid", "relu")
OPS = OP_BINARY + OP_UNARY + ("sum",)


def _grads_tuple(cls_name: str, grads: Any, n: int) -> tuple:
    if isinstance(grads, list):
        grads = tuple(grads)
    if n == 1 and not isinstance(grads, tuple):
        grads = (grads,)
    if not isinstance(grads, tuple) or len(grads) != n:
        want = "(grad_a, grad_b)" if n == 2 else "grad_a (or the tuple (grad_a,))"
        raise TypeError(f"{cls_name}.backward returned {describe(grads)}; it must return one gradient "
                        f"per input: {want}.")
    return grads


def _shape_ok(cls_name: str, which: str, g: Any, x: np.ndarray, out: Any) -> None:
    """A gradient must have its input's shape; say which rule fixes it when it does not."""
    gshape, xshape = tuple(np.shape(g)), tuple(np.shape(x))
    if g is None or gshape == xshape:
        return
    head = (f"{cls_name}.backward returned a gradient of shape {gshape} for {which}, which has shape {xshape}: "
            "a gradient always has the shape of its tensor.")
    if gshape == tuple(np.shape(out)):
        hint = (f" This is the output's shape: {which} was broadcast in forward, so its copies' gradients "
                f"must be summed back down with unbroadcast(..., {which}'s shape).")
    elif len(gshape) == 2 and gshape == xshape[::-1]:
        hint = " It is the transposed shape: check the order (and the .T) of the matmul operands."
    else:
        hint = ""
    raise ValueError(head + hint)


def one_op(cls: type, op: str) -> Callable[..., tuple]:
    """A function of plain arrays that runs one op of a learner's engine forward and backward once.

    ``op`` is one of add, mul, matmul (``(a, b, grad) -> (out, grad_a, grad_b)``), exp, log,
    sigmoid, relu (``(a, grad) -> (out, grad_a)``) or sum (``(a, axis, keepdims, grad) -> (out,
    grad_a)``). A gradient whose shape is not its input's raises an error that names the input.
    """
    if op not in OPS:
        raise ValueError(f"one_op: op must be one of {', '.join(OPS)}; got {op!r}")
    forward = getattr(cls, "forward", None)
    backward = getattr(cls, "backward", None)
    name = getattr(cls, "__name__", "Function")

    def _check_out(out: Any) -> None:
        if not isinstance(out, (np.ndarray, np.generic, float)):
            raise TypeError(f"{name}.forward returned {describe(out)}; it must return a numpy array.")

    if op in OP_BINARY:
        def run(a, b, grad):
            ctx = OpContext()
            out = forward(ctx, a, b)
            _check_out(out)
            ga, gb = _grads_tuple(name, backward(ctx, grad), 2)
            _shape_ok(name, "a", ga, a, out)
            _shape_ok(name, "b", gb, b, out)
            return out, ga, gb
    elif op == "sum":
        def run(a, axis, keepdims, grad):
            ctx = OpContext()
            out = forward(ctx, a, axis=axis, keepdims=keepdims)
            _check_out(out)
            (ga,) = _grads_tuple(name, backward(ctx, grad), 1)
            _shape_ok(name, "a", ga, a, out)
            return out, ga
    else:
        def run(a, grad):
            ctx = OpContext()
            out = forward(ctx, a)
            _check_out(out)
            (ga,) = _grads_tuple(name, backward(ctx, grad), 1)
            _shape_ok(name, "a", ga, a, out)
            return out, ga
    run.__name__ = run.__qualname__ = f"{name}_{op}"
    return run



def _walk_tree(out: Any, grad: np.ndarray) -> None:
    """Backpropagate ``grad`` through a tree-shaped graph (every node used once), the shape of one layer.

    Deliberately not a general backward pass (no topological order, no accumulation over shared nodes): it is
    enough for x @ weight + bias, and the learner's own driver is checked on its own in the backward exercise.
    """
    out.grad = grad
    todo = [out]
    while todo:
        node = todo.pop()
        ctx = node._ctx
        grads = ctx.fn.backward(ctx, node.grad)
        grads = grads if isinstance(grads, tuple) else (grads,)
        for inp, g in zip(ctx.inputs, grads):
            if not getattr(inp, "requires_grad", False):
                continue
            if inp.grad is not None and getattr(inp, "_ctx", None) is not None:
                raise ValueError("the layer's graph uses an intermediate tensor twice; build forward as "
                                 "x @ self.weight + self.bias")
            inp.grad = g if inp.grad is None else inp.grad + g
            if getattr(inp, "_ctx", None) is not None:
                todo.append(inp)


def linear_module(Linear: type) -> Callable[..., tuple]:
    """A function of arrays that builds the learner's ``Linear`` and runs it forward and backward.

    ``run(in_features, out_features, seed, x, weight, bias, grad_out)`` returns the layer's initial
    ``(weight, bias)``, then (after loading ``weight`` and ``bias`` into it) the output for ``x``
    and the gradients of ``x``, ``weight`` and ``bias`` when ``grad_out`` flows back into the
    output. The backward pass uses the learner's own ops through a correct driver.
    """
    def run(in_features, out_features, seed, x, weight, bias, grad_out):
        layer = Linear(in_features, out_features, rng=np.random.default_rng(seed))
        for attr in ("weight", "bias"):
            if not hasattr(layer, attr):
                raise AttributeError(f"Linear({in_features}, {out_features}) has no attribute `{attr}`: "
                                     f"store the parameters as self.weight and self.bias.")
        W, b = layer.weight, layer.bias
        for attr, t, want in (("weight", W, (in_features, out_features)), ("bias", b, (out_features,))):
            if not hasattr(t, "data") or not hasattr(t, "requires_grad"):
                raise TypeError(f"layer.{attr} is {describe(t)}; it must be a Tensor of your engine "
                                f"(Tensor(array, requires_grad=True)), so the backward pass can reach it.")
            if not t.requires_grad:
                raise ValueError(f"layer.{attr} has requires_grad=False: parameters must be created with "
                                 "requires_grad=True, or no gradient will ever reach them.")
            if tuple(np.shape(t.data)) != want:
                hint = " (transposed: in this lesson x @ weight, so weight is (in_features, out_features))" \
                    if tuple(np.shape(t.data)) == want[::-1] else ""
                raise ValueError(f"Linear({in_features}, {out_features}).{attr} has shape "
                                 f"{tuple(np.shape(t.data))}; expected {want}{hint}.")
        params = layer.parameters()
        if not any(p is W for p in params) or not any(p is b for p in params):
            raise ValueError("layer.parameters() does not list both self.weight and self.bias: an optimizer "
                             "only updates the tensors parameters() returns.")
        init_W, init_b = np.array(W.data, dtype=np.float64), np.array(b.data, dtype=np.float64)
        W.data = np.array(weight, dtype=np.float64)
        b.data = np.array(bias, dtype=np.float64)
        W.grad = b.grad = None
        T = type(W)
        xt = T(np.array(x, dtype=np.float64), requires_grad=True)
        out = layer(xt)
        if getattr(out, "_ctx", None) is None:
            raise ValueError("the layer's output has no graph (its _ctx is None): compute it with tensor "
                             "operations (x @ self.weight + self.bias), not on .data arrays, so the engine "
                             "records the ops for the backward pass.")
        _walk_tree(out, np.asarray(grad_out, dtype=np.float64))
        for name, t in (("x", xt), ("weight", W), ("bias", b)):
            if t.grad is None:
                raise ValueError(f"after backward, {name}.grad is None: {name} is not part of the output's "
                                 f"graph. Does forward use self.{name if name != 'x' else 'weight'} "
                                 "(and the bias) as tensors?")
        return init_W, init_b, np.asarray(out.data), xt.grad, W.grad, b.grad
    run.__name__ = run.__qualname__ = f"{getattr(Linear, '__name__', 'Linear')}_module"
    return run


def topological_sort_of_values(fn: Callable, args: dict, *, answer: Callable) -> Any:
    """The learner's ``topological_sort(root)`` on a lesson-04 graph, as creation indices of the nodes."""
    root, nodes = graphs.value_graph(args["kind"], args["vals"], answer)
    return graphs.node_ids(fn(root), nodes)


def backward_of_values(fn: Callable, args: dict, *, answer: Callable) -> np.ndarray:
    """Every node's .grad after the learner's ``backward(root)`` on a lesson-04 graph."""
    root, nodes = graphs.value_graph(args["kind"], args["vals"], answer)
    fn(root)
    return np.array([float(v.grad) for v in nodes])


def backward_of_tensors(fn: Callable, args: dict, *, answer: Callable) -> list[Any]:
    """Every node's .grad (None where none) after the learner's ``backward(root)`` on a lesson-06 graph."""
    root, nodes = graphs.tensor_graph(args["kind"], args["seed"], args["pre"], answer)
    fn(root)
    return graphs.tensor_grads(nodes)


# The oracle keys each adapter's graph may ask the grader about (nothing else is answered for it).
ORACLES: dict[str, frozenset[str]] = {
    "topological_sort_of_values": frozenset(),
    "backward_of_values": frozenset({graphs.VALUE_OP}),
    "backward_of_tensors": frozenset({graphs.TENSOR_OP}),
}

# Adapters a request can name (``Exercise.adapter``): ``adapter(fn, args, answer=...) -> plain data``.
ADAPTERS: dict[str, Callable[..., Any]] = {
    "topological_sort_of_values": topological_sort_of_values,
    "backward_of_values": backward_of_values,
    "backward_of_tensors": backward_of_tensors,
}
