"""Lesson 06 · An autodiff engine: unbroadcast, the operations' backwards, the driver, Linear.

Operation classes subclass the notebook's Function (in _engine, with the notebook's forward methods);
the Linear modules run on an otherwise correct engine.
"""
import numpy as np
from dlgrade.harness.adapters import linear_module, one_op

from . import _engine as E
from ._fresh import correct, learner_name, register_correct, register_wrong, wrong

L = "06"

# ---- engine.unbroadcast(grad, shape) ----------------------------------------------------------------------


@wrong("engine.unbroadcast", L, ["keepdims", "length 1", "length-1", "stretched", "size 1", "axes of length"],
       "sums the added leading axes only, not the stretched length-1 axes")
def unbroadcast(grad, shape):
    lead = grad.ndim - len(shape)
    return grad.sum(axis=tuple(range(lead))) if lead > 0 else grad


@wrong("engine.unbroadcast", L, ["keepdims"], "sums the stretched axes without keepdims")
def unbroadcast(grad, shape):  # noqa: F811
    lead = grad.ndim - len(shape)
    if lead > 0:
        grad = grad.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes) if axes else grad


@wrong("engine.unbroadcast", L, ["sum", "mean", "factor"], "averages the copies instead of summing them")
def unbroadcast(grad, shape):  # noqa: F811
    lead = grad.ndim - len(shape)
    if lead > 0:
        grad = grad.mean(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.mean(axis=axes, keepdims=True) if axes else grad


@wrong("engine.unbroadcast", L, ["scalar", "()", "shape"], "shape () is left alone: returns grad unchanged")
def unbroadcast(grad, shape):  # noqa: F811
    if len(shape) == 0:
        return grad
    lead = grad.ndim - len(shape)
    if lead > 0:
        grad = grad.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes, keepdims=True) if axes else grad


