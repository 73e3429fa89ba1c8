"""Run the attack suite through the instructor's real commands, in a throw-away copy of the course:

    dlcourse release 01  →  collect (a folder, then a zip)  →  grade the controls  →  grade the attackers (the
    colluding pairs together in one run, every one of them at once)  →  grade the controls again (--force)
    →  feedback  →  export

and keep everything the verdicts need: the commands' outputs, the gradebook, the result files, the pages, the CSV.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from tests.course import submissions as S
from tests.course.conftest import REPO, copy_course, dlcourse

from .catalogue import (
    ANSWER_TESTS,
    LESSON,
    MAIN,
    NOTEBOOK,
    PAIRS,
    SIGNATURES,
    WRONG,
    Attack,
)
from .collect import lie_about_sizes

# Attackers per grade run: each run pays its own start (the parent, two warm fork servers: about 5 s of CPU), and
# a run of 10 took 26-55 s on 2 busy cores, so 20 stay far inside conftest's 600 s limit on one command.
CHUNK = 20
JOBS = 2  # grading slots of each run (the pairs' run has one per student)
GRADE_OPTIONS = ("--no-progress", "--cell-timeout", "20", "--notebook-timeout", "420",
                 "--memory-mb", "2048")

# Honest submissions: graded before the attackers (and again after them), and inside the attackers' run, first
# and last by name. The partial one has mse_gradients and normal_equations wrong: 1+1+0+1+2+0 = 5 of 9 (gd_step
# and train_linear are judged with the grader's versions of what they call, so one mistake costs points once).
# The noisy one is the solution whose predict warns and prints to stderr while graded (nbgrader alone would
# give that test zero).
PARTIAL_WRONG = ("mse-gradients", "normal-equations")
CONTROLS_BEFORE_AFTER = {"ctl-solution": 9, "ctl-partial": 5, "ctl-noisy": 9}
CONTROLS_DURING = {"aaa-ctl-first": 9, "zzz-ctl-last": 9}
CONTROLS = {**CONTROLS_BEFORE_AFTER, **CONTROLS_DURING}


def solution_answers(solution: NotebookNode) -> dict[str, str]:
    """The instructor's answer of every answer cell, without the solution markers."""
    out = {}
    for cell in solution.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in ANSWER_TESTS:
            out[gid] = "\n".join(line for line in cell.source.splitlines()
                                 if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line) + "\n"
    return out


def wrong_answers() -> dict[str, str]:
    return {cell: f"import numpy as np\n\ndef {SIGNATURES[cell]}:\n    {WRONG[cell]}\n" for cell in WRONG}


