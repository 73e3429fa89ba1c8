"""Lesson 06's engine as the student notebook gives it (Context, Function, Tensor, topological_order,
Module), with correct operations and a correct driver, so that entries which are wrong in one place
(a Linear module, say) run on an engine that is right everywhere else.

The Tensor operators look the operation classes up in this module's globals, exactly as the
notebook's do in the learner's namespace.
"""
import numpy as np


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

    @property
    def shape(self):
        return self.data.shape

    def __repr__(self):
        made_by = f", made by {self._ctx.fn.__name__}" if self._ctx is not None else ""
        return f"Tensor(shape={self.shape}{made_by})"

    def __add__(self, other):
        return Add.apply(self, other)

    __radd__ = __add__

    def __mul__(self, other):
        return Mul.apply(self, other)

    __rmul__ = __mul__

    def __neg__(self):
        return Mul.apply(self, -1.0)

    def __sub__(self, other):
        return self + (-other if isinstance(other, Tensor) else -np.asarray(other, dtype=np.float64))

    def __matmul__(self, other):
        return MatMul.apply(self, other)

    def sum(self, axis=None, keepdims=False):
        return Sum.apply(self, axis=axis, keepdims=keepdims)

    def exp(self):
        return Exp.apply(self)

    def log(self):
        return Log.apply(self)

    def sigmoid(self):
        return Sigmoid.apply(self)

    def relu(self):
        return ReLU.apply(self)

    def backward(self):
        if self.data.size != 1:
            raise RuntimeError(f"backward() needs a scalar loss, but this tensor has shape {self.shape}")
        backward(self)


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
            items = value if isinstance(value, (list, tuple)) else [value]
            for item in items:
                if isinstance(item, Tensor) and item.requires_grad:
                    params.append(item)
                elif isinstance(item, Module):
                    params.extend(item.parameters())
        return params

    def zero_grad(self):
        for p in self.parameters():
            p.grad = None

    def __call__(self, x):
        return self.forward(x)


# -- correct exercise answers ------------------------------------------------------------------------

def unbroadcast(grad, shape):
    lead = grad.ndim - len(shape)
    if lead > 0:
        grad = grad.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad


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
        s = 0.5 * (1 + np.tanh(0.5 * a))
        ctx.save_for_backward(s)
        return s

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


def backward(root):
    root.grad = np.ones_like(root.data)
    for node in reversed(topological_order(root)):
        ctx = node._ctx
        grads = ctx.fn.backward(ctx, node.grad)
        if not isinstance(grads, tuple):
            grads = (grads,)
        for inp, g in zip(ctx.inputs, grads):
            if inp.requires_grad:
                inp.grad = g if inp.grad is None else inp.grad + g
