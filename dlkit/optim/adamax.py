"""Adamax: Adam with the root of the squared-gradient average replaced by a decaying maximum of |g|."""
from __future__ import annotations

from typing import Any, Iterable

from .optimizer import Optimizer, check_adam_args, ema_


class Adamax(Optimizer):
    """``torch.optim.Adamax``: m ← β₁·m + (1 − β₁)·g;  u ← max(β₂·u, |g| + eps);  p ← p − lr/(1 − β₁ᵗ) · m / u.

    The infinity norm in place of Adam's L2 norm: u needs no bias correction.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)
        check_adam_args(self, lr, betas, eps, weight_decay)

    def _init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "exp_avg": self._zeros_like(p), "exp_inf": self._zeros_like(p)}

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any], xp: Any) -> None:
        beta1, beta2 = group["betas"]
        exp_avg = state["exp_avg"].data
        state["step"] += 1
        grad = self._weight_decay(param, grad, group)
        ema_(exp_avg, grad, beta1)
        state["exp_inf"].data = exp_inf = xp.maximum(beta2 * state["exp_inf"].data, xp.abs(grad) + group["eps"])
        param -= group["lr"] / (1 - beta1 ** state["step"]) * (exp_avg / exp_inf)
