"""Lesson 06: a learner's tensor engine: unbroadcast, op backwards, the backward driver, Linear.

The correct engine below is the lesson's skeleton with the solutions filled in; wrong entries
override one method (or write one function) the way learners typically get it wrong. Each op
entry is what the notebook's test cell passes to check: ``one_op(TheirClass, op)``.
"""
import numpy as np

from dlgrade.harness.adapters import linear_module, one_op

from ._catalogue import correct, wrong


# ----------------------------------------------------------------------------- the engine


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


def _named(fn, name, doc):
    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = __name__
    fn.__doc__ = doc
    return fn


def _op_entry(op, cls, expect):
    fn = _named(one_op(cls, op), f"{op}_{cls.__name__}", cls.__doc__ or "")
    (correct(f"engine.{op}") if expect is None else wrong(f"engine.{op}", expect))(fn)


def _linear_entry(cls, expect):
    fn = _named(linear_module(cls), f"linear_{cls.__name__}", cls.__doc__ or "")
    (correct("engine.linear") if expect is None else wrong("engine.linear", expect))(fn)


# ----------------------------------------------------------------------------- unbroadcast

correct("engine.unbroadcast")(unbroadcast)


@correct("engine.unbroadcast")
def unbroadcast_loop(grad, shape):
    """Sums one axis at a time in a loop, then reshapes: also right."""
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


@wrong("engine.unbroadcast", "batch_not_reduced")
def unbroadcast_identity(grad, shape):
    """Returns the gradient as it is."""
    return grad


# ----------------------------------------------------------------------------- add and mul

_op_entry("add", Add, None)
_op_entry("mul", Mul, None)


class AddNoUnbroadcast(Add):
    """Returns grad for both inputs without summing it back to their shapes."""

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class AddLikeMul(Add):
    """Uses the multiply rule in add (forward saved the inputs too)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        ctx.a_shape, ctx.b_shape = a.shape, b.shape
        return a + b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)


class AddHalved(Add):
    """Splits the gradient between the two inputs."""

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad / 2, ctx.a_shape), unbroadcast(grad / 2, ctx.b_shape)


class AddLocalOnly(Add):
    """Returns the local derivative 1 for each input."""

    @staticmethod
    def backward(ctx, grad):
        return np.ones(ctx.a_shape), np.ones(ctx.b_shape)


class AddOneGradient(Add):
    """Returns a single gradient for two inputs."""

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.a_shape)


_op_entry("add", AddNoUnbroadcast, "exception")
_op_entry("add", AddLikeMul, "like_mul")
_op_entry("add", AddHalved, "halved")
_op_entry("add", AddLocalOnly, "local_only")
_op_entry("add", AddOneGradient, "exception")


class MulNotSwapped(Mul):
    """Each input gets its own value times grad."""

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return unbroadcast(grad * a, a.shape), unbroadcast(grad * b, b.shape)


class MulNoUnbroadcast(Mul):
    """Forgets to sum the gradients of broadcast inputs."""

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a


class MulLocalOnly(Mul):
    """Returns the other input, not multiplied by grad."""

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        full = np.broadcast_shapes(a.shape, b.shape)
        return unbroadcast(np.broadcast_to(b, full), a.shape), unbroadcast(np.broadcast_to(a, full), b.shape)


class MulOutputValue(Mul):
    """Multiplies by the output a*b instead of the upstream gradient."""

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        out = a * b
        return unbroadcast(out * b, a.shape), unbroadcast(out * a, b.shape)


class MulLikeAdd(Mul):
    """Uses the add rule in mul."""

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)


_op_entry("mul", MulNotSwapped, "not_swapped")
_op_entry("mul", MulNoUnbroadcast, "exception")
_op_entry("mul", MulLocalOnly, "local_only")
_op_entry("mul", MulOutputValue, "output_value")
_op_entry("mul", MulLikeAdd, "ignores_input")  # the add rule: grads independent of a, b

# ----------------------------------------------------------------------------- matmul

_op_entry("matmul", MatMul, None)


class MatMulNotTransposed(MatMul):
    """Forgets the transposes: grad @ b and a @ grad."""

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad @ b, a @ grad


class MatMulGradBTransposed(MatMul):
    """Gets grad_b transposed: grad.T @ a."""

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad @ b.T, grad.T @ a


class MatMulSwapped(MatMul):
    """Puts grad on the wrong side: b.T @ grad and grad @ a.T (fails on shapes)."""

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return b.T @ grad, grad @ a.T


class MatMulElementwise(MatMul):
    """Treats matmul like multiply: grad * b and grad * a."""

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a


class MatMulLocalOnly(MatMul):
    """Drops the upstream gradient: ones @ b.T and a.T @ ones."""

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ones = np.ones_like(grad)
        return ones @ b.T, a.T @ ones


_op_entry("matmul", MatMulNotTransposed, "exception")
_op_entry("matmul", MatMulGradBTransposed, "exception")
_op_entry("matmul", MatMulSwapped, "exception")
_op_entry("matmul", MatMulElementwise, "exception")
_op_entry("matmul", MatMulLocalOnly, "local_only")

# ----------------------------------------------------------------------------- sum

_op_entry("sum", Sum, None)


class SumNoExpand(Sum):
    """Broadcasts grad to the input's shape without putting the summed axis back."""

    @staticmethod
    def backward(ctx, grad):
        return np.broadcast_to(grad, ctx.shape).copy()


