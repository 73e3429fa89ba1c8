"""Batch normalization over (N, C), (N, C, L) or (N, C, H, W): per-channel statistics, like torch."""
from __future__ import annotations

import math
from typing import Any

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor


class BatchNorm(Function):
    """y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + eps) per channel (axis 1).

    In training μ, σ² are the batch statistics (biased variance) and the running statistics move
    towards them (the running variance gets the unbiased batch variance, as in torch); the
    backward then accounts for μ and σ² depending on x:
    dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / √(σ² + eps), with dx̂ = γ·dy.
    In evaluation the running statistics are constants and dx = γ·dy / √(σ² + eps).
    """

    @staticmethod
    def forward(
        ctx: Context, x: Any, weight: Any = None, bias: Any = None,
        running: tuple[Tensor, Tensor] | None = None, training: bool = False, momentum: float = 0.1,
        eps: float = 1e-5,
    ) -> Any:
        xp = ctx.xp
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        if training:
            mean = xp.mean(x, axis=axes, keepdims=True)
            centered = x - mean
            var = xp.mean(centered * centered, axis=axes, keepdims=True)
            if running is not None:
                _update_running(xp, running, mean, var, math.prod(x.shape) // x.shape[1], momentum)
        else:
            mean = xp.reshape(running[0].data, shape)
            var = xp.reshape(running[1].data, shape)
            centered = x - mean
        inv_std = 1 / xp.sqrt(var + eps)
        xhat = centered * inv_std
        out = xhat if weight is None else xhat * xp.reshape(weight, shape)
        if bias is not None:
            out = out + xp.reshape(bias, shape)
        ctx.save_for_backward(xhat, inv_std, None if weight is None else xp.reshape(weight, shape))
        ctx.axes, ctx.training = axes, training
        return out

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        xhat, inv_std, weight = ctx.saved_tensors
        xp = ctx.xp
        axes = ctx.axes
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        gw = xp.sum(grad * xhat, axis=axes) if need_w else None
        gb = xp.sum(grad, axis=axes) if need_b else None
        gx = None
        if need_x:
            dxhat = grad if weight is None else grad * weight
            if ctx.training:
                dxhat = (
                    dxhat
                    - xp.mean(dxhat, axis=axes, keepdims=True)
                    - xhat * xp.mean(dxhat * xhat, axis=axes, keepdims=True)
                )
            gx = dxhat * inv_std
        return gx, gw, gb


def _update_running(xp: Any, running: tuple[Tensor, Tensor], mean: Any, var: Any, n: int, momentum: float) -> None:
    """running ← (1 − momentum)·running + momentum·batch statistic (variance unbiased: ·n/(n − 1))."""
    running_mean, running_var = running
    channels = running_mean.data.shape
    batch_mean = xp.astype(xp.reshape(mean, channels), running_mean.data.dtype)
    batch_var = xp.astype(xp.reshape(var, channels), running_var.data.dtype) * (n / (n - 1))
    running_mean.data = running_mean.data * (1 - momentum) + batch_mean * momentum
    running_var.data = running_var.data * (1 - momentum) + batch_var * momentum


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize each channel (axis 1) of ``input`` (N, C[, ...]); see ``BatchNorm`` for the formulas.

    In training the batch statistics are used and ``running_mean``/``running_var`` (if given) are
    updated in place; otherwise the running statistics are used.
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: input must be (N, C) or (N, C, ...), got shape {input.shape}")
    channels = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if t is not None and t.shape != (channels,):
            raise ValueError(f"batch_norm: {name} must have shape ({channels},) (one per channel), got {t.shape}")
    if training:
        per_channel = input.numel() // channels if channels else 0
        if per_channel <= 1:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, got input of shape {input.shape}"
            )
    elif running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are needed when training=False")
    running = None if running_mean is None or running_var is None else (running_mean, running_var)
    return BatchNorm.apply(
        input, weight, bias, running=running, training=bool(training), momentum=float(momentum), eps=float(eps)
    )
