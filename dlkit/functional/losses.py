"""Elementwise losses: ``mse_loss``, ``l1_loss``, ``binary_cross_entropy`` (on probabilities) and
``binary_cross_entropy_with_logits``, each with torch's ``reduction`` and analytic derivatives.

Each forward computes the per-element loss and, when gradients are needed, its partial
derivatives; the shared backward scales them by the reduction's gradient.
"""
from __future__ import annotations

from typing import Any

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor
from ._operands import as_tensor
from .compare import astype
from ._reduction import check_reduction, reduce, spread
from ._shapes import broadcast_message


class _PointwiseLoss(Function):
    """Per-element loss ℓ(input, target) → optional weight → reduction; grads ∂ℓ/∂input, ∂ℓ/∂target."""

    @classmethod
    def shape_error(cls, shapes: tuple[Any, ...], consts: dict[str, Any]) -> str | None:
        return broadcast_message(cls.__name__.lower(), *shapes[:2])

    @staticmethod
    def finish(ctx: Context, values: Any, d_input: Any, d_target: Any, weight: Any, reduction: str) -> Any:
        """Apply ``weight``, keep the derivatives for backward, reduce."""
        if weight is not None:
            values = values * weight
            d_input = None if d_input is None else d_input * weight
            d_target = None if d_target is None else d_target * weight
        ctx.save_for_backward(d_input, d_target)
        ctx.shape, ctx.reduction = tuple(values.shape), reduction
        return reduce(ctx.xp, values, reduction)

    @staticmethod
    def wants(ctx: Context) -> tuple[bool, bool]:
        """Whether the input's and the target's derivatives are needed."""
        need = ctx.needs_input_grad
        return (bool(need) and need[0]), (len(need) > 1 and need[1])

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        d_input, d_target = ctx.saved_tensors
        g = spread(ctx.xp, grad, ctx.shape, ctx.reduction)
        return (
            None if d_input is None else g * d_input,
            None if d_target is None else g * d_target,
            None,
            None,
        )


class MSELoss(_PointwiseLoss):
    """(x − y)²; ∂/∂x = 2(x − y)."""

    @classmethod
    def forward(cls, ctx: Context, input: Any, target: Any, weight: Any = None, reduction: str = "mean") -> Any:
        diff = input - target
        want_x, want_y = cls.wants(ctx)
        twice = 2 * diff if (want_x or want_y) else None
        return cls.finish(ctx, diff * diff, twice if want_x else None, -twice if want_y else None, weight, reduction)


class L1Loss(_PointwiseLoss):
    """|x − y|; ∂/∂x = sign(x − y) (0 at a tie, like torch)."""

    @classmethod
    def forward(cls, ctx: Context, input: Any, target: Any, weight: Any = None, reduction: str = "mean") -> Any:
        xp = ctx.xp
        diff = input - target
        want_x, want_y = cls.wants(ctx)
        sign = xp.sign(diff) if (want_x or want_y) else None
        return cls.finish(ctx, xp.abs(diff), sign if want_x else None, -sign if want_y else None, weight, reduction)


class BinaryCrossEntropy(_PointwiseLoss):
    """−[y log p + (1 − y) log(1 − p)] with the logs clamped at −100 like torch (p = 0 or 1 stays finite).

    ∂/∂p = (p − y) / (p(1 − p)), with the denominator kept ≥ 1e-12; ∂/∂y = log(1 − p) − log p.
    """

    @classmethod
    def forward(cls, ctx: Context, input: Any, target: Any, weight: Any = None, reduction: str = "mean") -> Any:
        xp = ctx.xp
        if bool(xp.any((input < 0) | (input > 1))):
            raise ValueError(
                "binary_cross_entropy: input must hold probabilities in [0, 1]; for raw scores (logits) use "
                "binary_cross_entropy_with_logits"
            )
        # log 0 would be -inf (and warn); torch clamps both logs at -100.
        log_p = xp.where(input > 0, xp.maximum(xp.log(xp.where(input > 0, input, 1.0)), -100.0), -100.0)
        log_q = xp.where(input < 1, xp.maximum(xp.log1p(-xp.where(input < 1, input, 0.0)), -100.0), -100.0)
        values = -(target * log_p + (1 - target) * log_q)
        want_x, want_y = cls.wants(ctx)
        d_x = (input - target) / xp.maximum(input * (1 - input), 1e-12) if want_x else None
        d_y = log_q - log_p if want_y else None
        return cls.finish(ctx, values, d_x, d_y, weight, reduction)


class BinaryCrossEntropyWithLogits(_PointwiseLoss):
    """The same loss on logits x, with p = σ(x) folded in: (1 − y)x + L·softplus(−x), L = 1 + (w₊ − 1)y.

    softplus(−x) = log(1 + e^−|x|) + max(−x, 0) never overflows. Without ``pos_weight`` (w₊ = 1)
    the derivative is σ(x) − y.
    """

    @classmethod
    def forward(
        cls, ctx: Context, input: Any, target: Any, weight: Any = None, pos_weight: Any = None, reduction: str = "mean"
    ) -> Any:
        xp = ctx.xp
        e = xp.exp(-xp.abs(input))
        softplus_neg = xp.log1p(e) + xp.maximum(-input, 0)
        scale = 1 if pos_weight is None else 1 + (pos_weight - 1) * target
        values = (1 - target) * input + scale * softplus_neg
        want_x, want_y = cls.wants(ctx)
        d_x = d_y = None
        if want_x:
            sig_neg = xp.where(input >= 0, e / (1 + e), 1 / (1 + e))  # σ(−x), stable
            d_x = (1 - target) - scale * sig_neg
        if want_y:
            d_y = -input if pos_weight is None else -input + (pos_weight - 1) * softplus_neg
        return cls.finish(ctx, values, d_x, d_y, weight, reduction)


def like_input(value: Any, input: Tensor) -> Any:
    """A target or weight as a tensor of the input's dtype (None stays None), so nothing promotes."""
    if value is None:
        return None
    value = as_tensor(value)
    return value if value.data.dtype == input.data.dtype else astype(value, input.data.dtype)


def _same_shape(input: Tensor, target: Tensor, op: str) -> None:
    if input.shape != target.shape:
        raise ValueError(
            f"{op}: target must have the same shape as input, got input {input.shape} and target {target.shape}"
        )


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error (x − y)², averaged (``"mean"``), summed (``"sum"``) or per element (``"none"``)."""
    return MSELoss.apply(input, like_input(target, input), None, reduction=check_reduction(reduction, "mse_loss"))


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean absolute error |x − y|."""
    return L1Loss.apply(input, like_input(target, input), None, reduction=check_reduction(reduction, "l1_loss"))


def binary_cross_entropy(input: Tensor, target: Any, weight: Tensor | None = None, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy on probabilities ``input`` in [0, 1] against targets in [0, 1]."""
    target = like_input(target, input)
    _same_shape(input, target, "binary_cross_entropy")
    return BinaryCrossEntropy.apply(
        input, target, like_input(weight, input), reduction=check_reduction(reduction, "binary_cross_entropy")
    )


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross-entropy on logits (sigmoid folded in, stable for any logit); ``pos_weight`` scales positives."""
    target = like_input(target, input)
    _same_shape(input, target, "binary_cross_entropy_with_logits")
    return BinaryCrossEntropyWithLogits.apply(
        input, target, like_input(weight, input), like_input(pos_weight, input),
        reduction=check_reduction(reduction, "binary_cross_entropy_with_logits"),
    )
