"""Layer normalization: statistics over the last dimensions of each example, like torch.nn.functional.layer_norm."""
from __future__ import annotations

import math
from typing import Any, Sequence

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor


class LayerNorm(Function):
    """y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + eps), μ and σ² (biased) over the last ``k`` axes of each example.

    Unlike batch norm the statistics are per example, so training and evaluation compute the same thing and
    there are no running statistics. γ and β have the normalized shape. The backward, with dx̂ = γ·dy and
    means over the same axes: dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / √(σ² + eps).
    """

    @staticmethod
    def forward(ctx: Context, x: Any, weight: Any = None, bias: Any = None, k: int = 1, eps: float = 1e-5) -> Any:
        xp = ctx.xp
        axes = tuple(range(x.ndim - k, x.ndim))
        mean = xp.mean(x, axis=axes, keepdims=True)
        centered = x - mean
        inv_std = 1 / xp.sqrt(xp.mean(centered * centered, axis=axes, keepdims=True) + eps)
        xhat = centered * inv_std
        out = xhat if weight is None else xhat * weight
        if bias is not None:
            out = out + bias
        ctx.save_for_backward(xhat, inv_std, weight)
        ctx.axes = axes
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        xhat, inv_std, weight = ctx.saved_tensors
        xp = ctx.xp
        axes = ctx.axes
        batch = tuple(range(grad.ndim - len(axes)))  # γ and β are shared by every example: sum over them
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        gw = xp.sum(grad * xhat, axis=batch) if need_w else None
        gb = xp.sum(grad, axis=batch) if need_b else None
        gx = None
        if need_x:
            dxhat = grad if weight is None else grad * weight
            gx = (dxhat - xp.mean(dxhat, axis=axes, keepdims=True)
                  - xhat * xp.mean(dxhat * xhat, axis=axes, keepdims=True)) * inv_std
        return gx, gw, gb


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize each example over its last ``len(normalized_shape)`` axes (which must have that shape), then
    scale by ``weight`` and shift by ``bias`` (both of ``normalized_shape``, optional); see ``LayerNorm``."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
        raise ValueError(f"layer_norm: normalized_shape {list(shape)} must be the last dimensions of the input, "
                         f"got input of shape {tuple(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise ValueError(f"layer_norm: {name} must have the normalized shape {shape}, got {tuple(t.shape)}")
    if math.prod(shape) == 0:
        raise ValueError(f"layer_norm: cannot normalize over an empty shape {shape}")
    return LayerNorm.apply(input, weight, bias, k=k, eps=float(eps))
