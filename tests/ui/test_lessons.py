"""Every lesson in the syllabus, opened and run in JupyterLab in a real browser, as a learner sees it.

Two passes per lesson, both on throw-away copies, in one JupyterLab page loaded once for the module (each pass
opens its notebook as the page's only document and closes it after; a pass that fails leaves the page, so the
next one starts in a fresh page):
- the student notebook exactly as released: every check cell must show the friendly "not implemented yet"
  diagnosis in a line or two, never a wall of traceback;
- the same notebook with the instructor's answers typed in ("solved"): no cell fails, every check cell shows
  its ✓ summary, every figure is a decoded image, every widget renders and responds to the mouse (a slider
  moved redraws its plot).
Screenshots of each pass (the first check, a figure, a moved widget) go to tests/ui/screenshots/ (git-ignored); a
full-length one of the whole notebook too when the pass fails, or always with UI_FULL_SCREENSHOTS=1 (a page as tall
as the notebook takes chromium about 2 s to render, for nobody to look at when the pass is fine).
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from dlcourse.notebooks import SOLUTION, meta

from .conftest import LESSONS, Lab, new_page
from .notebook import (Cell, close_documents, drag_sliders, full_screenshot, load_lab, open_in_lab, run_all,
                       scroll_to_cell)

pytestmark = pytest.mark.ui

TRACEBACK_MARKERS = ("Traceback (most recent call last)", "Cell In[", 'File "')
PLOTTING = re.compile(r"\bplt\.|\bviz\.|\bplot_\w+\(|\bshow_images\(|\bimshow\(|\binteract\w*\(")
WIDGETS = re.compile(r"\bipywidgets\b|\binteract\w*\(|\bwidgets\.")
STUB = "raise NotImplementedError()"


# Per lesson, the cells that draw (by grade id) -> how many figures each shows, and what a cell prints beside its
# figure (the numbers its text refers to): a demo that silently stops drawing (an exception caught as "finish
# exercise n first") fails here, where "some figure appeared" would not notice.
NAMED_FIGURES = {
    "10-training-in-practice": {"overfit-demo": 1, "lr-demo": 1, "lr-widget": 1, "search-demo": 1, "adamw-demo": 1,
                                "augment-demo": 2, "residual-demo": 1, "cnn-train": 1, "saliency-demo": 1},
}
NAMED_PRINTS = {
    "10-training-in-practice": {
        "sanity-demo": "errors of weight1, bias1, weight2, bias2", "overfit-demo": "median update ratio",
        "lr-demo": "range test: the smoothed loss is lowest at lr", "search-demo": "random search: best validation",
        "adamw-demo": "your adamw_step against dlkit.optim.AdamW", "augment-demo": "validation accuracy over the last 5",
        "residual-demo": "your layer norm against dlkit's nn.LayerNorm", "cnn-train": "the most frequent confusion",
        "saliency-demo": "along the gradient's sign"},
}


def _named_problems(lesson: str, cells: list[Cell]) -> list[str]:
    """The lesson's named figure cells that show fewer figures than they draw, or lack what they print."""
    by_id = {c.nbgrader.get("grade_id"): c for c in cells}
    problems = []
    for cid, count in NAMED_FIGURES.get(lesson, {}).items():
        if cid not in by_id:
            problems.append(f"no cell with grade id {cid!r} (NAMED_FIGURES is out of date)")
        elif len([im for im in by_id[cid].images if im["ok"]]) < count:
            problems.append(f"{by_id[cid].label}: {len(by_id[cid].images)} figure(s) shown, expected {count}")
    for cid, text in NAMED_PRINTS.get(lesson, {}).items():
        if cid not in by_id:
            problems.append(f"no cell with grade id {cid!r} (NAMED_PRINTS is out of date)")
        elif text not in by_id[cid].shown_text:
            problems.append(f"{by_id[cid].label}: does not show {text!r}: {by_id[cid].shown_text[:200]!r}")
    return problems


def _full_screenshot_if(problems: list[str], page, shot: Path) -> None:
    """The whole notebook's screenshot, where a failure message points to it (or UI_FULL_SCREENSHOTS=1 asks)."""
    if problems or os.environ.get("UI_FULL_SCREENSHOTS") == "1":
        full_screenshot(page, shot)


