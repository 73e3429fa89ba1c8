"""A lesson on the course's JupyterHub, end to end in a real browser: two learners and the instructor.

The instructor's steps are the console lines of course/README.md's "Large classes" → JupyterHub section, typed
into a JupyterLab terminal on the hub; the learners' steps are the ones that section describes, in nbgrader's
Assignment List. Release → fetch → work → submit → collect → grade → feedback → each learner reads their own
score on their feedback page. Only localhost is used: the hub, its proxy and the servers bind to 127.0.0.1.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pytest

from dlcourse.project import Project
from dlcourse.syllabus import load_syllabus

from .conftest import REPO, copy_project, new_page
from .hub import (Assignments, Hub, Terminal, cell_output, hub_missing, log_in, save_notebook, start_hub, stop_hub,
                  wait_for_kernel, write_answer)
from .notebook import click_menu

if TYPE_CHECKING:  # Playwright is imported only where the browser tests run
    from playwright.sync_api import Page

LESSON = "01-linear-regression"
# A wrong mse (the sum instead of the mean), so the two learners earn different scores.
WRONG_MSE = "def mse(y_pred, y):\n    return float(np.sum((y_pred - y) ** 2))\n"


def readme_hub_steps() -> list[list[str]]:
    """The commands of each console block in course/README.md's JupyterHub section, in order."""
    readme = (REPO / "course" / "README.md").read_text(encoding="utf-8")
    large = readme[readme.index("## Large classes"):].split("\n## ", 1)[0]
    hub = large[large.index("### JupyterHub"):].split("\n### ", 1)[0]
    blocks = re.findall(r"```console\n(.*?)```", hub, re.S)
    lines = [[line.strip() for line in block.splitlines()] for block in blocks]  # blocks sit in a numbered list
    return [[line[2:] for line in block if line.startswith("$ ")] for block in lines]


