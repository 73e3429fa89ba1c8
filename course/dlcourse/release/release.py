"""`dlcourse release`: regenerate lessons/ from solutions/, refuse to publish anything that leaks."""

from __future__ import annotations

import filecmp
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from .. import nbconfig
from ..errors import CourseError
from .generate import generate
from .leaks import find_leaks
from ..notebooks import read_notebook
from ..project import Project
from ..say import progress as bar
from ..syllabus import Lesson, require_source


def _sync_tree(src: Path, dst: Path, keep: Callable[[Path], bool] = lambda rel: False) -> list[str]:
    """Make dst equal src, writing only files whose bytes differ; return the relative paths changed.

    Files for which `keep(relative path)` is true (an editor's .ipynb_checkpoints) are left alone."""
    changed = []
    dst.mkdir(parents=True, exist_ok=True)
    wanted = {p.relative_to(src) for p in src.rglob("*") if p.is_file()}
    for rel in sorted(wanted):
        target = dst / rel
        if target.is_file() and filecmp.cmp(src / rel, target, shallow=False):
            continue  # untouched bytes keep their mtime, so editors and git see nothing happen
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, target)
        changed.append(str(rel))
    for path in sorted(dst.rglob("*"), reverse=True):
        rel = path.relative_to(dst)
        if path.is_file() and rel not in wanted and not keep(rel):
            path.unlink()
            changed.append(f"{rel} (removed)")
    return changed


def leaks_in(project: Project, lesson: str, released: Path) -> list[str]:
    """Leak report for every notebook of a lesson's released folder, each line naming the file."""
    problems = []
    for source in project.source_notebooks(lesson):
        student = released / source.name
        if not student.is_file():
            problems.append(f"{student}: missing from the released lesson")
            continue
        problems += [f"{student}: {leak}" for leak in find_leaks(read_notebook(source), read_notebook(student))]
    return problems


def release(project: Project, lessons: list[Lesson], *, progress: bool = False) -> dict[str, list[str]]:
    """Regenerate each lesson's student folder and record it in the gradebook; return changed files per lesson."""
    from .ignore import ignore_patterns, ignored

    config = nbconfig.load_config(project)
    patterns = ignore_patterns(config)
    changes: dict[str, list[str]] = {}
    for lesson in bar(lessons, "releasing", enabled=progress):
        require_source(project, lesson)
        with tempfile.TemporaryDirectory(prefix="dlcourse-release-") as tmp:
            fresh = generate(project, config, lesson.id, Path(tmp), db=project.gradebook)
            problems = leaks_in(project, lesson.id, fresh)
            if problems:
                # Nothing is published: lessons/ keeps its previous (clean) state.
                raise CourseError("refusing to release, the student version leaks:\n  " + "\n  ".join(problems))
            changes[lesson.id] = _sync_tree(fresh, project.lessons / lesson.id, lambda rel: ignored(rel, patterns))
    return changes
