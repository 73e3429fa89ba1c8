"""One self-contained feedback page: the grader's verdicts at the top, the learner's notebook below, maths by an
inlined KaTeX (works offline), long lines wrapped, and a Content-Security-Policy that lets only our scripts run.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell

from ..notebooks import is_grade, meta
from ..table import fmt_points
from .sanitize import clean_html

KATEX = resources.files("dlcourse.feedback") / "katex"
MATH_DELIMITERS = ('[{left: "$$", right: "$$", display: true}, {left: "$", right: "$", display: false}, '
                   '{left: "\\\\(", right: "\\\\)", display: false}, {left: "\\\\[", right: "\\\\]", display: true}, '
                   '{left: "\\\\begin{equation}", right: "\\\\end{equation}", display: true}, '
                   '{left: "\\\\begin{align}", right: "\\\\end{align}", display: true}]')
# Learner text is typeset too (their written answers hold formulas), so nothing in it may draw a box or move
# text out of its place (a fake verdict), and the grader's own badges and summary are never typeset.
KATEX_MACROS = {"\\colorbox": "\\fbox{#2}", "\\fcolorbox": "\\fbox{#3}", "\\raisebox": "#2",
                "\\htmlStyle": "#2", "\\htmlClass": "#2", "\\htmlId": "#2", "\\htmlData": "#2"}
IGNORED_CLASSES = ("dlc-badge", "dlc-summary")
RENDER_MATH = ("renderMathInElement(document.querySelector('.dlc-notebook'), {delimiters: " + MATH_DELIMITERS +
               ", throwOnError: false, ignoredClasses: " + json.dumps(list(IGNORED_CLASSES)) + ", macros: "
               + json.dumps(KATEX_MACROS) + "});")
PAGE_CSS = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; }
main.dlc-page { max-width: 980px; margin: 0 auto; padding: 1.5em; }
pre, code { font: 13px/1.45 ui-monospace, "DejaVu Sans Mono", Menlo, monospace; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
.rendered_html, .text_cell_render { overflow-wrap: anywhere; }
img { max-width: 100%; height: auto; }
.prompt, .anchor-link { display: none; }
.cell { margin: 0.6em 0; }
.input_area { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: 0.5em 0.7em; }
.output_subarea { padding: 0.3em 0.7em; }
.output_error, .output_stderr { background: #fff1f0; border-left: 3px solid #cf222e; }
.rendered_html table, table.dlc-verdicts { border-collapse: collapse; margin: 0.5em 0; }
.rendered_html td, .rendered_html th, table.dlc-verdicts td, table.dlc-verdicts th {
  border: 1px solid #d0d7de; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
.dlc-summary { border: 1px solid #d0d7de; border-radius: 8px; padding: 0.8em 1.2em; margin-bottom: 1.5em; }
.dlc-summary h1 { font-size: 1.4em; margin: 0.2em 0; }
.dlc-badge { margin: 0.3em 0 1em; padding: 0.4em 0.8em; border-radius: 6px; overflow-wrap: anywhere; }
.dlc-pass { background: #dafbe1; } .dlc-fail { background: #ffebe9; } .dlc-pending { background: #fff8c5; }
.ansi-red-fg { color: #cf222e; } .ansi-green-fg { color: #116329; } .ansi-yellow-fg { color: #7d4e00; }
.ansi-blue-fg { color: #0550ae; } .ansi-cyan-fg { color: #1b7c83; } .ansi-bold { font-weight: bold; }
"""


@dataclass
class Verdict:
    """The grader's word on one graded cell."""

    notebook: str
    exercise: str
    points: float | None  # None: a manual grade not given yet
    max_points: float
    auto: bool
    diagnosis: str = ""
    comment: str = ""  # the instructor's comment from formgrader

    def kind(self) -> str:
        """'pass', 'fail' or 'pending'."""
        if self.points is None:
            return "pending"
        return "pass" if self.points >= self.max_points else "fail"

    def score(self) -> str:
        """'1/1', '0/2' or 'pending (2 points)'."""
        if self.points is None:
            return f"pending ({fmt_points(self.max_points)} points)"
        return f"{fmt_points(self.points)}/{fmt_points(self.max_points)}"

    def words(self) -> str:
        """What the learner reads next to the score."""
        if self.points is None:
            return "waiting for your instructor to read it"
        said = self.diagnosis or ("passed" if self.kind() == "pass" else "not full marks")
        return said + (f" — instructor: {self.comment}" if self.comment else "")


