"""`dlcourse feedback`: one HTML page per student from the autograded notebooks and the gradebook."""

from __future__ import annotations

from pathlib import Path

from .. import gradebook
from .. import nbconfig
from ..errors import CourseError
from ..project import Project
from ..scratch import sqlite_url
from ..syllabus import Lesson


def feedback(project: Project, lesson: Lesson) -> list[Path]:
    """Generate feedback/<student>/<lesson>/<notebook>.html for every autograded student; return the pages."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.converters.base import NbGraderException

    gradebook.require_lesson(project.gradebook, lesson.id)
    if not any(project.autograded.glob(f"*/{lesson.id}/*.ipynb")):
        raise CourseError(f"{project.autograded}: nothing autograded for {lesson.id}; run `dlcourse grade` first")
    config = nbconfig.load_config(project)
    app = nbconfig.make(GenerateFeedback, config, root=project.course, assignment_id=lesson.id,
                        db_url=sqlite_url(project.gradebook))
    app.force = True
    try:
        app.start()
    except NbGraderException as exc:
        raise CourseError(f"{project.feedback}: nbgrader could not write feedback ({exc})") from None
    return sorted(project.feedback.glob(f"*/{lesson.id}/*.html"))
