"""Showing check results: a green ✓ / red ✗ summary in Jupyter, plain text elsewhere.

Everything goes to stdout or to a display_data output, never to stderr: nbgrader
gives zero to a test cell that writes to stderr.
"""
from __future__ import annotations

import html
import sys

_GREEN, _RED = "#1a7f37", "#cf222e"


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where HTML output is rendered)."""
    ip = sys.modules.get("IPython")
    get = getattr(ip, "get_ipython", None)
    shell = get() if get is not None else None
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _symbols() -> tuple[str, str]:
    enc = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "✓✗".encode(enc)
        return "✓", "✗"
    except (UnicodeEncodeError, LookupError):  # e.g. a cp1252 Windows console
        return "[ok]", "[FAIL]"


def text_line(ok: bool, title: str, detail: str = "") -> str:
    """'✓ title — detail' in plain text."""
    mark = _symbols()[0 if ok else 1]
    return f"{mark} {title}" + (f" — {detail}" if detail else "")


def html_line(ok: bool, title: str, detail: str = "") -> str:
    """The same line as HTML, with a coloured mark and the detail in a quieter tone."""
    color, mark = (_GREEN, "✓") if ok else (_RED, "✗")
    d = html.escape(detail).replace("\n", "<br>")
    return (f'<div style="font-family:var(--jp-code-font-family,monospace);margin:2px 0">'
            f'<span style="color:{color};font-weight:bold">{mark}</span> '
            f'<b>{html.escape(title)}</b>'
            + (f' <span style="opacity:0.75">— {d}</span>' if detail else "") + "</div>")


def show(lines: list[tuple[bool, str, str]]) -> None:
    """Show (ok, title, detail) lines: HTML with a text fallback in Jupyter, text elsewhere."""
    text = "\n".join(text_line(*ln) for ln in lines)
    if in_notebook():
        from IPython.display import display
        display({"text/plain": text, "text/html": "".join(html_line(*ln) for ln in lines)}, raw=True)
    else:
        print(text)
