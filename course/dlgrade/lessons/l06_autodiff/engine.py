"""Lesson 06 (autodiff): a minimal tensor engine with dlkit's Function/ctx shape.

The learner writes ops as ``Function`` subclasses with ``forward(ctx, *arrays)`` and
``backward(ctx, grad)`` on raw numpy arrays (``ctx.save_for_backward`` / ``ctx.saved_tensors``),
the ``unbroadcast`` helper, the backward driver, and a ``Linear`` module. Checks:

- ``engine.unbroadcast``: ``unbroadcast(grad, shape) -> array of shape``;
- ``engine.add``, ``engine.mul``, ``engine.matmul``: ``one_op(Cls, op)(a, b, grad)`` runs
  ``Cls.forward`` on a fresh context and ``Cls.backward(ctx, grad)`` once, returning
  ``(out, grad_a, grad_b)``; add and mul include broadcasting shapes, so their backward must
  return gradients with the shapes of their inputs (sum-reduced with ``unbroadcast``);
- ``engine.sum``: ``one_op(Sum, "sum")(a, axis, keepdims, grad) -> (out, grad_a)``;
- ``engine.exp``, ``engine.log``, ``engine.sigmoid``, ``engine.relu``:
  ``one_op(Cls, op)(a, grad) -> (out, grad_a)``;
- ``engine.backward``: the learner's ``backward(root)`` runs on graphs built from this module's
  own tensors (attributes ``data``, ``grad``, ``requires_grad``, ``_ctx``; a context has ``fn``,
  ``inputs`` and ``saved_tensors``), with shared nodes, diamonds, dead branches, constants and
  leaves that already hold a gradient; every node's ``.grad`` is compared with the reference;
- ``engine.linear``: ``linear_module(Linear)(in_features, out_features, seed, x, weight, bias,
  grad_out)`` builds the learner's layer, records its initial parameters, loads ``weight`` and
  ``bias`` into it, runs it on ``x`` and backpropagates ``grad_out`` through the learner's own ops.

Every op is compared with dlkit's autograd on the same float64 inputs.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ... import diagnosis as dg
from ...diagnosis import Diagnosis
from ...harness.adapters import OP_BINARY as _BINARY, OP_UNARY as _UNARY, OPS as _OPS
from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register
from .._common import away_from_zero, make_case, pick


# ---------------------------------------------------------------------------------------------
# references: dlkit's autograd on the same inputs


def _dlkit_op(op: str, arrays: list[np.ndarray], grad: np.ndarray, **consts: Any) -> tuple:
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
    if op in _BINARY:
        def ref(a, b, grad):
            return _dlkit_op(op, [a, b], grad)
    elif op == "sum":
        def ref(a, axis, keepdims, grad):
            return _dlkit_op(op, [a], grad, axis=axis, keepdims=keepdims)
    else:
        def ref(a, grad):
            return _dlkit_op(op, [a], grad)
    return reference(f"engine.{op} reference")(ref)


# ---------------------------------------------------------------------------------------------
# unbroadcast


@reference("engine.unbroadcast reference")
def unbroadcast_reference(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """dlkit's own helper: sum over the axes broadcasting added or stretched."""
    from dlkit.autograd.broadcast import unbroadcast
    return np.array(unbroadcast(grad, tuple(shape), np))


def _unb_leading_only(grad, shape):
    lead = grad.ndim - len(shape)
    return grad.sum(axis=tuple(range(lead))) if lead else grad


def _unb_no_keepdims(grad, shape):
    lead = grad.ndim - len(shape)
    g = grad.sum(axis=tuple(range(lead))) if lead else grad
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    return g.sum(axis=axes) if axes else g


def _unb_mean(grad, shape):
    lead = grad.ndim - len(shape)
    g = grad.mean(axis=tuple(range(lead))) if lead else grad
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    return g.mean(axis=axes, keepdims=True) if axes else g


def _unb_trailing(grad, shape):
    # aligns the shapes on the left instead of the right
    extra = grad.ndim - len(shape)
    g = grad.sum(axis=tuple(range(len(shape), grad.ndim))) if extra else grad
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def _unb_slice(grad, shape):
    # takes the first copy instead of adding all of them up
    lead = grad.ndim - len(shape)
    g = grad[(0,) * lead] if lead else grad
    idx = tuple(slice(0, 1) if s == 1 else slice(None) for s in shape)
    return g[idx]


_UNB_CASES = (
    [((4, 3), (3,)), ((4, 3), (4, 1)), ((2, 3, 4), (3, 1)), ((1, 5), (5,)), ((3, 4), (3, 4)),
     ((2, 4), ())],
    [((5, 2), (2,)), ((3, 1, 4), (2, 1)), ((2, 3, 5), (1, 3, 1)), ((4, 6), (4, 1)), ((6,), (1,)),
     ((2, 2, 3), (2, 1, 3)), ((3, 2), ())],
)


