"""``summary(model, input_shape)``: each layer's output shape and parameter count, as a table.

``Module.summary`` calls it, so this module knows modules only by what it uses of them (``modules()``,
``named_modules()``, forward hooks, ``parameters()``): nn/module.py imports it, not the other way round.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..backend.arrays import default_namespace, resolve_dtype


@dataclass(frozen=True)
class SummaryRow:
    """One layer: its name in the model, its class, its output shape and its own parameter count."""

    name: str
    kind: str
    output_shape: Any
    params: int


@dataclass(frozen=True)
class Summary:
    """The table ``summary`` makes; ``print`` it, or read ``rows`` and the totals."""

    model: str
    rows: tuple[SummaryRow, ...]
    total_params: int
    trainable_params: int

    def __str__(self) -> str:
        header = ("Layer (type)", "Output Shape", "Param #")
        body = [(f"{r.name} ({r.kind})", str(r.output_shape), f"{r.params:,}") for r in self.rows]
        widths = [max(len(line[i]) for line in [header] + body) + 2 for i in range(3)]
        rule = "=" * sum(widths)

        def fmt(line: tuple[str, str, str]) -> str:
            return line[0].ljust(widths[0]) + line[1].ljust(widths[1]) + line[2].rjust(widths[2])

        lines = [f"Model: {self.model}", rule, fmt(header), rule] + [fmt(line) for line in body] + [
            rule,
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.total_params - self.trainable_params:,}",
        ]
        return "\n".join(lines)

    __repr__ = __str__


def _shape_of(out: Any) -> Any:
    if isinstance(out, Tensor):
        return list(out.shape)
    if isinstance(out, (tuple, list)):
        return [_shape_of(o) for o in out]
    return type(out).__name__


def summary(model: Any, input_shape: tuple[int, ...], dtype: Any = "float32") -> Summary:
    """Run ``model`` once on zeros of ``input_shape`` (batch axis included) and tabulate its layers.

    Layers are the modules without submodules, in the order they ran; the model is put in eval
    mode for the pass (no dropout, no running-statistics update) and restored afterwards.
    """
    if not callable(getattr(model, "named_modules", None)) or not callable(getattr(model, "register_forward_hook", None)):
        raise TypeError(f"summary: model must be a Module, got {type(model).__name__}")
    names = {id(m): name for name, m in model.named_modules()}
    leaves = [m for m in model.modules() if not any(True for _ in m.children())]
    rows: list[SummaryRow] = []

    def record(module: Any, inputs: tuple[Any, ...], out: Any) -> None:
        own = sum(p.numel() for p in module.parameters(recurse=False))
        rows.append(SummaryRow(names.get(id(module)) or type(module).__name__, type(module).__name__, _shape_of(out), own))

    modes = [(m, m.training) for m in model.modules()]
    handles = [m.register_forward_hook(record) for m in leaves]
    xp = default_namespace()
    try:
        model.eval()
        with no_grad():
            model(Tensor(xp.zeros(tuple(input_shape), dtype=resolve_dtype(dtype, xp))))
    finally:
        for handle in handles:
            handle.remove()
        for module, mode in modes:
            module.training = mode
    params = list(model.parameters())
    return Summary(
        type(model).__name__,
        tuple(rows),
        sum(p.numel() for p in params),
        sum(p.numel() for p in params if p.requires_grad),
    )
