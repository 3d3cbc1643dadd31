"""The one rule for text any store keeps: SQLite and PostgreSQL hold the same texts, and refuse the
same ones the same way.

PostgreSQL's ``text`` cannot hold a NUL character (U+0000), and neither database holds a lone UTF-16
surrogate (U+D800 to U+DFFF: JSON's ``"\\ud800"`` escapes decode to one, but it is no character of
UTF-8). Such text is refused, never cleaned: where it comes in (a collector request: 422 ``unstorable
text``; an input file: a located error), and by the store itself for any that gets that far
(:class:`UnstorableText`), whichever database it is."""

from __future__ import annotations

import re
from typing import Iterable

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnstorableText(ValueError):
    """A text parameter no store can hold (raised the same way by SQLite and PostgreSQL stores)."""


def unstorable(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    what = "a NUL character" if found.group() == "\x00" else f"a lone surrogate (U+{ord(found.group()):04X})"
    return f"contains {what} (character {found.start() + 1}), which no store can hold"


def check_storable(values: Iterable[object]) -> None:
    """Raise :class:`UnstorableText` if any text among ``values`` (SQL parameters) cannot be stored."""
    texts = [value for value in values if isinstance(value, str)]
    if _UNSTORABLE.search("".join(texts)) is None:  # the usual case, in one look (joined, no such character appears)
        return
    for value in texts:
        reason = unstorable(value)
        if reason:
            raise UnstorableText(reason)