class SumOnes(Sum):
    """Returns ones of the input's shape."""

    @staticmethod
    def backward(ctx, grad):
        return np.ones(ctx.shape)


class SumMean(Sum):
    """Divides by the number of summed elements, as if it were a mean."""

    @staticmethod
    def backward(ctx, grad):
        n = np.prod(ctx.shape) if ctx.axis is None else ctx.shape[ctx.axis]
        if ctx.axis is not None and not ctx.keepdims:
            grad = np.expand_dims(grad, ctx.axis)
        return np.broadcast_to(grad, ctx.shape) / n


class SumReturnsGrad(Sum):
    """Returns the upstream gradient as it is (shape of the output)."""

    @staticmethod
    def backward(ctx, grad):
        return grad


class SumZeros(Sum):
    """Thinks the sum has no gradient."""

    @staticmethod
    def backward(ctx, grad):
        return np.zeros(ctx.shape)


_op_entry("sum", SumNoExpand, "no_expand")
_op_entry("sum", SumOnes, "local_only")
_op_entry("sum", SumMean, "mean")
_op_entry("sum", SumReturnsGrad, "exception")
_op_entry("sum", SumZeros, "values")  # all zero: said as such, not as an ignored input

# ----------------------------------------------------------------------------- exp, log, sigmoid, relu

for _op, _cls in (("exp", Exp), ("log", Log), ("sigmoid", Sigmoid), ("relu", ReLU)):
    _op_entry(_op, _cls, None)


class ExpLocalOnly(Exp):
    """Returns exp(a) without the upstream gradient."""

    @staticmethod
    def backward(ctx, grad):
        return ctx.saved_tensors[0]


