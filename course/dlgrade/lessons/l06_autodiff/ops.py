"""Lesson 06 (autodiff), the ops: a minimal tensor engine with dlkit's Function/ctx shape.

The learner writes each op's ``backward(ctx, grad)`` (the notebook gives its ``forward(ctx, *arrays)``, which
leaves notes in ``ctx``). A check runs ``one_op(Cls, op)``: the class's forward on a fresh context, then its
backward once, returning ``(out, grad_a[, grad_b])``; a gradient whose shape is not its input's raises an error
that names the input. Every op is compared with dlkit's autograd on the same float64 inputs.

A known mistake is a wrong ``backward`` (with the notebook's forward, or one that saves something else) run
through the same ``one_op`` (:func:`mistake`), so a mistake that raises there raises the learner's very error.
The exercises: ``binary`` (add, mul, matmul), ``reduction`` (sum), ``unary`` (exp, log, sigmoid, relu),
``unbroadcast``, ``driver`` (the backward pass) and ``linear`` (a Linear module).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ...harness.adapters import OP_BINARY, one_op
from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register
from .._draw import F32_ATOL, F32_RTOL


def _add_forward(ctx, a, b):
    ctx.a_shape, ctx.b_shape = a.shape, b.shape
    return a + b


def _mul_forward(ctx, a, b):
    ctx.save_for_backward(a, b)
    return a * b


def _matmul_forward(ctx, a, b):
    ctx.save_for_backward(a, b)
    return a @ b


def _sum_forward(ctx, a, axis=None, keepdims=False):
    ctx.shape, ctx.axis, ctx.keepdims = a.shape, axis, keepdims
    return np.sum(a, axis=axis, keepdims=keepdims)


def _exp_forward(ctx, a):
    out = np.exp(a)
    ctx.save_for_backward(out)
    return out


def _log_forward(ctx, a):
    ctx.save_for_backward(a)
    return np.log(a)


def _sigmoid_forward(ctx, a):
    s = 0.5 * (1 + np.tanh(0.5 * a))
    ctx.save_for_backward(s)
    return s


def _relu_forward(ctx, a):
    ctx.save_for_backward(a)
    return np.maximum(a, 0)


# The notebook's forwards and class names: a mistake's class is named like the learner's, so an error that
# names the class reads the same.
FORWARD: dict[str, Callable[..., np.ndarray]] = {
    "add": _add_forward, "mul": _mul_forward, "matmul": _matmul_forward, "sum": _sum_forward,
    "exp": _exp_forward, "log": _log_forward, "sigmoid": _sigmoid_forward, "relu": _relu_forward}
CLASS_NAME = {"add": "Add", "mul": "Mul", "matmul": "MatMul", "sum": "Sum", "exp": "Exp", "log": "Log",
              "sigmoid": "Sigmoid", "relu": "ReLU"}


def op_class(op: str, backward: Callable, forward: Callable | None = None) -> type:
    """An op class of the notebook's shape with ``backward`` (and the notebook's forward unless given)."""
    return type(CLASS_NAME[op], (), {"forward": staticmethod(forward or FORWARD[op]),
                                     "backward": staticmethod(backward)})


def mistake(op: str, code: str, message: str, backward: Callable, look_for: str, *,
            forward: Callable | None = None, look_at: str = "") -> KnownMistake:
    """A known mistake of ``engine.<op>``: ``backward`` (and ``forward``) run through ``one_op``."""
    return KnownMistake(code, message, one_op(op_class(op, backward, forward), op),
                        look_at or f"the return line of {CLASS_NAME[op]}.backward", look_for)


def save_input_too(op: str) -> Callable:
    """The notebook's forward of ``op``, saving its input ``a`` (and then its output) instead: what a learner
    who wants the input in backward writes."""
    def forward(ctx, a, **consts):
        out = FORWARD[op](ctx, a, **consts)
        ctx.save_for_backward(a, out)
        return out
    return forward


def unbroadcast(grad: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """The correct reduction, for the mistakes and the graph oracles (never blocked: not the reference)."""
    grad = np.asarray(grad)
    shape = tuple(shape)
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and grad.shape[lead + i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def sum_back(g: np.ndarray, shape: tuple, axis: Any, keepdims: bool) -> np.ndarray:
    """The gradient of a sum: g with the summed axes put back, broadcast to the input's shape."""
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, shape).copy()


# ---------------------------------------------------------------------------------------------------- references


def _dlkit_op(op: str, arrays: list[np.ndarray], grad: np.ndarray, **consts: Any) -> tuple:
    """dlkit's autograd on float64 copies: the output and one gradient per input."""
    import dlkit
    import dlkit.functional as F

    ts = [dlkit.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    if op == "add":
        out = ts[0] + ts[1]
    elif op == "mul":
        out = ts[0] * ts[1]
    elif op == "matmul":
        out = ts[0] @ ts[1]
    elif op == "sum":
        out = ts[0].sum(axis=consts["axis"], keepdims=consts["keepdims"])
    else:
        out = {"exp": F.exp, "log": F.log, "sigmoid": F.sigmoid, "relu": F.relu}[op](ts[0])
    out.backward(dlkit.tensor(np.array(grad, dtype=np.float64)))
    return (out.detach().numpy(),) + tuple(t.grad.numpy() for t in ts)


def _reference(op: str) -> Callable[..., tuple]:
    if op in OP_BINARY:
        def ref(a, b, grad):
            return _dlkit_op(op, [a, b], grad)
    elif op == "sum":
        def ref(a, axis, keepdims, grad):
            return _dlkit_op(op, [a], grad, axis=axis, keepdims=keepdims)
    else:
        def ref(a, grad):
            return _dlkit_op(op, [a], grad)
    return reference(f"engine.{op} reference")(ref)


_SIGNATURES = {
    "add": "one_op(Add, 'add')(a, b, grad) -> (out, grad_a, grad_b)",
    "mul": "one_op(Mul, 'mul')(a, b, grad) -> (out, grad_a, grad_b)",
    "matmul": "one_op(MatMul, 'matmul')(a (N, D), b (D, M), grad (N, M)) -> (out, grad_a, grad_b)",
    "sum": "one_op(Sum, 'sum')(a, axis, keepdims, grad) -> (out, grad_a)",
    "exp": "one_op(Exp, 'exp')(a, grad) -> (out, grad_a)",
    "log": "one_op(Log, 'log')(a, grad) -> (out, grad_a)",
    "sigmoid": "one_op(Sigmoid, 'sigmoid')(a, grad) -> (out, grad_a)",
    "relu": "one_op(ReLU, 'relu')(a, grad) -> (out, grad_a)",
}


def register_op(op: str, cases: Callable[[np.random.Generator, bool], list[Case]],
                mistakes: tuple[KnownMistake, ...], hints: frozenset[str], **extra: Any) -> None:
    """Register ``engine.<op>``: dlkit's autograd as the reference, the op and unbroadcast blocked."""
    outs = (Output("out"), Output("grad_a")) + ((Output("grad_b"),) if op in OP_BINARY else ())
    register(Exercise(
        f"engine.{op}", _SIGNATURES[op], _reference(op), cases, outputs=outs, blocked=(op, "unbroadcast"),
        mistakes=mistakes, hints=hints, rtol=F32_RTOL, atol=F32_ATOL,
        writable=True,  # the driver adds into these gradients later: a read-only view would fail there
        **extra,
    ))
