"""AdamW: Adam with weight decay applied to the parameters directly, not through the gradient."""
from __future__ import annotations

from typing import Any, Iterable

from .adam import Adam


class AdamW(Adam):
    """``torch.optim.AdamW``: p ← p·(1 − lr·λ), then an Adam step on the plain gradient.

    With L2 in the gradient (``Adam(weight_decay=λ)``) the decay is divided by √v like everything else,
    so coordinates with large gradients are barely decayed; decoupling keeps the decay uniform.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)
