"""``Function``: one differentiable op as a forward and a backward on raw arrays.

Every op in ``dlkit.functional`` is a subclass, and so is what learners write in the autodiff
lesson::

    class Mul(Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return grad * b, grad * a

``Mul.apply(x, y)`` unwraps the tensors, runs ``forward``, and, when a gradient is needed,
records a ``Context`` on the output. The context holds the inputs but never the output, so a
step's graph is freed by reference counting as soon as nothing points at the loss.
"""
from __future__ import annotations

from typing import Any, Callable

from .. import backend
from .errors import GraphFreedError, ShapeError
from .grad_mode import STATE
from .tensor import Tensor

# Called as guard(function_cls) before every forward when set (the grading toolkit uses it to
# keep a learner's function from calling the reference it is being checked against).
_apply_guard: Callable[[type], None] | None = None


def set_apply_guard(guard: Callable[[type], None] | None) -> Callable[[type], None] | None:
    """Install ``guard`` to run before every ``Function.apply``; returns the previous guard."""
    global _apply_guard
    previous, _apply_guard = _apply_guard, guard
    return previous


class Context:
    """What a forward leaves for its backward: saved arrays, constants, and which inputs need grad."""

    __slots__ = ("fn", "xp", "inputs", "needs_input_grad", "_saved", "_released", "__dict__")

    def __init__(self, fn: type, xp: Any) -> None:
        self.fn = fn
        self.xp = xp
        self.inputs: tuple[Any, ...] = ()
        self.needs_input_grad: tuple[bool, ...] = ()
        self._saved: tuple[Any, ...] = ()
        self._released = False

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep arrays for the backward pass (never the op's own output tensor)."""
        self._saved = arrays

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The arrays given to ``save_for_backward``."""
        if self._released:
            raise GraphFreedError(self._freed_message())
        return self._saved

    def release(self) -> None:
        """Drop saved arrays once backward is done with them (``retain_graph=False``)."""
        self._saved = ()
        self.__dict__.clear()
        self._released = True

    def _freed_message(self) -> str:
        return (
            f"{self.fn.__name__}.backward: trying to backward through the graph a second time; its saved "
            "values were freed after the first backward. Call .backward(retain_graph=True) the first "
            "time, or recompute the forward pass."
        )

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes that are missing: after release, say why they are gone.
        if object.__getattribute__(self, "_released"):
            raise GraphFreedError(self._freed_message())
        raise AttributeError(f"{self.fn.__name__} context has no attribute {name!r}")

    def __repr__(self) -> str:
        return f"<{self.fn.__name__}Backward>"


class Function:
    """Base class of differentiable ops: subclass and write ``forward`` and ``backward``."""

    @staticmethod
    def forward(ctx: Context, *args: Any, **kwargs: Any) -> Any:
        """Compute the output array from input arrays; save what backward needs on ``ctx``."""
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad: Any) -> Any:
        """Given d(loss)/d(output), return d(loss)/d(input) for each input (None where not needed)."""
        raise NotImplementedError

    @classmethod
    def shape_error(cls, shapes: tuple[Any, ...], consts: dict[str, Any]) -> str | None:
        """Explain a failed forward in terms of the input shapes (None: keep the original error)."""
        return None

    @classmethod
    def apply(cls, *args: Any, **consts: Any) -> Any:
        """Run the op on tensors (and constants) and record it for backward when needed."""
        if _apply_guard is not None:
            _apply_guard(cls)
        # One pass over the arguments: unwrap tensors, find the namespace, and note which inputs
        # need a gradient (the lists are only turned into ctx attributes when one does).
        xp = None
        needs = False
        arrays = []
        flags = []
        inputs = []
        for a in args:
            if isinstance(a, Tensor):
                if xp is None:
                    xp = a._xp
                elif a._xp is not xp and _different_devices(xp, a._xp):
                    raise ValueError(_mixed_message(cls, args))
                requires = a._requires_grad
                needs = needs or requires
                arrays.append(a.data)
                flags.append(requires)
                inputs.append(a)
            else:
                arrays.append(a)
                flags.append(False)
                inputs.append(None)
        ctx = Context(cls, xp)
        needs = needs and STATE.enabled
        if needs:
            ctx.needs_input_grad = tuple(flags)
        try:
            out = cls.forward(ctx, *arrays, **consts)
        except (ValueError, TypeError, IndexError) as exc:
            shapes = tuple(getattr(a, "shape", None) for a in arrays)
            message = cls.shape_error(shapes, consts)
            if message is None:
                raise
            raise ShapeError(message) from exc
        if needs:
            ctx.inputs = tuple(inputs)
            return Tensor._make(out, xp, ctx)
        return Tensor._make(out, xp, None)


def _different_devices(xp: Any, other: Any) -> bool:
    """Whether two namespace objects compute on different devices (reached only when they differ)."""
    return backend.device_of_namespace(xp) != backend.device_of_namespace(other)


def _mixed_message(cls: type, args: tuple[Any, ...]) -> str:
    """Name the devices (and array types) that met, e.g. ``cpu (numpy.ndarray) and cuda:0 (cupy.ndarray)``."""
    return mixed_devices_message(cls.__name__.lower(), [a for a in args if isinstance(a, Tensor)])


def mixed_devices_message(op: str, tensors: list[Any]) -> str:
    """The error for tensors of several devices meeting in ``op``; it names every device involved."""
    places = [f"{t.device} ({type(t.data).__module__}.{type(t.data).__name__})" for t in tensors]
    return (
        f"{op}: expected all tensors to be on the same device, but found tensors on "
        f"{' and '.join(dict.fromkeys(places))}; move one explicitly with .to(device) first"
    )