def _unb_case_list(rng: np.random.Generator, hidden: bool) -> list[Case]:
    cases = []
    for gshape, shape in pick(*_UNB_CASES, hidden):
        # a genuinely broadcast result: shape must broadcast to gshape
        if gshape == (3, 1, 4) and shape == (2, 1):
            gshape = (3, 2, 4)
        grad = rng.normal(size=gshape)
        cases.append(Case(args={"grad": grad, "shape": tuple(shape)},
                          label=f"grad {gshape} -> shape {tuple(shape)}"))
    return cases


register(Exercise(
    "engine.unbroadcast", "unbroadcast(grad, shape) -> grad summed down to `shape`",
    unbroadcast_reference, _unb_case_list, outputs=(Output("grad"),), blocked=("unbroadcast",),
    mistakes=(
        KnownMistake("leading_only", "you summed only the extra leading axes: an axis where the input "
                     "had size 1 was stretched too (e.g. (4, 1) used as (4, 3)), so its copies must also "
                     "be summed, with keepdims=True to keep the 1.", _unb_leading_only),
        KnownMistake("keepdims", "the size-1 axes were summed away: sum them with keepdims=True so an "
                     "input of shape (4, 1) gets a gradient of shape (4, 1), not (4,).", _unb_no_keepdims),
        KnownMistake("mean", "you averaged the copies: an input used k times receives the SUM of its k "
                     "gradients (multivariate chain rule), not their mean.", _unb_mean),
        KnownMistake("left_aligned", "broadcasting lines shapes up on the right (trailing axes): the extra "
                     "axes of grad are the leading ones, grad.ndim - len(shape) of them.", _unb_trailing),
        KnownMistake("slice", "you kept one copy of the gradient and dropped the others: every copy "
                     "the broadcast made contributed to the output, so add them all up (sum).", _unb_slice),
    ),
))


# ---------------------------------------------------------------------------------------------
# op cases


def _binary_cases(op: str) -> Callable[[np.random.Generator, bool], list[Case]]:
    if op == "matmul":
        visible = [((4, 3), (3, 2)), ((1, 5), (5, 3)), ((3, 3), (3, 3)), ((6, 2), (2, 1))]
        hidden = [((5, 4), (4, 3)), ((1, 2), (2, 6)), ((7, 1), (1, 2)), ((2, 6), (6, 1)), ((4, 4), (4, 4))]
    else:
        visible = [((4, 3), (3,)), ((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)), ((1, 3), ())]
        hidden = [((5, 2), (5, 1)), ((6,), (6,)), ((2, 1, 3), (4, 1)), ((), (2, 3)), ((1, 5), (5,)),
                  ((3, 2, 2), (2,))]

    def cases(rng: np.random.Generator, is_hidden: bool) -> list[Case]:
        out = []
        for sa, sb in pick(visible, hidden, is_hidden):
            a, b = away_from_zero(rng, sa), away_from_zero(rng, sb)
            oshape = (np.zeros(sa) @ np.zeros(sb)).shape if op == "matmul" else np.broadcast_shapes(sa, sb)
            args = {"a": a, "b": b, "grad": rng.normal(size=oshape)}
            note = "broadcast" if op != "matmul" and sa != sb else ""
            out.append(make_case(args, note=note))
        return out
    return cases


def _sum_cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    visible = [((4, 3), None, False), ((4, 3), 0, False), ((4, 3), 1, True), ((3, 3), 1, False),
               ((2, 3, 4), -1, False), ((1, 5), 1, False)]
    hidden_list = [((3, 5), 1, False), ((4, 4), 1, False), ((5, 2), 0, True), ((2, 3, 4), 1, True),
                   ((6,), None, False), ((2, 2, 3), 0, False), ((3, 4), None, True)]
    out = []
    for shape, axis, keepdims in pick(visible, hidden_list, hidden):
        a = rng.normal(size=shape)
        oshape = np.sum(a, axis=axis, keepdims=keepdims).shape
        out.append(Case(args={"a": a, "axis": axis, "keepdims": keepdims, "grad": rng.normal(size=oshape)},
                        label=f"a {shape}, axis={axis}, keepdims={keepdims}"))
    return out


