"""`dlcourse feedback`: one self-contained HTML page per student and notebook, from the autograded notebooks,
the gradebook (manual grades and comments from formgrader included) and the grader's diagnoses.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .. import gradebook
from ..autograde.state import all_results
from ..errors import CourseError
from ..notebooks import is_grade, read_notebook
from ..project import Project
from ..say import progress as bar
from ..scratch import sqlite_url
from ..syllabus import Lesson
from .hide_hidden import HideHiddenTests
from .page import Verdict, page
from ..redact import hidden_lines, lesson_hidden_lines, redact
from .sanitize import static_notebook


@dataclass
class FeedbackRun:
    """What a feedback run wrote, and who got no page (with the reason)."""

    pages: list[Path] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    pending: dict[str, list[str]] = field(default_factory=dict)  # student -> exercises awaiting a manual grade


def _comments(db: Path, lesson: str, student: str) -> dict[tuple[str, str], str]:
    """The instructor's formgrader comments of one submission, by (notebook, cell)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(sqlite_url(db)) as gb:
        try:
            sub = gb.find_submission(lesson, student)
        except MissingEntry:
            return {}
        return {(nb.name, c.name): c.manual_comment for nb in sub.notebooks for c in nb.comments if c.manual_comment}


def verdicts(project: Project, lesson: str, student: str, scores: list[dict] | None = None,
             results: dict[str, dict] | None = None) -> list[Verdict]:
    """The grader's verdict on each graded cell of one student's submission (pass the lesson's scores and
    results when writing many pages: they are read once per lesson)."""
    scores = gradebook.class_scores(project.gradebook, lesson) if scores is None else scores
    results = all_results(project, lesson) if results is None else results
    diagnoses = results.get(student, {}).get("diagnoses", {})
    comments = _comments(project.gradebook, lesson, student)
    return [Verdict(r["notebook"], r["cell"], r["points"], r["max_points"], r["auto"],
                    diagnoses.get(f"{r['notebook']}/{r['cell']}", ""), comments.get((r["notebook"], r["cell"]), ""))
            for r in scores if r["student"] == student]


def learner_view(path: Path, source_hidden: set[str]) -> object:
    """The autograded notebook as a learner may see it: no hidden test anywhere, static outputs only."""
    nb = read_notebook(path)
    secret = hidden_lines(nb) | source_hidden  # before the hidden regions are cut out of the test cells
    hide = HideHiddenTests()
    for index, cell in enumerate(nb.cells):
        hide.preprocess_cell(cell, {}, index)
        for output in cell.get("outputs", []):
            _redact_output(output, secret)
        if not is_grade(cell):
            cell.source = redact(cell.source, secret)
    return static_notebook(nb)


def _redact_output(output: dict, secret: set[str]) -> None:
    """Blank hidden-test lines out of every text an output carries (a learner may print the kernel's history)."""
    for key in ("text", "evalue"):
        if isinstance(output.get(key), str):
            output[key] = redact(output[key], secret)
    if isinstance(output.get("traceback"), list):
        output["traceback"] = [redact(line, secret) for line in output["traceback"]]
    for mime, value in (output.get("data") or {}).items():
        if isinstance(value, str):
            output["data"][mime] = redact(value, secret)


# nbgrader's release_feedback reads these beside each page to find the learner's copy of the submission (the
# secret names the released file); its own generate_feedback copies them from autograded/ in the same way.
SUBMISSION_FILES = ("timestamp.txt", "submission_secret.txt")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def feedback(project: Project, lesson: Lesson, *, students: list[str] | None = None,
             progress: bool = True) -> FeedbackRun:
    """Write feedback/<student>/<lesson>/<notebook>.html for every autograded student; say who got none."""
    from ..reports.status import lesson_status

    gradebook.require_lesson(project.gradebook, lesson.id)
    graded = sorted({p.parent.parent.name for p in project.autograded.glob(f"*/{lesson.id}/*.ipynb")})
    if not graded:
        raise CourseError(f"{project.autograded}: nothing autograded for {lesson.id}; run `dlcourse grade` first")
    if students:
        missing = [s for s in students if s not in graded]
        if missing:
            raise CourseError(f"{project.autograded}: nothing autograded for {', '.join(missing)} in {lesson.id} "
                              f"(graded: {', '.join(graded)})")
        graded = students
    run = FeedbackRun()
    failed = {s: d for s, what, d in lesson_status(project, lesson).todo if what == "failed"}
    run.failed.update({s: why for s, why in failed.items() if not students or s in students})
    source_hidden = lesson_hidden_lines(project.source_notebooks(lesson.id))
    scores, results = gradebook.class_scores(project.gradebook, lesson.id), all_results(project, lesson.id)
    for student in bar(graded, f"feedback {lesson.id}", enabled=progress):
        mine = verdicts(project, lesson.id, student, scores, results)
        waiting = [f"{v.notebook}/{v.exercise}" for v in mine if v.points is None]
        if waiting:
            run.pending[student] = waiting
        for path in sorted((project.autograded / student / lesson.id).glob("*.ipynb")):
            try:
                nb = learner_view(path, source_hidden)
                text = page(f"{lesson.title} ({path.stem})", student, nb,
                            [v for v in mine if v.notebook == path.stem])
            except (CourseError, ValueError) as exc:
                run.failed[student] = f"{path}: feedback not written ({exc})"
                continue
            out = project.feedback / student / lesson.id / f"{path.stem}.html"
            _write(out, text)
            for name in SUBMISSION_FILES:
                if (path.parent / name).is_file():
                    shutil.copyfile(path.parent / name, out.parent / name)
            run.pages.append(out)
    return run
