"""Adadelta: RMSprop whose step size is itself a moving average of past squared steps (no lr needed)."""
from __future__ import annotations

from typing import Any, Iterable

from .optimizer import Optimizer, ema_


class Adadelta(Optimizer):
    """``torch.optim.Adadelta``: two moving averages with decay ρ, one of g² and one of squared updates Δ².

    v ← ρ·v + (1 − ρ)·g²;  Δ = √(u + eps) / √(v + eps) · g;  u ← ρ·u + (1 − ρ)·Δ²;  p ← p − lr·Δ.
    The ratio of the two roots gives each coordinate a step with the units of the parameter.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)
        self._check(lr >= 0, f"lr must be >= 0, got {lr}")
        self._check(0 <= rho <= 1, f"rho must be in [0, 1], got {rho}")
        self._check(eps >= 0, f"eps must be >= 0, got {eps}")
        self._check(weight_decay >= 0, f"weight_decay must be >= 0, got {weight_decay}")

    def _init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "square_avg": self._zeros_like(p), "acc_delta": self._zeros_like(p)}

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any], xp: Any) -> None:
        rho, eps = group["rho"], group["eps"]
        square_avg, acc_delta = state["square_avg"].data, state["acc_delta"].data
        state["step"] += 1
        grad = self._weight_decay(param, grad, group)
        ema_(square_avg, grad * grad, rho)
        delta = xp.sqrt(acc_delta + eps) / xp.sqrt(square_avg + eps) * grad
        ema_(acc_delta, delta * delta, rho)
        param -= group["lr"] * delta
