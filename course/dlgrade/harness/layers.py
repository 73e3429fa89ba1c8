"""``linear_module(Linear)``: a learner's lesson-06 ``Linear`` layer as a function of plain arrays.

It builds the layer, records its initial parameters, loads given ones, runs it on ``x`` and backpropagates
``grad_out`` through the layer's own tree-shaped graph. While grading (``answer`` given by the
``layer_of_linear`` adapter) the local gradients of the lesson's ops come from the grader, so a mistake in
``MatMul.backward`` or ``Add.backward`` (graded on their own) costs no points here; the layer's init, its
parameters and how its forward composes the ops are what is checked. It holds no reference.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import graphs
from .describe import describe

Answer = Callable[[str, tuple], Any]
# The notebook's op classes by name, and the op each is in the grader's graphs.
_OP_OF_CLASS = {"Add": "add", "Mul": "mul", "MatMul": "matmul", "Sum": "sum", "Exp": "exp", "Log": "log",
                "Sigmoid": "sigmoid", "ReLU": "relu"}


def _local_grads(ctx: Any, grad: np.ndarray, answer: Answer | None) -> tuple:
    """One gradient per input of the op ``ctx`` recorded: the grader's for the lesson's ops when it answers,
    else the op's own backward."""
    op = _OP_OF_CLASS.get(getattr(ctx.fn, "__name__", ""))
    if answer is None or op is None:
        grads = ctx.fn.backward(ctx, grad)
    else:
        consts = {k: getattr(ctx, k) for k in ("axis", "keepdims") if hasattr(ctx, k)}
        arrays = [np.asarray(t.data, dtype=np.float64) for t in ctx.inputs]
        grads = answer(graphs.TENSOR_OP, (op, arrays, consts, np.asarray(grad, dtype=np.float64)))
    return tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)


def _walk_tree(out: Any, grad: np.ndarray, answer: Answer | None) -> None:
    """Backpropagate ``grad`` through a tree-shaped graph (every node used once), the shape of one layer.

    Deliberately not a general backward pass (no topological order, no accumulation over shared nodes): it is
    enough for x @ weight + bias, and the learner's own driver is checked on its own in the backward exercise.
    """
    out.grad = grad
    todo = [out]
    while todo:
        node = todo.pop()
        ctx = node._ctx
        for inp, g in zip(ctx.inputs, _local_grads(ctx, node.grad, answer)):
            if not getattr(inp, "requires_grad", False):
                continue
            if inp.grad is not None and getattr(inp, "_ctx", None) is not None:
                raise ValueError("the layer's graph uses an intermediate tensor twice; build forward as "
                                 "x @ self.weight + self.bias")
            inp.grad = g if inp.grad is None else inp.grad + g
            if getattr(inp, "_ctx", None) is not None:
                todo.append(inp)


def _parameters_ok(layer: Any, in_features: int, out_features: int) -> tuple[Any, Any]:
    """The layer's weight and bias, or an error that says what the lesson's layer must have."""
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
    return W, b


def linear_module(Linear: type) -> Callable[..., tuple]:
    """A function of arrays that builds the learner's ``Linear`` and runs it forward and backward.

    ``run(in_features, out_features, seed, x, weight, bias, grad_out)`` returns the layer's initial
    ``(weight, bias)``, then (after loading ``weight`` and ``bias`` into it) the output for ``x``
    and the gradients of ``x``, ``weight`` and ``bias`` when ``grad_out`` flows back into the
    output. The backward pass uses the learner's own ops, or the grader's local gradients (``answer``).
    """
    def run(in_features, out_features, seed, x, weight, bias, grad_out, *, answer: Answer | None = None):
        layer = Linear(in_features, out_features, rng=np.random.default_rng(seed))
        W, b = _parameters_ok(layer, in_features, out_features)
        init_W, init_b = np.array(W.data, dtype=np.float64), np.array(b.data, dtype=np.float64)
        W.data = np.array(weight, dtype=np.float64)
        b.data = np.array(bias, dtype=np.float64)
        W.grad = b.grad = None
        xt = type(W)(np.array(x, dtype=np.float64), requires_grad=True)
        out = layer(xt)
        if getattr(out, "_ctx", None) is None:
            raise ValueError("the layer's output has no graph (its _ctx is None): compute it with tensor "
                             "operations (x @ self.weight + self.bias), not on .data arrays, so the engine "
                             "records the ops for the backward pass.")
        _walk_tree(out, np.asarray(grad_out, dtype=np.float64), answer)
        for name, t in (("x", xt), ("weight", W), ("bias", b)):
            if t.grad is None:
                raise ValueError(f"after backward, {name}.grad is None: {name} is not part of the output's "
                                 f"graph. Does forward use self.{name if name != 'x' else 'weight'} "
                                 "(and the bias) as tensors?")
        return init_W, init_b, np.asarray(out.data), xt.grad, W.grad, b.grad
    run.__name__ = run.__qualname__ = f"{getattr(Linear, '__name__', 'Linear')}_module"
    run.takes_answer = True  # type: ignore[attr-defined]  (the layer_of_linear adapter passes the grader's)
    init = getattr(Linear, "__init__", None)
    if callable(init) and hasattr(init, "__code__"):
        run.__wrapped__ = init  # type: ignore[attr-defined]  (a known mistake quotes the learner's line)
    return run
