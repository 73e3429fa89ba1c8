"""``Module``: the base class of layers and models, which finds its parameters by walking its attributes.

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(784, 128)
            self.out = nn.Linear(128, 10)

        def forward(self, x):
            return self.out(F.relu(self.hidden(x)))

Any attribute that is a ``Parameter`` or a ``Module`` (also inside lists, tuples and dicts) is
picked up; tensors registered with ``register_buffer`` (running statistics) are saved with the
parameters in ``state_dict()``. Names follow torch: ``hidden.weight``, ``layers.0.bias``.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator, NamedTuple

from .. import backend
from ..autograd.tensor import Tensor
from ..backend import ops as B
from .parameter import Parameter
from .summary import Summary, summary

# Module bookkeeping attributes, never treated as members.
_INTERNAL = frozenset({"training", "_buffers", "_forward_hooks", "_layers"})  # _layers: Sequential's cache


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` returns: keys the model has but the state lacked, and the other way round."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class RemovableHandle:
    """Returned by ``register_forward_hook``; ``remove()`` takes the hook off again."""

    def __init__(self, hooks: dict[int, Callable[..., Any]], key: int) -> None:
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        """Unregister the hook (a second call does nothing)."""
        self._hooks.pop(self._key, None)


def _walk(name: str, value: Any) -> Iterator[tuple[str, Any]]:
    """(name, member) for the modules and tensors in ``value``, looking inside lists, tuples and dicts."""
    if isinstance(value, (Module, Tensor)):
        yield name, value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _walk(f"{name}.{i}", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(f"{name}.{key}", item)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


class Module:
    """Base class of every layer and model: subclass it, set layers as attributes, write ``forward``."""

    # Class-level default, so a subclass that forgets super().__init__() still works.
    training: bool = True

    def __init__(self) -> None:
        self.training = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Compute the module's output; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__}: subclasses of Module must define forward(...)")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = self.forward(*args, **kwargs)
        hooks = self.__dict__.get("_forward_hooks")
        if hooks:
            for hook in list(hooks.values()):
                replaced = hook(self, args, out)
                if replaced is not None:
                    out = replaced
        return out

    def register_forward_hook(self, hook: Callable[["Module", tuple[Any, ...], Any], Any]) -> RemovableHandle:
        """Call ``hook(module, inputs, output)`` after every forward (a non-None result replaces the output)."""
        hooks = self.__dict__.setdefault("_forward_hooks", {})
        key = max(hooks, default=-1) + 1
        hooks[key] = hook
        return RemovableHandle(hooks, key)

    def register_buffer(self, name: str, tensor: Tensor | None) -> None:
        """Keep ``tensor`` as state that is saved in ``state_dict()`` but not trained (e.g. running statistics)."""
        if not isinstance(name, str) or not name or "." in name or name in _INTERNAL:
            raise KeyError(f"register_buffer: invalid buffer name {name!r}")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None, got {type(tensor).__name__}")
        buffers = self.__dict__.setdefault("_buffers", [])
        if name not in buffers:
            buffers.append(name)
        setattr(self, name, tensor)

    # ----- finding members ----------------------------------------------------------------
    def _members(self) -> Iterator[tuple[str, Any, str]]:
        """(name, value, kind) of direct members; kind is "param", "buffer" or "module"."""
        buffers = self.__dict__.get("_buffers", ())
        for attr, value in self.__dict__.items():
            if attr in _INTERNAL:
                continue
            for name, member in _walk(attr, value):
                if isinstance(member, Module):
                    yield name, member, "module"
                elif isinstance(member, Parameter):
                    yield name, member, "param"
                elif name in buffers:
                    yield name, member, "buffer"

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """(name, module) for each direct submodule."""
        seen: set[int] = set()
        for name, member, kind in self._members():
            if kind == "module" and id(member) not in seen:
                seen.add(id(member))
                yield name, member

    def children(self) -> Iterator["Module"]:
        """The direct submodules."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, "Module"]]:
        """(name, module) for this module ("") and every submodule, depth first, each once."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            stack.extend(reversed([(_join(name, n), m) for n, m in module.named_children()]))

    def modules(self) -> Iterator["Module"]:
        """This module and every submodule."""
        for _, module in self.named_modules():
            yield module

    def _named_members(self, kind: str, prefix: str, recurse: bool) -> Iterator[tuple[str, Tensor]]:
        seen: set[int] = set()
        owners = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for owner, module in owners:
            for name, member, member_kind in module._members():
                if member_kind == kind and id(member) not in seen:
                    seen.add(id(member))
                    yield _join(owner, name), member

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(name, parameter) for every parameter, each once (shared weights are listed once)."""
        return self._named_members("param", prefix, recurse)  # type: ignore[return-value]

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter, each once: what an optimizer updates."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        """(name, tensor) for every registered buffer."""
        return self._named_members("buffer", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every registered buffer."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ----- modes and gradients ------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Set training mode here and in every submodule (dropout drops, batch norm uses batch statistics)."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: mode must be a bool, got {mode!r}")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> "Module":
        """Set evaluation mode everywhere (same as ``train(False)``)."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (set ``.grad`` to None, or to zeros)."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad = Tensor._make(p._xp.zeros_like(p.grad.data), p._xp, None)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Turn gradients on or off for every parameter (to freeze layers)."""
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def apply(self, fn: Callable[["Module"], Any]) -> "Module":
        """Call ``fn`` on every submodule and then on this module (e.g. a custom initialization)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def to(self, *args: Any, dtype: Any = None, device: Any = None) -> "Module":
        """Move parameters and buffers to ``device`` and/or cast the floating ones to ``dtype``, in place.

        ``model.to("float64")``, ``model.to("cuda")``, ``model.to(device, dtype)``, like torch. The
        tensors stay the same objects, so an optimizer made before still holds them.
        """
        for arg in args:
            if isinstance(arg, Tensor):
                device, dtype = arg.device, arg.dtype
            elif backend.is_device_like(arg):
                device = arg
            else:
                dtype = arg
        for t in list(self.parameters()) + list(self.buffers()):
            if device is not None:
                t.to_device_(device)
            xp = t._xp
            if dtype is not None and backend.is_floating(t.data.dtype, xp):
                target = backend.resolve_dtype(dtype, xp)
                t.data = xp.astype(t.data, target)
                if t.grad is not None:
                    t.grad = Tensor._make(xp.astype(t.grad.data, target), xp, None)
        return self

    def cpu(self) -> "Module":
        """Move parameters and buffers to the CPU (numpy)."""
        return self.to("cpu")

    def cuda(self) -> "Module":
        """Move parameters and buffers to the GPU (cupy)."""
        return self.to("cuda")

    def double(self) -> "Module":
        """Convert floating-point parameters and buffers to float64."""
        return self.to("float64")

    def float(self) -> "Module":
        """Convert floating-point parameters and buffers to float32."""
        return self.to("float32")

    # ----- saving and loading -------------------------------------------------------------
    def _state_members(self) -> dict[str, Tensor]:
        state: dict[str, Tensor] = {}
        for owner, module in self.named_modules():
            for name, member, kind in module._members():
                if kind != "module":
                    state[_join(owner, name)] = member
        return state

    def state_dict(self) -> dict[str, Tensor]:
        """Parameters and buffers by name (detached tensors sharing memory with the model)."""
        return {name: t.detach() for name, t in self._state_members().items()}

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values from ``state_dict`` into the parameters and buffers of the same names.

        With ``strict`` (the default), missing and unexpected keys are errors; a shape mismatch is
        always an error. Nothing is changed unless every value fits.
        """
        if not isinstance(state_dict, dict):
            raise TypeError(f"load_state_dict: expected a dict of name -> tensor, got {type(state_dict).__name__}")
        own = self._state_members()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        if strict and missing:
            errors.append(f"missing key(s) in state_dict: {', '.join(repr(k) for k in missing)}")
        if strict and unexpected:
            errors.append(f"unexpected key(s) in state_dict: {', '.join(repr(k) for k in unexpected)}")
        converted = {}
        for name, target in own.items():
            if name not in state_dict:
                continue
            array = _array_for(state_dict[name], target)
            if tuple(array.shape) != target.shape:
                errors.append(
                    f"size mismatch for {name!r}: the checkpoint has shape {tuple(array.shape)}, the model has "
                    f"shape {target.shape}"
                )
            converted[name] = array
        if errors:
            raise RuntimeError(f"load_state_dict: error(s) loading into {type(self).__name__}:\n  " + "\n  ".join(errors))
        for name, array in converted.items():
            own[name].data = B.stored_like(own[name].data, array)
        return IncompatibleKeys(missing, unexpected)

    # ----- description --------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The layer's settings, shown inside the parentheses of its repr."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        for name, child in self.named_children():
            lines.append(f"({name}): " + repr(child).replace("\n", "\n  "))
        if not lines:
            return f"{type(self).__name__}()"
        if len(lines) == 1 and extra:
            return f"{type(self).__name__}({extra})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"

    def summary(self, input_shape: tuple[int, ...], dtype: Any = "float32") -> Summary:
        """A table of each layer's output shape and parameter count (runs one forward pass on zeros)."""
        return summary(self, input_shape, dtype)


def _array_for(value: Any, target: Tensor) -> Any:
    """``value`` as a fresh array in ``target``'s array library and dtype."""
    data = value.data if isinstance(value, Tensor) else value
    if not backend.is_array(data):
        data = backend.asarray(data)
    xp = target._xp
    if backend.namespace_of(data) is not xp:
        data = backend.to_device(backend.to_numpy(data), target.device)
    if data.dtype != target.data.dtype:
        return xp.astype(data, target.data.dtype)
    return xp.asarray(data, copy=True)
