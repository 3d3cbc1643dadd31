"""Recorded talks: what a CS manager said in a high-touch session, as timed text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from generator.model._base import Id, Schema


@dataclass(frozen=True)
class Cue:
    """A stretch of speech: start and end in seconds, the words, and who spoke them if known."""

    start: float
    end: float
    text: str
    speaker: str | None = None


@dataclass(frozen=True)
class ChapterMark:
    """An explicit chapter start given by the transcript's author."""

    start: float
    title: str


class TalkMeta(Schema):
    """A talk's metadata, from a sidecar ``<name>.yml`` or a Markdown transcript's front matter."""

    kind_name: ClassVar[str] = "talk"
    title: str
    """Title of the article."""
    speakers: list[str] = []
    """Who speaks, e.g. ``Aiko Tanaka (Ostrova CSM)``."""
    date: str | None = None
    """When the talk was recorded, e.g. ``2026-11-04``."""
    language: str = "auto"
    """Language of the speech (``en``, ``ja``…) or ``auto`` to let Whisper detect it."""
    modules: list[Id] = []
    """Modules the talk belongs to; each links to the talk and back."""
    review: Literal["draft", "approved"] = "draft"
    """``draft`` talks appear only in builds of the working tree, marked as a draft transcript."""
    summary: str | None = None
    """A summary written by hand; otherwise one is drawn from the transcript."""


@dataclass(frozen=True)
class Talk:
    """One talk: its id (the file name without extension), metadata, timed text and optional media."""

    id: str
    meta: TalkMeta
    source: str
    """Transcript file, relative to the project (e.g. ``transcripts/kickoff.vtt``)."""
    cues: list[Cue]
    chapters: list[ChapterMark] = field(default_factory=list)
    media: str | None = None
    """Audio or video file, relative to the project, copied into the site."""

    kind_name: ClassVar[str] = "talk"

    @property
    def content_id(self) -> str:
        return f"talk:{self.id}"

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def duration(self) -> float:
        return max((cue.end for cue in self.cues), default=0.0)
