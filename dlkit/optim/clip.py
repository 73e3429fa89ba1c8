"""``clip_grad_norm_``: rescale gradients so their joint norm is at most ``max_norm`` (torch.nn.utils)."""
from __future__ import annotations

import math
from typing import Iterable

from ..autograd.tensor import Tensor


def clip_grad_norm_(
    parameters: Iterable[Tensor] | Tensor,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Tensor:
    """Scale every ``.grad`` in place by min(1, max_norm / (total_norm + 1e-6)); return total_norm.

    The total norm is taken over all gradients together, as if they were one vector, so clipping keeps
    the direction of the full gradient. ``norm_type`` may be ``float("inf")`` (the largest |g|).
    """
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return Tensor(0.0)
    xp = grads[0]._xp
    norm_type = float(norm_type)
    if math.isinf(norm_type):
        norms = [xp.max(xp.abs(g.data)) for g in grads]
        total = xp.max(xp.stack(norms))
    else:
        norms = [xp.sum(xp.abs(g.data) ** norm_type) for g in grads]
        total = xp.sum(xp.stack(norms)) ** (1.0 / norm_type)
    total_norm = Tensor._make(total, xp, None)
    if error_if_nonfinite and not math.isfinite(float(total_norm)):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is {float(total_norm)}; "
            "pass error_if_nonfinite=False to clip anyway"
        )
    scale = float(max_norm) / (float(total_norm) + 1e-6)
    if scale < 1.0:  # torch multiplies by min(scale, 1); by 1 changes nothing
        for g in grads:
            g.data = g.data * scale
    return total_norm