def _unary_cases(op: str) -> Callable[[np.random.Generator, bool], list[Case]]:
    visible, hidden = [(4, 3), (1, 5), (6,)], [(5, 2), (1, 1), (2, 3, 4), (7,)]

    def cases(rng: np.random.Generator, is_hidden: bool) -> list[Case]:
        out = []
        for shape in pick(visible, hidden, is_hidden):
            if op == "log":
                a = rng.uniform(0.2, 3.0, size=shape)
            elif op == "sigmoid":
                a = rng.uniform(-6, 6, size=shape)
            else:
                a = away_from_zero(rng, shape)
            out.append(make_case({"a": a, "grad": rng.normal(size=shape)}))
        return out
    return cases


# known mistakes per op (numpy, reference signature)

def _sig(a):
    return 0.5 * (1 + np.tanh(0.5 * a))


_LOCAL_ONLY = "you returned only the local derivative: multiply it by the upstream gradient `grad` " \
    "(chain rule: dL/da = dL/dout · dout/da)."

MISTAKES: dict[str, tuple[KnownMistake, ...]] = {
    "add": (
        KnownMistake("like_mul", "you used the multiply rule: the local derivative of a + b is 1 for both "
                     "inputs, so each gets `grad` itself (summed down to its shape).",
                     lambda a, b, g: (a + b, _unbroadcast(g * b, np.shape(a)), _unbroadcast(g * a, np.shape(b)))),
        KnownMistake("local_only", _LOCAL_ONLY,
                     lambda a, b, g: (a + b, np.ones(np.shape(a)), np.ones(np.shape(b)))),
        KnownMistake("halved", "you split the gradient between the inputs: add distributes, each input "
                     "receives the whole upstream gradient (nudging either input by ε moves the sum by ε).",
                     lambda a, b, g: (a + b, _unbroadcast(g / 2, np.shape(a)), _unbroadcast(g / 2, np.shape(b)))),
    ),
    "mul": (
        KnownMistake("not_swapped", "each input got its own value times grad: the local derivative of a·b "
                     "with respect to a is b (multiply swaps).",
                     lambda a, b, g: (a * b, _unbroadcast(g * a, np.shape(a)), _unbroadcast(g * b, np.shape(b)))),
        KnownMistake("local_only", _LOCAL_ONLY,
                     lambda a, b, g: (a * b, _unbroadcast(np.broadcast_to(b, np.shape(a * b)), np.shape(a)),
                                      _unbroadcast(np.broadcast_to(a, np.shape(a * b)), np.shape(b)))),
        KnownMistake("output_value", "you multiplied by the output a·b instead of the upstream gradient grad.",
                     lambda a, b, g: (a * b, _unbroadcast(a * b * b, np.shape(a)), _unbroadcast(a * b * a, np.shape(b)))),
    ),
    "matmul": (
        KnownMistake("not_transposed", "the second factor must be transposed: grad_a = grad @ b.T (shape of a) "
                     "and grad_b = a.T @ grad (shape of b); check each product's shape against its input's.",
                     lambda a, b, g: (a @ b, g @ b, a @ g)),
        KnownMistake("local_only", _LOCAL_ONLY,
                     lambda a, b, g: (a @ b, np.ones_like(g) @ b.T, a.T @ np.ones_like(g))),
    ),
    "sum": (
        KnownMistake("no_expand", "when axis is given and keepdims=False the summed axis is gone from grad: "
                     "put it back with np.expand_dims(grad, axis) before broadcasting to the input's shape "
                     "(otherwise broadcasting lines the axes up wrongly).",
                     lambda a, axis, keepdims, g: _no_expand(a, axis, keepdims, g)),
        KnownMistake("mean", "sum's local derivative is 1 for every element: each element gets the upstream "
                     "gradient of its sum as it is, not divided by the number of elements.",
                     lambda a, axis, keepdims, g: (np.sum(a, axis=axis, keepdims=keepdims),
                                                   _sum_back(g, a.shape, axis, keepdims) /
                                                   (a.size if axis is None else a.shape[axis]))),
        KnownMistake("local_only", "you returned ones (the local derivative) instead of the upstream gradient "
                     "copied to every element that was summed.",
                     lambda a, axis, keepdims, g: (np.sum(a, axis=axis, keepdims=keepdims), np.ones_like(a))),
    ),
    "exp": (
        KnownMistake("local_only", _LOCAL_ONLY, lambda a, g: (np.exp(a), np.exp(a))),
        KnownMistake("input_not_output", "d exp(a)/da = exp(a), the output; you multiplied by the input a.",
                     lambda a, g: (np.exp(a), g * a)),
    ),
    "log": (
        KnownMistake("times_not_divided", "d log(a)/da = 1/a: divide grad by a, do not multiply.",
                     lambda a, g: (np.log(a), g * a)),
        KnownMistake("local_only", _LOCAL_ONLY, lambda a, g: (np.log(a), 1 / a)),
        KnownMistake("by_output", "d log(a)/da = 1/a with the input a, not 1/log(a).",
                     lambda a, g: (np.log(a), g / np.log(a))),
    ),
    "sigmoid": (
        KnownMistake("no_one_minus", "the factor (1 - s) is missing: dσ/da = s(1 - s), with s the output.",
                     lambda a, g: (_sig(a), g * _sig(a))),
        KnownMistake("uses_input", "s(1 - s) takes the sigmoid's OUTPUT s (saved by forward), not its input a.",
                     lambda a, g: (_sig(a), g * a * (1 - a))),
        KnownMistake("local_only", _LOCAL_ONLY, lambda a, g: (_sig(a), _sig(a) * (1 - _sig(a)))),
        KnownMistake("tanh_rule", "that is tanh's derivative 1 - t²; the sigmoid's is s(1 - s).",
                     lambda a, g: (_sig(a), g * (1 - _sig(a) ** 2))),
    ),
    "relu": (
        KnownMistake("relu_of_grad", "the mask must come from the INPUT (a > 0), not from the gradient: "
                     "relu passes grad through where its input was positive, whatever the sign of grad.",
                     lambda a, g: (np.maximum(a, 0), np.maximum(g, 0))),
        KnownMistake("local_only", _LOCAL_ONLY, lambda a, g: (np.maximum(a, 0), (a > 0).astype(float))),
        KnownMistake("times_output", "you multiplied grad by the output max(a, 0); the local derivative is "
                     "the mask (a > 0): 1 where the input was positive, 0 elsewhere.",
                     lambda a, g: (np.maximum(a, 0), g * np.maximum(a, 0))),
    ),
}


