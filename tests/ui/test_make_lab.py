"""`make lab` (#22): works as root and as a user, passes extra JupyterLab flags, and opens without pop-ups."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _dry_run(venv: Path, *extra: str) -> str:
    """The command lines `make lab` would run (nothing is run)."""
    proc = subprocess.run(["make", "-n", "lab", f"VENV={venv}", *extra], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return next(line for line in proc.stdout.splitlines() if "jupyter lab" in line)


def test_make_lab_passes_args_and_allow_root_only_as_root(tmp_path: Path) -> None:
    line = _dry_run(tmp_path / "venv", "ARGS=--port=8899 --no-browser")
    assert line.rstrip().endswith("--port=8899 --no-browser")
    assert ("--allow-root" in line) == (os.geteuid() == 0)


def test_make_lab_settings_turn_news_and_announcements_off(tmp_path: Path) -> None:
    """The settings `make lab` installs (venv-local): no news or update toast, the announcements plugin off,
    Markdown opens rendered."""
    venv = tmp_path / "venv"
    proc = subprocess.run(["make", "lab-settings", f"VENV={venv}"], cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    overrides = json.loads((venv / "share/jupyter/lab/settings/overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false",
                                                                       "checkForUpdates": False}
    assert overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]["markdown"] == "Markdown Preview"
    page = json.loads((venv / "etc/jupyter/labconfig/page_config.json").read_text())
    assert page["disabledExtensions"]["@jupyterlab/apputils-extension:announcements"] is True


def test_make_test_uses_every_core_by_default() -> None:
    proc = subprocess.run(["make", "-n", "test", "VENV=/nonexistent"], cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert "pytest -n auto" in proc.stdout, proc.stdout
