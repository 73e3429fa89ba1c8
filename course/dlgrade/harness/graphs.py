"""Computation graphs built from plain specs, for the exercises whose learner code walks a graph: the
topological sort and backward pass of lesson 04 (scalar ``Value`` nodes) and the backward driver of lesson 06
(tensor nodes with ``_ctx``). Both sides of the wire build the same graph from the same (kind, numbers).

The nodes compute their forward values here (a + b, a * b, tanh: plain arithmetic), but a node's *local
derivatives* are not written here: a node asks ``answer(key, args)`` for them — in a graded kernel that is a
question to the grader's process, in the grader it is the reference. So the graded kernel holds no rule the
exercises ask the learner to write.
"""
from __future__ import annotations

import itertools
import math
from typing import Any, Callable

import numpy as np

Answer = Callable[[str, tuple], Any]
VALUE_OP = "backprop.value_op"      # (op, input values..., out.grad) -> the inputs' gradient increments
VALUE_TOPO = "autodiff.value_order"  # (kind, vals, start index) -> a topological order, as creation indices
TENSOR_OP = "engine.op_backward"    # (op, input arrays, consts, grad) -> one gradient per input


# ------------------------------------------------------------------------------ lesson 04: scalar Values

class Value:
    """A scalar node (micrograd's shape): ``data``, ``grad``, ``_prev``, ``_op``, ``_backward``."""

    def __init__(self, data: float, _prev: tuple = (), _op: str = "", label: str = "", *,
                 answer: Answer, order: itertools.count) -> None:
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_prev)
        self._op = _op
        self.label = label
        self._answer = answer
        self._count = order
        self._order = next(order)  # creation order: gradients are listed in it
        self._backward: Callable[[], None] = lambda: None

    def _make(self, data: float, prev: tuple, op: str) -> "Value":
        out = Value(data, prev, op, answer=self._answer, order=self._count)

        def _backward() -> None:
            increments = self._answer(VALUE_OP, (op, *(p.data for p in prev), out.grad))
            for p, inc in zip(prev, increments):
                p.grad += float(inc)
        out._backward = _backward
        return out

    def __add__(self, other: "Value") -> "Value":
        return self._make(self.data + other.data, (self, other), "+")

    def __mul__(self, other: "Value") -> "Value":
        return self._make(self.data * other.data, (self, other), "*")

    def tanh(self) -> "Value":
        """tanh of this node, as a new node."""
        return self._make(math.tanh(self.data), (self,), "tanh")

    def __repr__(self) -> str:
        return f"Value({self.label or self._op}, data={self.data:.4g}, grad={self.grad:.4g})"


def value_graph(kind: str, vals: Any, answer: Answer) -> tuple[Value, list[Value]]:
    """The graph ``kind`` on inputs ``vals`` (four numbers; "twins" uses b = a): its root and every node in
    creation order."""
    order = itertools.count()
    vals = np.array(vals, dtype=np.float64)
    if kind == "twins":
        vals[1] = vals[0]
    a, b, c, d = (Value(v, label=n, answer=answer, order=order) for v, n in zip(vals, "abcd"))
    if kind == "diamond":  # a used three times, c twice: gradients must sum over paths
        e = _named(a * b, "e=a*b")
        f = _named(e + a, "f=e+a")
        g = _named((f * e).tanh(), "g=tanh(f*e)")
        root = g + (a * c)
    elif kind == "square":  # x * x: the same node twice in one operation
        s = _named(a * a, "s=a*a")
        root = (s + a) * b
    elif kind == "chain":
        h = _named((a * b + c).tanh(), "h=tanh(a*b+c)")
        root = (h * d).tanh()
    elif kind == "shared":  # a reused intermediate at different depths
        p = _named(a * b, "p=a*b")
        q = _named((p + c) * p, "q=(p+c)*p")
        root = (q + p * d).tanh() * p
    elif kind == "twins":  # distinct nodes with equal values: b = a in value, so p = a*c and q = c*b are equal
        p = _named(a * c, "p=a*c")
        q = _named(c * b, "q=c*b")
        root = ((p + q) * p).tanh() + q * d
    else:
        raise ValueError(f"value_graph: unknown kind {kind!r}")
    return root, all_values(root)


def _named(v: Value, label: str) -> Value:
    v.label = label
    return v


def all_values(root: Value) -> list[Value]:
    """Every node reachable from ``root``, in creation order."""
    seen, stack, out = set(), [root], []
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
            stack.extend(v._prev)
    return sorted(out, key=lambda v: v._order)


