"""One grading worker: autograde a single submission in a private sandbox (run as `python -m dlcourse.worker`).

The parent starts one worker process per submission under resource limits; the worker never touches the real
gradebook. It writes result.json (scores, diagnoses) beside the autograded notebook for the parent to commit.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

from . import nbconfig
from .diagnosis import diagnose
from .gradebook import read_submission
from .limits import Limits
from .notebooks import is_grade, meta, read_notebook
from .project import Project
from .sandbox import make_sandbox, sqlite_url
from .state import write_json_atomic


def grade_one(job: dict) -> dict:
    """Autograde the submission described by `job`; return the result record."""
    from nbgrader.converters import Autograde

    project = Project(Path(job["project"]))
    lesson, student, work = job["lesson"], job["student"], Path(job["work"])
    started = time.monotonic()
    root = make_sandbox(project, work / "sandbox")
    db = root / "gradebook.db"
    shutil.copyfile(job["template_db"], db)
    shutil.copytree(job["submission"], root / "submitted" / student / lesson)
    config = nbconfig.load_config(project)
    if job.get("cell_timeout"):
        config.Execute.timeout = int(job["cell_timeout"])
    app = nbconfig.make(Autograde, config, root=root, assignment_id=lesson, student_id=student,
                        db_url=sqlite_url(db))
    app.force = True
    app.create_student = True
    app.start()  # raises NbGraderException when nbgrader could not grade the notebook

    scores = read_submission(db, lesson, student)
    diagnoses = {}
    autograded = root / "autograded" / student / lesson
    for nb_path in sorted(autograded.glob("*.ipynb")):
        for cell in read_notebook(nb_path).cells:
            if is_grade(cell) and cell.cell_type == "code":
                diagnoses[f"{nb_path.stem}/{meta(cell)['grade_id']}"] = diagnose(cell)
    return {
        "lesson": lesson,
        "student": student,
        "fingerprint": job["fingerprint"],
        "seconds": round(time.monotonic() - started, 2),
        "autograded_dir": str(autograded),
        "diagnoses": diagnoses,
        **scores,
    }


def main(argv: list[str] | None = None) -> int:
    """Entry point: `python -m dlcourse.worker JOB.json` (writes result.json next to JOB.json)."""
    job_path = Path((argv or sys.argv[1:])[0])
    job = json.loads(job_path.read_text(encoding="utf-8"))
    # Limits first: the kernel nbgrader starts inherits them (address space, CPU seconds, file size).
    Limits(**job.get("limits", {})).apply()
    result = grade_one(job)
    write_json_atomic(job_path.with_name("result.json"), result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
