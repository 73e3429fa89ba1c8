"""Everything a learner's notebook puts on a feedback page is made inert here, before and after rendering.

Before: outputs keep only static types (text, images, HTML to be cleaned), SVG becomes an <img> (an image
document runs no script and loads nothing), and notebook metadata (title, widget state) is dropped. After: the
rendered body goes through nh3 (a maintained sanitiser): no script, no style, no event handler, no inline
style (CSS can load URLs), images only as data: URLs, nothing that loads from elsewhere.
"""

from __future__ import annotations

import base64
import re

import nh3
from nbformat import NotebookNode

STATIC_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex", "image/png", "image/jpeg", "image/gif")
TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details", "div",
        "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
        "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var"}
ATTRIBUTES = {"*": {"class", "id", "title", "align", "colspan", "rowspan"}, "a": {"href"},
              "img": {"src", "alt", "width", "height"}}
DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]*$")
LINK = re.compile(r"^(#|https?://|mailto:)", re.IGNORECASE)
OURS = "dlc-"  # classes and ids only the page builder may use (so a learner cannot fake a verdict)


def _attribute(tag: str, name: str, value: str) -> str | None:
    """Keep an attribute only when it cannot load anything or pose as the grader."""
    if name == "src":
        return value if DATA_IMAGE.match(value) else None
    if name == "href":
        return value if LINK.match(value.strip()) else None
    if name == "class":
        kept = " ".join(c for c in value.split() if not c.startswith(OURS))
        return kept or None
    if name == "id" and value.startswith(OURS):
        return None
    return value


EMPTY_IMAGE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def clean_html(fragment: str) -> str:
    """The fragment with only static, self-contained markup left (an image whose source was refused goes too)."""
    cleaned = nh3.clean(fragment, tags=TAGS, clean_content_tags={"script", "style", "textarea", "title", "noscript"},
                        attributes=ATTRIBUTES, attribute_filter=_attribute, strip_comments=True,
                        link_rel="noopener noreferrer nofollow", url_schemes={"http", "https", "mailto", "data"})
    return EMPTY_IMAGE.sub("", cleaned)


def _static_output(output: NotebookNode) -> None:
    """Reduce a rich output to static types; an SVG becomes an <img> of itself."""
    data = output.get("data")
    if not isinstance(data, dict):
        return
    svg = data.get("image/svg+xml")
    if isinstance(svg, list):
        svg = "".join(svg)
    kept = {k: v for k, v in data.items() if k in STATIC_TYPES}
    if isinstance(svg, str) and "text/html" not in kept:
        encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        kept["text/html"] = f'<img alt="figure" src="data:image/svg+xml;base64,{encoded}">'
    output["data"] = kept
    output["metadata"] = {}


def static_notebook(nb: NotebookNode) -> NotebookNode:
    """The notebook with learner-chosen metadata dropped and every output static (changed in place)."""
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in ("kernelspec", "language_info")}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            _static_output(output)
        cell.pop("attachments", None)  # attachment: URLs would need the notebook beside the page
    return nb
