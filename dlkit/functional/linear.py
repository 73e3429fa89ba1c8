"""``linear``: the fully connected layer y = x Wᵀ + b, with weight (out_features, in_features) like torch."""
from __future__ import annotations

from typing import Any

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor
from ..backend import ops as B


def add_bias(out: Any, bias: Any) -> Any:
    """``out + bias``, in place when the dtypes agree (``out`` is a matmul's fresh result): one temporary fewer."""
    if out.dtype == bias.dtype:
        out += bias
        return out
    return out + bias


class Linear(Function):
    """y = x @ Wᵀ + b over the last axis of x; dX = dY·W, dW = dYᵀ·X, db = Σ dY over the batch axes."""

    @classmethod
    def shape_error(cls, shapes: tuple[Any, ...], consts: dict[str, Any]) -> str | None:
        x, w, b = shapes
        if w is None or len(w) != 2:
            return f"linear: weight must be 2-D (out_features, in_features), got shape {w}"
        if not x or x[-1] != w[1]:
            hint = " (transposed? dlkit's weight is (out_features, in_features))" if x and x[-1] == w[0] else ""
            return (
                f"linear: input.shape[-1] must equal weight.shape[1] (in_features = {w[1]}), got input of shape "
                f"{x} and weight of shape {w}{hint}"
            )
        if b is not None and tuple(b) != (w[0],):
            return f"linear: bias must have shape ({w[0]},) (out_features), got {b}"
        return None

    @staticmethod
    def forward(ctx: Context, x: Any, weight: Any, bias: Any = None) -> Any:
        if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            raise ValueError("linear shapes")
        if bias is not None and bias.shape != (weight.shape[0],):
            raise ValueError("linear bias shape")
        ctx.save_for_backward(x, weight)
        out = x @ weight.mT
        if bias is not None:
            out = add_bias(out, bias)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, Any, Any]:
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = (ctx.needs_input_grad + (False, False, False))[:3]
        gx = grad @ weight if need_x else None
        # Fold the batch axes into one so the weight gradient is a single BLAS product.
        if grad.ndim != 2:
            grad, x = ctx.xp.reshape(grad, (-1, grad.shape[-1])), ctx.xp.reshape(x, (-1, x.shape[-1]))
        gw = B.linear_weight_grad(grad, x, weight) if need_w else None
        gb = B.sum_rows(grad) if need_b else None
        return gx, gw, gb


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``: input (*, in_features), weight (out_features, in_features), bias (out_features,)."""
    return Linear.apply(input, weight, bias)
