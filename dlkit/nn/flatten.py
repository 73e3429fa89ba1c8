"""``Flatten``: merge axes start_dim..end_dim (by default everything but the batch axis)."""
from __future__ import annotations

from .. import functional as F
from ..autograd.tensor import Tensor
from .module import Module


class Flatten(Module):
    """(N, C, H, W) -> (N, C·H·W) with the defaults start_dim=1, end_dim=-1."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: Tensor) -> Tensor:
        """The input with axes start_dim..end_dim merged."""
        return F.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
