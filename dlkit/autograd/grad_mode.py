"""Whether operations record a graph: ``no_grad`` turns recording off, as in torch."""
from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _State:
    __slots__ = ()
    enabled = True


STATE = _State


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward."""
    return _State.enabled


class set_grad_enabled:
    """Context manager (and decorator) that sets gradient recording on or off."""

    def __init__(self, mode: bool) -> None:
        self.prev = _State.enabled
        self.mode = bool(mode)
        _State.enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        _State.enabled = self.prev

    def __call__(self, fn: F) -> F:
        mode = self.mode
        _State.enabled = self.prev

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper  # type: ignore[return-value]


class no_grad(set_grad_enabled):
    """Run a block (or function) without recording a graph: results do not require grad."""

    def __init__(self) -> None:
        self.prev = _State.enabled
        self.mode = False

    def __enter__(self) -> None:
        self.prev = _State.enabled
        _State.enabled = self.mode

    def __call__(self, fn: F) -> F:
        mode = type(self)  # a fresh block per call, so nested and recursive calls restore correctly

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with mode():
                return fn(*args, **kwargs)
        return wrapper  # type: ignore[return-value]


class enable_grad(no_grad):
    """Turn recording back on inside a ``no_grad`` block."""

    def __init__(self) -> None:
        self.prev = _State.enabled
        self.mode = True