@dataclass
class Run:
    """Everything one run of the suite produced."""

    root: Path
    attacks: list[Attack]
    commands: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    written: dict[str, list[str]] = field(default_factory=dict)   # collect attacks: the names they wrote
    digests: dict[str, str] = field(default_factory=dict)         # controls' submissions as collected
    seconds: float = 0.0

    # ------------------------------------------------------------------------------------------ reading back
    @property
    def course(self) -> Path:
        return self.root / "course"

    def scores(self, student: str) -> dict[str, float | None]:
        return S.scores(self.root, student)

    def result(self, student: str) -> dict | None:
        path = self.course / ".grade-state" / LESSON / "results" / f"{student}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    def flags(self, student: str) -> list[str]:
        result = self.result(student)
        return list(result.get("flags", [])) if result else []

    def grade_outputs(self) -> str:
        return "\n".join(p.stdout + p.stderr for k, p in self.commands.items() if k.startswith("grade"))

    def _summary(self, title: str) -> dict[str, list[str]]:
        """Lines of one section of the grade summaries ('flagged' or 'not graded'), by student."""
        out: dict[str, list[str]] = {}
        section = False
        for line in self.grade_outputs().splitlines():
            if not line.startswith("  "):
                section = line.startswith(title)
            elif section and ": " in line:
                student, text = line[2:].split(": ", 1)
                out.setdefault(student, []).append(text)
        return out

    def failed(self, student: str) -> str:
        """Why a grade run could not grade this student ('' when it was graded)."""
        return "; ".join(self._summary("not graded").get(student, []))

    def in_summary(self, student: str) -> bool:
        """Does a grade summary name this student under 'flagged' or 'not graded'?"""
        flagged = self._summary("flagged")
        # A flag most graded students share is one line, 'every student (N): ...' or 'N students: ...'.
        return student in flagged or student in self._summary("not graded") or \
            any(k.startswith("every student") or k.endswith(" students") and k.split()[0].isdigit() for k in flagged)

    def totals(self, student: str) -> dict[str, str]:
        """The student's auto total in each grade run that graded it, as the summary table printed it."""
        out = {}
        for key, proc in self.commands.items():
            if key.startswith("grade"):
                for line in proc.stdout.splitlines():
                    words = line.split()
                    if len(words) >= 3 and words[0] == student and words[1] == "graded":
                        out[key] = words[2]
        return out

    def notebook(self, student: str) -> dict | None:
        path = self.course / "autograded" / student / LESSON / NOTEBOOK
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    def outputs(self, student: str) -> str:
        """Every text output of a student's autograded notebook."""
        nb = self.notebook(student)
        if nb is None:
            return ""
        parts = []
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                text = out.get("text", "")
                parts.append("".join(text) if isinstance(text, list) else text)
                plain = out.get("data", {}).get("text/plain", "")
                parts.append("".join(plain) if isinstance(plain, list) else plain)
        return "\n".join(parts)

    def feedback_page(self, student: str) -> str | None:
        path = self.course / "feedback" / student / LESSON / f"{LESSON}.html"
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def export_files(self) -> dict[str, str]:
        reports = self.course / "reports"
        return {p.name: p.read_text(encoding="utf-8") for p in sorted(reports.glob("grades*.csv"))}

    def export_text(self) -> str:
        return self.export_files().get("grades.csv", "")

    def hidden_lines(self) -> set[str]:
        from dlcourse.redact import lesson_hidden_lines
        from dlcourse.project import Project

        return lesson_hidden_lines(Project(self.root).source_notebooks(LESSON))

    def skipped(self) -> dict[str, str]:
        """Files `collect` skipped, by their name as printed, with the reason."""
        out = {}
        for key in ("collect-folder", "collect-zip"):
            proc = self.commands.get(key)
            for line in (proc.stderr if proc else "").splitlines():
                if line.startswith("  ") and ": " in line:
                    name, why = line[2:].split(": ", 1)
                    out[name] = why
        return out

    @staticmethod
    def shown(name: str) -> str:
        from dlcourse.autograde.collect import shown

        return shown(name)

    def escapes(self) -> list[Path]:
        """Where a path-traversal entry would have landed outside the course."""
        names = ("atk-escape.ipynb", "atk-absolute.ipynb", "atk-up.ipynb")
        places = [self.root.parent, self.root.parent.parent, self.root, self.course, Path("/tmp")]
        return [place / name for place in places for name in names]

    def changed_submissions(self) -> list[str]:
        return [s for s, digest in self.digests.items() if _digest(self._submitted(s)) != digest]

    def _submitted(self, student: str) -> Path:
        return self.course / "submitted" / student / LESSON / NOTEBOOK


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


def _fill(text: str, root: Path, nonce: int) -> str:
    return (text.replace("@@REPO@@", str(REPO)).replace("@@PROJECT@@", str(root))
            .replace("@@NONCE@@", str(nonce)).replace("@@LESSON_NB@@", f"{LESSON}/{NOTEBOOK}"))