@pytest.fixture(scope="module")
def lab_pages(browser) -> Iterator[list]:
    """The module's JupyterLab page, kept from one pass to the next (at most one in the list)."""
    kept: list = []
    yield kept
    for pg in kept:
        pg.context.close()


@pytest.fixture
def page(lab_pages: list, browser, learner_lab: Lab, request: pytest.FixtureRequest) -> Iterator[object]:
    """The learner's JupyterLab, loaded; after the pass its documents are closed and its kernels shut down. The
    page goes when the pass failed or left something open, and the next pass loads a new one."""
    if not lab_pages:
        pg = new_page(browser)
        load_lab(pg, learner_lab)
        lab_pages.append(pg)
    failed_before = request.session.testsfailed
    yield lab_pages[0]
    try:
        clean = close_documents(lab_pages[0]) == 0
    except Exception:  # a crashed or hung page: replaced below
        clean = False
    learner_lab.shutdown_kernels()
    if not clean or request.session.testsfailed != failed_before:
        lab_pages.pop().context.close()


class LessonAppearance(UserWarning):
    """Something a learner sees that is not wrong enough to fail the suite, but is worth a lesson author's look."""


def _student_notebooks(lab: Lab, lesson: str) -> list[Path]:
    notebooks = sorted((lab.root / lesson).glob("*.ipynb"))
    notebooks = [p for p in notebooks if not p.stem.endswith("-solved")]
    assert notebooks, f"lessons/{lesson}/ holds no notebook: run `dlcourse release {lesson}`"
    return notebooks


def _strip_solution_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines()
                     if line.strip() not in (f"### {SOLUTION[0]}", f"### {SOLUTION[1]}"))


def _solved_copy(student: Path, solution: Path) -> Path:
    """The student notebook with each answer cell holding the instructor's answer (matched by grade id)."""
    answers = {meta(c).get("grade_id"): c.source for c in nbformat.read(solution, 4).cells if meta(c).get("solution")}
    nb = nbformat.read(student, 4)
    for cell in nb.cells:
        grade_id = meta(cell).get("grade_id")
        if meta(cell).get("solution") and grade_id in answers:
            cell.source = _strip_solution_markers(answers[grade_id])
    out = student.with_name(f"{student.stem}-solved.ipynb")
    nbformat.write(nb, out)
    return out


def _shown_lines(cell: Cell) -> list[str]:
    return [line for line in cell.shown_text.splitlines() if line.strip()]


def _common_problems(cells: list[Cell]) -> list[str]:
    """What is wrong on screen in any pass: a widget that failed to render, an output that is not shown."""
    problems = []
    for c in cells:
        if "Error displaying widget" in c.shown_text or "Loading widget..." in c.shown_text:
            problems.append(f"{c.label}: a widget did not render: {c.shown_text[:200]!r}")
        if c.mime("application/vnd.jupyter.widget-view+json") and not c.widgets:
            problems.append(f"{c.label}: a widget output is in the model but nothing renders it")
        for text in c.mime("text/plain"):
            if text.startswith("<Figure size") and not c.mime("image/png"):
                problems.append(f"{c.label}: a figure shows as text ({text}) instead of an image")
        bad = [im for im in c.images if not im["ok"]]
        if bad:
            problems.append(f"{c.label}: {len(bad)} image(s) did not decode in the browser")
        if len(c.mime("image/png")) > len(c.images):
            problems.append(f"{c.label}: {len(c.mime('image/png'))} PNG output(s) but {len(c.images)} <img> shown")
    return problems


