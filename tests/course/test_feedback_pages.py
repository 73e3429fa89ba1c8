"""Feedback pages are safe and self-contained (#19 safe outputs, #22 feedback items): learner HTML is sanitised,
hidden-test code never shows, pending manual grades read 'pending', the verdicts come first, lines wrap, and the
maths renders with the KaTeX shipped in the package (nothing fetched)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from dlcourse.feedback.page import KATEX, Verdict, page
from dlcourse.feedback.pages import learner_view
from dlcourse.redact import REMOVED

HIDDEN_LINE = 'check("toy.mean", mean, hidden=True, seed=1234)'


def _graded(source: str, grade_id: str, **extra) -> nbformat.NotebookNode:
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": grade_id,
                                 "points": 1, "schema_version": 3, **extra}
    return cell


def _hostile_notebook() -> nbformat.NotebookNode:
    """A learner notebook whose outputs and markdown try every trick a page could fall for."""
    answer = new_code_cell("def mean(x):\n    return sum(x) / len(x)")
    answer.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False, "grade_id": "mean",
                                   "schema_version": 3}
    test = _graded(f'check("toy.mean", mean)\n### BEGIN HIDDEN TESTS\n{HIDDEN_LINE}\n### END HIDDEN TESTS', "test-mean")
    test.outputs = [new_output("error", ename="AssertionError", evalue="toy.mean: off by a factor 2",
                               traceback=["Traceback", f"----> 3 {HIDDEN_LINE}", "AssertionError: off"])]
    spy = new_code_cell("print(In[-2])")
    spy.outputs = [new_output("stream", name="stdout", text=f"check(...)\n{HIDDEN_LINE}\n")]
    html = new_code_cell("display(HTML(...))")
    html.outputs = [
        new_output("display_data", data={
            "text/html": ('<b onmouseover="steal()">bold</b><script>alert(1)</script>'
                          '<img src="http://evil.example/x.png"><img src=x onerror="alert(2)">'
                          '<a href="javascript:alert(3)">js link</a><link rel="stylesheet" href="https://evil/x.css">'
                          '<iframe src="https://evil.example"></iframe><style>body{background:url(http://e/x)}</style>'
                          '<div class="dlc-badge dlc-pass">test-mean: 1/1 fake</div><p style="background:url(//e)">s</p>'),
            "text/plain": "<HTML>"}),
        new_output("display_data", data={"application/javascript": "alert(4)", "text/plain": "<JS>"}),
        new_output("display_data", data={"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg"><script>'
                                         'alert(5)</script><circle r="3"/></svg>', "text/plain": "<Figure>"}),
    ]
    wide = new_code_cell("print('x' * 500)")
    wide.outputs = [new_output("stream", name="stdout", text="x" * 500 + "\n")]
    answer_md = new_markdown_cell('Because $\\frac{1}{N}\\sum_i e_i^2$ <script>alert(6)</script>'
                                  '<img src="https://evil.example/track.gif">')
    answer_md.metadata["nbgrader"] = {"solution": True, "grade": True, "locked": False, "grade_id": "explain",
                                      "points": 2, "schema_version": 3}
    nb = new_notebook(cells=[new_markdown_cell("# Toy lesson\nThe mean is $\\bar x = \\frac{1}{N}\\sum_i x_i$."),
                             answer, test, spy, html, wide, answer_md])
    nb.metadata["title"] = "</title><script>alert(7)</script>"
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("fb") / "toy.ipynb"
    nbformat.write(_hostile_notebook(), path)
    verdicts = [Verdict("toy", "test-mean", 0.0, 1.0, True, "toy.mean: off by a factor 2 — forgot the 1/N?"),
                Verdict("toy", "explain", None, 2.0, False)]
    return page("Toy lesson (toy)", "ada", learner_view(path, set()), verdicts)


def _without_our_scripts(text: str) -> str:
    return re.sub(r"<script>.*?</script>", "", text, flags=re.S)


def test_no_learner_script_event_handler_or_remote_resource(rendered: str) -> None:
    """Only the page's own three scripts remain; nothing loads from anywhere but data: URLs."""
    assert len(re.findall(r"<script", rendered)) == 3
    body = _without_our_scripts(rendered)
    for forbidden in ("alert(", "<iframe", "<link", "<style>body", "javascript:", "onerror", "onmouseover",
                      "evil.example", "url(http", "url(//", "<svg"):
        assert forbidden not in body, forbidden
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", body)
    assert 'src="data:image/svg+xml;base64,' in body  # the figure survives, as an inert image


