"""Selections and limits: clamp, maximum, minimum, where; comparisons (no gradient); dtype casts."""
from __future__ import annotations

from typing import Any

from .. import backend
from ..autograd.function import Context, Function, mixed_devices_message
from ..autograd.tensor import Tensor
from ._operands import as_tensor, binary, operand
from ._shapes import broadcast_message


class Clamp(Function):
    """Limit a to [lo, hi]; the gradient passes where lo ≤ a ≤ hi (torch's convention at the edges)."""

    @staticmethod
    def forward(ctx: Context, a: Any, lo: Any = None, hi: Any = None) -> Any:
        xp = ctx.xp
        ctx.save_for_backward(a)
        ctx.bounds = (lo, hi)
        return xp.clip(a, lo, hi)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (a,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        xp = ctx.xp
        if lo is not None:
            grad = xp.where(a >= lo, grad, 0.0)
        if hi is not None:
            grad = xp.where(a <= hi, grad, 0.0)
        return grad


class _Extremum(Function):
    """maximum / minimum of two operands; ties share the gradient equally, like torch."""

    pick: str = "greater"

    @classmethod
    def shape_error(cls, shapes: tuple[Any, ...], consts: dict[str, Any]) -> str | None:
        return broadcast_message(cls.__name__.lower(), *shapes[:2])

    @classmethod
    def forward(cls, ctx: Context, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return ctx.xp.maximum(a, b) if cls.pick == "greater" else ctx.xp.minimum(a, b)

    @classmethod
    def backward(cls, ctx: Context, grad: Any) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        xp = ctx.xp
        wins = (a > b) if cls.pick == "greater" else (a < b)
        ties = a == b
        half = grad * 0.5
        ga = xp.where(wins, grad, xp.where(ties, half, 0.0))
        gb = xp.where(wins, 0.0, xp.where(ties, half, grad))
        return ga, gb


class Maximum(_Extremum):
    """Elementwise max(a, b)."""

    pick = "greater"


class Minimum(_Extremum):
    """Elementwise min(a, b)."""

    pick = "less"


class Where(Function):
    """cond ? a : b; the gradient goes to whichever side was picked."""

    @classmethod
    def shape_error(cls, shapes: tuple[Any, ...], consts: dict[str, Any]) -> str | None:
        return broadcast_message("where", shapes[1], shapes[2]) or broadcast_message("where", shapes[0], shapes[1])

    @staticmethod
    def forward(ctx: Context, cond: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(cond)
        return ctx.xp.where(cond, a, b)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any, Any]:
        (cond,) = ctx.saved_tensors
        xp = ctx.xp
        _, need_a, need_b = ctx.needs_input_grad
        ga = xp.where(cond, grad, 0.0) if need_a else None
        gb = xp.where(cond, 0.0, grad) if need_b else None
        return None, ga, gb


class AsType(Function):
    """A dtype conversion; gradients are converted back to the input's dtype."""

    @staticmethod
    def forward(ctx: Context, a: Any, dtype: Any = None) -> Any:
        return ctx.xp.astype(a, dtype)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        return grad  # the engine casts each gradient to its input's dtype


class Clone(Function):
    """A copy that stays in the graph."""

    @staticmethod
    def forward(ctx: Context, a: Any) -> Any:
        return ctx.xp.asarray(a, copy=True)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        return grad


def clamp(a: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Limit the values of ``a`` to [min, max] (either bound may be None)."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = a
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    return Clamp.apply(a, lo=min, hi=max)


clip = clamp


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum of two tensors (or a tensor and a number)."""
    return Maximum.apply(*binary(a, b))


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise minimum of two tensors (or a tensor and a number)."""
    return Minimum.apply(*binary(a, b))


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Pick ``a`` where ``condition`` is true and ``b`` elsewhere (broadcasting all three)."""
    cond = as_tensor(condition)
    if cond.dtype_name != "bool":
        cond = Tensor._make(cond.data != 0, cond._xp, None)
    a, b = binary(a, b) if isinstance(a, Tensor) or isinstance(b, Tensor) else (as_tensor(a), b)
    return Where.apply(cond.detach(), a, b)


def astype(a: Tensor, dtype: Any) -> Tensor:
    """``a`` converted to ``dtype`` (differentiable between floating dtypes)."""
    target = backend.resolve_dtype(dtype, a._xp)
    if target == a.data.dtype:
        return a
    if not backend.is_floating(target, a._xp):
        return Tensor._make(a._xp.astype(a.data, target), a._xp, None)
    return AsType.apply(a, dtype=target)


def clone(a: Tensor) -> Tensor:
    """A copy of ``a`` that gradients flow through."""
    return Clone.apply(a)


def _compare(a: Any, b: Any, how: str) -> Tensor:
    a, b = operand(a, b), operand(b, a)
    t = a if isinstance(a, Tensor) else b
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a._xp is not b._xp and a.device != b.device:
        raise ValueError(mixed_devices_message(how.strip("_"), [a, b]))
    xa = a.data if isinstance(a, Tensor) else a
    xb = b.data if isinstance(b, Tensor) else b
    try:
        data = getattr(xa, how)(xb) if isinstance(a, Tensor) else getattr(xb, _MIRROR[how])(xa)
    except (ValueError, TypeError) as exc:
        message = broadcast_message(how.strip("_"), getattr(xa, "shape", ()), getattr(xb, "shape", ()))
        if message is None:
            raise
        raise ValueError(message) from exc
    return Tensor._make(data, t._xp, None)


_MIRROR = {"__eq__": "__eq__", "__ne__": "__ne__", "__lt__": "__gt__", "__le__": "__ge__", "__gt__": "__lt__", "__ge__": "__le__"}


def eq(a: Any, b: Any) -> Tensor:
    """a == b elementwise (a bool tensor, no gradient)."""
    return _compare(a, b, "__eq__")


def ne(a: Any, b: Any) -> Tensor:
    """a != b elementwise."""
    return _compare(a, b, "__ne__")


def lt(a: Any, b: Any) -> Tensor:
    """a < b elementwise."""
    return _compare(a, b, "__lt__")


def le(a: Any, b: Any) -> Tensor:
    """a <= b elementwise."""
    return _compare(a, b, "__le__")


def gt(a: Any, b: Any) -> Tensor:
    """a > b elementwise."""
    return _compare(a, b, "__gt__")


def ge(a: Any, b: Any) -> Tensor:
    """a >= b elementwise."""
    return _compare(a, b, "__ge__")


def all(a: Tensor) -> Tensor:
    """True when every element is nonzero."""
    return Tensor._make(a._xp.all(a.data != 0 if a.dtype_name != "bool" else a.data), a._xp, None)


def any(a: Tensor) -> Tensor:
    """True when some element is nonzero."""
    return Tensor._make(a._xp.any(a.data != 0 if a.dtype_name != "bool" else a.data), a._xp, None)
