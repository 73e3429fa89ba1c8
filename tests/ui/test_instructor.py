"""The instructor's view: JupyterLab's extensions are all healthy, and nbgrader's formgrader loads and lists the
course's lessons, both as its own page and from JupyterLab's Nbgrader menu.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import LESSONS, Lab, _isolated_env

ANSI = re.compile(r"\x1b\[[0-9;]*m")
WANTED = ("@jupyter/nbgrader", "@jupyter-widgets/jupyterlab-manager")


def _jupyter(tmp_path: Path, *args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "jupyter", *args], capture_output=True, text=True, timeout=120,
                          env=_isolated_env(tmp_path), cwd=tmp_path)
    text = ANSI.sub("", proc.stdout + proc.stderr)
    assert proc.returncode == 0, f"jupyter {' '.join(args)} exited {proc.returncode}:\n{text}"
    return text


def test_labextensions_are_all_enabled_and_ok(tmp_path: Path) -> None:
    """`jupyter labextension list`: nbgrader's and the widgets' extensions present, none disabled or broken."""
    text = _jupyter(tmp_path, "labextension", "list")
    rows = [line.strip() for line in text.splitlines()
            if re.search(r"\sv\d+\.\d+", line) and not line.startswith("JupyterLab v")]
    for name in WANTED:
        assert any(r.startswith(name + " ") for r in rows), f"{name} is not installed:\n{text}"
    bad = [r for r in rows if not re.search(r"\benabled\s+OK\b", r)]
    assert not bad, "extensions not 'enabled OK':\n  " + "\n  ".join(bad)
    problems = [line for line in text.splitlines() if re.search(r"error|fail|conflict|incompatible", line, re.I)]
    assert not problems, "\n".join(problems)


def test_nbgrader_server_extensions_are_ok(tmp_path: Path) -> None:
    """`jupyter server extension list`: the formgrader and the other nbgrader server extensions validate."""
    text = _jupyter(tmp_path, "server", "extension", "list")
    for ext in ("formgrader", "validate_assignment", "assignment_list", "course_list"):
        assert re.search(rf"nbgrader\.server_extensions\.{ext}\s+OK", text), f"{ext} not OK:\n{text}"


@pytest.mark.ui
def test_formgrader_page_lists_the_lessons(instructor_lab: Lab, page, screenshots: Path) -> None:
    """/formgrader loads with the course's configuration and lists every syllabus lesson."""
    page.goto(f"{instructor_lab.url}/formgrader?token={instructor_lab.token}")
    page.get_by_text("Manage Assignments").first.wait_for(timeout=60_000)
    body = page.locator("body")
    for lesson in LESSONS:
        body.get_by_text(lesson, exact=True).first.wait_for(timeout=30_000)
    assert "not a subdirectory" not in body.inner_text()
    page.screenshot(path=str(screenshots / "instructor-formgrader.png"))
    assert not [e for e in page.console_errors if "formgrader" in e.lower()], page.console_errors


@pytest.mark.ui
def test_nbgrader_menu_opens_formgrader_in_lab(instructor_lab: Lab, page, screenshots: Path) -> None:
    """In JupyterLab, Nbgrader → Formgrader opens the formgrader in a tab, with no nbgrader errors in the console."""
    page.goto(f"{instructor_lab.url}/lab?token={instructor_lab.token}&reset")
    page.locator("#jp-menu-panel, #jp-MainMenu").get_by_text("Nbgrader", exact=True).first.click()
    items = page.locator(".lm-Menu:visible .lm-Menu-itemLabel").all_inner_texts()
    assert "Formgrader" in items, f"the Nbgrader menu holds {items}"
    page.locator(".lm-Menu:visible .lm-Menu-itemLabel").get_by_text("Formgrader", exact=True).first.click()
    frame = page.frame_locator("iframe").first
    frame.get_by_text("Manage Assignments").first.wait_for(timeout=60_000)
    frame.get_by_text(LESSONS[0], exact=True).first.wait_for(timeout=30_000)
    page.wait_for_timeout(300)
    page.screenshot(path=str(screenshots / "instructor-lab-formgrader.png"))
    nbgrader_errors = [e for e in page.console_errors if "nbgrader" in e.lower()]
    assert not nbgrader_errors, nbgrader_errors
