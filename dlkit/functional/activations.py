"""Activation functions (each with its own analytic backward)."""
from __future__ import annotations

import math
from typing import Any

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor
from ..backend import ops as B
from ._special import erf
from .matmul import matmul
from .reductions import amax
from .shape import transpose, unsqueeze


class Tanh(Function):
    """tanh a; derivative 1 - tanh²a."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        out = ctx.xp.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)


class Sigmoid(Function):
    """σ(a) = 1 / (1 + e^-a); derivative σ(1 - σ).

    Computed from e^-|a|, which never overflows: for a ≥ 0 it is 1 / (1 + e^-a), for a < 0 the
    equal e^a / (1 + e^a).
    """

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        xp = ctx.xp
        e = xp.exp(-xp.abs(a))
        out = xp.where(a >= 0, 1 / (1 + e), e / (1 + e))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


class ReLU(Function):
    """max(a, 0); the gradient passes where a > 0 (and is 0 at a = 0, like torch)."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        out = ctx.xp.maximum(a, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return B.masked(out > 0, grad)


def tanh(a: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return Tanh.apply(a)


def sigmoid(a: Tensor) -> Tensor:
    """Logistic sigmoid, stable for large |a|."""
    return Sigmoid.apply(a)


def relu(a: Tensor) -> Tensor:
    """Rectified linear unit max(a, 0)."""
    return ReLU.apply(a)


class LeakyReLU(Function):
    """a where a > 0, else negative_slope·a; the gradient is 1 or negative_slope (torch's choice at 0)."""

    @staticmethod
    def forward(ctx: Context, a: Any, negative_slope: float = 0.01) -> Any:
        ctx.save_for_backward(a)
        ctx.slope = negative_slope
        return ctx.xp.where(a > 0, a, a * negative_slope)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (a,) = ctx.saved_tensors
        return ctx.xp.where(a > 0, grad, grad * ctx.slope)


class Softplus(Function):
    """log(1 + e^(βa)) / β, linear once βa > threshold (like torch); the gradient is σ(βa)."""

    @staticmethod
    def forward(ctx: Context, a: Any, beta: float = 1.0, threshold: float = 20.0) -> Any:
        xp = ctx.xp
        z = a * beta
        ctx.save_for_backward(z)
        ctx.threshold = threshold
        # log1p(e^-|z|) + max(z, 0) never overflows.
        soft = (xp.log1p(xp.exp(-xp.abs(z))) + xp.maximum(z, 0)) / beta
        return xp.where(z > threshold, a, soft)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (z,) = ctx.saved_tensors
        xp = ctx.xp
        e = xp.exp(-xp.abs(z))
        slope = xp.where(z >= 0, 1 / (1 + e), e / (1 + e))
        return xp.where(z > ctx.threshold, grad, grad * slope)


class ELU(Function):
    """a where a > 0, else α(e^a − 1); the gradient is 1 or α·e^a."""

    @staticmethod
    def forward(ctx: Context, a: Any, alpha: float = 1.0) -> Any:
        xp = ctx.xp
        neg = xp.expm1(xp.minimum(a, 0)) * alpha
        ctx.save_for_backward(a, neg)
        ctx.alpha = alpha
        return xp.where(a > 0, a, neg)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        a, neg = ctx.saved_tensors
        # α·e^a = α(e^a − 1) + α: reuse the saved negative part.
        return ctx.xp.where(a > 0, grad, grad * (neg + ctx.alpha))


class GELU(Function):
    """a·Φ(a) with Φ the standard normal CDF (``approximate="none"``) or torch's tanh approximation."""

    @staticmethod
    def forward(ctx: Context, a: Any, approximate: str = "none") -> Any:
        xp = ctx.xp
        ctx.save_for_backward(a)
        ctx.approximate = approximate
        if approximate == "tanh":
            return 0.5 * a * (1 + xp.tanh(_TANH_K * (a + 0.044715 * a * a * a)))
        return 0.5 * a * (1 + erf(a * _SQRT_HALF, xp))

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (a,) = ctx.saved_tensors
        xp = ctx.xp
        if ctx.approximate == "tanh":
            t = xp.tanh(_TANH_K * (a + 0.044715 * a * a * a))
            inner = _TANH_K * (1 + 3 * 0.044715 * a * a)
            return grad * (0.5 * (1 + t) + 0.5 * a * (1 - t * t) * inner)
        cdf = 0.5 * (1 + erf(a * _SQRT_HALF, xp))
        pdf = xp.exp(-0.5 * a * a) * _INV_SQRT_2PI
        return grad * (cdf + a * pdf)


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_TANH_K = math.sqrt(2 / math.pi)


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """max(0, x) + negative_slope·min(0, x)."""
    return LeakyReLU.apply(input, negative_slope=float(negative_slope))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """A smooth ReLU: log(1 + e^(βx)) / β (the identity where βx > threshold)."""
    return Softplus.apply(input, beta=float(beta), threshold=float(threshold))


def elu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """Exponential linear unit: x for x > 0, α(e^x − 1) otherwise."""
    return ELU.apply(input, alpha=float(alpha))


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit x·Φ(x); ``approximate="tanh"`` uses torch's tanh formula."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return GELU.apply(input, approximate=approximate)


def maxout(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """The largest of k affine pieces, max_k (x W_kᵀ + b_k): weight (k, out, in), bias (k, out).

    input (N, in) gives (N, out). Where pieces tie, they share the gradient.
    """
    if weight.ndim != 3:
        raise ValueError(f"maxout: weight must have shape (pieces, out_features, in_features), got {weight.shape}")
    pieces = matmul(unsqueeze(input, 0), transpose(weight, 1, 2))  # (k, N, out)
    if bias is not None:
        pieces = pieces + unsqueeze(bias, 1)
    return amax(pieces, 0)
