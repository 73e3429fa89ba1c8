"""Layer normalization ``LayerNorm``: per-example statistics over the last dimensions, as torch.nn.LayerNorm."""
from __future__ import annotations

from typing import Any, Sequence

from .. import functional as F
from .. import init
from ..autograd.tensor import Tensor
from ._defaults import empty_parameter
from .module import Module


class LayerNorm(Module):
    """Normalize each example over its last dimensions (``normalized_shape``), then scale and shift elementwise.

    ``weight`` (ones) and ``bias`` (zeros) have ``normalized_shape``; ``elementwise_affine=False`` drops both and
    ``bias=False`` only the shift. No running statistics: training and evaluation compute the same thing.
    """

    def __init__(
        self, normalized_shape: int | Sequence[int], eps: float = 1e-5, elementwise_affine: bool = True,
        bias: bool = True, device: Any = None, dtype: Any = None,
    ) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = shape, eps, elementwise_affine
        self.weight = init.ones_(empty_parameter(shape, dtype, device)) if elementwise_affine else None
        self.bias = init.zeros_(empty_parameter(shape, dtype, device)) if elementwise_affine and bias else None

    def forward(self, input: Tensor) -> Tensor:
        """Normalize ``input`` over its last ``len(normalized_shape)`` dimensions."""
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