def test_content_security_policy_allows_only_our_scripts(rendered: str) -> None:
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', rendered).group(1)
    assert "default-src 'none'" in csp and "img-src data:" in csp
    assert csp.count("'sha256-") == 3 and "unsafe-inline" not in csp.split("script-src")[1]


def test_hidden_test_code_never_appears(rendered: str) -> None:
    """Not in the test cell, not in its traceback, not in a learner's print of the kernel history."""
    assert HIDDEN_LINE not in rendered and "seed=1234" not in rendered and "HIDDEN TESTS" not in rendered
    assert REMOVED in rendered


def test_verdicts_first_and_pending_is_pending(rendered: str) -> None:
    """The top of the page says each exercise's verdict; the manual grade reads pending, never 0/2."""
    summary = rendered.split('<section class="dlc-notebook">')[0]
    assert "test-mean" in summary and "off by a factor 2" in summary
    visible = re.sub(r"<(script|style)>.*?</\1>|data:[^\"' )]+", "", rendered, flags=re.S)
    assert "pending (2 points)" in summary and "0/2" not in visible and "0.0 / 2.0" not in visible
    assert "0 of 3 points so far; 2 more points wait for your instructor (explain)" in summary


def test_learner_cannot_fake_a_verdict(rendered: str) -> None:
    """A learner's HTML with the page's own classes loses them: only the grader's badges are styled as verdicts."""
    body = rendered.split('<section class="dlc-notebook">')[1].split("</section>")[0]  # not the page's script
    assert "fake" in body and body.count("dlc-badge") == 2  # our two badges, not the learner's div
    assert '<div class="dlc-badge dlc-pass">test-mean: 1/1 fake' not in body


def test_long_lines_wrap_and_maths_ships_inline(rendered: str) -> None:
    assert "white-space: pre-wrap" in rendered and "overflow-wrap: anywhere" in rendered
    assert "renderMathInElement" in rendered and "data:font/woff2;base64," in rendered
    assert "fonts/KaTeX" not in rendered  # every font inlined: nothing to fetch next to the page
    assert "\\frac{1}{N}" in rendered


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_shipped_katex_renders_offline(tmp_path: Path) -> None:
    """The vendored katex.min.js is whole and works with no network (run by node)."""
    script = f"const k = require({str(KATEX / 'katex.min.js')!r}); process.stdout.write(k.renderToString('\\\\frac{{1}}{{N}}'));"
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert 'class="katex"' in out.stdout and "mfrac" in out.stdout


def test_katex_licence_ships() -> None:
    assert "MIT License" in (KATEX / "LICENSE").read_text()


@pytest.mark.ui
def test_page_renders_maths_in_a_browser_with_no_network(rendered: str, tmp_path: Path, browser: object) -> None:
    """Opened from disk in Chromium with every request outside the file refused: formulas are typeset by the
    inlined KaTeX, no learner script ran, and the page asked the network for nothing."""
    path = tmp_path / "page.html"
    path.write_text(rendered, encoding="utf-8")
    asked: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()
        page.route("**/*", lambda route: (asked.append(route.request.url), route.abort())
                   if not route.request.url.startswith(("file:", "data:")) else route.continue_())
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(path.as_uri())
        page.wait_for_selector(".dlc-notebook .katex", timeout=30_000)
        assert page.locator(".dlc-notebook .katex").count() >= 2
        assert page.locator(".katex-error").count() == 0
        page.screenshot(path=str(tmp_path / "feedback.png"), full_page=True)
    finally:
        context.close()
    assert asked == [] and dialogs == []
