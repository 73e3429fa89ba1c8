"""The syllabus (course/syllabus.toml): the single source of lesson order, titles, points and time budgets."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

from .errors import CourseError
from .project import Project

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, from the `tomli` backport (a dev dependency)
    import tomli as tomllib

LESSON_ID = re.compile(r"^\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Lesson:
    """One syllabus entry."""

    id: str
    title: str
    points: float
    minutes: int
    objectives: tuple[str, ...] = field(default_factory=tuple)


def load_syllabus(project: Project) -> list[Lesson]:
    """Read and validate the syllabus; lessons come back in course order."""
    path = project.syllabus
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CourseError(f"{path}: syllabus not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise CourseError(f"{path}: not valid TOML ({exc})") from None
    lessons = []
    for i, entry in enumerate(data.get("lessons", [])):
        try:
            lesson = Lesson(
                id=str(entry["id"]),
                title=str(entry["title"]),
                points=float(entry["points"]),
                minutes=int(entry["minutes"]),
                objectives=tuple(entry.get("objectives", ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CourseError(f"{path}: lesson #{i + 1} needs id, title, points and minutes ({exc!r})") from None
        if not LESSON_ID.match(lesson.id):
            raise CourseError(f"{path}: lesson id {lesson.id!r} must look like '01-linear-regression'")
        lessons.append(lesson)
    ids = [lesson.id for lesson in lessons]
    if ids != sorted(ids) or len(set(ids)) != len(ids):
        raise CourseError(f"{path}: lesson ids must be unique and listed in sorted (course) order: {ids}")
    return lessons


def resolve_lessons(project: Project, names: list[str] | None) -> list[Lesson]:
    """Map lesson ids from the command line to syllabus entries (all lessons when none are named)."""
    lessons = load_syllabus(project)
    by_id = {lesson.id: lesson for lesson in lessons}
    if not names:
        return lessons
    chosen = []
    for name in names:
        name = name.strip("/").split("/")[-1]  # accept "solutions/01-x/" as typed with tab completion
        if name not in by_id:
            known = ", ".join(by_id) or "none"
            raise CourseError(f"unknown lesson {name!r}: not listed in {project.syllabus} (known: {known})")
        chosen.append(by_id[name])
    return chosen


def require_source(project: Project, lesson: Lesson) -> None:
    """Fail clearly when a syllabus lesson has no instructor notebook yet."""
    folder = project.solutions / lesson.id
    if not folder.is_dir():
        raise CourseError(f"{folder}: lesson {lesson.id!r} is in the syllabus but has no source folder")
    if not project.source_notebooks(lesson.id):
        raise CourseError(f"{folder}: no .ipynb notebooks in the source folder of lesson {lesson.id!r}")
