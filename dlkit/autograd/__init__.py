"""The autodiff engine: ``Tensor``, ``Function`` and the backward pass."""
from .errors import GraphFreedError, ShapeError
from .function import Context, Function, set_apply_guard
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor
from .broadcast import unbroadcast
from .engine import topological_order

__all__ = [
    "Context",
    "Function",
    "GraphFreedError",
    "ShapeError",
    "Tensor",
    "enable_grad",
    "is_grad_enabled",
    "no_grad",
    "set_apply_guard",
    "set_grad_enabled",
    "topological_order",
    "unbroadcast",
]
