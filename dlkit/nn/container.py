"""Containers: ``Sequential`` (layers applied in order) and ``ModuleList`` (a list of layers)."""
from __future__ import annotations

from typing import Any, Iterable, Iterator

from .module import Module


class _Indexed(Module):
    """Submodules stored as attributes "0", "1", ... so their names match torch's (``0.weight``)."""

    def __init__(self, modules: Iterable[Module] = ()) -> None:
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> "_Indexed":
        """Add ``module`` at the end."""
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}.append: expected a Module, got {type(module).__name__}")
        setattr(self, str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> "_Indexed":
        """Add several modules at the end."""
        for module in modules:
            self.append(module)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        if name.isdigit():
            self.__dict__.pop("_layers", None)
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        if name.isdigit():
            self.__dict__.pop("_layers", None)
        super().__delattr__(name)

    def _layer_tuple(self) -> tuple[Module, ...]:
        """The layers in index order, remembered until one is set or deleted (forward runs every step)."""
        layers = self.__dict__.get("_layers")
        if layers is None:
            count = sum(1 for key in self.__dict__ if key.isdigit())
            layers = self.__dict__["_layers"] = tuple(self.__dict__[str(i)] for i in range(count))
        return layers

    def __len__(self) -> int:
        return len(self._layer_tuple())

    def __iter__(self) -> Iterator[Module]:
        return iter(self._layer_tuple())

    def __getitem__(self, index: Any) -> Any:
        items = list(self)
        if isinstance(index, slice):
            part = type(self).__new__(type(self))
            _Indexed.__init__(part, items[index])
            return part
        try:
            return items[index]
        except IndexError:
            raise IndexError(f"{type(self).__name__}: index {index} is out of range for {len(items)} module(s)") from None

    def __setitem__(self, index: int, module: Module) -> None:
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"{type(self).__name__}: index {index} is out of range for {n} module(s)")
        setattr(self, str(index % n), module)


class Sequential(_Indexed):
    """Apply the given layers one after another: ``Sequential(Linear(4, 8), ReLU(), Linear(8, 1))``."""

    def __init__(self, *modules: Module) -> None:
        if len(modules) == 1 and isinstance(modules[0], dict):
            raise TypeError("Sequential: pass the layers as arguments, Sequential(layer1, layer2, ...)")
        super().__init__(modules)

    def forward(self, input: Any) -> Any:
        """Each layer's output is the next layer's input."""
        for module in self._layer_tuple():
            input = module(input)
        return input


class ModuleList(_Indexed):
    """A list of layers whose parameters the parent module finds (index, iterate, append)."""

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleList has no forward; iterate over it in the parent's forward")
