"""One grading worker: autograde a single submission in a private sandbox (run as `python -m dlcourse.autograde.worker`).

The parent starts one worker process per submission under resource limits; the worker never touches the real
gradebook. It writes result.json (scores, diagnoses) beside the autograded notebook for the parent to commit.
"""

from __future__ import annotations

import hashlib
from copy import deepcopy
import hmac
import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path

from .execute import ContainedExecute
from .verdict import SaveVerdicts
from . import containment
from .. import nbconfig
from .diagnosis import diagnose
from .inert import make_folder_inert
from ..gradebook import read_submission
from .limits import Limits
from ..notebooks import is_grade, meta, read_notebook
from ..project import Project
from ..scratch import make_sandbox, sqlite_url
from .kernelspec import install_kernel
from .namespaces import die_with_parent
from .state import GRADER_PID, write_json_atomic


def grade_one(job: dict, secret: bytes = b"") -> dict:
    """Autograde the submission described by `job` (hidden cases drawn from `secret`); return the result record."""
    from nbgrader.converters import Autograde

    project = Project(Path(job["project"]))
    lesson, student, work = job["lesson"], job["student"], Path(job["work"])
    started = time.monotonic()
    root = make_sandbox(project, work / "sandbox")
    db = root / "gradebook.db"
    shutil.copyfile(job["template_db"], db)
    shutil.copytree(job["submission"], root / "submitted" / student / lesson)
    flags: list[str] = []
    for nb_path in sorted((root / "submitted" / student / lesson).glob("*.ipynb")):
        flags += _normalise(nb_path, Path(job["project"]) / "lessons" / lesson / nb_path.name)
    config = nbconfig.load_config(project)
    if job.get("cell_timeout"):
        config.Execute.timeout = int(job["cell_timeout"])
    flags_file = work / "flags.json"
    _contain_config(config, job, work, secret, flags_file)
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
    make_folder_inert(autograded)  # formgrader shows these in the instructor's browser
    return {
        "lesson": lesson,
        "student": student,
        "fingerprint": job["fingerprint"],
        "seconds": round(time.monotonic() - started, 2),
        "autograded_dir": str(autograded),
        "diagnoses": diagnoses,
        "flags": flags + (json.loads(flags_file.read_text(encoding="utf-8")) if flags_file.exists() else []),
        **scores,
    }


def _normalise(path: Path, released: Path | None = None) -> list[str]:
    """Upgrade an old-format notebook to v4 and drop the grading metadata of duplicated cells (first one wins),
    flagging each repair, so nbgrader grades what it can instead of rejecting the notebook. Locked test cells
    edited or deleted (the grader judges the originals anyway) or moved out of their order are flagged against
    the released student version. Returns the flags."""
    import nbformat

    nb = read_notebook(path)
    flags: list[str] = []
    if released is not None and released.is_file():
        mine = {meta(c).get("grade_id"): c for c in nb.cells if meta(c).get("grade_id")}
        order = [g for g in (meta(c).get("grade_id") for c in nb.cells) if g]
        tests = []
        for cell in read_notebook(released).cells:
            m = meta(cell)
            if not (m.get("grade") and m.get("locked") and not m.get("solution")):
                continue
            gid = m.get("grade_id")
            tests.append(gid)
            if gid not in mine:
                flags.append(f"{path.stem}: locked test cell {gid!r} deleted; the original was judged")
            elif mine[gid].source.strip() != cell.source.strip():
                flags.append(f"{path.stem}: locked test cell {gid!r} edited; the original was judged")
        present = [g for g in order if g in tests]
        if present != [g for g in tests if g in present]:
            flags.append(f"{path.stem}: test cells moved out of their released order (each test is judged "
                         "where it stands; check the order by hand)")
        restored = _restore_deleted(nb, read_notebook(released), path.stem, flags)
    else:
        restored = False
    changed = restored or json.loads(path.read_text(encoding="utf-8")).get("nbformat", 4) < 4
    seen: set[str] = set()
    for cell in nb.cells:
        gid = meta(cell).get("grade_id")
        if gid and gid in seen:
            cell.metadata.pop("nbgrader", None)
            flags.append(f"{path.stem}: duplicated cell {gid!r}: later copies ignored")
            changed = True
        elif gid:
            seen.add(gid)
    if not changed:
        return flags  # leave a well-formed notebook byte for byte as submitted
    ids: set[str] = set()
    for i, cell in enumerate(nb.cells):
        if cell.get("id") in ids or not cell.get("id"):
            cell["id"] = f"cell-{i}"
        ids.add(cell["id"])
    nbformat.write(nb, path)
    return flags


