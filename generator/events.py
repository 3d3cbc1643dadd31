"""What the beacon sends and the collector stores, and the index of content ids the build writes.

Defined once: the beacon, the collector, the store and the reports all use these definitions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from generator.layout import CONTENT_INDEX
from generator.errors import PartnerkitError

MAX_BODY_BYTES = 16 * 1024
"""Largest request body the collector reads (413 beyond)."""
MAX_EVENTS_PER_REQUEST = 50
MAX_CLOCK_SKEW_MS = 24 * 3600 * 1000
"""How far an event's client clock may be from the collector's (422 beyond)."""
MAX_JSON_DEPTH = 10
"""Deepest nesting of arrays and objects in a request body (an event batch needs 2; 400 beyond)."""
BODY_SECONDS = 5
"""Seconds a request body has to arrive in full, from when its headers did (408 beyond)."""


class Event(BaseModel):
    """One thing a rep did on a page. Nothing here identifies the rep but ``token``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    type: Literal["view", "leave", "quiz", "download"]
    """``view`` when a page opens; ``leave`` when it is hidden or left, with the engaged time and scroll
    depth; ``quiz`` when a practice quiz on the page is submitted, with its score; ``download`` when one
    of the page's resources is opened (a file downloaded or a link followed), with its ``target``."""
    content: str = Field(pattern=r"^[a-z-]+:[^\s]{1,150}$")
    """Content id from the page's ``partnerkit:content-id`` meta tag, e.g. ``module:pricing``."""
    version: str | None = Field(default=None, max_length=50)
    """Release from the ``partnerkit:version`` meta tag; None on unversioned sites."""
    view: str = Field(pattern=r"^[A-Za-z0-9_-]{8,40}$")
    """Random id the beacon gives each page view, tying its other events to it."""
    at: int = Field(ge=0)
    """Client clock, milliseconds since 1970 (checked against the collector's clock)."""
    engaged_ms: int = Field(default=0, ge=0, le=24 * 3600 * 1000)
    """Leave events: milliseconds the page was visible in the focused tab since the view's previous leave event."""
    scroll: int = Field(default=0, ge=0, le=100)
    """Leave events: deepest scroll position reached, in percent of the page."""
    quiz: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    """Quiz events: the quiz id."""
    score: int = Field(default=0, ge=0, le=100)
    """Quiz events: points scored, in percent."""
    passed: bool | None = None
    """Quiz events: whether the score reached the quiz's pass mark."""
    target: str | None = Field(default=None, pattern=r"^r[0-9a-f]{12}$")
    """Download events: the resource's event id (``data-pk-r`` on its link)."""
    token: str | None = Field(default=None, max_length=200)
    """The rep's signed token from their personal link; None for anonymous views."""

    @model_validator(mode="after")
    def _quiz_fields_on_quiz_events_only(self) -> Event:
        if (self.type == "quiz") != (self.quiz is not None) or (self.quiz is None) != (self.passed is None):
            raise ValueError("quiz and passed are given on quiz events, and only there")
        if (self.type == "download") != (self.target is not None):
            raise ValueError("target is given on download events, and only there")
        return self


class PageResource(BaseModel):
    """A resource of a page, as the content index names it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    stage: str = ""
    """Its deal stage (its own or its module's), or "" for none."""


class ContentIndex(BaseModel):
    """The pages events may name and the releases they may come from, as the last build left them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    content: frozenset[str]
    """Content ids of every built page, e.g. ``module:pricing``, ``home:index``."""
    versions: frozenset[str] = frozenset()
    """Release names (``site/<version>/``); empty on an unversioned site."""
    quizzes: frozenset[str] = frozenset()
    """Ids of the practice quizzes whose results may be sent."""
    titles: dict[str, str] = Field(default_factory=dict)
    """Page titles by content id, for reports (absent in indexes older builds wrote; the collector ignores it)."""
    stages: dict[str, list[str]] = Field(default_factory=dict)
    """Deal stages of each page that serves any, by content id (for deal signals; never shown to reps)."""
    resources: dict[str, dict[str, PageResource]] = Field(default_factory=dict)
    """Resources of each page whose opening may be sent, by content id, then by the resource's event id."""
    releases: dict[str, frozenset[str]] = Field(default_factory=dict)
    """Content ids of each release (absent in indexes older builds wrote: then every id counts for every release)."""

    def in_release(self, content: str, version: str | None) -> bool:
        """Whether ``content`` is a page of release ``version`` (None on an unversioned site)."""
        if not ((version in self.versions) if self.versions else version is None):
            return False
        listed = self.releases.get(version or "")
        return content in (listed if listed is not None else self.content)

    def refusal(self, event: Event) -> str | None:
        """Why the collector must refuse ``event`` (unknown content, release or quiz), or None."""
        if event.content not in self.content:
            return "unknown content"
        if not ((event.version in self.versions) if self.versions else event.version is None):
            return "unknown release"
        if event.quiz is not None and event.quiz not in self.quizzes:
            return "unknown quiz"
        if event.target is not None and event.target not in self.resources.get(event.content, {}):
            return "unknown resource"
        return None


def write_content_index(root: Path, content_ids: Iterable[str], versions: Iterable[str], quizzes: Iterable[str] = (),
                        stages: dict[str, list[str]] | None = None, resources: dict[str, dict[str, dict[str, str]]] | None = None,
                        releases: dict[str, Iterable[str]] | None = None) -> Path:
    """Write ``private/content-index.json`` under the project ``root``; return its path. ``content_ids``
    may map each id to its page title (as ``RenderedSite.content_ids`` does): the titles are kept too.
    ``stages`` and ``resources`` are the pages' deal stages and resources (``RenderedSite`` has both);
    ``releases``: the content ids of each release."""
    path = root / CONTENT_INDEX
    path.parent.mkdir(parents=True, exist_ok=True)
    index: dict[str, object] = {"content": sorted(set(content_ids)), "versions": sorted(set(versions)), "quizzes": sorted(set(quizzes))}
    if isinstance(content_ids, dict):
        index["titles"] = {ident: title for ident, title in sorted(content_ids.items()) if title}
    if stages:
        index["stages"] = dict(sorted(stages.items()))
    if resources:
        index["resources"] = {ident: dict(sorted(listed.items())) for ident, listed in sorted(resources.items())}
    if releases:
        index["releases"] = {version: sorted(set(ids)) for version, ids in sorted(releases.items())}
    path.write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_content_index(root: Path) -> ContentIndex:
    """The index under the project ``root``; a missing or damaged file raises PartnerkitError naming it."""
    try:
        return ContentIndex.model_validate_json((root / CONTENT_INDEX).read_bytes())
    except FileNotFoundError:
        raise PartnerkitError(f"{CONTENT_INDEX} not found: run partnerkit build first (it lists the pages events may name)") from None
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise PartnerkitError(
            f"{CONTENT_INDEX} is damaged ({where + ': ' if where else ''}{problem['msg']}): run partnerkit build again"
        ) from None
