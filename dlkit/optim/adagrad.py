"""Adagrad: divide each step by the root of the sum of all squared gradients seen so far."""
from __future__ import annotations

from typing import Any, Iterable

from .optimizer import Optimizer


class Adagrad(Optimizer):
    """``torch.optim.Adagrad``: s ← s + g², p ← p − lr_t · g / (√s + eps), lr_t = lr / (1 + (t − 1)·lr_decay).

    Coordinates with large past gradients get small steps; the sum only grows, so steps only shrink.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps, maximize=maximize)
        super().__init__(params, defaults)
        self._check(lr >= 0, f"lr must be >= 0, got {lr}")
        self._check(lr_decay >= 0, f"lr_decay must be >= 0, got {lr_decay}")
        self._check(weight_decay >= 0, f"weight_decay must be >= 0, got {weight_decay}")
        self._check(initial_accumulator_value >= 0,
                    f"initial_accumulator_value must be >= 0, got {initial_accumulator_value}")
        self._check(eps >= 0, f"eps must be >= 0, got {eps}")
        # torch creates the state up front, so the accumulator's start value is visible before step 1
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = self._init_state(p, group)

    def _init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "sum": self._zeros_like(p, group["initial_accumulator_value"])}

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any], xp: Any) -> None:
        total = state["sum"].data
        state["step"] += 1
        grad = self._weight_decay(param, grad, group)
        lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        total += grad * grad
        param -= lr * (grad / (xp.sqrt(total) + group["eps"]))
