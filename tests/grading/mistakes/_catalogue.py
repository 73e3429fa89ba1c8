"""Registration helpers for the mistake catalogue."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

ENTRIES: list["Entry"] = []


@dataclass(frozen=True)
class Entry:
    """One implementation of an exercise: correct (expect None) or wrong with its diagnosis code."""

    exercise: str
    fn: Callable
    expect: str | None
    why: str

    @property
    def heldout(self) -> bool:
        """Written after the recognizers were frozen (tests/grading/mistakes/heldout.py)."""
        return self.fn.__module__.endswith(".heldout")

    @property
    def id(self) -> str:
        return f"{self.exercise}:{self.fn.__name__}"


def correct(exercise: str) -> Callable[[Callable], Callable]:
    """Register a correct implementation: it must pass the visible and the hidden checks."""
    def deco(fn: Callable) -> Callable:
        ENTRIES.append(Entry(exercise, fn, None, fn.__doc__ or ""))
        return fn
    return deco


def wrong(exercise: str, expect: str) -> Callable[[Callable], Callable]:
    """Register a wrong implementation and the diagnosis code it should get."""
    def deco(fn: Callable) -> Callable:
        ENTRIES.append(Entry(exercise, fn, expect, fn.__doc__ or ""))
        return fn
    return deco
