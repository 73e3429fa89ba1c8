"""Every differentiable op, as functions on tensors (import as ``F``, like torch.nn.functional).

Each op is a ``Function`` subclass with an analytic backward; the functions here normalize
arguments (scalars, dims, shapes) and call ``Function.apply``.
"""
import sys as _sys

from ..autograd import tensor as _tensor
from .activations import (
    ELU,
    GELU,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softplus,
    Tanh,
    elu,
    gelu,
    leaky_relu,
    maxout,
    relu,
    sigmoid,
    softplus,
    tanh,
)
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
from .linear import Linear, linear
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
from .batchnorm import BatchNorm, batch_norm
from .layernorm import LayerNorm, layer_norm
from .conv import Conv2d, conv1d, conv2d
from .cross_entropy import MultiMargin, NLL, SoftmaxCrossEntropy, cross_entropy, multi_margin_loss, nll_loss
from .dropout import Dropout, dropout
from .losses import (
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    L1Loss,
    MSELoss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    l1_loss,
    mse_loss,
)
from .penalties import l1_penalty, l2_penalty
from .pooling import AvgPool2d, MaxPool2d, avg_pool2d, max_pool2d
from .softmax import LogSoftmax, Softmax, log_softmax, softmax
from .transfer import ToDevice, to_device

# Tensor's operators and methods (x + y, x.sum(), x.relu()) are these functions. Autograd sits below
# this package and does not import it, so the package hands itself over here.
_tensor.use_ops(_sys.modules[__name__])