@pytest.mark.parametrize("lesson", LESSONS)
def test_student_notebook_shows_friendly_diagnoses(lesson: str, learner_lab: Lab, page, screenshots: Path) -> None:
    """The untouched student notebook: run everything; each check says "not implemented yet" in a line or two."""
    for nb_path in _student_notebooks(learner_lab, lesson):
        rel = nb_path.relative_to(learner_lab.root).as_posix()
        open_in_lab(page, learner_lab, rel)
        cells = run_all(page)
        shot = screenshots / f"{nb_path.stem}-student.png"
        problems = _common_problems(cells)
        checks = [c for c in cells if c.is_check]
        assert checks, f"{rel}: no autograded check cell found"
        for c in checks:
            lines = _shown_lines(c)
            # A check of a trained network (08-cnn-training) has nothing of the learner's to call yet: it names
            # the exercises to finish first instead.
            if "not implemented yet" not in c.shown_text and "finish exercises" not in c.shown_text:
                problems.append(f"{c.label}: shows {lines[:3]!r}, not the 'not implemented yet' diagnosis "
                                "(or, for a trained network, the exercises to finish first)")
            if any(m in c.shown_text for m in TRACEBACK_MARKERS) or len(lines) > 6:
                problems.append(f"{c.label}: shows a traceback of {len(lines)} lines instead of a short diagnosis: "
                                f"{lines[:4]!r}")
            if any(o.get("name") == "stderr" for o in c.outputs):
                problems.append(f"{c.label}: writes to stderr (nbgrader scores such a cell zero)")
        for c in cells:
            if c.is_answer and c.errors:
                problems.append(f"{c.label}: the answer cell itself fails to run: {c.errors[0].get('ename')}")
            elif not c.is_check and c.errors:
                err = c.errors[0]
                frames = len(err.get("traceback", []))
                warnings.warn(LessonAppearance(
                    f"{rel} {c.label}: before the exercises are done this cell shows a raw {err.get('ename')} "
                    f"traceback ({frames} entries), not the checks' friendly message"), stacklevel=1)
        scroll_to_cell(page, max(0, checks[0].index - 1))
        page.screenshot(path=str(screenshots / f"{nb_path.stem}-check.png"))
        _full_screenshot_if(problems, page, shot)
        assert not problems, f"{rel} (screenshot {shot}):\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("lesson", LESSONS)
def test_solved_notebook_passes_and_draws(lesson: str, learner_lab: Lab, project: Path, page,
                                          screenshots: Path) -> None:
    """With the answers filled in: no failing cell, every check shows ✓, figures are images, widgets respond."""
    for student in _student_notebooks(learner_lab, lesson):
        solution = project / "solutions" / lesson / student.name
        assert solution.is_file(), f"{solution} missing"
        solved = _solved_copy(student, solution)
        rel = solved.relative_to(learner_lab.root).as_posix()
        open_in_lab(page, learner_lab, rel)
        cells = run_all(page)
        problems = _common_problems(cells) + _named_problems(lesson, cells)
        for c in cells:
            for err in c.errors:
                problems.append(f"{c.label}: raised {err.get('ename')}: {err.get('evalue', '')[:300]}")
            stderr = "".join("".join(o.get("text", "")) for o in c.outputs if o.get("name") == "stderr")
            if stderr and c.is_check:
                problems.append(f"{c.label}: writes to stderr (nbgrader scores such a cell zero): {stderr[:200]!r}")
            elif stderr:
                warnings.warn(LessonAppearance(f"{rel} {c.label}: shows stderr output (a pink box): {stderr[:200]!r}"),
                              stacklevel=1)
        for c in (c for c in cells if c.is_check):
            html = "".join(c.mime("text/html"))
            if "✓" not in html or "✓" not in c.shown_text:
                problems.append(f"{c.label}: no ✓ summary shown; it shows {_shown_lines(c)[:3]!r}")
        sources = "\n".join(c.source for c in cells if c.type == "code")
        shown_images = sum(len(c.images) for c in cells)
        if PLOTTING.search(sources) and not shown_images:
            problems.append("the lesson plots, but no figure appeared as an image")
        rendered_widgets = [c for c in cells if c.widgets]
        if WIDGETS.search(sources) and not rendered_widgets:
            problems.append("the lesson uses widgets, but none rendered")
        moved = []
        if not problems:
            for c in rendered_widgets:
                try:
                    moved += drag_sliders(page, c.index)
                except AssertionError as exc:
                    problems.append(str(exc))
        if moved:
            scroll_to_cell(page, rendered_widgets[0].index)
            page.screenshot(path=str(screenshots / f"{student.stem}-widget.png"))
        figure_cells = [c for c in cells if c.images]
        if figure_cells:
            scroll_to_cell(page, figure_cells[0].index)
            page.screenshot(path=str(screenshots / f"{student.stem}-figure.png"))
        shot = screenshots / f"{student.stem}-solved.png"
        _full_screenshot_if(problems, page, shot)
        print(f"{rel}: {sum(c.is_check for c in cells)} check(s) ✓, {shown_images} figure(s), "
              f"{len(rendered_widgets)} widget cell(s); " + "; ".join(moved))
        assert not problems, f"{rel} (screenshot {shot}):\n  " + "\n  ".join(problems)
