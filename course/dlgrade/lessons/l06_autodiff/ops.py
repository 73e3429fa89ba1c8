"""Lesson 06 (autodiff), the ops: a minimal tensor engine with dlkit's Function/ctx shape.

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
        writable=True,
    ))