def solution(function: str) -> str:
    """The instructor's answer cell for `function` as a learner would write it (without nbgrader's markers)."""
    nb = nbformat.read(REPO / "solutions" / LESSON / f"{LESSON}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == function.replace("_", "-"))
    return "".join(line for line in cell.source.splitlines(keepends=True) if "### " not in line)


def points(grade_id: str) -> int:
    """The points of one autograded test cell of the lesson."""
    nb = nbformat.read(REPO / "lessons" / LESSON / f"{LESSON}.ipynb", as_version=4)
    return next(c.metadata["nbgrader"]["points"] for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


# What each learner writes, what its check says in the notebook, and the points it earns: every other exercise
# is left as released (0 points). The wrong mse is named the same way while working and on the feedback page.
ANSWERS = {"ada": {"predict": solution("predict"), "mse": solution("mse")},
           "bo": {"predict": solution("predict"), "mse": WRONG_MSE}}
CHECKS = {"ada": {"predict": "✓", "mse": "✓"}, "bo": {"predict": "✓", "mse": "SUMMED"}}
EXPECTED = {"ada": points("test-predict") + points("test-mse"), "bo": points("test-predict")}


@pytest.fixture
def people(browser: object) -> Iterator[dict[str, Page]]:
    """One browser of their own (a fresh context: their own cookies) per person, closed after the test."""
    pages: dict[str, Page] = {}
    yield pages
    for page in pages.values():
        page.context.close()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """The course hub on a throw-away copy of the course, with the two learners of this test."""
    root = tmp_path_factory.mktemp("hub")
    running = start_hub(copy_project(root / "project"), root / "state", learners=sorted(ANSWERS))
    yield running
    stop_hub(running)


def test_readme_hub_steps_name_this_lesson() -> None:
    """The README's instructor steps are two blocks (before the learners fetch, after they submit) for one lesson."""
    before, after = readme_hub_steps()
    assert before and after, "course/README.md's JupyterHub section lost its console blocks"
    for command in before + after:
        if command.startswith(("dlcourse ", "nbgrader ")):
            assert command.split()[-1] == LESSON, command


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_hub_installs_what_it_needs_then_runs_the_course_config(tmp_path: Path) -> None:
    """`make hub`: the hub extra and the pinned proxy (`npm ci`) first, then JupyterHub with course/hub's config."""
    flag = "--JupyterHub.bind_url=http://127.0.0.1:8010"
    # -B: what a fresh checkout runs, whatever this one has installed already.
    proc = subprocess.run(["make", "-n", "-B", "hub", f"VENV={tmp_path / 'venv'}", f"ARGS={flag}"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    npm = next(i for i, line in enumerate(lines) if "npm ci --prefix course/hub" in line)
    pip = next(i for i, line in enumerate(lines) if '.[hub]' in line)
    run = next(i for i, line in enumerate(lines) if "jupyterhub -f course/hub/jupyterhub_config.py" in line)
    assert max(npm, pip) < run and lines[run].rstrip().endswith(flag), proc.stdout


def learner_works_and_submits(page: Page, hub: Hub, name: str, screenshots: Path) -> None:
    """Log in, fetch the lesson, write the answers, run the notebook to check them, save and submit."""
    log_in(page, hub, name)
    assignments = Assignments(page)
    assignments.fetch(LESSON)
    assignments.open_notebook(LESSON, LESSON)
    wait_for_kernel(page)
    for function, code in ANSWERS[name].items():
        write_answer(page, function, code)
    click_menu(page, "Run", "Run All Cells")
    # Run All stops at the first check that fails: the checks of the answered exercises come before it.
    for function, says in CHECKS[name].items():
        try:
            shown = cell_output(page, f'check("linreg.{function}", {function})')
        except AssertionError:
            page.screenshot(path=str(screenshots / f"hub-{name}-no-output.png"), full_page=True)
            raise
        assert says in shown, f"{name}'s check of {function} shows {shown!r}"
    save_notebook(page)
    page.screenshot(path=str(screenshots / f"hub-{name}-notebook.png"))
    submitted = assignments.submit(LESSON)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", submitted), f"{name}'s Submitted list shows {submitted!r}"


def learner_reads_feedback(page: Page, name: str, screenshots: Path) -> str:
    """Fetch the feedback, open the page from the file browser; return the text the learner reads on it."""
    Assignments(page).fetch_feedback(LESSON)
    html = page.locator(".jp-DirListing-item", has_text=f"{LESSON}.html").first
    html.dblclick()
    frame = page.frame_locator(".jp-HTMLViewer:visible iframe").first
    # The viewer's frame is empty until the page is put in it: wait for the page's own summary first.
    frame.locator("header.dlc-summary").wait_for(timeout=60_000)
    text = frame.locator("body").inner_text()
    page.screenshot(path=str(screenshots / f"hub-{name}-feedback.png"))
    return text


# Slow: three JupyterLabs, their kernels, a grading run and the browser share 2 cores (about 2 minutes when idle).
@pytest.mark.ui
@pytest.mark.slow
@pytest.mark.skipif(hub_missing() is not None, reason=f"hub test skipped: {hub_missing()}")
def test_a_lesson_on_the_hub(hub: Hub, browser: object, people: dict[str, Page], screenshots: Path) -> None:
    """Release → fetch → submit (two learners) → collect → grade → feedback → each learner reads their score."""
    before, after = readme_hub_steps()
    instructor = people[hub.instructor] = new_page(browser)
    log_in(instructor, hub, hub.instructor)
    terminal = Terminal(instructor)
    for command in before:
        terminal.run(command)
    for name in ANSWERS:
        people[name] = new_page(browser)
        learner_works_and_submits(people[name], hub, name, screenshots)

    # Compared as words: the terminal breaks long lines where its width ends.
    shown = {command: " ".join(terminal.run(command).split()) for command in after}
    collected = shown[f"nbgrader collect {LESSON}"]
    for name in ANSWERS:
        assert f"Collecting submission: {name} {LESSON}" in collected, collected
    assert "cheating" not in collected, collected  # one Unix account for all: ownership proves nothing here
    graded = shown[f"dlcourse grade {LESSON}"]
    assert f"Graded {len(ANSWERS)} submissions" in graded and " 0 failed" in graded, graded
    instructor.screenshot(path=str(screenshots / "hub-instructor-terminal.png"))

    total = next(lesson.points for lesson in load_syllabus(Project(REPO)) if lesson.id == LESSON)
    read = {name: learner_reads_feedback(people[name], name, screenshots) for name in ANSWERS}
    for name, text in read.items():
        assert f"Feedback for {name}: {EXPECTED[name]:g} of {total:g} points" in text, text[:2000]
    mse = next(line for line in read["bo"].splitlines() if line.startswith("test-mse"))
    assert re.search(r"\b0/\d", mse) and CHECKS["bo"]["mse"] in mse, f"bo's mse on the feedback page: {mse}"
