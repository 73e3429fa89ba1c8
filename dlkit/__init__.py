"""dlkit: a reference deep-learning library on numpy, with PyTorch's names and numerics.

    import dlkit
    import dlkit.functional as F

    x = dlkit.tensor([[1.0, 2.0]], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    x.grad  # tensor([[2., 4.]])
"""
from . import backend
from .autograd import (
    Function,
    GraphFreedError,
    ShapeError,
    Tensor,
    enable_grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .backend.random import manual_seed
from .creation import (
    arange,
    as_tensor,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from . import functional
from .functional import (
    abs,
    amax,
    amin,
    argmax,
    argmin,
    cat,
    clamp,
    clip,
    concat,
    concatenate,
    cos,
    exp,
    flatten,
    log,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    permute,
    relu,
    reshape,
    sigmoid,
    sin,
    sqrt,
    squeeze,
    stack,
    std,
    sum,
    tanh,
    transpose,
    unsqueeze,
    var,
    where,
)
from .functional import log_softmax, softmax
from . import data, gradcheck, init, nn, optim, train, viz
from .serialization import load, save

from . import cuda
from .backend import Device, device, get_default_device, set_default_device
from .backend.dtypes import DType, bool_, float16, float32, float64, int8, int16, int32, int64, uint8

__version__ = "0.1.0"
