"""``Dropout``: inverted dropout while training, the identity in evaluation mode."""
from __future__ import annotations

from .. import functional as F
from ..autograd.tensor import Tensor
from .module import Module


class Dropout(Module):
    """Zero each element with probability ``p`` in training (scaling the rest by 1/(1 − p))."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p}")
        self.p = p

    def forward(self, input: Tensor) -> Tensor:
        """Dropped-out input in training mode, the input itself in eval mode."""
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