def node_ids(got: Any, nodes: list[Value]) -> Any:
    """A learner's list of nodes as creation indices (-1 for anything not a node of this graph)."""
    if not isinstance(got, (list, tuple)):
        return got
    index = {id(v): v._order for v in nodes}
    return [index.get(id(v), -1) for v in got]


# ------------------------------------------------------------------------------ lesson 06: tensor nodes

class Context:
    """What a recorded op keeps: its op class, its input tensors, its saved arrays."""

    def __init__(self, fn: type, inputs: tuple, consts: dict[str, Any]) -> None:
        self.fn = fn
        self.inputs = inputs
        self.consts = consts
        self.saved_tensors: tuple = ()
        self.out_shape: tuple = ()

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep arrays for backward."""
        self.saved_tensors = arrays


class Tensor:
    """A node: ``data``, ``grad``, ``requires_grad``, ``_ctx`` (None for leaves and constants), ``name``."""

    def __init__(self, data: Any, requires_grad: bool = False, name: str = "") -> None:
        self.data = np.asarray(data, dtype=np.float64)
        self.grad: np.ndarray | None = None
        self.requires_grad = requires_grad
        self._ctx: Context | None = None
        self.name = name

    @property
    def shape(self) -> tuple:
        """The shape of ``data``."""
        return self.data.shape

    def __repr__(self) -> str:
        return f"Tensor({self.name}, shape={self.shape})"


_FORWARD: dict[str, Callable[..., np.ndarray]] = {
    "add": lambda a, b: a + b, "mul": lambda a, b: a * b, "matmul": lambda a, b: a @ b,
    "sum": lambda a, axis=None, keepdims=False: np.sum(a, axis=axis, keepdims=keepdims),
    "exp": np.exp, "log": np.log, "relu": lambda a: np.maximum(a, 0),
    "sigmoid": lambda a: np.exp(-np.logaddexp(0.0, -a)),
}


def tensor_ops(answer: Answer) -> dict[str, type]:
    """The op classes of a tensor graph; their backward asks ``answer`` for the gradients."""
    ops = {}
    for op in _FORWARD:
        def forward(ctx: Context, *arrays: np.ndarray, _op: str = op, **consts: Any) -> np.ndarray:
            return _FORWARD[_op](*arrays, **consts)

        def backward(cls: type, ctx: Context, grad: Any, _op: str = op) -> tuple:
            _grad_ok(cls.__name__, ctx, grad)
            grads = answer(TENSOR_OP, (_op, [t.data for t in ctx.inputs], ctx.consts, np.asarray(grad)))
            return tuple(grads) if len(grads) > 1 else grads[0]

        def apply(cls: type, *inputs: Tensor, name: str = "", **consts: Any) -> Tensor:
            ctx = Context(cls, inputs, consts)
            out = Tensor(cls.forward(ctx, *(t.data for t in inputs), **consts), name=name)
            ctx.out_shape = out.shape
            if any(t.requires_grad for t in inputs):
                out.requires_grad = True
                out._ctx = ctx
            return out

        name = {"matmul": "MatMul", "relu": "ReLU"}.get(op, op.capitalize())
        ops[op] = type(name, (), {"forward": staticmethod(forward), "backward": classmethod(backward),
                                  "apply": classmethod(apply)})
    return ops


def _grad_ok(name: str, ctx: Context, grad: Any) -> None:
    """A driver's mistakes in calling backward, said in terms of the driver (not of the op)."""
    if grad is None:
        raise TypeError(f"{name}.backward was called with grad=None: no gradient has reached this "
                        "node yet. Seed the root with root.grad = np.ones_like(root.data) and visit the nodes "
                        "in REVERSE topological order (root first), so every node's gradient is complete "
                        "before its backward runs.")
    if tuple(np.shape(grad)) != ctx.out_shape:
        raise ValueError(f"{name}.backward was called with a gradient of shape {tuple(np.shape(grad))} "
                         f"for its output of shape {ctx.out_shape}: a node's .grad must have the node's "
                         "shape. A backward with one input returns a bare array: wrap it in a tuple "
                         "(grads = (grads,)) before zipping it with ctx.inputs, or zip walks its rows.")


def _away_from_zero(rng: np.random.Generator, shape: tuple, low: float = 0.1) -> np.ndarray:
    x = rng.normal(size=shape)
    return np.where(np.abs(x) < low, np.sign(x + 1e-12) * (low + np.abs(x)), x)


