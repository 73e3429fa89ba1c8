"""Adam: momentum (a moving average of gradients) divided by RMSprop's root, both bias-corrected."""
from __future__ import annotations

import math
from typing import Any, Iterable

from .optimizer import Optimizer, check_adam_args, ema_


class Adam(Optimizer):
    """``torch.optim.Adam``: two exponential moving averages, of g and of g², corrected for starting at zero.

    m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;  p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + eps).
    ``amsgrad`` divides by the largest v seen so far instead of v. ``weight_decay`` adds λ·p to g (L2);
    with ``decoupled_weight_decay=True`` it shrinks p by (1 − lr·λ) instead (AdamW).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        check_adam_args(self, lr, betas, eps, weight_decay)

    def _init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        state = {"step": 0, "exp_avg": self._zeros_like(p), "exp_avg_sq": self._zeros_like(p)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = self._zeros_like(p)
        return state

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any], xp: Any) -> None:
        (beta1, beta2), lr = group["betas"], group["lr"]
        exp_avg, exp_avg_sq = state["exp_avg"].data, state["exp_avg_sq"].data
        state["step"] += 1
        step = state["step"]
        grad = self._weight_decay(param, grad, group)
        ema_(exp_avg, grad, beta1)
        ema_(exp_avg_sq, grad * grad, beta2)
        if group["amsgrad"]:  # divide by the largest average so far: the step size never grows back
            exp_avg_sq = xp.maximum(state["max_exp_avg_sq"].data, exp_avg_sq)
            state["max_exp_avg_sq"].data = exp_avg_sq
        step_size = lr / (1 - beta1**step)
        denom = xp.sqrt(exp_avg_sq) / math.sqrt(1 - beta2**step) + group["eps"]
        param -= step_size * (exp_avg / denom)
