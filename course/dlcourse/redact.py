"""Hidden-test code never reaches a learner: find its lines in a notebook and blank them out of any text.

A learner's cell can print what the kernel saw (IPython's `In`, `_ih`, a traceback of the caller), so the
test-cell sources are not the only place hidden code can surface: every output, every exported diagnosis and
every report line goes through `redact`.
"""

from __future__ import annotations

import re
from pathlib import Path

from nbformat import NotebookNode

from .notebooks import HIDDEN, is_grade, read_notebook, split_regions

REMOVED = "[hidden test code removed]"
MARKER = re.compile(r"#+\s*(BEGIN|END) HIDDEN TESTS")


def hidden_lines(nb: NotebookNode) -> set[str]:
    """Stripped lines that only hidden-test regions hold (a line also shown to learners proves nothing)."""
    secret: set[str] = set()
    public: set[str] = set()
    for cell in nb.cells:
        if is_grade(cell) and cell.cell_type == "code":
            inside, outside = split_regions(cell.source, HIDDEN)
            secret.update(line.strip() for line in inside)
            public.update(line.strip() for line in outside)
        else:
            public.update(line.strip() for line in cell.source.splitlines())
    return {line for line in secret - public if len(re.findall(r"\w", line)) >= 3}


def lesson_hidden_lines(sources: list[Path]) -> set[str]:
    """Hidden-test lines of a lesson's instructor notebooks."""
    return set().union(*(hidden_lines(read_notebook(path)) for path in sources)) if sources else set()


def redact(text: str, lines: set[str]) -> str:
    """`text` with every line that quotes hidden-test code (or a hidden-test marker) replaced by a notice."""
    if not text or (not lines and "HIDDEN" not in text):
        return text
    out = []
    for line in text.splitlines(keepends=True):
        if MARKER.search(line) or any(secret in line for secret in lines):
            out.append(REMOVED + ("\n" if line.endswith("\n") else ""))
        else:
            out.append(line)
    return "".join(out)