def _restore_deleted(nb, released, stem: str, flags: list[str]) -> bool:
    """Put every graded cell of the released version that the submission lacks back after the nearest earlier
    released cell it still has; True when any was. nbgrader restores deleted grade cells itself only after a
    cell of its own kind and fails on the whole notebook otherwise (a test cell after a locked demo cell)."""
    have = {meta(c).get("grade_id") for c in nb.cells} - {None}
    if not have:  # no grading metadata at all: grade.unusable refuses it before a worker starts
        return False
    ids = {c.get("id") for c in nb.cells}
    before: str | None = None
    restored = False
    for cell in released.cells:
        m = meta(cell)
        gid = m.get("grade_id")
        if gid is None:
            continue
        if gid not in have and m.get("grade"):
            at = next((i + 1 for i, c in enumerate(nb.cells) if before and meta(c).get("grade_id") == before), 0)
            copy = deepcopy(cell)
            if copy.get("id") in ids:
                copy["id"] = f"restored-{gid}"
            nb.cells.insert(at, copy)
            have.add(gid)
            restored = True
            if m.get("solution"):  # a graded answer (a test cell's deletion is flagged above)
                flags.append(f"{stem}: graded answer cell {gid!r} deleted; graded as the blank released cell")
        if gid in have:
            before = gid
    return restored


def _contain_config(config, job: dict, work: Path, secret: bytes, flags_file: Path) -> None:
    """Run the notebook with the contained Execute, through the containing kernel launcher; test cells are
    judged by the grader (hidden cases from `secret`) and their verdicts are the only scores saved."""
    limits = Limits(**job.get("limits", {}))
    box = dict(job.get("box") or {"slot": 0})
    box.setdefault("scratch", str(work / "kernel"))
    cfg = config.ContainedExecute
    for key, value in config.Execute.items():  # the course's Execute settings (timeout, kernel, arguments)
        cfg[key] = value
    cfg.notebook_timeout = float(limits.wall_s)
    cfg.secret = secret
    cfg.flags_file = str(flags_file)
    cfg.memory_mb = limits.memory_mb
    if box.get("user"):
        cfg.sandbox_uid = int(box["user"][1])
    memory = [p for p in box.get("cgroups", []) if "/memory/" in p]
    if memory:
        cfg.memory_cgroup = memory[0]
    # SaveVerdicts before ClearMetadataPreprocessor: it reads the verdict the grader put in each test cell.
    config.Autograde.autograde_preprocessors = [
        ContainedExecute, "nbgrader.preprocessors.IgnorePattern", SaveVerdicts,
        "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
        "nbgrader.preprocessors.AssignLatePenalties", "nbgrader.preprocessors.CheckCellMetadata",
    ]
    for key, value in install_kernel(box, work).items():  # ZMQ over unix sockets when the kernel has no network
        setattr(config.KernelManager, key, value)


def tie_to_grader() -> bool:
    """Die with the process that started this worker ($DLCOURSE_GRADER_PID); False when it is already gone.

    A worker outliving a killed grade run would go on writing into the folder where the resumed run grades the
    same submission (nbgrader replaces its autograded folder), and the resumed run's commit would find it gone."""
    parent = os.environ.get(GRADER_PID)
    if not parent:
        return True
    die_with_parent(signal.SIGKILL)
    return os.getppid() == int(parent)  # not so when that process died before the line above took effect


def main(argv: list[str] | None = None) -> int:
    """Entry point: `python -m dlcourse.autograde.worker JOB.json` (writes result.json next to JOB.json).

    The grading run's secret arrives as one hex line on stdin: never in a file or the environment, where the
    graded kernel might find it."""
    if not tie_to_grader():
        return 3
    secret = bytes.fromhex(sys.stdin.readline().strip() or "")
    return run(Path((argv or sys.argv[1:])[0]), secret)


def run(job_path: Path, secret: bytes) -> int:
    """Grade the job at job_path with the run's secret, in this process; write result.json beside it; return 0.
    (main, or a worker forked by dlcourse.autograde.forkserver, has tied this process to the grade run.)"""
    job = json.loads(job_path.read_text(encoding="utf-8"))
    # Limits first: the kernel nbgrader starts inherits them (address space, CPU seconds, file size, files);
    # then the job's cgroups (process count, memory of the worker, the kernel and all it starts).
    Limits(**job.get("limits", {})).apply()
    containment.join_cgroups((job.get("box") or {}).get("cgroups", []))
    if secret:  # each student's own hidden cases: copying another's outputs, or colluding, gains nothing
        secret = hmac.new(secret, job["student"].encode(), hashlib.sha256).digest()
    result = grade_one(job, secret)
    write_json_atomic(job_path.with_name("result.json"), result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
