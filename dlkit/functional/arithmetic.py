"""The arithmetic operators: + - * / ** and unary minus, with broadcasting."""
from __future__ import annotations

import math
from typing import Any

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor
from ._operands import binary
from ._shapes import broadcast_message


class _Broadcasting(Function):
    """Elementwise ops on two operands: a failed forward is explained as a broadcast mismatch."""

    @classmethod
    def shape_error(cls, shapes: tuple[Any, ...], consts: dict[str, Any]) -> str | None:
        return broadcast_message(cls.__name__.lower(), *shapes[:2])


class Add(_Broadcasting):
    """a + b (the gradient flows unchanged to both: "add distributes")."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        return a + b

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        return grad, grad


class Sub(_Broadcasting):
    """a - b."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        return a - b

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        return grad, -grad if ctx.needs_input_grad[1] else None


class Mul(_Broadcasting):
    """a * b (each input's gradient is the other input: "multiply swaps")."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class Div(_Broadcasting):
    """a / b."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = grad / b if need_a else None
        gb = -grad * a / (b * b) if need_b else None
        return ga, gb


class Pow(_Broadcasting):
    """a ** b: d/da = b·a^(b-1), d/db = a^b·ln(a)."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        out = a ** b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = gb = None
        if need_a:
            if isinstance(b, (int, float)) and b in (0, 1, 2):
                # Exact forms: avoid 0 ** -1 = inf (b = 0) and a needless power.
                ga = grad * 0 if b == 0 else (grad if b == 1 else grad * 2 * a)
            else:
                ga = grad * b * a ** (b - 1)
        if need_b:
            log_a = math.log(a) if isinstance(a, (int, float)) else ctx.xp.log(a)
            gb = grad * out * log_a
        return ga, gb


class Neg(Function):
    """-a."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        return -a

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        return -grad


def add(a: Any, b: Any) -> Tensor:
    """a + b with broadcasting."""
    return Add.apply(*binary(a, b))


def sub(a: Any, b: Any) -> Tensor:
    """a - b with broadcasting."""
    return Sub.apply(*binary(a, b))


def mul(a: Any, b: Any) -> Tensor:
    """a * b with broadcasting."""
    return Mul.apply(*binary(a, b))


def div(a: Any, b: Any) -> Tensor:
    """a / b (true division: integers give floats) with broadcasting."""
    return Div.apply(*binary(a, b, true_divide=True))


def pow(a: Any, b: Any) -> Tensor:
    """a ** b with broadcasting."""
    return Pow.apply(*binary(a, b))


def neg(a: Tensor) -> Tensor:
    """-a."""
    return Neg.apply(a)
