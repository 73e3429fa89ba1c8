"""Run nbgrader's Validator API (the `nbgrader validate` command exits 0 even when validation fails)."""

from __future__ import annotations

import os
from pathlib import Path

from traitlets.config import Config

from ..nbconfig import QUIET, prepare_environment


def validate(path: Path, config: Config, *, invert: bool = False) -> list[str]:
    """Execute a notebook and describe each test that failed (or, with invert, each that passed)."""
    from nbgrader.validator import Validator

    prepare_environment()
    cfg = Config(config)
    cfg.Validator.invert = invert
    validator = Validator(config=cfg, log=QUIET)
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
