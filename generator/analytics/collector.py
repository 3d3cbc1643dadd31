"""The collector: a small ASGI app that validates view events and stores them.

Every refusal has its own status and stores nothing: oversized bodies (413), malformed JSON (400),
wrong fields or types, unknown content ids, releases or quizzes, clocks too far off (422), a forged or
tampered token, a bad identity header, a bot user agent, a foreign origin (403). Refusals are
counted per reason and day, never attributed. If the store cannot commit, the answer is 503 and
nothing is acknowledged."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Sequence

from crawlerdetect import CrawlerDetect
from pydantic import TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from generator.analytics.events import MAX_BODY_BYTES, MAX_CLOCK_SKEW_MS, MAX_EVENTS_PER_REQUEST, ContentIndex, Event
from generator.analytics.identity import ID_PATTERN, verify
from generator.analytics.store import BatchingStore, StoredEvent, utc_today

_EVENTS = TypeAdapter(list[Event])


class Refused(Exception):
    """A request the collector turns away: the HTTP status and the reason it is counted under."""

    def __init__(self, status: int, reason: str, **details: object):
        super().__init__(reason)
        self.status, self.reason, self.details = status, reason, details


@dataclass
class CollectorSettings:
    index: ContentIndex
    """Content ids and releases events may name (``private/content-index.json``)."""
    origins: list[str]
    """Site origins allowed to post (CORS); requests from any other origin are refused."""
    keys: dict[str, bytes] = field(default_factory=dict)
    """Token keys by key id (``PARTNERKIT_TOKEN_KEYS``); every one verifies."""
    identity: str = "token"
    """``token``: the rep is named by the signed token in events; ``header``: by ``identity_header``."""
    identity_header: str = "X-Partnerkit-Rep"
    """Header an authenticating proxy sets to ``<partner id>/<rep id>`` (``identity: header`` only)."""


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise Refused(413, "too large")
    body = b""
    async for part in request.stream():
        body += part
        if len(body) > limit:
            raise Refused(413, "too large")
    return body


def parse_events(body: bytes) -> list[Event]:
    """One event or a list of them, as JSON (the beacon posts it as text/plain)."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Refused(400, "malformed json") from None
    items = data if isinstance(data, list) else [data]
    if not items or len(items) > MAX_EVENTS_PER_REQUEST:
        raise Refused(422, "batch size")
    try:
        return _EVENTS.validate_python(items)
    except ValidationError:
        raise Refused(422, "invalid event") from None


_CRAWLERS = CrawlerDetect()


def check_request(settings: CollectorSettings, request: Request) -> None:
    """Refuse requests from a foreign origin or a bot."""
    origin = request.headers.get("origin")
    if origin is not None and origin not in settings.origins:
        raise Refused(403, "foreign origin")
    agent = request.headers.get("user-agent", "")
    if not agent or _CRAWLERS.isCrawler(agent):
        raise Refused(403, "bot")


def rep_of(settings: CollectorSettings, request: Request, tokens: set[str]) -> tuple[str, str]:
    """(partner id, rep id) from the proxy's identity header or the request's signed tokens, or two
    empty strings for an anonymous reader; a forged token or a bad header is refused."""
    if settings.identity == "header":
        value = request.headers.get(settings.identity_header)
        if value is None:
            return "", ""
        partner, _, rep = value.partition("/")
        if not (ID_PATTERN.fullmatch(partner) and ID_PATTERN.fullmatch(rep)):
            raise Refused(403, "bad identity header")
        return partner, rep
    if not tokens:
        return "", ""
    reps = {verify(token, settings.keys) for token in tokens}
    if None in reps or len(reps) != 1:
        raise Refused(403, "forged token")
    rep = reps.pop()
    return rep.partner, rep.rep


async def count_refusal(store: BatchingStore, refused: Refused) -> JSONResponse:
    """Count the refusal under its reason (best effort) and answer it."""
    try:
        await asyncio.wrap_future(store.count_rejected(utc_today().isoformat(), refused.reason))
    except Exception:
        pass  # the refusal stands even if it could not be counted
    return JSONResponse({"error": refused.reason, **refused.details}, status_code=refused.status)


def create_app(settings: CollectorSettings, store: BatchingStore, routes: Sequence[BaseRoute] = ()) -> Starlette:
    """The collector: ``POST /e``, ``GET /health`` and any further ``routes`` (e.g. exam grading),
    all behind CORS limited to the site's origins."""

    async def collect(request: Request) -> Response:
        day = utc_today().isoformat()
        try:
            check_request(settings, request)
            events = parse_events(await read_body(request))
            now = time.time() * 1000
            if any(abs(event.at - now) > MAX_CLOCK_SKEW_MS for event in events):
                raise Refused(422, "clock skew")
            refusal = next(filter(None, map(settings.index.refusal, events)), None)
            if refusal:
                raise Refused(422, refusal)
            partner, rep = rep_of(settings, request, {event.token for event in events if event.token})
        except Refused as refused:
            return await count_refusal(store, refused)
        stored = [
            StoredEvent(day, event.type, event.content, event.version or "", event.view, partner, rep,
                        event.engaged_ms, event.scroll, event.quiz or "", event.score, bool(event.passed))
            for event in events
        ]
        try:
            await asyncio.wrap_future(store.write(stored))
        except Exception:
            return JSONResponse({"error": "store unavailable"}, status_code=503)
        return Response(status_code=204)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[Route("/e", collect, methods=["POST"]), Route("/health", health, methods=["GET"]), *routes],
        middleware=[Middleware(CORSMiddleware, allow_origins=list(settings.origins), allow_methods=["GET", "POST"],
                               allow_headers=["Content-Type"], max_age=86400)],
    )
