"""The reference scalar node of lesson 04, with each operation's backward step a method a mistake can swap."""
from __future__ import annotations

import math
from typing import Callable


class Value:
    """A scalar graph node (micrograd's shape); named like the learner's class, so errors read the same."""

    def __init__(self, data: float, _prev: tuple = (), _op: str = ""):
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_prev)
        self._op = _op
        self._backward: Callable[[], None] = lambda: None

    def _wire(self, out: "Value", step: Callable[[], None]) -> "Value":
        out._backward = step
        return out

    def __add__(self, other: "Value") -> "Value":
        out = type(self)(self.data + other.data, (self, other), "+")
        return self._wire(out, lambda: self.bw_add(other, out))

    def __mul__(self, other: "Value") -> "Value":
        out = type(self)(self.data * other.data, (self, other), "*")
        return self._wire(out, lambda: self.bw_mul(other, out))

    def __pow__(self, k: float) -> "Value":
        out = type(self)(self.data ** k, (self,), f"**{k}")
        return self._wire(out, lambda: self.bw_pow(k, out))

    def sigmoid(self) -> "Value":
        """The sigmoid of this node, computed without overflow."""
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        out = type(self)(s, (self,), "sigmoid")
        return self._wire(out, lambda: self.bw_sigmoid(out))

    # the backward steps: local derivative times upstream gradient, added into the inputs
    def bw_add(self, other: "Value", out: "Value") -> None:
        """out = self + other: add distributes."""
        self.grad += out.grad
        other.grad += out.grad

    def bw_mul(self, other: "Value", out: "Value") -> None:
        """out = self * other: multiply swaps."""
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    def bw_pow(self, k: float, out: "Value") -> None:
        """out = self ** k: k · self^(k−1)."""
        self.grad += k * self.data ** (k - 1) * out.grad

    def bw_sigmoid(self, out: "Value") -> None:
        """out = σ(self): σ(1 − σ) from the output."""
        self.grad += out.data * (1 - out.data) * out.grad


def variant(op: str, body: Callable[..., None]) -> type:
    """The reference node with the backward step of ``op`` replaced by ``body``."""
    return type("Value", (Value,), {f"bw_{op}": body})


def as_value(node: Value, number: float) -> Value:
    """A node holding ``number`` (what `a.grad += out` leaves in a.grad when the notebook's class adds a Value)."""
    return type(node)(number)
