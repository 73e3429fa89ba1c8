"""Ready-made designed inputs (``registry.Design``) for ``Exercise.designs``.

Each takes a case's arguments and changes one so that a relation shows: a label of ones (only one term of a
loss left), logits all equal (a softmax that is uniform, a max trick that must be added back), probabilities
one-hot (a loss of 0), zeros. The runner calls the learner on each and says on which the learner is right::

    designs=(fill("y", 1.0), fill("y", 0.0, hint="The term for y = 0, (1 − y)·log(1 − p), is missing."),
             equal_rows("logits", hint="The max subtracted for stability must be added back."))
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..registry import Design


def fill(arg: str, value: float, hint: str = "", label: str = "") -> Design:
    """Every element of ``arg`` set to ``value`` ("y = 1 everywhere")."""
    def make(args: dict[str, Any]) -> dict[str, Any]:
        return {**args, arg: np.full_like(np.asarray(args[arg]), value)}
    return Design(label or f"{arg} = {value:g} everywhere", make, hint)


def equal_rows(arg: str, hint: str = "", label: str = "") -> Design:
    """Every row of ``arg`` made constant (its own mean): all-equal logits in each row."""
    def make(args: dict[str, Any]) -> dict[str, Any]:
        a = np.asarray(args[arg], dtype=np.float64)
        return {**args, arg: np.broadcast_to(a.mean(axis=-1, keepdims=True), a.shape).copy()}
    return Design(label or f"every row of {arg} all equal", make, hint)


def one_hot(arg: str, labels: str, hint: str = "", label: str = "") -> Design:
    """``arg`` (N, C) replaced by the one-hot rows of ``labels`` (perfect predictions)."""
    def make(args: dict[str, Any]) -> dict[str, Any]:
        a, y = np.asarray(args[arg]), np.asarray(args[labels])
        return {**args, arg: np.eye(a.shape[-1], dtype=a.dtype)[y]}
    return Design(label or f"{arg} one-hot on the labels", make, hint)


def scaled(arg: str, factor: float, hint: str = "", label: str = "") -> Design:
    """``arg`` multiplied by ``factor``."""
    def make(args: dict[str, Any]) -> dict[str, Any]:
        return {**args, arg: np.asarray(args[arg]) * factor}
    return Design(label or f"{arg} × {factor:g}", make, hint)
