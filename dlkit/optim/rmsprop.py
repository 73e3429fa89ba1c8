"""RMSprop: divide each step by the root of an exponential moving average of squared gradients."""
from __future__ import annotations

from typing import Any, Iterable

from .optimizer import Optimizer, ema_


class RMSprop(Optimizer):
    """``torch.optim.RMSprop``: v ← α·v + (1 − α)·g², p ← p − lr · g / (√v + eps).

    Unlike Adagrad's growing sum, the moving average forgets old gradients, so steps can grow again.
    ``centered`` subtracts the squared moving average of g (an estimate of the variance instead of the
    second moment); ``momentum`` averages the scaled steps in a buffer b ← μ·b + g / (√v + eps).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize)
        super().__init__(params, defaults)
        self._check(lr >= 0, f"lr must be >= 0, got {lr}")
        self._check(alpha >= 0, f"alpha must be >= 0, got {alpha}")
        self._check(eps >= 0, f"eps must be >= 0, got {eps}")
        self._check(momentum >= 0, f"momentum must be >= 0, got {momentum}")
        self._check(weight_decay >= 0, f"weight_decay must be >= 0, got {weight_decay}")

    def _init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        state = {"step": 0, "square_avg": self._zeros_like(p)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = self._zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = self._zeros_like(p)
        return state

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any], xp: Any) -> None:
        alpha, square_avg = group["alpha"], state["square_avg"].data
        state["step"] += 1
        grad = self._weight_decay(param, grad, group)
        ema_(square_avg, grad * grad, alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"].data
            ema_(grad_avg, grad, alpha)
            avg = xp.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = xp.sqrt(square_avg)
        avg += group["eps"]
        if group["momentum"] > 0:
            buf = state["momentum_buffer"].data
            buf *= group["momentum"]
            buf += grad / avg
            param -= group["lr"] * buf
        else:
            param -= group["lr"] * (grad / avg)