def _unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """The correct reduction, for building mistakes and the graph references (never blocked)."""
    grad = np.asarray(grad)
    shape = tuple(shape)
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and grad.shape[lead + i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def _sum_back(g: np.ndarray, shape: tuple, axis: Any, keepdims: bool) -> np.ndarray:
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, shape).copy()


def _no_expand(a, axis, keepdims, g):
    try:
        return np.sum(a, axis=axis, keepdims=keepdims), np.broadcast_to(g, a.shape).copy()
    except ValueError:
        return None



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
_CASES: dict[str, Callable] = {"sum": _sum_cases}
_CASES.update({op: _binary_cases(op) for op in _BINARY})
_CASES.update({op: _unary_cases(op) for op in _UNARY})

for _op in _OPS:
    _outs = (Output("out"), Output("grad_a"))
    if _op in _BINARY:
        _outs += (Output("grad_b"),)
    register(Exercise(
        f"engine.{_op}", _SIGNATURES[_op], _reference(_op), _CASES[_op], outputs=_outs,
        blocked=(_op, "unbroadcast"), mistakes=MISTAKES[_op],
    ))


# ---------------------------------------------------------------------------------------------
# the backward driver, on graphs of this module's own tensors


class GraphContext:
    """What a recorded op keeps: its Function class, its input tensors, its saved arrays."""

    def __init__(self, fn: type, inputs: tuple) -> None:
        self.fn = fn
        self.inputs = inputs
        self.saved_tensors: tuple = ()

    def save_for_backward(self, *arrays: Any) -> None:
        self.saved_tensors = arrays


class GraphTensor:
    """A node: ``data``, ``grad``, ``requires_grad``, ``_ctx`` (None for leaves and constants)."""

    def __init__(self, data: Any, requires_grad: bool = False, name: str = "") -> None:
        self.data = np.asarray(data, dtype=np.float64)
        self.grad: np.ndarray | None = None
        self.requires_grad = requires_grad
        self._ctx: GraphContext | None = None
        self.name = name

    @property
    def shape(self) -> tuple:
        return self.data.shape

    def __repr__(self) -> str:
        return f"Tensor({self.name}, shape={self.shape})"


class _Fn:
    """The graph's ops: correct backwards that refuse a missing upstream gradient clearly."""

    @classmethod
    def apply(cls, *inputs: GraphTensor, name: str = "", **consts: Any) -> GraphTensor:
        ctx = GraphContext(cls, inputs)
        out = GraphTensor(cls.forward(ctx, *(t.data for t in inputs), **consts), name=name)
        ctx.out_shape = out.shape
        if any(t.requires_grad for t in inputs):
            out.requires_grad = True
            out._ctx = ctx
        return out

    @classmethod
    def _grad_ok(cls, grad: Any, ctx: Any = None) -> None:
        if grad is not None and ctx is not None and tuple(np.shape(grad)) != ctx.out_shape:
            raise ValueError(f"{cls.__name__}.backward was called with a gradient of shape {tuple(np.shape(grad))} "
                             f"for its output of shape {ctx.out_shape}: a node's .grad must have the node's "
                             "shape. A backward with one input returns a bare array: wrap it in a tuple "
                             "(grads = (grads,)) before zipping it with ctx.inputs, or zip walks its rows.")
        if grad is None:
            raise TypeError(f"{cls.__name__}.backward was called with grad=None: no gradient has reached this "
                            "node yet. Seed the root with root.grad = np.ones_like(root.data) and visit the nodes "
                            "in REVERSE topological order (root first), so every node's gradient is complete "
                            "before its backward runs.")


