"""Activation layers: thin modules around the functions in ``dlkit.functional``."""
from __future__ import annotations

from .. import functional as F
from ..autograd.tensor import Tensor
from ..functional.softmax import softmax_dim
from .module import Module


class ReLU(Module):
    """max(x, 0) elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """ReLU of the input."""
        return F.relu(input)


class LeakyReLU(Module):
    """x for x > 0, negative_slope·x otherwise."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, input: Tensor) -> Tensor:
        """Leaky ReLU of the input."""
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    """1 / (1 + e^-x) elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """Sigmoid of the input."""
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x) elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """tanh of the input."""
        return F.tanh(input)


class GELU(Module):
    """x·Φ(x) elementwise (``approximate="tanh"`` for the tanh formula)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        """GELU of the input."""
        return F.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """Softmax along ``dim`` (torch's implicit choice when None)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        """Softmax of the input along ``dim``."""
        return F.softmax(input, softmax_dim(self.dim, input.ndim, "Softmax"))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log(softmax(x)) along ``dim``, computed stably."""

    def forward(self, input: Tensor) -> Tensor:
        """Log-softmax of the input along ``dim``."""
        return F.log_softmax(input, softmax_dim(self.dim, input.ndim, "LogSoftmax"))
