"""Round-2 fresh entries for lesson 06 (autodiff engine).

Operation entries subclass the notebook's Function (from ``_engine``) and are handed to ``one_op`` as the
notebook does; Linear entries subclass its Module and build ``_engine.Tensor``s.
"""
import numpy as np
from dlgrade.harness.adapters import linear_module, one_op

from ._engine import Function, Module, Tensor, topological_order
from ._engine import unbroadcast as _unbroadcast
from ._fresh import correct, learner_name, register_correct, register_wrong, wrong


def _op(cls, name, op):
    return one_op(learner_name(cls, name), op)


# ---------------------------------------------------------------- unbroadcast


@wrong("engine.unbroadcast", "06", ["keepdims", "length 1", "length-1", "keep the axis"],
       "sums the stretched length-1 axes without keepdims=True, so (4, 1) comes back as (4,)")
def unbroadcast(grad, shape):
    lead = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(lead)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched) if stretched else grad


@wrong("engine.unbroadcast", "06", ["leading", "every extra axis", "all the extra", "more than one", "scalar"],
       "sums away only one leading axis (grad.sum(axis=0)) whenever grad has more axes than shape")
def unbroadcast(grad, shape):  # noqa: F811
    if grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True)


@correct("engine.unbroadcast", "06", "a loop: sum axis 0 while there are too many axes, then each length-1 axis")
def unbroadcast(grad, shape):  # noqa: F811
    grad = np.asarray(grad)
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for i, n in enumerate(shape):
        if n == 1 and grad.shape[i] != 1:
            grad = grad.sum(axis=i, keepdims=True)
    return grad


# ---------------------------------------------------------------- Mul / MatMul


class MulSumFirst(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _unbroadcast(grad, a.shape) * b, _unbroadcast(grad, b.shape) * a


register_wrong("engine.mul", "06", _op(MulSumFirst, "Mul", "mul"),
               ["multiply first", "then unbroadcast", "before multiplying", "sum before", "order"],
               "unbroadcasts grad first and multiplies by the other input afterwards (sums before multiplying)")


class MatMulGradBTransposed(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad @ b.T, grad.T @ a


register_wrong("engine.matmul", "06", _op(MatMulGradBTransposed, "MatMul", "matmul"),
               ["transpos", "a.t @ grad", "(d, m)", "(m, d)"],
               "computes grad_b as grad.T @ a, the (M, D) transpose of the right gradient")


class MatMulEinsum(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return np.einsum("nm,dm->nd", grad, b), np.einsum("nd,nm->dm", a, grad)


register_correct("engine.matmul", "06", _op(MatMulEinsum, "MatMul", "matmul"), "both gradients with np.einsum")


# ---------------------------------------------------------------- Sum


class SumNoExpand(Function):
    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        ctx.shape, ctx.axis, ctx.keepdims = a.shape, axis, keepdims
        return np.sum(a, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad):
        return np.broadcast_to(grad, ctx.shape).copy()


register_wrong("engine.sum", "06", _op(SumNoExpand, "Sum", "sum"),
               ["expand_dims", "keepdims", "summed axis", "align", "put it back"],
               "broadcasts grad straight back without re-inserting the summed axis (no expand_dims)")


class SumByAdding(Function):
    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        ctx.shape, ctx.axis, ctx.keepdims = a.shape, axis, keepdims
        return np.sum(a, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad):
        grad = np.asarray(grad)
        if ctx.axis is not None and not ctx.keepdims:
            axes = ctx.axis if isinstance(ctx.axis, tuple) else (ctx.axis,)
            axes = sorted(ax % len(ctx.shape) for ax in axes)
            for ax in axes:
                grad = np.expand_dims(grad, ax)
        return np.zeros(ctx.shape) + grad


register_correct("engine.sum", "06", _op(SumByAdding, "Sum", "sum"),
                 "re-inserts the summed axes one by one and broadcasts by adding to a zero array")


# ---------------------------------------------------------------- Exp / ReLU


class ExpTwice(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * np.exp(out)


register_wrong("engine.exp", "06", _op(ExpTwice, "Exp", "exp"),
               ["exp(out)", "already", "twice", "grad * out", "exponentiat"],
               "exponentiates the saved output again: grad * exp(out) instead of grad * out")


class ReLUOnGrad(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.maximum(a, 0)

    @staticmethod
    def backward(ctx, grad):
        return np.maximum(grad, 0)


register_wrong("engine.relu", "06", _op(ReLUOnGrad, "ReLU", "relu"),
               ["a > 0", "saved input", "mask", "sign of grad", "relu of the gradient"],
               "applies the ReLU to the incoming gradient instead of masking it with the saved input a > 0")


# ---------------------------------------------------------------- backward driver


@wrong("engine.backward", "06", ["accumulat", "+=", "add up", "shared", "overwrit"],
       "assigns inp.grad = g instead of adding, losing what arrived along other paths (and earlier calls)")
def backward(root):
    root.grad = np.ones_like(root.data)
    for node in reversed(topological_order(root)):
        ctx = node._ctx
        grads = ctx.fn.backward(ctx, node.grad)
        grads = grads if isinstance(grads, tuple) else (grads,)
        for inp, g in zip(ctx.inputs, grads):
            if inp.requires_grad:
                inp.grad = g


# ---------------------------------------------------------------- Linear


class LinearUniformBias(Module):
    def __init__(self, in_features, out_features, rng):
        k = 1 / np.sqrt(in_features)
        self.weight = Tensor(rng.uniform(-k, k, size=(in_features, out_features)), requires_grad=True)
        self.bias = Tensor(rng.uniform(-k, k, size=(out_features,)), requires_grad=True)

    def forward(self, x):
        return x @ self.weight + self.bias


register_wrong("engine.linear", "06", linear_module(learner_name(LinearUniformBias, "Linear")),
               ["bias", "zero"],
               "draws the bias from U(-k, k) as PyTorch does, instead of starting it at zero")


class LinearTorchLayout(Module):
    def __init__(self, in_features, out_features, rng):
        k = 1 / np.sqrt(in_features)
        self.weight = Tensor(rng.uniform(-k, k, size=(out_features, in_features)), requires_grad=True)
        self.bias = Tensor(np.zeros(out_features), requires_grad=True)

    def forward(self, x):
        return x @ self.weight + self.bias


register_wrong("engine.linear", "06", linear_module(learner_name(LinearTorchLayout, "Linear")),
               ["layout", "transpos", "(in_features, out_features)", "(out, in)"],
               "stores the weight in PyTorch's (out, in) layout (and still computes x @ weight)")


