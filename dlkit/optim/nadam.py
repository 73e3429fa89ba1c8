"""NAdam: Adam with Nesterov momentum, i.e. a step that already looks one momentum update ahead."""
from __future__ import annotations

from typing import Any, Iterable

from .optimizer import Optimizer, check_adam_args, ema_


class NAdam(Optimizer):
    """``torch.optim.NAdam``: Adam's moving averages, with the step split between g and the averaged m.

    μₜ = β₁·(1 − ½·0.96^(t·momentum_decay)) warms the momentum up;
    p ← p − lr·(1 − μₜ)/(1 − Πμ₁..ₜ) · g/d − lr·μₜ₊₁/(1 − Πμ₁..ₜ₊₁) · m/d,  d = √(v/(1 − β₂ᵗ)) + eps.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)
        check_adam_args(self, lr, betas, eps, weight_decay)
        self._check(momentum_decay >= 0, f"momentum_decay must be >= 0, got {momentum_decay}")

    def _init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "mu_product": 1.0, "exp_avg": self._zeros_like(p), "exp_avg_sq": self._zeros_like(p)}

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any], xp: Any) -> None:
        (beta1, beta2), lr, decay = group["betas"], group["lr"], group["momentum_decay"]
        exp_avg, exp_avg_sq = state["exp_avg"].data, state["exp_avg_sq"].data
        state["step"] += 1
        step = state["step"]
        grad = self._weight_decay(param, grad, group)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * decay))
        state["mu_product"] *= mu
        mu_product = state["mu_product"]
        ema_(exp_avg, grad, beta1)
        ema_(exp_avg_sq, grad * grad, beta2)
        denom = xp.sqrt(exp_avg_sq / (1 - beta2**step)) + group["eps"]
        param -= lr * (1.0 - mu) / (1.0 - mu_product) * (grad / denom)
        param -= lr * mu_next / (1.0 - mu_product * mu_next) * (exp_avg / denom)
