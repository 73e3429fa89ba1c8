"""Every differentiable op, as functions on tensors (import as ``F``, like torch.nn.functional).

Each op is a ``Function`` subclass with an analytic backward; the functions here normalize
arguments (scalars, dims, shapes) and call ``Function.apply``.
"""
from .activations import ReLU, Sigmoid, Tanh, relu, sigmoid, tanh
from .arithmetic import Add, Div, Mul, Neg, Pow, Sub, add, div, mul, neg, pow, sub
from .compare import (
    AsType,
    Clamp,
    Clone,
    Maximum,
    Minimum,
    Where,
    all,
    any,
    astype,
    clamp,
    clip,
    clone,
    eq,
    ge,
    gt,
    le,
    lt,
    maximum,
    minimum,
    ne,
    where,
)
from .indexing import Index, index, plain_key
from .join import Cat, Stack, cat, concat, concatenate, stack
from .matmul import MatMul, matmul
from .reductions import (
    AMax,
    AMin,
    LogSumExp,
    MaxResult,
    Mean,
    Sum,
    Var,
    amax,
    amin,
    argmax,
    argmin,
    logsumexp,
    max,
    mean,
    min,
    std,
    sum,
    var,
)
from .shape import Expand, Permute, Reshape, expand, flatten, permute, reshape, squeeze, transpose, unsqueeze, view
from .unary import Abs, Cos, Exp, Log, Sin, Sqrt, abs, cos, exp, log, sin, sqrt
