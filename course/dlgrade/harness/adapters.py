"""Adapters: turn a learner's class into a function of plain arrays, so it can be checked like any other.

``one_node(Value, op)`` (lesson 04), ``one_op(Cls, op)`` and ``linear_module(Linear)`` (lesson 06) run one
operation (or one layer) of the learner's own engine forward and backward once and return plain numbers and
arrays. They hold no reference: they only call the learner's code, and the result is compared elsewhere.

A wrapper stands for the learner's code it runs (:func:`_stands_for`): it takes the globals of the notebook
that defined that code, so the lock-out patches the learner's namespace and the check's oracles rebind the
learner's own helpers (``unbroadcast`` called from ``Add.backward``), and ``__wrapped__`` points at the
learner's function, so a known mistake quotes the learner's line (``inspect`` follows it).
"""
from __future__ import annotations

import inspect
import types
from typing import Any, Callable

import numpy as np

from . import graphs, invoke
from .describe import describe
from .layers import linear_module  # noqa: F401  (the notebooks import it from here)

_NODE_METHODS = {"add": "__add__", "mul": "__mul__", "pow": "__pow__", "sigmoid": "sigmoid"}
_NODE_SYMBOLS = {"add": "+", "mul": "*"}
OP_BINARY = ("add", "mul", "matmul")
OP_UNARY = ("exp", "log", "sigmoid", "relu")
OPS = OP_BINARY + OP_UNARY + ("sum",)


def _stands_for(run: Callable, learner: Any, name: str) -> Callable:
    """``run`` rebuilt with the globals of the learner's function ``learner`` (see the module docstring).

    ``run`` must use only its closure and builtins: its globals become the notebook's.
    """
    notebook = getattr(learner, "__globals__", None)
    if isinstance(notebook, dict):
        run = types.FunctionType(run.__code__, notebook, name, run.__defaults__, run.__closure__)
        run.__wrapped__ = learner
    run.__name__ = run.__qualname__ = name
    return run


def _node(out: Any, expr: str, method: str) -> Any:
    """The result of an operation, or a clear error when it is not a graph node."""
    if out is None:
        raise TypeError(f"`{expr}` gave None: does `{method}` end with `return out`?")
    for attr in ("data", "grad", "_backward"):
        if not hasattr(out, attr):
            raise TypeError(f"`{expr}` gave {describe(out)} without `.{attr}`: `{method}` must return "
                            "a new Value whose _backward closure is set (out._backward = _backward).")
    return out


def _node_rule(Value: type, op: str) -> Any:
    """The learner's code for one operation: the lesson's ``{op}_backward`` function its method calls, else
    the method itself (a class that writes the rule inline)."""
    method = getattr(Value, _NODE_METHODS[op], None)
    rule = getattr(method, "__globals__", {}).get(f"{op}_backward")
    return rule if inspect.isfunction(rule) else method


def one_node(Value: type, op: str) -> Callable[..., tuple]:
    """A function of plain numbers that runs one operation of ``Value`` forward and backward.

    ``op`` is "add", "mul", "pow" or "sigmoid"; see ``dlgrade.lessons.l04_backprop.nodes`` for the signatures.
    """
    if op not in _NODE_METHODS:
        raise ValueError(f"one_node: op must be one of add, mul, pow, sigmoid; got {op!r}")
    method_name = _NODE_METHODS[op]
    has_method = getattr(Value, method_name, None) is not None

    def step(va: Any, vb: Any, make: Callable[[], Any], expr: str, upstream: float) -> tuple:
        if not has_method:
            raise TypeError(f"your Value class has no {method_name} method")
        out = _node(make(), expr, method_name)
        out.grad = upstream
        out._backward()
        for which, v in (("a", va), ("b", vb)):
            if v is not None and not isinstance(v.grad, (int, float, np.integer, np.floating)):
                raise TypeError(f"{which}.grad is {describe(v.grad)} after out._backward(): a gradient is a number, "
                                "so multiply numbers (b.data, out.grad), not the nodes themselves (b, out).")
        return (float(out.data), float(va.grad)) + (() if vb is None else (float(vb.grad),))

    def prepared(a: float, grad_before: float) -> Any:
        va = Value(a)
        va.grad = grad_before
        return va

    if op in _NODE_SYMBOLS:
        sym = _NODE_SYMBOLS[op]

        def run(a, b, upstream, grad_before, same_node):
            va = prepared(a, grad_before)
            vb = va if same_node else prepared(b, grad_before)
            return step(va, vb, lambda: va + vb if sym == "+" else va * vb,
                        f"a {sym} a" if same_node else f"a {sym} b", upstream)
    elif op == "pow":
        def run(a, k, upstream, grad_before):
            va = prepared(a, grad_before)
            return step(va, None, lambda: va ** k, "a ** k", upstream)
    else:
        def run(a, upstream, grad_before):
            va = prepared(a, grad_before)
            return step(va, None, lambda: va.sigmoid(), "a.sigmoid()", upstream)
    return _stands_for(run, _node_rule(Value, op), f"{getattr(Value, '__name__', 'Value')}_{op}")


