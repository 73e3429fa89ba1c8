"""Inverted dropout: zero each element with probability p in training and scale the rest by 1/(1 − p)."""
from __future__ import annotations

from typing import Any

from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor
from ..backend import ops as B
from ..backend import random as _random


class Dropout(Function):
    """a·mask·scale with a fixed boolean ``mask`` (True = kept); the gradient goes through the same mask."""

    @staticmethod
    def forward(ctx: Context, a: Any, mask: Any = None, scale: float = 1.0) -> Any:
        ctx.save_for_backward(mask)
        ctx.scale = scale
        return B.masked(mask, a * scale)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        (mask,) = ctx.saved_tensors
        return B.masked(mask, grad * ctx.scale)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Inverted dropout: in training, zero each element with probability ``p`` and scale the kept ones
    by 1/(1 − p) so the expected value is unchanged; outside training (or p = 0), the input itself.

    The mask comes from dlkit's seeded generator (``dlkit.manual_seed``).
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p}")
    if not training or p == 0.0:
        return input
    mask = _random.bernoulli(input.shape, 1.0 - p, xp=input._xp)
    return Dropout.apply(input, mask=mask, scale=0.0 if p == 1.0 else 1.0 / (1.0 - p))
