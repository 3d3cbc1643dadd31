"""Transcript readers registered by file extension (as content readers are): each turns one file
into timed text, reporting every malformed cue with its line and column."""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from generator.errors import ContentError
from generator.files import read_project_text, relative_name
from generator.load.yaml_source import SourceDocument, parse_yaml
from generator.model.talk import ChapterMark, Cue
from generator.model.timestamps import clock, parse_timestamp


@dataclass
class TranscriptText:
    """What a transcript file holds: cues, explicit chapters and, for Markdown, front matter."""

    cues: list[Cue] = field(default_factory=list)
    chapters: list[ChapterMark] = field(default_factory=list)
    front_matter: Any = None
    front_matter_source: SourceDocument | None = None


Reader = Callable[[str, str], tuple[TranscriptText, list[ContentError]]]
"""A reader takes (path shown in messages, file text) and returns the transcript and its errors."""

_TAGS = re.compile(r"<[^>]+>")
_VOICE = re.compile(r"^<v(?:\.[\w.-]+)?\s+([^>]+)>")
_CHAPTER_NOTE = re.compile(r"^NOTE\s+chapter\s*:\s*(.+)$", re.IGNORECASE)
_PREFIX = re.compile(r"^([^\s:：<>][^:：<>\n]{0,40}?)\s*(?::\s+|：\s*)(.+)$", re.DOTALL)
"""``Name: text`` (a space after an ASCII colon) or ``名前：本文`` (a full-width colon, as Japanese writes it)."""


def _clean(text: str) -> tuple[str, str | None]:
    """Cue text without markup, and the voice (speaker) if a ``<v Name>`` tag gives one."""
    voice = _VOICE.match(text)
    plain = html.unescape(_TAGS.sub("", text))
    return " ".join(plain.split()), voice.group(1).strip() if voice else None


def _speakers_from_prefixes(cues: list[Cue]) -> list[Cue]:
    """``Name: text`` becomes a speaker when the same short name starts at least two cues."""
    candidates = Counter(
        match.group(1) for cue in cues if cue.speaker is None
        for match in [_PREFIX.match(cue.text)] if match and len(match.group(1).split()) <= 4
    )
    names = {name for name, count in candidates.items() if count >= 2}
    result = []
    for cue in cues:
        match = _PREFIX.match(cue.text) if cue.speaker is None else None
        if match and match.group(1) in names:
            result.append(Cue(cue.start, cue.end, match.group(2).strip(), match.group(1)))
        else:
            result.append(cue)
    return result


def _timed_blocks(path: str, lines: list[str], first: int, errors: list[ContentError], srt: bool):
    """Yield (timing line number, start, end, text lines, chapter notes before it) for every cue block."""
    notes: list[str] = []
    index = first
    while index < len(lines):
        while index < len(lines) and not lines[index].strip():
            index += 1
        block_start = index
        block: list[str] = []
        while index < len(lines) and lines[index].strip():
            block.append(lines[index])
            index += 1
        if not block:
            break
        if not srt and block[0].startswith(("NOTE", "STYLE", "REGION")):
            chapter = _CHAPTER_NOTE.match(" ".join(line.strip() for line in block))
            if chapter:
                notes.append(chapter.group(1).strip())
            continue
        arrow = next((position for position, line in enumerate(block[:2]) if "-->" in line), None)
        if arrow is None:
            errors.append(ContentError(path, block_start + 1, 1, "", "expected a timing line 'start --> end'"))
            continue
        timing_line = block_start + arrow + 1
        left, _, right = block[arrow].partition("-->")
        right_text = right.strip().split(" ")[0] if right.strip() else ""
        separator = "," if srt else "."
        start, end = parse_timestamp(left, separator), parse_timestamp(right_text, separator)
        if start is None:
            errors.append(ContentError(path, timing_line, 1, "", f"bad timestamp '{left.strip()}': expected HH:MM:SS{',' if srt else '.'}mmm"))
            continue
        if end is None:
            column = block[arrow].index("-->") + 4 + (len(right) - len(right.lstrip()))
            errors.append(ContentError(path, timing_line, column, "", f"bad timestamp '{right_text}': expected HH:MM:SS{',' if srt else '.'}mmm"))
            continue
        if end <= start:
            errors.append(ContentError(path, timing_line, 1, "", f"cue ends ({clock(end)}) before it starts ({clock(start)})"))
            continue
        yield timing_line, start, end, block[arrow + 1:], notes
        notes = []


