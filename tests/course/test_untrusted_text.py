"""A learner's text on its way to the instructor: the graded notebook formgrader shows, the one-line diagnosis
in the CSV and the report, the report's markdown, the grader's own source search (round-2 attacks of #19)."""
from __future__ import annotations

import html
import re
import time

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from dlcourse.autograde.diagnosis import _clean
from dlcourse.autograde.inert import REMOVED, make_inert
from dlcourse.reports.report import _plain
from dlgrade.diagnosis.source import _defines


def _notebook() -> nbformat.NotebookNode:
    js = new_output("display_data", data={"application/javascript": "fetch('/api/terminals', {method: 'POST'})"})
    html = new_output("execute_result", data={"text/html": "<img src=x onerror=alert(1)>", "text/plain": "<img>"},
                      execution_count=1)
    svg = new_output("display_data", data={"image/svg+xml": "<svg onload=alert(1)/>"})
    png = new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    answer = new_markdown_cell("The loss falls as $x < 0$ grows. <script>alert(1)</script> "
                               "[regrade](javascript:alert(1)) <img src=x onerror=alert(2)>",
                               metadata={"nbgrader": {"solution": True, "grade": True, "grade_id": "explain"}})
    locked = new_markdown_cell("<b>course text</b>", metadata={"nbgrader": {"locked": True, "grade_id": "intro"}})
    raw = new_raw_cell("<script>alert(3)</script>", metadata={"raw_mimetype": "text/html"})
    return new_notebook(cells=[locked, new_code_cell("x", outputs=[js, html, svg, png]), answer, raw])


def test_graded_notebook_keeps_text_and_images_and_nothing_that_runs() -> None:
    nb = _notebook()
    assert make_inert(nb) > 0
    outputs = nb.cells[1].outputs
    kinds = [set(o["data"]) for o in outputs]
    assert kinds == [{"text/plain"}, {"text/plain"}, {"text/plain"}, {"image/png", "text/plain"}]
    assert outputs[0]["data"]["text/plain"] == REMOVED.format(kinds="application/javascript")
    assert outputs[1]["data"]["text/plain"] == "<img>"  # rendered escaped: it is plain text
    answer = nb.cells[2].source
    assert "<script" not in answer and "<img" not in answer and "javascript:" not in answer.lower()
    assert "$x < 0$" in answer and "&lt;script>" in answer  # formulas and the words stay
    assert nb.cells[0].source == "<b>course text</b>"  # locked cells are the course's own
    assert nb.cells[3].source == ""


def test_diagnosis_loses_every_terminal_escape_and_control_character() -> None:
    text = ("wrong \x1b]0;pwned\x07title \x1b]52;c;Y3VybA==\x07clip \x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ "
            "up\x1bM \x9b2Jc1 \x1b[31mred\x1b[0m bell\x07 nul\x00 done")
    out = _clean(text)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", out), repr(out)
    assert out.startswith("wrong") and "title" in out and "red" in out and out.endswith("done")
    assert "pwned" not in out and "evil" not in out and "Y3VybA" not in out


def test_report_prints_a_diagnosis_as_literal_text() -> None:
    text = "![x](http://evil/p.png) [request a regrade](http://evil) <img src=x> **9/9** `code`"
    import mistune

    out = _plain(text)
    page = mistune.html(out)
    assert "<img" not in page and "<a " not in page and "<strong>" not in page and "<code>" not in page, page
    assert html.unescape(re.sub(r"<[^>]+>", "", page)).strip() == text  # the reader sees every character


def test_source_search_is_linear_in_blank_lines() -> None:
    cell = "\n" * 40_000 + "x = 1\n"
    start = time.process_time()
    assert _defines("predict").search(cell) is None
    assert _defines("predict").search("  def predict(X, w):\n") is not None
    assert time.process_time() - start < 2.0  # quadratic took ~26 s for this cell; linear takes milliseconds