def build(attacks: Iterable[Attack], root: Path, inbox: Path, archive: Path, nonce: int) -> dict[str, list[str]]:
    """Write every submission (controls and attacks) into the inbox folder and the class's zip."""
    student, solution = S.load(root)
    good, bad = solution_answers(solution), wrong_answers()
    inbox.mkdir(parents=True)
    for name in CONTROLS:
        answers = {**good, **{c: bad[c] for c in PARTIAL_WRONG}} if name == "ctl-partial" else dict(good)
        if name == "ctl-noisy":
            answers["predict"] = "import sys, warnings\n" + good["predict"].replace(
                "def predict(X, w, b):\n", "def predict(X, w, b):\n    warnings.warn('a harmless warning')\n"
                "    print('note on stderr', file=sys.stderr)\n", 1)
        S.write(S.build(student, answers), inbox / f"{name}.ipynb")
    written: dict[str, list[str]] = {}
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zip-control.ipynb", (root / "lessons" / LESSON / NOTEBOOK).read_bytes())
        for attack in attacks:
            if attack.collect_only:
                written[attack.name] = attack.write(zf, root) if attack.zipped else attack.write(inbox, root)
                continue
            nb = S.build(student, {**good, **{cell: _fill(src, root, nonce) for cell, src in attack.answers.items()}})
            if attack.edit is not None:
                attack.edit(nb)
            nbformat.write(nb, inbox / f"{attack.student}.ipynb")
    if "zip-lying-size" in written:
        lie_about_sizes(archive, "atk-zip-lying-size.ipynb")
    return written


def run_suite(folder: Path, attacks: list[Attack], say: Callable[[str], None] = lambda _: None) -> Run:
    """Release, build, collect, grade, feedback, export (see the module docstring); return what happened."""
    started = time.monotonic()
    root = copy_course(folder / "project")
    run = Run(root, attacks)

    def step(key: str, *args: str) -> subprocess.CompletedProcess[str]:
        say(f"dlcourse {' '.join(args)}")
        run.commands[key] = proc = dlcourse(root, *args)
        return proc

    if step("release", "release", LESSON).returncode != 0:
        raise RuntimeError(f"dlcourse release failed: {run.commands['release'].stderr[-2000:]}")
    inbox, archive = folder / "inbox", folder / "class.zip"
    run.written = build(attacks, root, inbox, archive, random.SystemRandom().randrange(1, 10**6))
    step("collect-folder", "collect", LESSON, str(inbox))
    step("collect-zip", "collect", LESSON, str(archive))
    for name in CONTROLS:
        run.digests[name] = _digest(run._submitted(name))

    def grade(key: str, students: Iterable[str], *extra: str, jobs: int = JOBS) -> None:
        chosen = [a for s in students for a in ("--student", s)]
        if chosen:
            step(key, "grade", LESSON, "--jobs", str(jobs), *GRADE_OPTIONS, *extra, *chosen)

    graded = [a for a in attacks if not a.collect_only]
    grade("grade-before", CONTROLS_BEFORE_AFTER)
    # The attackers in runs of CHUNK (one `dlcourse` command must finish within conftest's 600 s on a loaded
    # machine); the first control opens the first run, the last closes the last one.
    main = [a.student for a in graded if a.group == MAIN]
    first, last = CONTROLS_DURING
    chunks = [main[i:i + CHUNK] for i in range(0, len(main), CHUNK)] or [[]]
    chunks[0].insert(0, first)
    chunks[-1].append(last)
    for i, chunk in enumerate(chunks):
        grade(f"grade-main-{i}", chunk)
    pairs = [a.student for group in PAIRS for a in graded if a.group == group]
    grade("grade-pairs", pairs, jobs=len(pairs))
    grade("grade-after", CONTROLS_BEFORE_AFTER, "--force")
    step("feedback", "feedback", LESSON, "--no-progress")
    step("export", "export", LESSON, "--no-progress")
    run.seconds = time.monotonic() - started
    return run


def keep(run: Run, path: Path) -> None:
    """Save what a run needs to be judged again later (the project stays where it is)."""
    path.write_text(json.dumps({"root": str(run.root), "written": run.written, "digests": run.digests,
                                "seconds": run.seconds,
                                "commands": {k: [p.returncode, p.stdout, p.stderr] for k, p in run.commands.items()}}))


def load(path: Path, attacks: list[Attack]) -> Run:
    data = json.loads(path.read_text())
    run = Run(Path(data["root"]), attacks, written=data["written"], digests=data["digests"], seconds=data["seconds"])
    run.commands = {k: subprocess.CompletedProcess([], rc, out, err) for k, (rc, out, err) in data["commands"].items()}
    return run


def clean(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
