"""Elementwise functions of one tensor: exp, log, sqrt, abs, sin, cos."""
from __future__ import annotations

from typing import Any

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor


class Exp(Function):
    """e^a; its derivative is itself."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        out = ctx.xp.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Function):
    """Natural log; derivative 1/a."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        ctx.save_for_backward(a)
        return ctx.xp.log(a)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (a,) = ctx.saved_tensors
        return grad / a


class Sqrt(Function):
    """√a; derivative 1/(2√a)."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        out = ctx.xp.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad / (2 * out)


class Abs(Function):
    """|a|; derivative sign(a) (0 at 0, like torch)."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        ctx.save_for_backward(a)
        return ctx.xp.abs(a)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (a,) = ctx.saved_tensors
        return grad * ctx.xp.sign(a)


class Sin(Function):
    """sin a; derivative cos a."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        ctx.save_for_backward(a)
        return ctx.xp.sin(a)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (a,) = ctx.saved_tensors
        return grad * ctx.xp.cos(a)


class Cos(Function):
    """cos a; derivative -sin a."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        ctx.save_for_backward(a)
        return ctx.xp.cos(a)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (a,) = ctx.saved_tensors
        return -grad * ctx.xp.sin(a)


def exp(a: Tensor) -> Tensor:
    """e ** a, elementwise."""
    return Exp.apply(a)


def log(a: Tensor) -> Tensor:
    """Natural logarithm, elementwise."""
    return Log.apply(a)


def sqrt(a: Tensor) -> Tensor:
    """Square root, elementwise."""
    return Sqrt.apply(a)


def abs(a: Tensor) -> Tensor:
    """Absolute value, elementwise."""
    return Abs.apply(a)


def sin(a: Tensor) -> Tensor:
    """Sine, elementwise."""
    return Sin.apply(a)


def cos(a: Tensor) -> Tensor:
    """Cosine, elementwise."""
    return Cos.apply(a)
