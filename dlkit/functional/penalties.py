"""Regularization penalties over a set of parameters, to add to a loss (``loss + lam * l2_penalty(...)``)."""
from __future__ import annotations

from typing import Iterable

from ..autograd.tensor import Tensor
from .unary import abs


def _tensors(params: Tensor | Iterable[Tensor], op: str) -> list[Tensor]:
    items = [params] if isinstance(params, Tensor) else list(params)
    if not items:
        raise ValueError(f"{op}: got no parameters")
    for i, p in enumerate(items):
        if not isinstance(p, Tensor):
            raise TypeError(f"{op}: params[{i}] is a {type(p).__name__}, expected a Tensor")
    return items


def l1_penalty(params: Tensor | Iterable[Tensor]) -> Tensor:
    """Σ |w| over every element of every parameter (lasso; pushes weights to exactly zero)."""
    items = _tensors(params, "l1_penalty")
    total = abs(items[0]).sum()
    for p in items[1:]:
        total = total + abs(p).sum()
    return total


def l2_penalty(params: Tensor | Iterable[Tensor]) -> Tensor:
    """Σ w² over every element of every parameter (ridge / weight decay; no ½ factor)."""
    items = _tensors(params, "l2_penalty")
    total = (items[0] * items[0]).sum()
    for p in items[1:]:
        total = total + (p * p).sum()
    return total
