"""Lesson 06: a learner's tensor engine: unbroadcast, op backwards, the backward driver, Linear.

The correct engine below is the lesson's skeleton with the solutions filled in; wrong entries write one
backward (or one function, or one layer) the way learners typically get it wrong. Each op entry is what the
notebook's test cell passes to check, ``one_op(TheirClass, op)``, with the class named as in the notebook.
The op entries are in ``engine_ops.py`` and ``engine_unary.py``, the driver and Linear in ``engine_driver.py``.
"""
import numpy as np

from dlgrade.harness.adapters import one_op

from ._catalogue import correct, wrong


def unbroadcast(grad, shape):
    """Sum the leading axes broadcasting added, then the stretched size-1 axes (keepdims)."""
    lead = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes, keepdims=True)


class Context:
    def __init__(self, fn, inputs):
        self.fn = fn
        self.inputs = inputs
        self.saved_tensors = ()

    def save_for_backward(self, *arrays):
        self.saved_tensors = arrays


class Function:
    @classmethod
    def apply(cls, *inputs, **consts):
        inputs = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in inputs)
        ctx = Context(cls, inputs)
        out = Tensor(cls.forward(ctx, *(t.data for t in inputs), **consts))
        if any(t.requires_grad for t in inputs):
            out.requires_grad = True
            out._ctx = ctx
        return out


class Tensor:
    def __init__(self, data, requires_grad=False):
        self.data = np.asarray(data, dtype=np.float64)
        self.grad = None
        self.requires_grad = requires_grad
        self._ctx = None

    def __add__(self, other):
        return Add.apply(self, other)

    def __matmul__(self, other):
        return MatMul.apply(self, other)


class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.a_shape, ctx.b_shape = a.shape, b.shape
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.a_shape), unbroadcast(grad, ctx.b_shape)


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)


class MatMul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad @ b.T, a.T @ grad


class Sum(Function):
    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        ctx.shape, ctx.axis, ctx.keepdims = a.shape, axis, keepdims
        return np.sum(a, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad):
        if ctx.axis is not None and not ctx.keepdims:
            grad = np.expand_dims(grad, ctx.axis)
        return np.broadcast_to(grad, ctx.shape).copy()


class Exp(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / a


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, a):
        out = 0.5 * (1 + np.tanh(0.5 * a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return grad * s * (1 - s)


class ReLU(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.maximum(a, 0)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (a > 0)


OPS = {"add": Add, "mul": Mul, "matmul": MatMul, "sum": Sum, "exp": Exp, "log": Log, "sigmoid": Sigmoid,
       "relu": ReLU}


def op_entry(op, expect, forward=None):
    """Register the decorated backward as ``one_op`` of a class named like the notebook's (forward given or the
    notebook's), correct or with the diagnosis code it should get."""
    def deco(backward):
        base = OPS[op]
        body = {"backward": staticmethod(backward)}
        if forward is not None:
            body["forward"] = staticmethod(forward)
        fn = one_op(type(base.__name__, (base,), body), op)
        fn.__name__ = fn.__qualname__ = f"{op}_{backward.__name__}"
        fn.__module__ = backward.__module__
        fn.__doc__ = backward.__doc__
        (correct(f"engine.{op}") if expect is None else wrong(f"engine.{op}", expect))(fn)
        return backward
    return deco


for _op, _cls in OPS.items():
    op_entry(_op, None)(_cls.backward)


# ----------------------------------------------------------------------------- unbroadcast

correct("engine.unbroadcast")(unbroadcast)


@correct("engine.unbroadcast")
def unbroadcast_loop(grad, shape):
    """Sums one axis at a time in a loop, keeping the size-1 axes, then reshapes: also right."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for i, n in enumerate(shape):
        if n == 1:
            grad = grad.sum(axis=i, keepdims=True)
    return grad.reshape(shape)


@wrong("engine.unbroadcast", "leading_only")
def unbroadcast_leading_only(grad, shape):
    """Sums only the axes broadcasting added in front, not the stretched size-1 axes."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    return grad


@wrong("engine.unbroadcast", "keepdims")
def unbroadcast_no_keepdims(grad, shape):
    """Sums the stretched axes without keepdims, so (4, 1) becomes (4,)."""
    lead = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes)


@wrong("engine.unbroadcast", "mean")
def unbroadcast_mean(grad, shape):
    """Averages the copies instead of adding them."""
    lead = grad.ndim - len(shape)
    grad = grad.mean(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.mean(axis=axes, keepdims=True)


@wrong("engine.unbroadcast", "left_aligned")
def unbroadcast_left(grad, shape):
    """Sums the trailing extra axes: lines the shapes up on the left."""
    extra = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(len(shape), grad.ndim))) if extra else grad
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes, keepdims=True)


@wrong("engine.unbroadcast", "slice")
def unbroadcast_first_copy(grad, shape):
    """Keeps the first copy along every broadcast axis."""
    while grad.ndim > len(shape):
        grad = grad[0]
    return grad[tuple(slice(0, 1) if n == 1 else slice(None) for n in shape)]


@wrong("engine.unbroadcast", "identity")
def unbroadcast_identity(grad, shape):
    """Returns the gradient as it is."""
    return grad


@wrong("engine.unbroadcast", "summed_everything")
def unbroadcast_total(grad, shape):
    return np.sum(grad)


@wrong("engine.unbroadcast", "axis0_only")
def unbroadcast_axis0(grad, shape):
    """The bias rule db = dout.sum(axis=0), taken as the general one."""
    return grad.sum(axis=0)


@wrong("engine.unbroadcast", "loop_shifts")
def unbroadcast_loop_no_keepdims(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for i, n in enumerate(shape):
        if n == 1:
            grad = grad.sum(axis=i)
    return grad


@wrong("engine.unbroadcast", "lead_kept")
def unbroadcast_keep_leading(grad, shape):
    """Keeps the leading axes as 1s (keepdims everywhere) and never reshapes."""
    lead = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(lead)), keepdims=True)
    full = (1,) * lead + tuple(shape)
    return grad.sum(axis=tuple(i for i, n in enumerate(full) if n == 1 and grad.shape[i] != 1), keepdims=True)


@wrong("engine.unbroadcast", "reshape_only")
def unbroadcast_reshape(grad, shape):
    return grad.reshape(shape)


@wrong("engine.unbroadcast", "axis_offset")
def unbroadcast_offset(grad, shape):
    """Finds the size-1 axes, then adds the number of leading axes to them after those are already gone."""
    lead = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(lead)))
    axes = tuple(i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes, keepdims=True)


@wrong("engine.unbroadcast", "unaligned")
def unbroadcast_unaligned(grad, shape):
    """Sums the size-1 axes first, at their index in shape, on the gradient that still has its leading axes."""
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    grad = grad.sum(axis=axes, keepdims=True)
    return grad.sum(axis=tuple(range(grad.ndim - len(shape))))


from . import engine_driver, engine_ops, engine_unary  # noqa: E402,F401  (they use the engine above)
