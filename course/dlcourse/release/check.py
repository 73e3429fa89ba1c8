"""`dlcourse check`: prove a lesson's grader right before students ever see it."""

from __future__ import annotations

import filecmp
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from traitlets.config import Config

from .. import nbconfig
from ..notebooks import read_notebook
from ..project import Project
from ..say import progress as bar
from ..syllabus import Lesson, require_source
from .generate import generate
from .metadata import metadata_problems, total_points
from .ignore import ignore_patterns, ignored
from .release import leaks_in
from .validate import validate_apart


def sync_problems(fresh: Path, released: Path, patterns: list[str] = ()) -> list[str]:
    """Differences between a freshly generated lesson folder and the committed lessons/ folder."""
    if not released.is_dir():
        return [f"{released}: missing; run `dlcourse release`"]
    files = lambda root: {p.relative_to(root) for p in root.rglob("*")  # noqa: E731
                          if p.is_file() and not ignored(p.relative_to(root), list(patterns))}
    want, have = files(fresh), files(released)
    problems = [f"{released / rel}: missing" for rel in sorted(want - have)]
    problems += [f"{released / rel}: not generated from solutions/ (stale?)" for rel in sorted(have - want)]
    problems += [
        f"{released / rel}: differs from what `dlcourse release` makes (edited by hand, or solutions changed)"
        for rel in sorted(want & have)
        if not filecmp.cmp(fresh / rel, released / rel, shallow=False)
    ]
    return problems


def static_problems(project: Project, config: Config, lesson: Lesson, where: Path) -> tuple[list[str], Path]:
    """Metadata, points, sync and leak problems of one lesson, and the freshly generated student folder."""
    require_source(project, lesson)
    problems: list[str] = []
    points = 0.0
    for source in project.source_notebooks(lesson.id):
        nb = read_notebook(source)
        problems += [f"{source}: {p}" for p in metadata_problems(nb)]
        points += total_points(nb)
    if abs(points - lesson.points) > 1e-9:
        problems.append(f"{project.syllabus}: {lesson.id} lists {lesson.points:g} points, notebooks carry {points:g}")
    fresh = generate(project, config, lesson.id, where)
    problems += sync_problems(fresh, project.lessons / lesson.id, ignore_patterns(config))
    problems += leaks_in(project, lesson.id, fresh)
    return problems, fresh


def check_lessons(project: Project, lessons: list[Lesson], *, execute: bool = True, jobs: int = 2,
                  progress: bool = True) -> Iterator[tuple[Lesson, list[str], float]]:
    """(lesson, problems, seconds until its verdict) for each lesson, in order; empty problems: ready.

    The notebook executions (the solution must pass, the fresh student version must fail) run in `jobs` child
    processes while this one generates and compares the next lesson, so two cores finish a lesson in about the
    time of its slower notebook.
    """
    config = nbconfig.load_config(project)
    for lesson in lessons:
        require_source(project, lesson)
    runs: dict[str, list[tuple[Path, Future[list[str]]]]] = defaultdict(list)
    steps = sum(1 + (2 * len(project.source_notebooks(lesson.id)) if execute else 0) for lesson in lessons)
    meter = bar(iter(()), "checking", total=steps, enabled=progress)
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=jobs) as pool, tempfile.TemporaryDirectory(prefix="dlcourse-check-") as tmp:

        def submit(lesson: Lesson, shown: Path, path: Path, invert: bool) -> None:
            future = pool.submit(validate_apart, project.root, path, invert=invert)
            future.add_done_callback(lambda _f: meter.update(1))  # type: ignore[attr-defined]
            runs[lesson.id].append((shown, future))

        if execute:  # the solutions need nothing generated: start them first
            for lesson in lessons:
                for source in project.source_notebooks(lesson.id):
                    submit(lesson, source, source, False)
        found: dict[str, list[str]] = {}
        for lesson in lessons:
            found[lesson.id], fresh = static_problems(project, config, lesson, Path(tmp) / lesson.id)
            meter.update(1)  # type: ignore[attr-defined]
            if execute:
                # Judge the freshly generated student version, so this holds even when lessons/ is stale.
                for source in project.source_notebooks(lesson.id):
                    submit(lesson, project.lessons / lesson.id / source.name, fresh / source.name, True)
        for lesson in lessons:
            problems = found[lesson.id] + [f"{shown}: {p}" for shown, future in runs[lesson.id]
                                           for p in future.result()]
            yield lesson, problems, time.monotonic() - start
    meter.close()  # type: ignore[attr-defined]


def check_lesson(project: Project, lesson: Lesson, *, execute: bool = True) -> list[str]:
    """All problems found in one lesson (empty list: the lesson is ready to release and grade)."""
    return next(check_lessons(project, [lesson], execute=execute, progress=False))[1]
