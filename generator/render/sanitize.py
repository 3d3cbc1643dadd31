"""Markdown bodies are sanitised: the HTML they turn into keeps only what Markdown and the theme need.

Bodies (module sections) stay Markdown in the generated pages, so the engine links, checks, indexes
and lists them in the table of contents as usual. ``body_marks.mark_body`` puts each body between two
HTML comments naming a digest of the body's own text (the render stage imports that module, not this
one); :class:`SanitizeExtension`, a Python-Markdown extension the engine loads (see ``mkdocs_config``), cleans everything between a pair of marks with
``nh3`` (the Rust ammonia sanitiser) after the page is converted. A body cannot forge its own end
mark: it would have to contain the digest of itself. A start mark without its end (a body that
leaves a code fence open swallows it) is cleaned to the end of the page.

The extension also keeps element ids to letters, digits, ``-``, ``_``, ``.`` and ``:`` before the
table of contents is built, because the theme prints table-of-contents links without escaping.

With ``content_html: trusted`` bodies are not marked and the extension is not loaded.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import Any

import nh3
from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor
from generator.render.body_marks import end_mark

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "input", "ins", "kbd", "label", "li", "mark", "ol", "p", "pre", "s", "samp", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var", "wbr",
})
"""Elements Markdown, its extensions (admonitions, details, tabs, task lists, tables, code) and the
theme produce. No script, style, iframe, object, embed, form, button, svg, math, video or audio."""

ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "ol": {"start", "type"},
    "th": {"colspan", "rowspan", "align", "style"},
    "td": {"colspan", "rowspan", "align", "style"},
    "col": {"span"},
    "details": {"open"},
    "input": {"type", "checked", "disabled", "id", "name"},
    "label": {"for"},
    "div": {"data-tabs"},
}
"""Attributes kept, per element: no event handlers, no ``style`` (except a table column's alignment)."""

URL_SCHEMES = frozenset({"http", "https", "mailto"})
"""Link and image addresses: these schemes or a relative address; ``javascript:``, ``data:`` and others go."""

_TABLE_ALIGN = re.compile(r"text-align: (?:left|right|center);")
_SAFE_ID = re.compile(r"[\w.:-]+")
_INPUT_TYPES = frozenset({"checkbox", "radio"})


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "style":
        return value if _TABLE_ALIGN.fullmatch(value) else None
    if tag == "input" and name == "type":
        return value if value in _INPUT_TYPES else None
    if name in ("id", "name", "for") and not _SAFE_ID.fullmatch(value):
        return None
    return value


def clean(html: str) -> str:
    """``html`` with only the allowed elements, attributes and addresses."""
    return nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        attribute_filter=_keep_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


_START = re.compile(r"<!--pk-body:([0-9a-f]{32})-->")


def clean_marked(html: str) -> str:
    """``html`` with every marked body sanitised and the marks removed."""
    parts: list[str] = []
    position = 0
    while (start := _START.search(html, position)) is not None:
        parts.append(html[position:start.start()])
        end = html.find(end_mark(start.group(1)), start.end())
        stop = len(html) if end < 0 else end
        parts.append(clean(html[start.end():stop]))
        position = stop if end < 0 else end + len(end_mark(start.group(1)))
    parts.append(html[position:])
    return "".join(parts)


class _SanitizeMarked(Postprocessor):
    def run(self, text: str) -> str:
        return clean_marked(text)


class _SafeIds(Treeprocessor):
    """Ids from attribute lists reach the table of contents, which the theme prints unescaped."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            ident = element.get("id")
            if ident is not None and not _SAFE_ID.fullmatch(ident):
                element.set("id", "-".join(_SAFE_ID.findall(ident)) or "section")


class SanitizeExtension(Extension):
    """Sanitise marked bodies once the page is HTML (after raw HTML and code blocks are put back)."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(_SafeIds(md), "partnerkit_safe_ids", 6)  # after attr_list (8), before toc (5)
        md.postprocessors.register(_SanitizeMarked(md), "partnerkit_sanitize", 0)


def makeExtension(**kwargs: Any) -> SanitizeExtension:
    return SanitizeExtension(**kwargs)
