"""Make a graded notebook inert for the instructor's browser before nbgrader's formgrader shows it.

Formgrader renders an autograded notebook's outputs and markdown as they are, in the Jupyter server's origin,
with the instructor's session: a learner's `display(Javascript(...))`, an HTML or SVG output, or raw HTML in a
markdown cell would run there (set scores through formgrader's API, open a terminal). What stays: plain text,
raster images, errors and streams (nbconvert escapes those); markdown keeps its text and formulas, with raw HTML
shown as text and script-capable link schemes broken.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

from ..notebooks import meta

# Output types nbconvert renders as escaped text or as an <img> of base64 data: nothing in them can run.
SAFE_MIME = ("text/plain", "image/png", "image/jpeg", "image/gif")
REMOVED = "[an output of type {kinds} was removed before grading: only text and PNG/JPEG/GIF images are shown]"
_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data|file)\s*:")


def _inert_output(output: dict) -> bool:
    """Keep only the safe MIME types of a rich output; True when something was removed."""
    data = output.get("data")
    if output.get("output_type") not in ("display_data", "execute_result") or not isinstance(data, dict):
        return False
    unsafe = sorted(k for k in data if k not in SAFE_MIME)
    if not unsafe:
        return False
    for kind in unsafe:
        del data[kind]
    if "text/plain" not in data:
        data["text/plain"] = REMOVED.format(kinds=", ".join(unsafe))
    output.get("metadata", {}).clear()
    return True


def inert_markdown(source: str) -> str:
    """Markdown whose raw HTML shows as text and whose links cannot name a script-capable scheme."""
    # a tag starts with < and a letter, / ! or ?: "x < 0" in a formula or a code span stays as written
    text = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", source)
    return _SCHEME.sub(lambda m: f"{m.group(1)}&#58;", text)


def make_inert(nb: nbformat.NotebookNode) -> int:
    """Strip what could run in a browser from `nb` in place (locked cells are the course's own); return how many
    outputs and cells changed."""
    changed = 0
    for cell in nb.cells:
        cell.get("metadata", {}).pop("jupyter", None)  # widget state and views
        if cell.cell_type == "code":
            changed += sum(_inert_output(o) for o in cell.get("outputs", []))
        elif not meta(cell).get("locked"):
            source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
            new = inert_markdown(source) if cell.cell_type == "markdown" else ""
            if cell.cell_type == "raw" or new != source:
                cell.source, changed = new, changed + 1
            cell.pop("attachments", None)
    nb.metadata.pop("widgets", None)
    return changed


def make_folder_inert(folder: Path) -> int:
    """make_inert on every notebook under `folder`, rewritten in place; the number of changes."""
    total = 0
    for path in sorted(folder.rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        n = make_inert(nb)
        if n:
            nbformat.write(nb, path)
            total += n
    return total