class Add(_Fn):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        return a + b

    @classmethod
    def backward(cls, ctx, grad):
        cls._grad_ok(grad, ctx)
        return _unbroadcast(grad, ctx.shapes[0]), _unbroadcast(grad, ctx.shapes[1])


class Mul(_Fn):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @classmethod
    def backward(cls, ctx, grad):
        cls._grad_ok(grad, ctx)
        a, b = ctx.saved_tensors
        return _unbroadcast(grad * b, a.shape), _unbroadcast(grad * a, b.shape)


class MatMul(_Fn):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @classmethod
    def backward(cls, ctx, grad):
        cls._grad_ok(grad, ctx)
        a, b = ctx.saved_tensors
        return grad @ b.T, a.T @ grad


class Sum(_Fn):
    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        ctx.shape, ctx.axis, ctx.keepdims = a.shape, axis, keepdims
        return np.sum(a, axis=axis, keepdims=keepdims)

    @classmethod
    def backward(cls, ctx, grad):
        cls._grad_ok(grad, ctx)
        return _sum_back(grad, ctx.shape, ctx.axis, ctx.keepdims)


class Exp(_Fn):
    @staticmethod
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @classmethod
    def backward(cls, ctx, grad):
        cls._grad_ok(grad, ctx)
        return grad * ctx.saved_tensors[0]


class Log(_Fn):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @classmethod
    def backward(cls, ctx, grad):
        cls._grad_ok(grad, ctx)
        return grad / ctx.saved_tensors[0]


class ReLU(_Fn):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.maximum(a, 0)

    @classmethod
    def backward(cls, ctx, grad):
        cls._grad_ok(grad, ctx)
        return grad * (ctx.saved_tensors[0] > 0)


class Sigmoid(_Fn):
    @staticmethod
    def forward(ctx, a):
        out = _sig(a)
        ctx.save_for_backward(out)
        return out

    @classmethod
    def backward(cls, ctx, grad):
        cls._grad_ok(grad, ctx)
        s = ctx.saved_tensors[0]
        return grad * s * (1 - s)


