"""Stochastic gradient descent, with momentum (an exponential moving average of gradients) and Nesterov."""
from __future__ import annotations

from typing import Any, Iterable

from ..backend import ops as B
from .optimizer import Optimizer


class SGD(Optimizer):
    """``torch.optim.SGD``: p ← p − lr·g, where g is the gradient or its momentum buffer.

    With momentum μ the buffer is b ← μ·b + (1 − dampening)·g (the first step sets b = g); plain
    momentum steps along b, Nesterov along g + μ·b. ``weight_decay`` adds λ·p to the gradient (L2).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)
        self._check(lr >= 0, f"lr must be >= 0, got {lr}")
        self._check(momentum >= 0, f"momentum must be >= 0, got {momentum}")
        self._check(weight_decay >= 0, f"weight_decay must be >= 0, got {weight_decay}")
        self._check(not nesterov or (momentum > 0 and dampening == 0),
                    f"nesterov=True needs momentum > 0 and dampening = 0, got momentum={momentum}, dampening={dampening}")

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any], xp: Any) -> None:
        momentum = group["momentum"]
        if group["weight_decay"]:
            grad = self._weight_decay(param, grad, group)
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:  # the first step starts the average at the gradient itself
                state["momentum_buffer"] = buf = self._copy(grad, xp)
            else:
                buf.data *= momentum
                buf.data += (1 - group["dampening"]) * grad
            grad = grad + momentum * buf.data if group["nesterov"] else buf.data
        # The rule as it reads. Plain arrays would compute lr * g into a temporary and subtract it (two
        # passes over memory, one thread); wrapped by B.fusable the backend sees the whole update and runs
        # it as one BLAS axpy on every BLAS thread (the 2-thread MLP step went from 1.2-1.3x the numpy floor to below it).
        p, g = B.fusable(param), B.fusable(grad)
        p -= group["lr"] * g