def _cues_from_blocks(path: str, lines: list[str], first: int, srt: bool) -> tuple[TranscriptText, list[ContentError]]:
    errors: list[ContentError] = []
    result = TranscriptText()
    previous_end = 0.0
    for line, start, end, text_lines, notes in _timed_blocks(path, lines, first, errors, srt):
        if start < previous_end:
            errors.append(ContentError(
                path, line, 1, "", f"cue starts at {clock(start)}, before the previous cue ends ({clock(previous_end)})"
            ))
            continue
        previous_end = end
        for title in notes:
            result.chapters.append(ChapterMark(start, title))
        text, speaker = _clean(" ".join(text_lines))
        if text:
            result.cues.append(Cue(start, end, text, speaker))
    result.cues = _speakers_from_prefixes(result.cues)
    return result, errors


def read_vtt(path: str, text: str) -> tuple[TranscriptText, list[ContentError]]:
    lines = text.split("\n")
    if not lines or not lines[0].startswith("WEBVTT"):
        return TranscriptText(), [ContentError(path, 1, 1, "", "expected 'WEBVTT' on the first line")]
    return _cues_from_blocks(path, lines, 1, srt=False)


def read_srt(path: str, text: str) -> tuple[TranscriptText, list[ContentError]]:
    return _cues_from_blocks(path, text.split("\n"), 0, srt=True)


def _paragraph_cues(paragraphs: list[str], start: float = 0.0, end: float = 0.0) -> list[Cue]:
    return _speakers_from_prefixes([Cue(start, end, " ".join(paragraph.split())) for paragraph in paragraphs if paragraph.strip()])


def read_txt(path: str, text: str) -> tuple[TranscriptText, list[ContentError]]:
    """Plain text: paragraphs separated by blank lines, no timing."""
    return TranscriptText(cues=_paragraph_cues(re.split(r"\n\s*\n", text))), []


_CHAPTER_HEADING = re.compile(r"^##\s+(\d{1,2}:\d{2}(?::\d{2})?)\s+(.+?)\s*$")


def read_markdown(path: str, text: str) -> tuple[TranscriptText, list[ContentError]]:
    """Front matter between ``---`` lines, then paragraphs; ``## 00:12:30 Pricing`` starts a chapter."""
    errors: list[ContentError] = []
    result = TranscriptText()
    lines = text.split("\n")
    body_start = 0
    if lines and lines[0].strip() == "---":
        closing = next((index for index in range(1, len(lines)) if lines[index].strip() == "---"), None)
        if closing is None:
            return result, [ContentError(path, 1, 1, "", "front matter starts with '---' but never ends")]
        documents, yaml_errors = parse_yaml(path, "\n".join(lines[1:closing]), first_line=2)
        errors += yaml_errors
        if documents:
            result.front_matter, result.front_matter_source = documents[0].data, documents[0]
        body_start = closing + 1
    sections: list[tuple[float, list[str]]] = [(0.0, [])]
    for number, line in enumerate(lines[body_start:], start=body_start + 1):
        heading = _CHAPTER_HEADING.match(line)
        if heading:
            parts = [int(part) for part in heading.group(1).split(":")]
            seconds = parts[0] * 3600 + parts[1] * 60 + parts[2] if len(parts) == 3 else parts[0] * 60 + parts[1]
            if result.chapters and seconds <= result.chapters[-1].start:
                errors.append(ContentError(path, number, 4, "", f"chapter at {heading.group(1)} is not after the previous one"))
                continue
            result.chapters.append(ChapterMark(float(seconds), heading.group(2)))
            sections.append((float(seconds), []))
        else:
            sections[-1][1].append(line)
    for index, (start, body) in enumerate(sections):
        end = sections[index + 1][0] if index + 1 < len(sections) else start
        result.cues += _paragraph_cues(re.split(r"\n\s*\n", "\n".join(body)), start, end)
    return result, errors


TRANSCRIPT_READERS: dict[str, Reader] = {".vtt": read_vtt, ".srt": read_srt, ".txt": read_txt, ".md": read_markdown}
"""Transcript readers by lower-case extension."""

MEDIA_EXTENSIONS = {".wav", ".mp3", ".m4a", ".flac", ".ogg", ".mp4", ".webm"}
"""Recordings partnerkit transcribes and plays on the talk page."""


def read_transcript(path: Path, root: Path) -> tuple[TranscriptText, list[ContentError]]:
    text, error = read_project_text(path, root)
    if error:
        return TranscriptText(), [error]
    return TRANSCRIPT_READERS[path.suffix.lower()](relative_name(path, root), text)
