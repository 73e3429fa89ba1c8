"""Activation functions (each with its own analytic backward)."""
from __future__ import annotations

from typing import Any

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor


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
        return ctx.xp.where(out > 0, grad, 0.0)


def tanh(a: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return Tanh.apply(a)


def sigmoid(a: Tensor) -> Tensor:
    """Logistic sigmoid, stable for large |a|."""
    return Sigmoid.apply(a)


def relu(a: Tensor) -> Tensor:
    """Rectified linear unit max(a, 0)."""
    return ReLU.apply(a)
