"""Run nbgrader's GenerateAssignment for one lesson into a sandbox and normalise what it writes."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from traitlets.config import Config

from .. import nbconfig
from ..errors import CourseError
from ..project import Project
from ..scratch import make_sandbox, sqlite_url


def normalise(path: Path) -> None:
    """Rewrite a generated notebook canonically so that regenerating from unchanged sources is byte-identical."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        # Editors stamp run times and collapse state into metadata; none of it belongs in a lesson.
        for key in ("execution", "collapsed", "scrolled", "ExecuteTime"):
            cell.get("metadata", {}).pop(key, None)
    nb.get("metadata", {}).pop("widgets", None)
    text = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")


@lru_cache(maxsize=1)
def _alembic_head() -> str:
    """The gradebook schema version, read in this process (nbgrader runs `alembic heads` as a ~3 s subprocess
    every time it creates a gradebook, and check creates a throw-away one per lesson)."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory
    from nbgrader import dbutil

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", dbutil.ALEMBIC_DIR)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    if not head:
        raise CourseError(f"{dbutil.ALEMBIC_DIR}: nbgrader's gradebook migrations have no head revision")
    return head


def generate(project: Project, config: Config, lesson: str, where: Path, db: Path | None = None) -> Path:
    """Generate the student version of `lesson` under where/lessons/<lesson>; return that folder.

    `db` is the gradebook to record the lesson's cells in (the real one on release); None keeps a private one.
    """
    import nbgrader.api
    from nbgrader.converters import GenerateAssignment
    from nbgrader.converters.base import NbGraderException

    nbgrader.api.get_alembic_version = _alembic_head  # same answer, no subprocess
    root = make_sandbox(project, where)
    db_url = sqlite_url(db if db is not None else root / "gradebook.db")
    app = nbconfig.make(GenerateAssignment, config, root=root, assignment_id=lesson, db_url=db_url)
    app.force = True
    app.create_assignment = True
    try:
        app.start()
    except NbGraderException as exc:
        raise CourseError(f"{project.solutions / lesson}: nbgrader could not generate the lesson ({exc})") from None
    out = where / "lessons" / lesson
    for nb in sorted(out.rglob("*.ipynb")):
        normalise(nb)
    return out
