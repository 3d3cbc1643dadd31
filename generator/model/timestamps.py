"""Cue timestamps as WebVTT and SubRip write them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_TIMESTAMPS = {
    separator: re.compile(rf"^(?:(\d+):)?([0-5]\d):([0-5]\d){re.escape(separator)}(\d{{3}})$") for separator in ".,"
}


def parse_timestamp(text: str, separator: str = ".") -> float | None:
    """Seconds for ``01:02:03.456`` or ``02:03.456`` (WebVTT; SubRip writes ``01:02:03,456``:
    ``separator=","``); None if malformed."""
    match = _TIMESTAMPS[separator].match(text.strip())
    if not match:
        return None
    hours, minutes, seconds, millis = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def format_timestamp(seconds: float, separator: str = ".") -> str:
    """``HH:MM:SS.mmm`` (``,`` as separator for SubRip)."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    whole, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{whole:02d}{separator}{millis:03d}"


def clock(seconds: float) -> str:
    """A short reading clock: ``4:05`` or ``1:02:03``."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def webvtt(cues: Iterable[Any]) -> str:
    """The one WebVTT writer: cues (anything with ``start`` and ``end`` in seconds, ``text`` and, where
    known, ``speaker``) with their text escaped and the speaker as a ``<v>`` voice tag. Used for the
    transcripts partnerkit writes and the captions track of a talk's page."""

    def escaped(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    blocks = ["WEBVTT", ""]
    for cue in cues:
        speaker = getattr(cue, "speaker", None)
        voice = f"<v {escaped(speaker)}>" if speaker else ""
        blocks += [f"{format_timestamp(cue.start)} --> {format_timestamp(cue.end)}", voice + escaped(cue.text), ""]
    return "\n".join(blocks)
