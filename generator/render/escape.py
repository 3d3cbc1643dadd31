"""Escaping of plain text for each context it lands in, one function per context.

Content fields the schema declares as plain text (titles, summaries, names, step actions…) and
transcript text are never markup: whatever characters they hold must show as those characters.
Templates output them through these filters; :func:`finalize` applies :func:`md_text` to every
``{{ … }}`` value that is not already escaped (a :class:`markupsafe.Markup`), so a field added to a
template later is escaped without anyone remembering to.

The contexts:

- :func:`md_text`: running Markdown text (paragraphs, list items, headings, admonition and tab titles,
  link texts). ``& < > "`` become entities (a quote too: a vendor's template may put the value in an
  attribute or in front matter the theme prints inside one); Markdown punctuation that could start a link, an
  image, an attribute list, emphasis, code or raw HTML is backslash-escaped; a character that would
  start a block (``-``, ``#``, ``!!!``, ``===``, ``1.``) at the start of the text is neutralised. The
  text becomes one line, so a field cannot end the block it is placed in.
- :func:`md_cell`: a Markdown table cell (one line, ``|`` escaped; the same rules as text).
- :func:`md_code`: a code span; :func:`md_code_block`: a fenced code block. Their text shows literally.
- :func:`md_url`: a link destination: an ``http``, ``https`` or ``mailto`` address or a relative one,
  percent-encoded so it cannot end the link; any other scheme (``javascript:``) is refused.
- :func:`html_text`: raw HTML text and double-quoted attribute values (Markdown does not touch them).
- :func:`theme_text`: text the theme prints without escaping (``site_name``, ``copyright``, navigation
  titles in ``mkdocs.yml``, the page title of the front matter): HTML characters become entities,
  which the browser shows as the characters themselves.
- :func:`yaml_text`: a YAML (JSON-compatible) double-quoted scalar (front matter).
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
"""HTML characters as entities; the apostrophe stays (every attribute partnerkit writes is double-quoted)."""

_MARKDOWN_PUNCTUATION = frozenset("\\`*_{}[]|#")
"""Backslash-escaped anywhere: links and images (``[ ]``), attribute lists (``{ }``), emphasis, code,
table cells and heading marks. Python-Markdown removes the backslash again, so the page shows the
character."""

_AS_HTML = str.maketrans(_HTML)
_AS_MARKDOWN = str.maketrans({**{char: "\\" + char for char in _MARKDOWN_PUNCTUATION}, **_HTML})
"""One pass (``str.translate``) for plain text inside Markdown: HTML characters as entities, Markdown
punctuation backslash-escaped."""

_BLOCK_START = re.compile(r"^(?:[-+=](?=[\s=-]|$)|[!?~:]{3}|\d+[.)](?=\s|$))")
"""What would start a list, an admonition (``!!!``), a collapsible block (``???``), a tab (``===``) or
another block if it opened a line."""


_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")
"""White space as Markdown reads it: a full-width space (U+3000) is a character the author wrote."""


def _entities(text: str) -> str:
    return text.translate(_AS_HTML)




def md_text(value: Any) -> Markup:
    """Plain text inside Markdown: shows exactly as written, starts and ends nothing, on one line.

    Runs of white space become one space (a space at either end is kept, so ``", "`` stays itself)."""
    if isinstance(value, Markup):
        return value
    text = _ASCII_SPACE.sub(" ", str(value).strip("\r\n"))
    core = text.strip(" ")
    escaped = core.translate(_AS_MARKDOWN)
    start = _BLOCK_START.match(escaped)
    if start:
        at = len(start.group(0)) - 1 if escaped[0].isdigit() else 0
        escaped = f"{escaped[:at]}&#{ord(escaped[at])};{escaped[at + 1:]}"
    lead = " " if text.startswith(" ") and core else ""
    trail = " " if text.endswith(" ") else ""
    return Markup(f"{lead}{escaped}{trail}")


def md_cell(value: Any) -> Markup:
    """Plain text inside a Markdown table cell: :func:`md_text` (already one line, ``|`` escaped)."""
    return md_text(value)


def md_code(value: Any) -> Markup:
    """Plain text as a Markdown code span, shown literally (Markdown escapes HTML inside code)."""
    text = _ASCII_SPACE.sub(" ", str(value)).strip(" ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return Markup(f"{fence}{padding}{text}{padding}{fence}")


def md_code_block(value: Any, language: str = "text", indent: int = 0) -> Markup:
    """Plain text as a fenced code block (fence longer than any backtick run inside), indented by ``indent``."""
    text = str(value).strip()
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    fence = "`" * (longest + 1)
    pad = " " * indent
    lines = [f"{fence}{language}", *text.splitlines(), fence]
    return Markup("\n".join(pad + line if line else line for line in lines))


URL_SCHEMES = ("http", "https", "mailto")
"""The schemes a link may use; relative addresses are always allowed."""

_URL_UNSAFE = frozenset(' ()<>[]"\'`\\{}|')
"""Characters percent-encoded in a link destination: they could end it or start markup."""

_URL_ENCODED = re.compile(f"[{re.escape(''.join(sorted(_URL_UNSAFE)))}\\x00-\\x20\\x7f]")
"""A character of :data:`_URL_UNSAFE`, a control character or a space: what :func:`md_url` percent-encodes
(one regular-expression pass; most addresses hold none)."""

_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")


def url_allowed(url: str) -> bool:
    """Whether ``url`` is relative or uses one of :data:`URL_SCHEMES` (as a browser would read it)."""
    scheme = _SCHEME.match(quote(url.strip(), safe=":/"))
    return scheme is None or scheme.group(1).lower() in URL_SCHEMES


def md_url(value: Any) -> Markup:
    """An address as a Markdown link destination (percent-encoded: no space, bracket or quote survives)."""
    url = str(value).strip()
    if not url_allowed(url):
        raise ValueError(f"not an http, https, mailto or relative address: {url!r}")
    return Markup(_URL_ENCODED.sub(_percent_encoded, url))


def _percent_encoded(found: re.Match[str]) -> str:
    return quote(found.group(), safe="")


def html_text(value: Any) -> Markup:
    """Plain text inside raw HTML: element text or a double-quoted attribute value."""
    return escape(value)


def theme_text(value: Any) -> str:
    """Plain text the theme prints as HTML without escaping (``mkdocs.yml`` titles, ``site_name``…)."""
    return _entities(str(value))


_YAML_PLAIN = re.compile(r"[^\W_][\w.:-]*(?<!:)")


def yaml_text(value: Any, plain: bool = False) -> Markup:
    """Text as a double-quoted YAML (JSON) scalar; front matter the theme prints is ``theme_text`` first.
    With ``plain``, an id-like value (letters, digits, ``. : - _``) is written unquoted."""
    text = str(value)
    if plain and _YAML_PLAIN.fullmatch(text) and ": " not in text:
        return Markup(text)
    return Markup(json.dumps(text, ensure_ascii=False))


_remembered_md_text = functools.lru_cache(maxsize=2048)(md_text)
""":func:`md_text` of a ``str``, remembered: a site prints the same interface words and titles on page after page."""


def finalize(value: Any) -> Any:
    """Jinja's ``finalize``: every printed value not marked as escaped is Markdown text."""
    if isinstance(value, Markup):
        return value
    if type(value) is str:  # only exactly str: 1 and True are equal keys that md_text writes differently
        return _remembered_md_text(value)
    return md_text(value)


FILTERS = {
    "md_text": md_text,
    "md_cell": md_cell,
    "md_code": md_code,
    "md_code_block": md_code_block,
    "md_url": md_url,
    "html": html_text,
    "theme_text": theme_text,
    "yaml_text": yaml_text,
}
"""The escaping filters templates use, by name."""
