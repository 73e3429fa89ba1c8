"""How every command ends: one paragraph saying what was done, what failed and what to do next."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterable
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")
WIDTH = 100


def count(n: int, word: str, plural: str | None = None) -> str:
    """'1 submission', '3 submissions'."""
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def paragraph(*sentences: str) -> str:
    """The non-empty sentences as one paragraph wrapped to the terminal width of a plain shell."""
    text = " ".join(s.strip() for s in sentences if s and s.strip())
    return textwrap.fill(text, WIDTH, break_long_words=False, break_on_hyphens=False)


def names(items: Iterable[str], limit: int = 8) -> str:
    """'a, b, c' with the rest counted ('a, b and 5 more')."""
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def progress(items: Iterable[T], desc: str, total: int | None = None, enabled: bool = True) -> Iterable[T]:
    """A progress bar on stderr (stdout stays clean for the summary and for pipes)."""
    return tqdm(items, desc=desc, total=total, unit="step", disable=not enabled, file=sys.stderr, leave=False)
