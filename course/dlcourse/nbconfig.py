"""Load course/nbgrader_config.py and build nbgrader converters from it, pointed at any course root."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any, TypeVar

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from .errors import CourseError
from .project import CONFIG_NAME, Project

T = TypeVar("T")

# nbgrader logs every copied file at INFO; the CLI prints its own concise progress instead.
QUIET = logging.getLogger("dlcourse.nbgrader")
QUIET.setLevel(logging.WARNING)


def prepare_environment() -> None:
    """Put this interpreter's bin/ first on PATH: nbgrader shells out to `alembic`, which lives beside python."""
    bindir = os.path.dirname(sys.executable)
    path = os.environ.get("PATH", "")
    if path.split(os.pathsep)[0] != bindir:
        os.environ["PATH"] = bindir + os.pathsep + path


def load_config(project: Project) -> Config:
    """The course's nbgrader configuration as a traitlets Config."""
    path = project.course / CONFIG_NAME
    try:
        return PyFileConfigLoader(CONFIG_NAME, path=str(project.course)).load_config()
    except Exception as exc:  # traitlets raises several types for a broken file; all mean "fix this file"
        raise CourseError(f"{path}: could not load nbgrader config ({exc})") from None


def make(cls: type[T], config: Config, *, root: Path | None = None, **coursedir: Any) -> T:
    """Instantiate an nbgrader converter class with a CourseDirectory configured from `config`."""
    from nbgrader.coursedir import CourseDirectory

    prepare_environment()
    cfg = Config(config)
    if root is not None:
        cfg.CourseDirectory.root = str(root)
    for key, value in coursedir.items():
        setattr(cfg.CourseDirectory, key, value)
    cd = CourseDirectory(config=cfg, log=QUIET)
    return cls(coursedir=cd, config=cfg, log=QUIET)  # type: ignore[call-arg]
