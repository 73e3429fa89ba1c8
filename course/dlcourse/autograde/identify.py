"""Which lesson a submitted notebook belongs to, from its nbgrader cell ids (so a wrong file is refused early)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from nbformat import NotebookNode

from ..notebooks import is_grade, is_solution, meta, read_notebook
from ..project import Project
from ..syllabus import load_syllabus


def graded_ids(nb: NotebookNode) -> set[str]:
    """Grade ids of the cells that carry points or answers (shared read-only ids like 'setup' prove nothing)."""
    return {str(meta(c)["grade_id"]) for c in nb.cells
            if meta(c).get("grade_id") and (is_grade(c) or is_solution(c))}


@lru_cache(maxsize=64)
def _lesson_ids(folder: Path, stamp: tuple[float, ...]) -> frozenset[str]:
    """Graded ids of every source notebook in a lesson folder (cached per modification times)."""
    return frozenset(i for path in sorted(folder.glob("*.ipynb")) for i in graded_ids(read_notebook(path)))


def lesson_ids(project: Project, lesson: str) -> frozenset[str]:
    """Graded ids of a lesson's instructor notebooks."""
    folder = project.solutions / lesson
    return _lesson_ids(folder, tuple(p.stat().st_mtime for p in sorted(folder.glob("*.ipynb"))))


def no_grading_metadata(nb: NotebookNode, lesson: str, name: str) -> str | None:
    """Why `nb` cannot be graded at all when no cell carries an nbgrader grade id, or None.

    An editor that strips cell metadata, or cells pasted into a new notebook (another lesson's included), leave
    nothing that says which cell is an answer or a test: the grader cannot restore the released cells around
    them, and nbgrader itself fails with an exception that names no cause. The learner must resubmit.
    """
    if any(meta(cell).get("grade_id") for cell in nb.cells):
        return None
    return (f"not gradable: the notebook has no nbgrader cell metadata (not a copy of lessons/{lesson}/{name}, "
            "or its metadata was stripped); ask the student to resubmit the released notebook")


def wrong_lesson(project: Project, lesson: str, nb: NotebookNode) -> str | None:
    """Why `nb` is not a notebook of `lesson` (naming the lesson it belongs to when known), or None.

    A notebook without nbgrader ids is not judged here (`no_grading_metadata` says why it cannot be graded).
    """
    ids = graded_ids(nb)
    if not ids or ids & lesson_ids(project, lesson):
        return None
    overlap = {other.id: len(ids & lesson_ids(project, other.id)) for other in load_syllabus(project)
               if other.id != lesson and (project.solutions / other.id).is_dir()}
    best = max(overlap, key=lambda k: overlap[k], default=None)
    if best and overlap[best]:
        return f"a notebook of lesson {best}, not {lesson}; ask the learner for the {lesson} notebook"
    return f"not a notebook of {lesson}: none of its graded cells ({', '.join(sorted(ids)[:4])}) belong to it"
