"""The learner's source: the line a known mistake points at, and whether a definition is stale.

In the learner's kernel the source comes from ``inspect`` (IPython keeps every cell in ``linecache``); while
grading, the grader knows the notebook's cells and passes the defining cell (``definition_in_cells``).
"""
from __future__ import annotations

import inspect
import keyword
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence


@dataclass(frozen=True)
class Source:
    """Source text and the number of its first line (in its cell or file)."""

    text: str
    first_line: int = 1

    def find(self, pattern: str) -> tuple[int, str] | None:
        """(line number, stripped line) of the first line matching ``pattern``, skipping comments."""
        try:
            rx = re.compile(pattern)
        except re.error:
            return None
        for i, line in enumerate(self.text.splitlines()):
            code = line.split("#", 1)[0]
            if code.strip() and rx.search(code):
                return self.first_line + i, line.strip()
        return None


def source_of(fn: Callable[..., Any]) -> Source | None:
    """The source of a function (or class) defined in a cell or file; None where there is none (a builtin)."""
    try:
        lines, first = inspect.getsourcelines(fn)
    except (OSError, TypeError):
        return None
    return Source("".join(lines), max(first, 1))


def look_at(source: Source | None, pattern: str, description: str) -> str:
    """'look at line N: `text`' where ``pattern`` finds the line, else 'look at: description' (or '')."""
    found = source.find(pattern) if source is not None and pattern else None
    if found is not None:
        return f"look at line {found[0]}: `{found[1][:100]}`"
    return f"look at: {description}" if description else ""


def _defines(name: str) -> re.Pattern[str]:
    # [ \t], not \s: \s* at a line start also eats newlines, quadratic on a cell of blank lines
    return re.compile(rf"^[ \t]*(?:async[ \t]+def|def|class)[ \t]+{re.escape(name)}\b", re.MULTILINE)


def definition_in_cells(cells: Sequence[str], target: str) -> Source | None:
    """The last cell that defines a name used in ``target`` (``predict``, ``one_op(Add, "add")``): for the
    grader, which has the notebook's cells but not the kernel's linecache."""
    names = [n for n in re.findall(r"[A-Za-z_]\w*", re.sub(r"(['\"]).*?\1", "", target))
             if not keyword.iskeyword(n)]
    for name in names:
        for cell in reversed(cells):
            if _defines(name).search(cell):
                return Source(cell, 1)
    return None


def staleness(name: str, defined_in: str | None, history: Sequence[tuple[int, str]],
              failed: Mapping[int, str]) -> str | None:
    """Why the function called ``name`` is not what its cell now says, or None.

    ``defined_in``: the text of the cell its code came from; ``history``: (execution count, cell text) of
    the cells run so far, in order; ``failed``: execution count → the error of each run that raised.
    """
    if defined_in is None or not name.isidentifier():
        return None
    runs = [(n, text) for n, text in history if _defines(name).search(text)]
    if not runs:
        return None
    n, text = runs[-1]
    if text.strip() != defined_in.strip():
        why = f" raised {failed[n]} and" if n in failed else ""
        return (f"`{name}` is a stale definition: the cell that defines it last ran as [{n}] and{why} did not "
                "define it again, so the check would test an earlier version. Fix that cell and run it again.")
    if n in failed:
        return (f"the cell that defines `{name}` raised {failed[n]} when it last ran ([{n}]). Fix the error and "
                "run it again: until then the check would test what that cell defined before the error.")
    return None