def tensor_graph(kind: str, seed: int, pre: bool, answer: Answer) -> tuple[Tensor, list[Tensor]]:
    """The graph ``kind`` with numbers drawn from ``seed`` (leaves already holding a gradient when ``pre``):
    its root and every named node in creation order."""
    ops = tensor_ops(answer)
    Add, Mul, MatMul, Sum, Exp, Log, ReLU, Sigmoid = (ops[k] for k in (
        "add", "mul", "matmul", "sum", "exp", "log", "relu", "sigmoid"))
    rng = np.random.default_rng(seed)
    nodes: list[Tensor] = []

    def keep(t: Tensor) -> Tensor:
        nodes.append(t)
        return t

    def leaf(shape: tuple, name: str) -> Tensor:
        t = Tensor(_away_from_zero(rng, shape), requires_grad=True, name=name)
        if pre:
            t.grad = rng.normal(size=shape)
        return keep(t)

    def const(shape: tuple, name: str) -> Tensor:
        return keep(Tensor(rng.normal(size=shape), name=name))

    if kind == "chain":   # loss = sum(relu(x @ W + b) * c)
        x, W, b = leaf((4, 3), "x"), leaf((3, 2), "W"), leaf((2,), "b")
        c = const((4, 2), "c (constant)")
        k = keep(MatMul.apply(x, W, name="x @ W"))
        z = keep(Add.apply(k, b, name="x @ W + b"))
        h = keep(ReLU.apply(z, name="h = relu(...)"))
        m = keep(Mul.apply(h, c, name="h * c"))
        root = keep(Sum.apply(m, name="loss = sum(h * c)"))
    elif kind == "diamond":   # a is used four times, u twice: gradients add over paths
        a = leaf((3,), "a")
        u = keep(Exp.apply(a, name="u = exp(a)"))
        v = keep(Mul.apply(a, a, name="v = a * a"))
        w = keep(Mul.apply(u, v, name="w = u * v"))
        s = keep(Add.apply(w, u, name="s = w + u"))
        t = keep(Add.apply(s, a, name="t = s + a"))
        root = keep(Sum.apply(t, name="loss = sum(t)"))
    elif kind == "shared":   # h feeds two branches at different depths, plus a dead branch
        x, W = leaf((5, 2), "x"), leaf((2, 3), "W")
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
        W1, b1, W2, b2 = leaf((d, hdim), "W1"), leaf((hdim,), "b1"), leaf((hdim, cdim), "W2"), leaf((cdim,), "b2")
        h = keep(ReLU.apply(Add.apply(MatMul.apply(x, W1), b1), name="h = relu(x @ W1 + b1)"))
        keep(Sum.apply(Mul.apply(h, h), name="dead = sum(h * h) (not used)"))
        s = keep(Add.apply(MatMul.apply(h, W2), b2, name="scores = h @ W2 + b2"))
        lse = keep(Log.apply(Sum.apply(Exp.apply(s), axis=1, keepdims=True), name="lse = log(sum(exp(s)))"))
        logp = keep(Add.apply(s, Mul.apply(lse, Tensor(-1.0, name="-1")), name="log p = s - lse"))
        y = np.eye(cdim)[rng.integers(0, cdim, n)] * (-1.0 / n)
        Y = keep(Tensor(y, name="-onehot / N (constant)"))
        root = keep(Sum.apply(Mul.apply(logp, Y), name="loss (cross-entropy)"))
    elif kind == "twins":   # leaves equal in value but distinct, two equal products, a broadcast column
        a, col = leaf((3, 2), "a"), leaf((3, 1), "col")
        b = keep(Tensor(a.data.copy(), requires_grad=True, name="b (equal to a, another leaf)"))
        if pre:
            b.grad = rng.normal(size=b.shape)
        c = const((2,), "c (constant)")
        p = keep(Mul.apply(a, c, name="p = a * c"))
        q = keep(Mul.apply(b, c, name="q = b * c (equal to p)"))
        s = keep(Add.apply(Mul.apply(p, q), col, name="s = p * q + col"))
        t = keep(Sum.apply(Add.apply(s, Exp.apply(q)), axis=0, name="t = sum(s + exp(q), axis=0)"))
        root = keep(Sum.apply(Mul.apply(t, t), name="loss = sum(t * t)"))
    else:
        raise ValueError(f"tensor_graph: unknown kind {kind!r}")
    return root, nodes


def tensor_grads(nodes: list[Tensor]) -> list[Any]:
    """Every node's .grad as a float64 array (None where it has none), in creation order."""
    return [None if n.grad is None else np.asarray(n.grad, dtype=np.float64) for n in nodes]