class ExpTimesInput(Exp):
    """Saves the input and multiplies grad by it."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.exp(a)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.saved_tensors[0]


class ExpGradOnly(Exp):
    """Passes grad through unchanged."""

    @staticmethod
    def backward(ctx, grad):
        return grad


class ExpTuple3(Exp):
    """Returns the gradient twice."""

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.saved_tensors[0], grad


class ExpOfGrad(Exp):
    """Applies exp to the incoming gradient."""

    @staticmethod
    def backward(ctx, grad):
        return np.exp(grad)


_op_entry("exp", ExpLocalOnly, "local_only")
_op_entry("exp", ExpTimesInput, "input_not_output")
_op_entry("exp", ExpGradOnly, "ignores_input")
_op_entry("exp", ExpTuple3, "exception")
_op_entry("exp", ExpOfGrad, "ignores_input")


class LogTimes(Log):
    """Multiplies by a instead of dividing."""

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.saved_tensors[0]


class LogLocalOnly(Log):
    """Returns 1/a without the upstream gradient."""

    @staticmethod
    def backward(ctx, grad):
        return 1 / ctx.saved_tensors[0]


class LogByOutput(Log):
    """Divides by log(a)."""

    @staticmethod
    def backward(ctx, grad):
        return grad / np.log(ctx.saved_tensors[0])


class LogSquared(Log):
    """Uses -1/a² (the derivative of 1/a)."""

    @staticmethod
    def backward(ctx, grad):
        return -grad / ctx.saved_tensors[0] ** 2


class LogNegated(Log):
    """Gets the sign wrong."""

    @staticmethod
    def backward(ctx, grad):
        return -grad / ctx.saved_tensors[0]


_op_entry("log", LogTimes, "times_not_divided")
_op_entry("log", LogLocalOnly, "local_only")
_op_entry("log", LogByOutput, "by_output")
_op_entry("log", LogSquared, "values")
_op_entry("log", LogNegated, "sign")


class SigmoidNoOneMinus(Sigmoid):
    """Multiplies by s only."""

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.saved_tensors[0]


class SigmoidUsesInput(Sigmoid):
    """Saves the input and computes a(1 - a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return 0.5 * (1 + np.tanh(0.5 * a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a * (1 - a)


class SigmoidLocalOnly(Sigmoid):
    """Returns s(1 - s) without the upstream gradient."""

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return s * (1 - s)


class SigmoidTanhRule(Sigmoid):
    """Uses 1 - s²."""

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return grad * (1 - s ** 2)


class SigmoidSign(Sigmoid):
    """Computes s(s - 1)."""

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return grad * s * (s - 1)


_op_entry("sigmoid", SigmoidNoOneMinus, "no_one_minus")
_op_entry("sigmoid", SigmoidUsesInput, "uses_input")
_op_entry("sigmoid", SigmoidLocalOnly, "local_only")
_op_entry("sigmoid", SigmoidTanhRule, "tanh_rule")
_op_entry("sigmoid", SigmoidSign, "sign")


class ReLUOfGrad(ReLU):
    """Applies relu to the gradient."""

    @staticmethod
    def backward(ctx, grad):
        return np.maximum(grad, 0)


class ReLULocalOnly(ReLU):
    """Returns the mask without the upstream gradient."""

    @staticmethod
    def backward(ctx, grad):
        return (ctx.saved_tensors[0] > 0).astype(float)


class ReLUTimesOutput(ReLU):
    """Multiplies grad by the output."""

    @staticmethod
    def backward(ctx, grad):
        return grad * np.maximum(ctx.saved_tensors[0], 0)


class ReLUInvertedMask(ReLU):
    """Passes the gradient where the input was negative."""

    @staticmethod
    def backward(ctx, grad):
        return grad * (ctx.saved_tensors[0] < 0)


class ReLUGradOnly(ReLU):
    """Passes the gradient everywhere."""

    @staticmethod
    def backward(ctx, grad):
        return grad


_op_entry("relu", ReLUOfGrad, "relu_of_grad")
_op_entry("relu", ReLULocalOnly, "local_only")
_op_entry("relu", ReLUTimesOutput, "times_output")
_op_entry("relu", ReLUInvertedMask, "wrong_mask")  # the inverted mask
_op_entry("relu", ReLUGradOnly, "ignores_input")


# ----------------------------------------------------------------------------- the driver


@correct("engine.backward")
def backward(root):
    """Seed with ones, reverse topological order, add into .grad, skip constants."""
    root.grad = np.ones_like(root.data)
    for node in reversed(topological_order(root)):
        ctx = node._ctx
        grads = ctx.fn.backward(ctx, node.grad)
        if not isinstance(grads, tuple):
            grads = (grads,)
        for inp, g in zip(ctx.inputs, grads):
            if not inp.requires_grad:
                continue
            inp.grad = g if inp.grad is None else inp.grad + g


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
                inp.grad = g if inp.grad is None else inp.grad + g
            else:
                pending[id(inp)] = g if id(inp) not in pending else pending[id(inp)] + g


@wrong("engine.backward", "overwrites")
def backward_overwrites(root):
    """Assigns instead of adding."""
    root.grad = np.ones_like(root.data)
    for node in reversed(topological_order(root)):
        grads = node._ctx.fn.backward(node._ctx, node.grad)
        grads = grads if isinstance(grads, tuple) else (grads,)
        for inp, g in zip(node._ctx.inputs, grads):
            if inp.requires_grad:
                inp.grad = g


@wrong("engine.backward", "exception")
def backward_forward_order(root):
    """Visits the nodes in topological order (leaves first) instead of reversed."""
    root.grad = np.ones_like(root.data)
    for node in topological_order(root):
        grads = node._ctx.fn.backward(node._ctx, node.grad)
        grads = grads if isinstance(grads, tuple) else (grads,)
        for inp, g in zip(node._ctx.inputs, grads):
            if inp.requires_grad:
                inp.grad = g if inp.grad is None else inp.grad + g


@wrong("engine.backward", "seeded_with_value")
def backward_seed_value(root):
    """Starts from the loss value instead of 1."""
    root.grad = root.data.copy()
    for node in reversed(topological_order(root)):
        grads = node._ctx.fn.backward(node._ctx, node.grad)
        grads = grads if isinstance(grads, tuple) else (grads,)
        for inp, g in zip(node._ctx.inputs, grads):
            if inp.requires_grad:
                inp.grad = g if inp.grad is None else inp.grad + g


@wrong("engine.backward", "constant_got_grad")
def backward_no_skip(root):
    """Gives every input a gradient, constants included."""
    root.grad = np.ones_like(root.data)
    for node in reversed(topological_order(root)):
        grads = node._ctx.fn.backward(node._ctx, node.grad)
        grads = grads if isinstance(grads, tuple) else (grads,)
        for inp, g in zip(node._ctx.inputs, grads):
            inp.grad = g if inp.grad is None else inp.grad + g


@wrong("engine.backward", "not_propagated")
def backward_root_only(root):
    """Runs only the root's backward."""
    root.grad = np.ones_like(root.data)
    grads = root._ctx.fn.backward(root._ctx, root.grad)
    grads = grads if isinstance(grads, tuple) else (grads,)
    for inp, g in zip(root._ctx.inputs, grads):
        if inp.requires_grad:
            inp.grad = g if inp.grad is None else inp.grad + g


@wrong("engine.backward", "wrong_order")
def backward_recursive(root):
    """Recurses from the root into each input right after sending it gradient."""
    root.grad = np.ones_like(root.data)

    def visit(node):
        if node._ctx is None:
            return
        grads = node._ctx.fn.backward(node._ctx, node.grad)
        grads = grads if isinstance(grads, tuple) else (grads,)
        for inp, g in zip(node._ctx.inputs, grads):
            if inp.requires_grad:
                inp.grad = g if inp.grad is None else inp.grad + g
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
        grads = node._ctx.fn.backward(node._ctx, node.grad)
        grads = grads if isinstance(grads, tuple) else (grads,)
        for inp, g in zip(node._ctx.inputs, grads):
            if inp.requires_grad:
                inp.grad = g if inp.grad is None else inp.grad + g


@wrong("engine.backward", "exception")
def backward_no_tuple(root):
    """Zips a bare array (one-input op) with the inputs, so zip walks its rows."""
    root.grad = np.ones_like(root.data)
    for node in reversed(topological_order(root)):
        grads = node._ctx.fn.backward(node._ctx, node.grad)
        for inp, g in zip(node._ctx.inputs, grads if isinstance(grads, tuple) else list(np.atleast_1d(grads))):
            if inp.requires_grad:
                inp.grad = g if inp.grad is None else inp.grad + g


# ----------------------------------------------------------------------------- Linear

_linear_entry(Linear, None)


class LinearTransposed(Linear):
    """Stores the weight as (out, in) like PyTorch, but multiplies x @ weight."""

    def __init__(self, in_features, out_features, rng):
        k = 1 / np.sqrt(in_features)
        self.weight = Tensor(rng.uniform(-k, k, size=(out_features, in_features)), requires_grad=True)
        self.bias = Tensor(np.zeros(out_features), requires_grad=True)


class LinearGlorot(Linear):
    """Uses the Glorot bound for the initial weight."""

    def __init__(self, in_features, out_features, rng):
        k = np.sqrt(6 / (in_features + out_features))
        self.weight = Tensor(rng.uniform(-k, k, size=(in_features, out_features)), requires_grad=True)
        self.bias = Tensor(np.zeros(out_features), requires_grad=True)


class LinearNormal(Linear):
    """Draws the weight from a normal distribution."""

    def __init__(self, in_features, out_features, rng):
        self.weight = Tensor(rng.normal(size=(in_features, out_features)) / np.sqrt(in_features),
                             requires_grad=True)
        self.bias = Tensor(np.zeros(out_features), requires_grad=True)


class LinearNoGrad(Linear):
    """Creates the parameters without requires_grad."""

    def __init__(self, in_features, out_features, rng):
        k = 1 / np.sqrt(in_features)
        self.weight = Tensor(rng.uniform(-k, k, size=(in_features, out_features)))
        self.bias = Tensor(np.zeros(out_features))


class LinearOnData(Linear):
    """Computes the output on raw arrays, outside the graph."""

    def forward(self, x):
        return Tensor(x.data @ self.weight.data + self.bias.data)


class LinearNoBias(Linear):
    """Forgets the bias in forward."""

    def forward(self, x):
        return x @ self.weight


class LinearRowBias(Linear):
    """Stores the bias as a (1, out) row."""

    def __init__(self, in_features, out_features, rng):
        super().__init__(in_features, out_features, rng)
        self.bias = Tensor(np.zeros((1, out_features)), requires_grad=True)


_linear_entry(LinearTransposed, "exception")
_linear_entry(LinearGlorot, "init")
_linear_entry(LinearNormal, "init")
_linear_entry(LinearNoGrad, "exception")
_linear_entry(LinearOnData, "exception")
_linear_entry(LinearNoBias, "exception")
_linear_entry(LinearRowBias, "exception")
