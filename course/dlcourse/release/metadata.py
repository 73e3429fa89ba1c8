"""Static sanity checks of an instructor notebook's nbgrader metadata (no kernel needed)."""

from __future__ import annotations

from collections import Counter

from nbformat import NotebookNode

from ..notebooks import HIDDEN, is_grade, is_solution, meta

KERNEL = "python3"


def metadata_problems(nb: NotebookNode) -> list[str]:
    """Every metadata problem of a source notebook, each as one readable line (empty: sane)."""
    problems = []
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != KERNEL:
        problems.append(f"kernelspec name is {kernel!r}, the course pins {KERNEL!r}")
    ids = [meta(c).get("grade_id") for c in nb.cells if meta(c)]
    for grade_id, count in Counter(ids).items():
        if count > 1:
            problems.append(f"grade id {grade_id!r} is used by {count} cells (ids must be unique)")
    waiting_for_test: str | None = None  # the answer cell that still needs a test after it
    for index, cell in enumerate(nb.cells, start=1):
        m = meta(cell)
        where = f"cell {index} ({m.get('grade_id', cell.get('id', '?'))})"
        if cell.cell_type == "code" and cell.get("outputs"):
            problems.append(f"{where}: has stored outputs (commit notebooks cleared)")
        if is_grade(cell):
            points = m.get("points")
            if not isinstance(points, (int, float)) or points <= 0:
                problems.append(f"{where}: a graded cell needs points > 0 (has {points!r})")
        has_hidden = HIDDEN[0] in cell.source
        if has_hidden and not (is_grade(cell) and not is_solution(cell)):
            problems.append(f"{where}: hidden tests outside an autograded test cell")
        if cell.cell_type != "code":
            continue
        if is_solution(cell) and not is_grade(cell):
            if waiting_for_test:
                problems.append(f"{waiting_for_test}: answer cell has no test cell before the next answer")
            waiting_for_test = where
        elif is_grade(cell):
            if not has_hidden:
                problems.append(f"{where}: test cell has no ### BEGIN HIDDEN TESTS region")
            waiting_for_test = None
    if waiting_for_test:
        problems.append(f"{waiting_for_test}: answer cell has no test cell after it")
    return problems


def total_points(nb: NotebookNode) -> float:
    """Sum of the points of every graded cell."""
    return float(sum(meta(c).get("points", 0) for c in nb.cells if is_grade(c)))
