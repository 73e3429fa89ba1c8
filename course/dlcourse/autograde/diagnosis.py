"""Turn a test cell's outputs into the one-line diagnosis an instructor or a CSV can use."""

from __future__ import annotations

import re

from nbformat import NotebookNode

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
# OSC (title, clipboard, hyperlinks) up to BEL or ST, other ESC sequences, then any C0/C1 control left
OSC = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")
CONTROL = re.compile(r"\x1b.?|[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MAX_CHARS = 400


def _clean(text: str) -> str:
    """Strip terminal escapes and control characters and squeeze whitespace."""
    return " ".join(CONTROL.sub("", OSC.sub("", ANSI.sub("", text))).split())[:MAX_CHARS]


def diagnose(cell: NotebookNode) -> str:
    """The diagnosis for a failing test cell ('' when the cell shows no failure)."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            ename, evalue = output.get("ename", "Error"), output.get("evalue", "")
            if ename in ("KeyboardInterrupt", "CellTimeoutError"):
                # nbclient interrupts a cell that runs past Execute.timeout; the learner sees an interrupt.
                return "the cell ran past the per-cell time limit and was stopped (an endless loop?)"
            # The grading toolkit's AssertionError subclasses carry the whole diagnosis in their message.
            if evalue and ("Assertion" in ename or ename.endswith(("Failed", "Failure", "Mismatch"))):
                return _clean(evalue)
            return _clean(f"{ename}: {evalue}" if evalue else ename)
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            return _clean("wrote to stderr (graded as a failure): " + output.get("text", ""))
    return ""


def pattern(diagnosis: str) -> str:
    """Group diagnoses that differ only in numbers, shapes or indices."""
    return re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "#", diagnosis)
