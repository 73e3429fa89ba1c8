"""Prove a student notebook holds no solution code, model answer or hidden test from its source."""

from __future__ import annotations

import re

from nbformat import NotebookNode

from ..notebooks import HIDDEN, SOLUTION, is_grade, is_solution, split_regions

MARKERS = (*SOLUTION, *HIDDEN, "hidden=True")


def _secret_and_public_lines(source_nb: NotebookNode) -> tuple[set[str], set[str]]:
    """Lines only the instructor may see, and lines anyone may see, of a source notebook."""
    secret: set[str] = set()
    public: set[str] = set()
    for cell in source_nb.cells:
        text = cell.source
        if is_solution(cell):
            inside, outside = split_regions(text, SOLUTION)
            has_region = any(SOLUTION[0] in line for line in text.splitlines())
            # Without delimiters nbgrader replaces the whole cell, so all of it is secret.
            secret.update(inside if has_region else text.splitlines())
            public.update(outside if has_region else ())
        elif is_grade(cell):
            inside, outside = split_regions(text, HIDDEN)
            secret.update(inside)
            public.update(outside)
        else:
            public.update(text.splitlines())
    norm = lambda lines: {line.strip() for line in lines}  # noqa: E731 - local shorthand
    secret, public = norm(secret), norm(public)
    # A line shared with visible text (a blank, `return w, b` written both ways) proves nothing.
    secret = {line for line in secret - public if len(re.findall(r"\w", line)) >= 3}
    return secret, public


def find_leaks(source_nb: NotebookNode, student_nb: NotebookNode) -> list[str]:
    """Describe every secret line or nbgrader marker found in the student notebook (empty list: clean)."""
    secret, _ = _secret_and_public_lines(source_nb)
    leaks = []
    for index, cell in enumerate(student_nb.cells):
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped in secret:
                leaks.append(f"cell {index + 1}: solution or hidden-test line {stripped!r}")
            elif any(marker in line for marker in MARKERS):
                leaks.append(f"cell {index + 1}: nbgrader marker left in {stripped!r}")
        for output in cell.get("outputs", []):
            leaks.append(f"cell {index + 1}: has a stored {output.get('output_type', 'output')} output")
            break
    return leaks
