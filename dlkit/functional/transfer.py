"""``to_device``: a tensor on another device, with the gradient copied back to where the input lives."""
from __future__ import annotations

from typing import Any

from .. import backend
from ..autograd.function import Context
from ..autograd.grad_mode import STATE
from ..autograd.tensor import Tensor


class ToDevice:
    """A move to another device: the output lives in the target's namespace, the gradient moves back.

    Not applied through ``Function.apply`` (which keeps every result in its inputs' namespace);
    its context is recorded here instead.
    """

    @classmethod
    def apply(cls, tensor: Tensor, device: Any) -> Tensor:
        """``tensor`` on ``device`` (``tensor`` itself when it is already there)."""
        source = tensor.device
        data = backend.to_device(tensor.data, device)
        if data is tensor.data:
            return tensor
        xp = backend.namespace_of(data)
        if not (tensor._requires_grad and STATE.enabled):
            return Tensor._make(data, xp, None)
        ctx = Context(cls, xp)
        ctx.inputs, ctx.needs_input_grad = (tensor,), (True,)
        ctx.source = source
        return Tensor._make(data, xp, ctx)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        """The gradient, copied back to the input's device."""
        return backend.to_device(grad, ctx.source)


def to_device(input: Tensor, device: Any) -> Tensor:
    """``input`` on ``device`` (a name such as ``"cuda:0"`` or a ``Device``); itself when it is already there."""
    return ToDevice.apply(input, device=backend.device(device))