def _topological_order(root: GraphTensor) -> list[GraphTensor]:
    """Non-leaf nodes root depends on, each after its inputs (root last); iterative DFS."""
    order: list[GraphTensor] = []
    if root._ctx is None:
        return order
    visited = {id(root)}
    stack = [(root, iter(root._ctx.inputs))]
    while stack:
        node, parents = stack[-1]
        for p in parents:
            if p._ctx is not None and id(p) not in visited:
                visited.add(id(p))
                stack.append((p, iter(p._ctx.inputs)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _drive(root: Any, seed: np.ndarray | None = None, *, overwrite: bool = False, order: str = "reverse",
           skip_constants: bool = True, seed_value: bool = False, reset_leaves: bool = False) -> None:
    """The backward pass, with switches that turn it into the typical wrong versions."""
    if reset_leaves:
        for node in _all_nodes(root):
            if node._ctx is None and node.requires_grad:
                node.grad = None
    root.grad = np.array(root.data, copy=True) if seed_value else (
        np.ones_like(root.data) if seed is None else np.asarray(seed, dtype=np.float64))
    nodes = _topological_order(root)
    if order == "reverse":
        nodes = nodes[::-1]
    elif order == "root_only":
        nodes = nodes[-1:]
    for node in nodes:
        ctx = node._ctx
        grads = ctx.fn.backward(ctx, node.grad)
        if not isinstance(grads, tuple):
            grads = (grads,)
        for inp, g in zip(ctx.inputs, grads):
            if skip_constants and not inp.requires_grad:
                continue
            inp.grad = g if (inp.grad is None or overwrite) else inp.grad + g


def _drive_recursive(root: Any) -> None:
    """Depth-first from the root without a topological order: a shared node passes on a partial gradient."""
    root.grad = np.ones_like(root.data)

    def go(node):
        if node._ctx is None:
            return
        grads = node._ctx.fn.backward(node._ctx, node.grad)
        grads = grads if isinstance(grads, tuple) else (grads,)
        for inp, g in zip(node._ctx.inputs, grads):
            if not inp.requires_grad:
                continue
            inp.grad = g if inp.grad is None else inp.grad + g
            go(inp)
    go(root)


def _all_nodes(root: Any) -> list[Any]:
    return list(getattr(root, "_graph_nodes", []))


@reference("engine.backward reference")
def backward_reference(root: Any) -> None:
    """Seed with ones, visit nodes in reverse topological order, add each input's gradient."""
    _drive(root)


def _leaf(rng: np.random.Generator, shape: tuple, name: str, pre: bool = False) -> GraphTensor:
    t = GraphTensor(away_from_zero(rng, shape), requires_grad=True, name=name)
    if pre:
        t.grad = rng.normal(size=shape)
    return t


def _graph(kind: str, seed: int, pre: bool) -> dict[str, Any]:
    """Build one graph; every node is listed on the root as ``_graph_nodes`` (creation order)."""
    rng = np.random.default_rng(seed)
    nodes: list[GraphTensor] = []

    def keep(t: GraphTensor) -> GraphTensor:
        nodes.append(t)
        return t

    def const(shape, name):
        return keep(GraphTensor(rng.normal(size=shape), name=name))

    if kind == "chain":   # loss = sum(relu(x @ W + b) * c)
        x = keep(_leaf(rng, (4, 3), "x", pre))
        W = keep(_leaf(rng, (3, 2), "W", pre))
        b = keep(_leaf(rng, (2,), "b", pre))
        c = const((4, 2), "c (constant)")
        k = keep(MatMul.apply(x, W, name="x @ W"))
        z = keep(Add.apply(k, b, name="x @ W + b"))
        h = keep(ReLU.apply(z, name="h = relu(...)"))
        m = keep(Mul.apply(h, c, name="h * c"))
        root = keep(Sum.apply(m, name="loss = sum(h * c)"))
    elif kind == "diamond":   # a is used four times, u twice: gradients add over paths
        a = keep(_leaf(rng, (3,), "a", pre))
        u = keep(Exp.apply(a, name="u = exp(a)"))
        v = keep(Mul.apply(a, a, name="v = a * a"))
        w = keep(Mul.apply(u, v, name="w = u * v"))
        s = keep(Add.apply(w, u, name="s = w + u"))
        t = keep(Add.apply(s, a, name="t = s + a"))
        root = keep(Sum.apply(t, name="loss = sum(t)"))
    elif kind == "shared":   # h feeds two branches at different depths, plus a dead branch
        x = keep(_leaf(rng, (5, 2), "x", pre))
        W = keep(_leaf(rng, (2, 3), "W", pre))
        h = keep(Sigmoid.apply(MatMul.apply(x, W), name="h = sigmoid(x @ W)"))
        keep(Exp.apply(W, name="dead = exp(W) (not used by the loss)"))
        c = const((3,), "c (constant)")
        p = keep(Mul.apply(h, c, name="p = h * c"))
        q = keep(Sum.apply(Mul.apply(p, h), axis=1, keepdims=True, name="q = sum(p * h, axis=1)"))
        r = keep(Add.apply(q, h, name="r = q + h"))
        root = keep(Sum.apply(Log.apply(Add.apply(Exp.apply(r), Exp.apply(h))), name="loss"))
    elif kind == "mlp":   # a two-layer network with log-softmax cross-entropy, and a dead branch
        n, d, hdim, cdim = 5, 3, 4, 3
        x = const((n, d), "x (constant data)")
        W1 = keep(_leaf(rng, (d, hdim), "W1", pre))
        b1 = keep(_leaf(rng, (hdim,), "b1", pre))
        W2 = keep(_leaf(rng, (hdim, cdim), "W2", pre))
        b2 = keep(_leaf(rng, (cdim,), "b2", pre))
        h = keep(ReLU.apply(Add.apply(MatMul.apply(x, W1), b1), name="h = relu(x @ W1 + b1)"))
        keep(Sum.apply(Mul.apply(h, h), name="dead = sum(h * h) (not used)"))
        s = keep(Add.apply(MatMul.apply(h, W2), b2, name="scores = h @ W2 + b2"))
        lse = keep(Log.apply(Sum.apply(Exp.apply(s), axis=1, keepdims=True), name="lse = log(sum(exp(s)))"))
        minus = GraphTensor(-1.0, name="-1")
        logp = keep(Add.apply(s, Mul.apply(lse, minus), name="log p = s - lse"))
        y = np.eye(cdim)[rng.integers(0, cdim, n)] * (-1.0 / n)
        Y = keep(GraphTensor(y, name="-onehot / N (constant)"))
        root = keep(Sum.apply(Mul.apply(logp, Y), name="loss (cross-entropy)"))
    else:
        raise ValueError(kind)
    root._graph_nodes = nodes
    return {"root": root}


_GRAPH_LABELS = {"chain": "loss = sum(relu(x @ W + b) * c)",
                 "diamond": "a diamond: a used four times, exp(a) twice",
                 "shared": "a shared node at two depths, a dead branch, a constant",
                 "mlp": "a two-layer network with cross-entropy, a dead branch"}


def _driver_cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    kinds = [("chain", False), ("diamond", False), ("mlp", False), ("chain", True)]
    if hidden:
        kinds = [("shared", False), ("diamond", True), ("mlp", False), ("shared", True), ("chain", False)]
    out = []
    for kind, pre in kinds:
        seed = int(rng.integers(0, 2**31))
        label = _GRAPH_LABELS[kind] + ("; the leaves already hold a gradient from an earlier backward" if pre else "")
        out.append(Case(factory=lambda kind=kind, seed=seed, pre=pre: _graph(kind, seed, pre), label=label))
    return out


def _grads(root: Any) -> list[Any]:
    return [None if n.grad is None else np.asarray(n.grad, dtype=np.float64) for n in _all_nodes(root)]


def _same_grads(a: list[Any], b: list[Any]) -> bool:
    for x, y in zip(a, b):
        if (x is None) != (y is None):
            return False
        if x is not None and (x.shape != y.shape or not dg.close(x, y)):
            return False
    return True


_DRIVER_MISTAKES: tuple[tuple[str, str, Callable[[Any], None]], ...] = (
    ("reset_leaf_grads", "the leaves' earlier gradients were thrown away: gradients ACCUMULATE in .grad "
     "across backward calls until someone zeroes them (that is what zero_grad() is for), so add to an "
     "existing .grad.", lambda r: _drive(r, reset_leaves=True)),
    ("overwrites", "a node's gradient was replaced, not added to: a node used in several places (a diamond, "
     "a * a, or a leaf holding gradient from an earlier backward) must SUM what arrives along every use: "
     "inp.grad = g if inp.grad is None else inp.grad + g.", lambda r: _drive(r, overwrite=True)),
    ("seeded_with_value", "the backward pass started from the root's value: seed it with ones, "
     "root.grad = np.ones_like(root.data) (dL/dL = 1).", lambda r: _drive(r, seed_value=True)),
    ("not_propagated", "only the root's own backward ran: loop over EVERY node of the topological order, "
     "from the root back to the leaves.", lambda r: _drive(r, order="root_only")),
    ("wrong_order", "a shared node passed on its gradient before every use of it had sent its share (a "
     "depth-first walk from the root, or a node visited more than once): run the nodes' backwards in "
     "reverse topological order, each exactly once.", _drive_recursive),
)


def _verify_driver(case: Case, args: dict, got: Any) -> Diagnosis | None:
    root = args["root"]
    expected_root = case.fresh()["root"]
    _drive(expected_root)
    nodes = _all_nodes(root)
    mine, want = _grads(root), _grads(expected_root)
    if _same_grads(mine, want):
        return None
    for code, message, variant in _DRIVER_MISTAKES:
        fresh = case.fresh()["root"]
        try:
            variant(fresh)
        except Exception:  # a variant that cannot run on this graph does not fit
            continue
        if _same_grads(mine, _grads(fresh)):
            return Diagnosis(code, message)
    for node, g, e in zip(nodes, mine, want):
        if not node.requires_grad and g is not None:
            return Diagnosis("constant_got_grad", f"`{node.name}` does not require grad (a constant or the "
                             "data) but received a .grad: skip inputs with requires_grad False. Nothing "
                             "will ever update them, and computing their gradients wastes time.")
    for node, g, e in zip(nodes, mine, want):
        if e is not None and g is None:
            return Diagnosis("missing_grad", f"`{node.name}` ended with .grad None, but the loss depends on it: "
                             "every node between the leaves and the root must pass its gradient on, and every "
                             "node (intermediate ones too) keeps the sum of what it received in .grad.")
        if e is None and g is not None:
            return Diagnosis("dead_branch", f"`{node.name}` does not lead to the loss but got a gradient: only "
                             "nodes the root depends on (found by walking inputs from the root) take part.")
        if e is not None and g.shape != e.shape:
            return Diagnosis("grad_shape", f"the gradient of `{node.name}` has shape {g.shape} but the node has "
                             f"shape {e.shape}. A backward of a one-input op returns a bare array: wrap it "
                             "in a tuple (grads = (grads,)) before zipping it with ctx.inputs, or zip walks "
                             "its rows.")
    for node, g, e in zip(nodes, mine, want):
        if e is not None and not dg.close(e, g):
            d = dg.compare(e, g, name=f"{node.name}.grad")
            return Diagnosis(d.code, d.message, d.detail)
    return Diagnosis(dg.VALUES, "the gradients differ from the reference.")


register(Exercise(
    "engine.backward", "backward(root) -> None; fills .grad of every node the root depends on",
    backward_reference, _driver_cases, outputs=(Output("grads"),), verify=_verify_driver,
    blocked=("backward",),
))


# ---------------------------------------------------------------------------------------------
# the Linear module


def _linear_init(in_features: int, out_features: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    k = 1.0 / np.sqrt(in_features)
    return rng.uniform(-k, k, size=(in_features, out_features)), np.zeros(out_features)


@reference("engine.linear reference")
def linear_reference(in_features, out_features, seed, x, weight, bias, grad_out):
    """Initial parameters by the lesson's rule; output and gradients by dlkit's autograd."""
    W0, b0 = _linear_init(in_features, out_features, seed)
    out, gx, gW, gb = _linear_dlkit(x, weight, bias, grad_out)
    return W0, b0, out, gx, gW, gb


def _linear_dlkit(x, weight, bias, grad_out):
    import dlkit
    import dlkit.functional as F
    xt, Wt, bt = (dlkit.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in (x, weight, bias))
    out = F.linear(xt, Wt.T, bt)   # dlkit stores (out, in): x @ W.T + b with W.T = our weight
    out.backward(dlkit.tensor(np.array(grad_out, dtype=np.float64)))
    return out.detach().numpy(), xt.grad.numpy(), Wt.grad.numpy(), bt.grad.numpy()


def _linear_mistake(init: Callable[[int, int, np.random.Generator], tuple]) -> Callable[..., tuple]:
    def compute(in_features, out_features, seed, x, weight, bias, grad_out):
        W0, b0 = init(in_features, out_features, np.random.default_rng(seed))
        return (W0, b0) + _linear_dlkit(x, weight, bias, grad_out)
    return compute


def _glorot(i, o, rng):
    k = np.sqrt(6.0 / (i + o))
    return rng.uniform(-k, k, size=(i, o)), np.zeros(o)


def _normal(i, o, rng):
    return rng.normal(size=(i, o)) / np.sqrt(i), np.zeros(o)


def _unit_uniform(i, o, rng):
    return rng.uniform(-1, 1, size=(i, o)), np.zeros(o)


def _random_bias(i, o, rng):
    k = 1.0 / np.sqrt(i)
    return rng.uniform(-k, k, size=(i, o)), rng.uniform(-k, k, size=o)


_INIT_MESSAGE = ("draw the initial weight with one call rng.uniform(-k, k, size=(in_features, out_features)), "
                 "k = 1 / sqrt(in_features), and start the bias at zeros(out_features).")


def _linear_cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    visible = [(3, 2, 4), (5, 3, 1), (2, 4, 6)]
    hidden_s = [(4, 3, 5), (1, 2, 3), (6, 1, 2), (3, 3, 1)]
    out = []
    for d, m, n in pick(visible, hidden_s, hidden):
        args = {"in_features": d, "out_features": m, "seed": int(rng.integers(0, 1000)),
                "x": rng.normal(size=(n, d)), "weight": rng.normal(size=(d, m)), "bias": rng.normal(size=m),
                "grad_out": rng.normal(size=(n, m))}
        out.append(Case(args=args, label=f"Linear({d}, {m}) on x ({n}, {d})", factors={"N": n, "D": d, "M": m}))
    return out


register(Exercise(
    "engine.linear", "linear_module(Linear)(in_features, out_features, seed, x, weight, bias, grad_out) "
    "-> (initial weight, initial bias, out, x.grad, weight.grad, bias.grad)",
    linear_reference, _linear_cases,
    outputs=(Output("initial weight"), Output("initial bias"), Output("output"), Output("x.grad"),
             Output("weight.grad"), Output("bias.grad")),
    blocked=("linear",),
    mistakes=(
        KnownMistake("init", "the initial weight does not follow the rule (Glorot's bound is for later "
                     "lessons): " + _INIT_MESSAGE, _linear_mistake(_glorot)),
        KnownMistake("init", "the initial weight is drawn from a normal distribution: " + _INIT_MESSAGE,
                     _linear_mistake(_normal)),
        KnownMistake("init", "the initial weight is not scaled by k = 1 / sqrt(in_features): " + _INIT_MESSAGE,
                     _linear_mistake(_unit_uniform)),
        KnownMistake("init", "the bias should start at zero: " + _INIT_MESSAGE, _linear_mistake(_random_bias)),
    ),
))
