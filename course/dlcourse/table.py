"""Plain-text tables for terminal summaries (no dependency beyond the standard library)."""

from __future__ import annotations


def render(header: list[str], rows: list[list[str]]) -> str:
    """Left-aligned columns separated by two spaces, with a rule under the header."""
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def fmt_points(value: float | None) -> str:
    """Points without a trailing .0; a dash when not graded yet."""
    return "-" if value is None else f"{value:g}"