class OpContext:
    """The ``ctx`` handed to a learner's forward and backward in the op checks."""

    def __init__(self) -> None:
        self.saved_tensors: tuple = ()

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep arrays for backward."""
        self.saved_tensors = arrays


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

    def once(inputs: tuple, consts: dict[str, Any], grad: Any) -> tuple:
        ctx = OpContext()
        out = forward(ctx, *inputs, **consts)
        if not isinstance(out, (np.ndarray, np.generic, float)):
            raise TypeError(f"{name}.forward returned {describe(out)}; it must return a numpy array.")
        grads = _grads_tuple(name, backward(ctx, grad), len(inputs))
        for which, g, x in zip("ab", grads, inputs):
            _shape_ok(name, which, g, x, out)
        return (out, *grads)

    if op in OP_BINARY:
        def run(a, b, grad):
            return once((a, b), {}, grad)
    elif op == "sum":
        def run(a, axis, keepdims, grad):
            return once((a,), {"axis": axis, "keepdims": keepdims}, grad)
    else:
        def run(a, grad):
            return once((a,), {}, grad)
    return _stands_for(run, backward, f"{name}_{op}")


def topological_sort_of_values(fn: Callable, args: dict, *, answer: Callable) -> Any:
    """The learner's ``topological_sort(root)`` on a lesson-04 graph, as creation indices of the nodes."""
    root, nodes = graphs.value_graph(args["kind"], args["vals"], answer)
    return graphs.node_ids(fn(root), nodes)


def backward_of_values(fn: Callable, args: dict, *, answer: Callable) -> np.ndarray:
    """Every node's .grad after the learner's ``backward(root)`` on a lesson-04 graph.

    A ``topological_sort`` the learner's backward calls is the grader's order (their own is graded on its
    own): the order of the nodes of this graph, asked of the grader as creation indices.
    """
    root, nodes = graphs.value_graph(args["kind"], args["vals"], answer)
    by_order = {v._order: v for v in nodes}

    def topological_sort(start: Any) -> list:
        return [by_order[i] for i in answer(graphs.VALUE_TOPO, (args["kind"], args["vals"], start._order))]

    with invoke.substituted(fn, {"topological_sort": topological_sort}):
        fn(root)
    return np.array([float(v.grad) for v in nodes])


def backward_of_tensors(fn: Callable, args: dict, *, answer: Callable) -> list[Any]:
    """Every node's .grad (None where none) after the learner's ``backward(root)`` on a lesson-06 graph."""
    root, nodes = graphs.tensor_graph(args["kind"], args["seed"], args["pre"], answer)
    fn(root)
    return graphs.tensor_grads(nodes)


def layer_of_linear(fn: Callable, args: dict, *, answer: Callable) -> tuple:
    """``linear_module(Linear)`` run on a case, its ops' local gradients answered by the grader."""
    if not getattr(fn, "takes_answer", False):
        raise TypeError("check the layer through linear_module: check(\"engine.linear\", linear_module(Linear))")
    return fn(*args.values(), answer=answer)


# The oracle keys each adapter's graph may ask the grader about (nothing else is answered for it).
ORACLES: dict[str, frozenset[str]] = {
    "topological_sort_of_values": frozenset(),
    "backward_of_values": frozenset({graphs.VALUE_OP, graphs.VALUE_TOPO}),
    "backward_of_tensors": frozenset({graphs.TENSOR_OP}),
    "layer_of_linear": frozenset({graphs.TENSOR_OP}),
}

# Adapters a request can name (``Exercise.adapter``): ``adapter(fn, args, answer=...) -> plain data``.
ADAPTERS: dict[str, Callable[..., Any]] = {
    "topological_sort_of_values": topological_sort_of_values,
    "backward_of_values": backward_of_values,
    "backward_of_tensors": backward_of_tensors,
    "layer_of_linear": layer_of_linear,
}
