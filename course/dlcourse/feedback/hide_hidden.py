"""nbconvert preprocessors used by the course config (feedback that keeps hidden tests hidden)."""

from __future__ import annotations

from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List

from ..notebooks import HIDDEN, is_grade, split_regions


class HideHiddenTests(NbGraderPreprocessor):
    """Remove hidden-test regions from test cells and cut their tracebacks down to the final message."""

    # Re-declared as configurable (as nbgrader's GetGrades does) so the HTML exporter's setting is accepted quietly.
    display_data_priority = List(["text/html", "application/pdf", "text/latex", "image/svg+xml", "image/png",
                                  "image/jpeg", "text/plain"]).tag(config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        """Rewrite one cell (test cells only; everything else passes through)."""
        if not is_grade(cell) or cell.cell_type != "code":
            return cell, resources
        if HIDDEN[0] in cell.source:
            _, visible = split_regions(cell.source, HIDDEN)
            cell.source = "\n".join(visible).rstrip()
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                # A traceback quotes the failing source line, which for a hidden test is the hidden test.
                message = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".rstrip(": ")
                output["traceback"] = [message]
        return cell, resources
