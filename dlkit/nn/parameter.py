"""``Parameter``: a tensor that a ``Module`` treats as one of its learnable weights."""
from __future__ import annotations

from typing import Any

from ..autograd.tensor import Tensor
from ..backend.arrays import DEFAULT_FLOAT, default_namespace


class Parameter(Tensor):
    """A leaf tensor that requires grad and is found by ``Module.parameters()``.

    It shares memory with the tensor or array it is made from, like torch's ``nn.Parameter``.
    Results of operations on parameters (and their ``.grad``) are plain tensors.
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            xp = default_namespace()
            data = xp.zeros((0,), dtype=getattr(xp, DEFAULT_FLOAT))
        super().__init__(data)
        if requires_grad:
            self.requires_grad = True

    @classmethod
    def _make(cls, data: Any, xp: Any, ctx: Any) -> Tensor:
        # The engine builds `.grad` with type(param)._make: a gradient is a plain tensor, not a parameter.
        return Tensor._make(data, xp, ctx)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
