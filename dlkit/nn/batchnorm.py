"""Batch normalization layers ``BatchNorm1d`` ((N, C) or (N, C, L)) and ``BatchNorm2d`` ((N, C, H, W))."""
from __future__ import annotations

from typing import Any

from .. import functional as F
from .. import init
from ..autograd.tensor import Tensor
from ._defaults import empty_parameter, empty_tensor
from .module import Module


class _BatchNorm(Module):
    """Per-channel normalization with learnable scale (weight, ones) and shift (bias, zeros).

    Training uses the batch statistics and updates the buffers ``running_mean``/``running_var``
    (momentum 0.1; ``momentum=None`` gives a cumulative average) and ``num_batches_tracked``;
    evaluation uses the running statistics — all as in torch.
    """

    dims: tuple[int, ...] = ()

    def __init__(
        self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
        track_running_stats: bool = True, device: Any = None, dtype: Any = None,
    ) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = init.ones_(empty_parameter((num_features,), dtype, device)) if affine else None
        self.bias = init.zeros_(empty_parameter((num_features,), dtype, device)) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", init.zeros_(empty_tensor((num_features,), dtype, device)))
            self.register_buffer("running_var", init.ones_(empty_tensor((num_features,), dtype, device)))
            self.register_buffer("num_batches_tracked", empty_tensor((), "int64", device))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches seen."""
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def forward(self, input: Tensor) -> Tensor:
        """Normalize ``input`` per channel (axis 1)."""
        if input.ndim not in self.dims:
            raise ValueError(
                f"{type(self).__name__}: expected a {' or '.join(f'{d}-D' for d in self.dims)} input, got shape {input.shape}"
            )
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data = self.num_batches_tracked.data + 1
            if self.momentum is None:  # cumulative moving average
                momentum = 1.0 / int(self.num_batches_tracked.item())
        # Without running statistics there is nothing else to normalize with, even in eval mode.
        use_batch_stats = self.training or not self.track_running_stats
        return F.batch_norm(
            input, self.running_mean, self.running_var, self.weight, self.bias, use_batch_stats, momentum, self.eps
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L): statistics over N (and L) for each of the C features."""

    dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W): statistics over N, H and W for each of the C channels."""

    dims = (4,)
