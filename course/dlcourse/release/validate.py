"""Run nbgrader's Validator API (the `nbgrader validate` command exits 0 even when validation fails).

`python -m dlcourse.release.validate PROJECT NOTEBOOK [--invert]` runs one validation in its own process and
prints its problems as JSON, so `dlcourse check` can execute the solution and the blank version side by side.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from nbformat import NotebookNode
from traitlets.config import Config

from ..lean import without_server_extensions

without_server_extensions()  # `dlcourse check` runs this module as a process per notebook; headless imports nbgrader

from ..demos import skippable  # noqa: E402
from ..headless import HeadlessExecute  # noqa: E402
from ..nbconfig import QUIET, prepare_environment  # noqa: E402


class CheckExecute(HeadlessExecute):
    """The Validator's Execute with one-way Output widgets (nbgrader's own can lose a cell's reply for a minute),
    skipping the demonstrations no test cell depends on, as grading does (dlcourse.demos): what a test sees is
    what it sees when graded, and lesson 09's check takes 7 s instead of 28 s of training demos.
    `tests/course/test_notebooks_execute.py` runs every cell of every solution."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any] | None = None,
                   km: Any = None) -> tuple[NotebookNode, dict[str, Any]]:
        """Execute the cells of nb that a test cell can depend on."""
        self._skip = skippable(nb)
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any],
                        index: int) -> tuple[NotebookNode, dict[str, Any]]:
        """Execute one cell, unless it is a demonstration no test depends on (then leave it as it is)."""
        if index in self._skip:
            return cell, resources
        return super().preprocess_cell(cell, resources, index)


def validate(path: Path, config: Config, *, invert: bool = False) -> list[str]:
    """Execute a notebook and describe each test that failed (or, with invert, each that passed)."""
    from nbgrader.preprocessors import Execute
    from nbgrader.validator import Validator

    prepare_environment()
    cfg = Config(config)
    cfg.Validator.invert = invert
    validator = Validator(config=cfg, log=QUIET)
    validator.preprocessors = [CheckExecute if p is Execute else p for p in validator.preprocessors]
    cwd = os.getcwd()
    try:
        results = validator.validate(str(path))
    finally:
        os.chdir(cwd)
    problems = []
    for cell in results.get("type_changed", []):
        problems.append(f"cell type changed ({cell['old_type']} -> {cell['new_type']}): {cell['source'][:60]!r}")
    for cell in results.get("changed", []):
        problems.append(f"locked/test cell content changed: {cell['source'][:60]!r}")
    for cell in results.get("failed", []):
        last = (cell.get("raw_error") or "").strip().splitlines()[-1:] or ["(no error text)"]
        problems.append(f"test fails: {cell['source'].splitlines()[0]!r}: {last[0]}")
    for cell in results.get("passed", []):
        problems.append(f"test passes without any student code: {cell['source'].splitlines()[0]!r}")
    return problems


def validate_apart(project_root: Path, path: Path, *, invert: bool = False) -> list[str]:
    """`validate` in a child process (the Validator changes the working folder, so two cannot share one)."""
    cmd = [sys.executable, "-m", "dlcourse.release.validate", str(project_root), str(path)]
    proc = subprocess.run(cmd + (["--invert"] if invert else []), capture_output=True, text=True)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return [f"could not execute the notebook (exit {proc.returncode}): {last}"]
    return list(json.loads(proc.stdout))


def _main(argv: list[str]) -> int:
    from ..nbconfig import load_config
    from ..project import Project

    root, path = Path(argv[0]), Path(argv[1])
    print(json.dumps(validate(path, load_config(Project(root)), invert="--invert" in argv[2:])))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
