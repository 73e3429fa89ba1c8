"""A throw-away course root beside the real one, so generating or grading never touches real state by accident."""

from __future__ import annotations

import os
from pathlib import Path

from .project import Project


def make_sandbox(project: Project, where: Path) -> Path:
    """Create where/course (empty nbgrader root) with where/solutions linked to the real source; return the root."""
    root = where / "course"
    root.mkdir(parents=True, exist_ok=True)
    link = where / "solutions"
    if not link.exists():
        # The config says source_directory = "../solutions"; a link keeps that relative path valid here.
        os.symlink(project.solutions.resolve(), link, target_is_directory=True)
    (where / "lessons").mkdir(exist_ok=True)
    return root


def sqlite_url(path: Path) -> str:
    """An SQLAlchemy URL for an SQLite file."""
    return f"sqlite:///{path.resolve()}"
