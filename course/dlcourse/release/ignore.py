"""What in a lesson folder is clutter (editor checkpoints, caches), by the course's ignore patterns."""

from __future__ import annotations

import fnmatch
from pathlib import Path

from traitlets.config import Config


def ignored(rel: Path, patterns: list[str]) -> bool:
    """Whether a path inside a lesson folder is editor or OS clutter (nbgrader's CourseDirectory.ignore)."""
    return any(fnmatch.fnmatch(part, pattern) for part in rel.parts for pattern in patterns)


def ignore_patterns(config: Config) -> list[str]:
    """The course's ignore patterns (JupyterLab's .ipynb_checkpoints among them)."""
    patterns = config.CourseDirectory.get("ignore", None)
    return list(patterns) if patterns else [".ipynb_checkpoints", "*.pyc", "__pycache__", ".DS_Store"]
