"""Japanese headings break between phrases, not inside words ("30日前対応と / 更新の / 手続き", never
"30 日 / 前対応"): a Python-Markdown extension the engine loads for a Japanese site (see
``mkdocs_config``) splits each heading's text into phrases with BudouX (Google's phrase segmenter) and
puts a ``<wbr>`` between them; the stylesheet (``partnerkit.css``) keeps words whole elsewhere
(``word-break: keep-all``), so a line breaks only at those points or at spaces."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from functools import lru_cache
from typing import Any

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")


@lru_cache(maxsize=1)
def _parser():
    import budoux

    return budoux.load_default_japanese_parser()


def phrases(text: str) -> list[str]:
    """``text`` as BudouX's phrases (the text itself when it holds no Japanese)."""
    if not _JAPANESE.search(text):
        return [text]
    return [part for part in _parser().parse(text) if part]


def _broken(text: str) -> tuple[str, list[etree.Element]]:
    """The first phrase of ``text`` and one ``<wbr>`` per further phrase, carrying it as its tail."""
    parts = phrases(text)
    breaks = []
    for part in parts[1:]:
        wbr = etree.Element("wbr")
        wbr.tail = part
        breaks.append(wbr)
    return parts[0], breaks


def break_phrases(heading: etree.Element) -> None:
    """Insert ``<wbr>`` between the phrases of the heading's own text and of its children's tails."""
    if heading.text:
        heading.text, breaks = _broken(heading.text)
        for index, wbr in enumerate(breaks):
            heading.insert(index, wbr)
    for child in list(heading):
        if child.tag != "wbr" and child.tail:
            child.tail, breaks = _broken(child.tail)
            at = list(heading).index(child) + 1
            for offset, wbr in enumerate(breaks):
                heading.insert(at + offset, wbr)


class _PhraseBreaks(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag in HEADINGS:
                break_phrases(element)


class PhraseExtension(Extension):
    """Phrase breaks in headings, after the table of contents took their text (toc: 5)."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(_PhraseBreaks(md), "partnerkit_phrases", 4)


def makeExtension(**kwargs: Any) -> PhraseExtension:
    return PhraseExtension(**kwargs)
