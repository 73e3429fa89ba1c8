"""`dlcourse check`: prove a lesson's grader right before students ever see it."""

from __future__ import annotations

import filecmp
import tempfile
from pathlib import Path

from .. import nbconfig
from .generate import generate
from .metadata import metadata_problems, total_points
from ..notebooks import read_notebook
from ..project import Project
from .release import leaks_in
from ..syllabus import Lesson, require_source
from .validate import validate


def sync_problems(fresh: Path, released: Path) -> list[str]:
    """Differences between a freshly generated lesson folder and the committed lessons/ folder."""
    if not released.is_dir():
        return [f"{released}: missing; run `dlcourse release`"]
    want = {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
    have = {p.relative_to(released) for p in released.rglob("*") if p.is_file()}
    problems = [f"{released / rel}: missing" for rel in sorted(want - have)]
    problems += [f"{released / rel}: not generated from solutions/ (stale?)" for rel in sorted(have - want)]
    problems += [
        f"{released / rel}: differs from what `dlcourse release` makes (edited by hand, or solutions changed)"
        for rel in sorted(want & have)
        if not filecmp.cmp(fresh / rel, released / rel, shallow=False)
    ]
    return problems


def check_lesson(project: Project, lesson: Lesson, *, execute: bool = True) -> list[str]:
    """All problems found in one lesson (empty list: the lesson is ready to release and grade)."""
    require_source(project, lesson)
    config = nbconfig.load_config(project)
    problems: list[str] = []
    points = 0.0
    for source in project.source_notebooks(lesson.id):
        nb = read_notebook(source)
        problems += [f"{source}: {p}" for p in metadata_problems(nb)]
        points += total_points(nb)
    if abs(points - lesson.points) > 1e-9:
        problems.append(f"{project.syllabus}: {lesson.id} lists {lesson.points:g} points, notebooks carry {points:g}")
    with tempfile.TemporaryDirectory(prefix="dlcourse-check-") as tmp:
        fresh = generate(project, config, lesson.id, Path(tmp))
        problems += sync_problems(fresh, project.lessons / lesson.id)
        problems += leaks_in(project, lesson.id, fresh)
        if execute:
            for source in project.source_notebooks(lesson.id):
                problems += [f"{source}: {p}" for p in validate(source, config)]
                student = fresh / source.name
                # Judge the freshly generated student version, so this holds even when lessons/ is stale.
                problems += [f"{project.lessons / lesson.id / source.name}: {p}"
                             for p in validate(student, config, invert=True)]
    return problems