@wrong("engine.unbroadcast", L, ["axis", "leading", "trailing"], "sums the trailing axes away instead of the leading ones")
def unbroadcast(grad, shape):  # noqa: F811
    lead = grad.ndim - len(shape)
    if lead > 0:
        grad = grad.sum(axis=tuple(range(grad.ndim - lead, grad.ndim)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes, keepdims=True) if axes else grad


@wrong("engine.unbroadcast", L, ["sum", "reshape", "size"], "tries grad.reshape(shape)")
def unbroadcast(grad, shape):  # noqa: F811
    return grad.reshape(shape)


@correct("engine.unbroadcast", L, "a while loop that sums axis 0 until the ranks agree, then a loop over the axes")
def unbroadcast(grad, shape):  # noqa: F811
    g = np.asarray(grad)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for i, n in enumerate(shape):
        if n == 1 and g.shape[i] != 1:
            g = g.sum(axis=i, keepdims=True)
    return g


@correct("engine.unbroadcast", L, "np.sum with a computed axis tuple, then reshape to the target shape")
def unbroadcast(grad, shape):  # noqa: F811
    lead = grad.ndim - len(shape)
    padded = (1,) * lead + tuple(shape)
    axes = tuple(i for i, (g, s) in enumerate(zip(grad.shape, padded)) if s == 1 and g != 1)
    return np.sum(grad, axis=axes, keepdims=True).reshape(shape)


# ---- the operations -------------------------------------------------------------------------------------------


class AddNoUnbroadcast(E.Add):
    @staticmethod
    def backward(ctx, grad):
        return grad, grad

learner_name(AddNoUnbroadcast, "Add")


class AddOnlyA(E.Add):
    @staticmethod
    def backward(ctx, grad):
        return E.unbroadcast(grad, ctx.a_shape)

learner_name(AddOnlyA, "Add")


class AddPlain(E.Add):
    '''The textbook answer: unbroadcast each input's gradient to its shape.'''

learner_name(AddPlain, "Add")


class AddViaOnes(E.Add):
    @staticmethod
    def backward(ctx, grad):
        return (E.unbroadcast(grad * np.ones(ctx.a_shape), ctx.a_shape),
                E.unbroadcast(grad * np.ones(ctx.b_shape), ctx.b_shape))

learner_name(AddViaOnes, "Add")


register_wrong("engine.add", L, one_op(AddNoUnbroadcast, "add"), ["unbroadcast", "broadcast", "sum"],
               "returns (grad, grad) without summing back to the inputs' shapes", "no_unbroadcast")
register_wrong("engine.add", L, one_op(AddOnlyA, "add"), ["two", "tuple", "both", "each input", "one gradient per input"],
               "returns only a's gradient", "only_a")
register_correct("engine.add", L, one_op(AddPlain, "add"), "the textbook answer (a control)", "plain")
register_correct("engine.add", L, one_op(AddViaOnes, "add"), "multiplies by ones of the input's shape before unbroadcasting",
                 "via_ones")


class MulNoSwap(E.Mul):
    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return E.unbroadcast(grad * a, a.shape), E.unbroadcast(grad * b, b.shape)

learner_name(MulNoSwap, "Mul")


class MulNoUnbroadcast(E.Mul):
    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a

learner_name(MulNoUnbroadcast, "Mul")


class MulNoGrad(E.Mul):
    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return E.unbroadcast(np.broadcast_to(b, grad.shape), a.shape), E.unbroadcast(np.broadcast_to(a, grad.shape), b.shape)

learner_name(MulNoGrad, "Mul")


register_wrong("engine.mul", L, one_op(MulNoSwap, "mul"), ["swap", "other input"], "grad * a for a: no swap", "noswap")
register_wrong("engine.mul", L, one_op(MulNoUnbroadcast, "mul"), ["unbroadcast", "broadcast", "sum"],
               "forgets to unbroadcast", "no_unbroadcast")
register_wrong("engine.mul", L, one_op(MulNoGrad, "mul"), ["upstream", "chain", "incoming"],
               "returns b and a without the incoming gradient", "no_grad")


class MatMulNoT(E.MatMul):
    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad @ b, a @ grad

learner_name(MatMulNoT, "MatMul")


class MatMulSwapped(E.MatMul):
    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return a.T @ grad, grad @ b.T

learner_name(MatMulSwapped, "MatMul")


class MatMulWrongB(E.MatMul):
    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad @ b.T, grad.T @ a

learner_name(MatMulWrongB, "MatMul")


class MatMulEinsum(E.MatMul):
    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return np.einsum("nm,dm->nd", grad, b), np.einsum("nd,nm->dm", a, grad)

learner_name(MatMulEinsum, "MatMul")


register_wrong("engine.matmul", L, one_op(MatMulNoT, "matmul"), ["transpos"], "grad @ b and a @ grad: no transposes", "no_T")
register_wrong("engine.matmul", L, one_op(MatMulSwapped, "matmul"), ["order", "swap"], "returns (grad_b, grad_a)", "swapped")
register_wrong("engine.matmul", L, one_op(MatMulWrongB, "matmul"), ["transpos"], "grad_b = grad.T @ a: the (M, D) transpose",
               "wrong_b")
register_correct("engine.matmul", L, one_op(MatMulEinsum, "matmul"), "einsum", "einsum")


class SumNoExpand(E.Sum):
    @staticmethod
    def backward(ctx, grad):
        return np.broadcast_to(grad, ctx.shape).copy()

learner_name(SumNoExpand, "Sum")


class SumView(E.Sum):
    @staticmethod
    def backward(ctx, grad):
        if ctx.axis is not None and not ctx.keepdims:
            grad = np.expand_dims(grad, ctx.axis)
        return np.broadcast_to(grad, ctx.shape)

learner_name(SumView, "Sum")


class SumIdentity(E.Sum):
    @staticmethod
    def backward(ctx, grad):
        return grad

learner_name(SumIdentity, "Sum")


class SumOnes(E.Sum):
    @staticmethod
    def backward(ctx, grad):
        return np.ones(ctx.shape)

learner_name(SumOnes, "Sum")


class SumViaOnesMul(E.Sum):
    @staticmethod
    def backward(ctx, grad):
        g = grad if (ctx.axis is None or ctx.keepdims) else np.expand_dims(grad, ctx.axis)
        return np.ones(ctx.shape) * g

learner_name(SumViaOnesMul, "Sum")


register_wrong("engine.sum", L, one_op(SumNoExpand, "sum"), ["expand_dims", "axis", "keepdims"],
               "broadcast_to without expand_dims: wrong for axis=1", "no_expand")
register_wrong("engine.sum", L, one_op(SumView, "sum"), ["copy", "read-only", "view", "writeable", "writable"],
               "returns the read-only broadcast view (the exercise asks for .copy())", "view")
register_wrong("engine.sum", L, one_op(SumIdentity, "sum"), ["broadcast", "shape"], "returns grad unchanged", "identity")
register_wrong("engine.sum", L, one_op(SumOnes, "sum"), ["upstream", "chain", "incoming", "grad"], "returns ones, forgets grad", "ones")
register_correct("engine.sum", L, one_op(SumViaOnesMul, "sum"), "np.ones(shape) * expanded grad", "ones_mul")


class ExpDouble(E.Exp):
    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * np.exp(out)

learner_name(ExpDouble, "Exp")


class ExpNoGrad(E.Exp):
    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return out

learner_name(ExpNoGrad, "Exp")


class LogTimes(E.Log):
    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a

learner_name(LogTimes, "Log")


class LogOverLog(E.Log):
    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / np.log(a)

learner_name(LogOverLog, "Log")


class LogReciprocal(E.Log):
    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * np.reciprocal(a)

learner_name(LogReciprocal, "Log")


register_wrong("engine.exp", L, one_op(ExpDouble, "exp"), ["output", "exp(out)", "saved", "e^a", "already"],
               "grad * exp(out): exponentiates the saved output again", "double_exp")
register_wrong("engine.exp", L, one_op(ExpNoGrad, "exp"), ["upstream", "chain", "grad *", "incoming"],
               "returns out without the incoming gradient", "no_grad")
register_wrong("engine.log", L, one_op(LogTimes, "log"), ["divide", "1/a", "reciprocal", "/ a"], "grad * a instead of grad / a",
               "times")
register_wrong("engine.log", L, one_op(LogOverLog, "log"), ["1/a", "derivative", "reciprocal", "/ a"], "grad / log(a)", "over_log")
register_correct("engine.log", L, one_op(LogReciprocal, "log"), "np.reciprocal", "reciprocal")


class SigmoidNoOneMinus(E.Sigmoid):
    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return grad * s

learner_name(SigmoidNoOneMinus, "Sigmoid")


class SigmoidTwice(E.Sigmoid):
    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        sig = 0.5 * (1 + np.tanh(0.5 * s))
        return grad * sig * (1 - sig)

learner_name(SigmoidTwice, "Sigmoid")


class SigmoidExpanded(E.Sigmoid):
    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return grad * (s - s * s)

learner_name(SigmoidExpanded, "Sigmoid")


register_wrong("engine.sigmoid", L, one_op(SigmoidNoOneMinus, "sigmoid"), ["1 - s", "(1-s)", "1-s", "(1 - s)"],
               "grad * s: forgets (1 - s)", "no_one_minus")
register_wrong("engine.sigmoid", L, one_op(SigmoidTwice, "sigmoid"), ["output", "input", "saved", "twice"],
               "applies the sigmoid to the saved output again", "twice")
register_correct("engine.sigmoid", L, one_op(SigmoidExpanded, "sigmoid"), "grad * (s - s^2)", "expanded")


class ReLUGradMask(E.ReLU):
    @staticmethod
    def backward(ctx, grad):
        return grad * (grad > 0)

learner_name(ReLUGradMask, "ReLU")


class ReLUMaxGrad(E.ReLU):
    @staticmethod
    def backward(ctx, grad):
        return np.maximum(grad, 0)

learner_name(ReLUMaxGrad, "ReLU")


class ReLUWhere(E.ReLU):
    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return np.where(a > 0, grad, 0.0)

learner_name(ReLUWhere, "ReLU")


register_wrong("engine.relu", L, one_op(ReLUGradMask, "relu"), ["mask", "input", "a > 0"], "masks with grad > 0", "grad_mask")
register_wrong("engine.relu", L, one_op(ReLUMaxGrad, "relu"), ["mask", "input", "a > 0"], "np.maximum(grad, 0)", "max_grad")
register_correct("engine.relu", L, one_op(ReLUWhere, "relu"), "np.where(a > 0, grad, 0)", "where")


# ---- engine.backward(root) -------------------------------------------------------------------------------------


def _wrap(grads):
    return grads if isinstance(grads, tuple) else (grads,)


@wrong("engine.backward", L, ["accumulat", "overwrit", "assign", "+="], "inp.grad = g: assigns instead of adding")
def backward(root):
    root.grad = np.ones_like(root.data)
    for node in reversed(E.topological_order(root)):
        ctx = node._ctx
        for inp, g in zip(ctx.inputs, _wrap(ctx.fn.backward(ctx, node.grad))):
            if inp.requires_grad:
                inp.grad = g


@wrong("engine.backward", L, ["revers", "order"], "visits the nodes in topological (forward) order")
def backward(root):  # noqa: F811
    root.grad = np.ones_like(root.data)
    for node in E.topological_order(root):
        ctx = node._ctx
        if node.grad is None:
            continue
        for inp, g in zip(ctx.inputs, _wrap(ctx.fn.backward(ctx, node.grad))):
            if inp.requires_grad:
                inp.grad = g if inp.grad is None else inp.grad + g


@wrong("engine.backward", L, ["tuple", "single", "one-input", "bare array", "wrap"],
       "does not wrap a one-input op's bare array: zip walks its rows")
def backward(root):  # noqa: F811
    root.grad = np.ones_like(root.data)
    for node in reversed(E.topological_order(root)):
        ctx = node._ctx
        for inp, g in zip(ctx.inputs, ctx.fn.backward(ctx, node.grad)):
            if inp.requires_grad:
                inp.grad = g if inp.grad is None else inp.grad + g


@wrong("engine.backward", L, ["requires_grad", "constant", "data"], "gives gradients to constants and data too")
def backward(root):  # noqa: F811
    root.grad = np.ones_like(root.data)
    for node in reversed(E.topological_order(root)):
        ctx = node._ctx
        for inp, g in zip(ctx.inputs, _wrap(ctx.fn.backward(ctx, node.grad))):
            inp.grad = g if inp.grad is None else inp.grad + g


@wrong("engine.backward", L, ["seed", "root.grad", "ones", "none"], "forgets the seed: root.grad stays None")
def backward(root):  # noqa: F811
    for node in reversed(E.topological_order(root)):
        ctx = node._ctx
        if node.grad is None:
            continue
        for inp, g in zip(ctx.inputs, _wrap(ctx.fn.backward(ctx, node.grad))):
            if inp.requires_grad:
                inp.grad = g if inp.grad is None else inp.grad + g


@wrong("engine.backward", L, ["accumulat", "existing", "already", "reset", "zero_grad", "leaves keep"],
       "resets every input's .grad to None before the pass: leaves lose the gradient they already held")
def backward(root):  # noqa: F811
    order = E.topological_order(root)
    for node in order:
        for inp in node._ctx.inputs:
            inp.grad = None
    root.grad = np.ones_like(root.data)
    for node in reversed(order):
        ctx = node._ctx
        for inp, g in zip(ctx.inputs, _wrap(ctx.fn.backward(ctx, node.grad))):
            if inp.requires_grad:
                inp.grad = g if inp.grad is None else inp.grad + g


@correct("engine.backward", L, "gradients collected in a dict keyed by id, written to .grad as each node completes")
def backward(root):  # noqa: F811
    pending = {id(root): np.ones_like(root.data)}
    root.grad = pending[id(root)]
    for node in reversed(E.topological_order(root)):
        g_node = node.grad
        ctx = node._ctx
        grads = ctx.fn.backward(ctx, g_node)
        if not isinstance(grads, (tuple, list)):
            grads = [grads]
        for inp, g in zip(ctx.inputs, grads):
            if not inp.requires_grad:
                continue
            inp.grad = g.copy() if inp.grad is None else inp.grad + g


# ---- engine.linear: linear_module(Linear) -----------------------------------------------------------------------


class LinearGlobalRng(E.Module):
    def __init__(self, in_features, out_features, rng):
        k = 1 / np.sqrt(in_features)
        self.weight = E.Tensor(np.random.uniform(-k, k, size=(in_features, out_features)), requires_grad=True)
        self.bias = E.Tensor(np.zeros(out_features), requires_grad=True)

    def forward(self, x):
        return x @ self.weight + self.bias

learner_name(LinearGlobalRng, "Linear")


class LinearOutIn(E.Module):
    def __init__(self, in_features, out_features, rng):
        k = 1 / np.sqrt(in_features)
        self.weight = E.Tensor(rng.uniform(-k, k, size=(out_features, in_features)), requires_grad=True)
        self.bias = E.Tensor(np.zeros(out_features), requires_grad=True)

    def forward(self, x):
        return x @ E.Tensor(self.weight.data.T) + self.bias

learner_name(LinearOutIn, "Linear")


class LinearBiasNoGrad(E.Module):
    def __init__(self, in_features, out_features, rng):
        k = 1 / np.sqrt(in_features)
        self.weight = E.Tensor(rng.uniform(-k, k, size=(in_features, out_features)), requires_grad=True)
        self.bias = E.Tensor(np.zeros(out_features))

    def forward(self, x):
        return x @ self.weight + self.bias

learner_name(LinearBiasNoGrad, "Linear")


class LinearNoSqrt(E.Module):
    def __init__(self, in_features, out_features, rng):
        k = 1 / in_features
        self.weight = E.Tensor(rng.uniform(-k, k, size=(in_features, out_features)), requires_grad=True)
        self.bias = E.Tensor(np.zeros(out_features), requires_grad=True)

    def forward(self, x):
        return x @ self.weight + self.bias

learner_name(LinearNoSqrt, "Linear")


class LinearNoGraph(E.Module):
    def __init__(self, in_features, out_features, rng):
        k = 1 / np.sqrt(in_features)
        self.weight = E.Tensor(rng.uniform(-k, k, size=(in_features, out_features)), requires_grad=True)
        self.bias = E.Tensor(np.zeros(out_features), requires_grad=True)

    def forward(self, x):
        xd = x.data if isinstance(x, E.Tensor) else np.asarray(x)
        return E.Tensor(xd @ self.weight.data + self.bias.data)

learner_name(LinearNoGraph, "Linear")


class LinearRandomBias(E.Module):
    def __init__(self, in_features, out_features, rng):
        k = 1 / np.sqrt(in_features)
        self.bias = E.Tensor(rng.uniform(-k, k, size=out_features), requires_grad=True)
        self.weight = E.Tensor(rng.uniform(-k, k, size=(in_features, out_features)), requires_grad=True)

    def forward(self, x):
        return x @ self.weight + self.bias

learner_name(LinearRandomBias, "Linear")


class LinearSumForm(E.Module):
    '''Correct: the bias added through a (1, out) row and a ones column (same numbers, different graph).'''

    def __init__(self, in_features, out_features, rng):
        k = 1 / np.sqrt(in_features)
        self.weight = E.Tensor(rng.uniform(-k, k, size=(in_features, out_features)), requires_grad=True)
        self.bias = E.Tensor(np.zeros(out_features), requires_grad=True)

    def forward(self, x):
        return self.bias + x @ self.weight

learner_name(LinearSumForm, "Linear")


register_wrong("engine.linear", L, linear_module(LinearGlobalRng), ["rng", "global", "random generator"],
               "np.random.uniform instead of the given rng", "global_rng")
register_wrong("engine.linear", L, linear_module(LinearOutIn), ["transpos", "(in_features, out_features)", "shape", "layout"],
               "weight stored (out, in), PyTorch's layout, and transposed as a constant in forward", "out_in")
register_wrong("engine.linear", L, linear_module(LinearBiasNoGrad), ["requires_grad", "bias"],
               "the bias without requires_grad=True", "bias_no_grad")
register_wrong("engine.linear", L, linear_module(LinearNoSqrt), ["sqrt", "square root", "bound", "range", "scale"],
               "k = 1 / in_features instead of 1 / sqrt(in_features)", "no_sqrt")
register_wrong("engine.linear", L, linear_module(LinearNoGraph), ["graph", "tensor op", "recorded", "no gradient", "gradient"],
               "forward on raw arrays: nothing is recorded, no gradient flows", "no_graph")
register_wrong("engine.linear", L, linear_module(LinearRandomBias), ["bias", "zero"],
               "draws the bias from rng too (before the weight): the bias is not zero and the weight draw shifts", "random_bias")
register_correct("engine.linear", L, linear_module(LinearSumForm), "bias + x @ W (operands of the add in the other order)",
                 "sum_form")
