"""Matrix multiplication: 1-D, 2-D and batched, with broadcasting over the batch axes."""
from __future__ import annotations

from typing import Any

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor
from ._operands import as_tensor


class MatMul(Function):
    """a @ b. For matrices, dA = dOut·Bᵀ and dB = Aᵀ·dOut; vectors are treated as a row (a) or a column (b)."""

    @classmethod
    def shape_error(cls, shapes: tuple[Any, ...], consts: dict[str, Any]) -> str | None:
        a, b = (tuple(s) for s in shapes[:2])
        if not a or not b:
            return f"matmul: both operands need at least one dimension, got shapes {a} and {b}"
        inner_b = b[0] if len(b) == 1 else b[-2]
        if a[-1] != inner_b:
            where = "b.shape[0]" if len(b) == 1 else "b.shape[-2]"
            return (
                f"matmul: a.shape[-1] ({a[-1]}) must equal {where} ({inner_b}); got a of shape {a} and b of "
                f"shape {b}" + (" (transposed?)" if len(a) >= 2 and len(b) >= 2 and a[-2] == b[-2] else "")
            )
        return f"matmul: batch dimensions of shapes {a} and {b} cannot be broadcast together"

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        out = a @ b
        return out if out.ndim else ctx.xp.asarray(out)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        xp = ctx.xp
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            return (grad * b if need_a else None), (grad * a if need_b else None)
        if a.ndim == 1:  # (k,) @ (..., k, m) -> (..., m)
            ga = (xp.expand_dims(grad, axis=-2) @ b.mT)[..., 0, :] if need_a else None
            gb = xp.expand_dims(a, axis=-1) * xp.expand_dims(grad, axis=-2) if need_b else None
            return ga, gb
        if b.ndim == 1:  # (..., n, k) @ (k,) -> (..., n)
            ga = xp.expand_dims(grad, axis=-1) * b if need_a else None
            gb = (a.mT @ xp.expand_dims(grad, axis=-1))[..., 0] if need_b else None
            return ga, gb
        return (grad @ b.mT if need_a else None), (a.mT @ grad if need_b else None)


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product ``a @ b`` (vectors, matrices, and batches of matrices)."""
    return MatMul.apply(as_tensor(a, b), as_tensor(b, a))