def _css_with_inline_fonts() -> str:
    """KaTeX's stylesheet with its WOFF2 fonts as data: URLs (and no other font formats to fetch)."""
    css = (KATEX / "katex.min.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode((KATEX / "fonts" / f"{match.group(1)}.woff2").read_bytes()).decode("ascii")
        return f'src:url(data:font/woff2;base64,{data}) format("woff2")'

    return re.sub(r'src:url\(fonts/([\w-]+)\.woff2\) format\("woff2"\)[^;}]*', inline, css)


@lru_cache(maxsize=1)
def _assets() -> tuple[str, list[str]]:
    """(KaTeX CSS, [KaTeX, auto-render, our call]) read once per process."""
    scripts = [(KATEX / name).read_text(encoding="utf-8") for name in ("katex.min.js", "auto-render.min.js")]
    return _css_with_inline_fonts(), [*scripts, RENDER_MATH]


def _pygments_css() -> str:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style="default").get_style_defs(".highlight")


def _csp(scripts: list[str]) -> str:
    """Only our own scripts (by hash) run; images and fonts only from data: URLs; nothing is fetched."""
    hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
                      for s in scripts)
    return f"default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; script-src {hashes}"


def _badge(v: Verdict) -> str:
    return (f'<div class="dlc-badge dlc-{v.kind()}"><strong>{html.escape(v.exercise)}: {html.escape(v.score())}'
            f'</strong> — {html.escape(v.words())}</div>')


def summary_html(title: str, student: str, verdicts: list[Verdict]) -> str:
    """The top of the page: totals, what is pending, and one verdict line per graded cell."""
    given = [v for v in verdicts if v.points is not None]
    pending = [v for v in verdicts if v.points is None]
    total = sum(v.points or 0 for v in given)
    most = sum(v.max_points for v in verdicts)
    line = f"{fmt_points(total)} of {fmt_points(most)} points"
    if pending:
        line += (f" so far; {fmt_points(sum(v.max_points for v in pending))} more points wait for your "
                 f"instructor ({', '.join(v.exercise for v in pending)})")
    rows = "".join(f'<tr class="dlc-{v.kind()}"><td>{html.escape(v.exercise)}</td><td>{html.escape(v.score())}'
                   f"</td><td>{html.escape(v.words())}</td></tr>" for v in verdicts)
    return (f'<header class="dlc-summary"><h1>{html.escape(title)}</h1><p>Feedback for <strong>'
            f'{html.escape(student)}</strong>: <strong class="dlc-total">{html.escape(line)}</strong>.</p>'
            f'<table class="dlc-verdicts"><thead><tr><th>exercise</th><th>points</th><th>verdict</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></header>")


@lru_cache(maxsize=1)
def _exporter() -> object:
    """One nbconvert exporter for every page (building its templates costs more than rendering a page). Its
    bleach pass is skipped: nh3 cleans the whole body afterwards, once and faster."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="basic", exclude_input_prompt=True, exclude_output_prompt=True,
                        filters={"clean_html": lambda html: html})


def notebook_body(nb: NotebookNode, verdicts: dict[str, Verdict]) -> str:
    """The notebook as sanitised HTML, with the grader's verdict under each graded cell."""
    nonce = secrets.token_hex(8)  # unknown to the learner, so no cell of theirs can become a verdict
    cells, badges = [], {}
    for cell in nb.cells:
        cells.append(cell)
        grade_id = meta(cell).get("grade_id")
        if is_grade(cell) and grade_id in verdicts:
            token = f"DLCVERDICT{nonce}N{len(badges)}"
            badges[token] = _badge(verdicts[grade_id])
            cells.append(new_markdown_cell(token))
    nb.cells = cells
    body, _ = _exporter().from_notebook_node(nb)
    body = clean_html(body)
    for token, badge in badges.items():
        body = re.sub(rf"<p>\s*{token}\s*</p>|{token}", lambda _m, b=badge: b, body)
    return body


def page(title: str, student: str, nb: NotebookNode, verdicts: list[Verdict]) -> str:
    """The whole feedback page as one HTML document that needs nothing from the network."""
    katex_css, scripts = _assets()
    by_id = {v.exercise: v for v in verdicts}
    body = notebook_body(nb, by_id)
    script_tags = "".join(f"<script>{s}</script>" for s in scripts)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{_csp(scripts)}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)} — {html.escape(student)}</title>"
            f"<style>{katex_css}</style><style>{PAGE_CSS}{_pygments_css()}</style></head>"
            f'<body><main class="dlc-page">{summary_html(title, student, verdicts)}'
            f'<section class="dlc-notebook">{body}</section></main>{script_tags}</body></html>\n')
