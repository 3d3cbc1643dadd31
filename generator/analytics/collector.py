"""The collector: a small ASGI app that validates view events and stores them.

Every refusal has its own status and stores nothing: oversized bodies (413), malformed JSON (400),
wrong fields or types, unknown content ids, clocks too far off (422), a forged or tampered token,
a bot user agent, a foreign origin (403). Refusals are counted per reason and day, never attributed."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from crawlerdetect import CrawlerDetect
from pydantic import TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from generator.analytics.events import MAX_BODY_BYTES, MAX_CLOCK_SKEW_MS, MAX_EVENTS_PER_REQUEST, Event
from generator.analytics.identity import verify
from generator.analytics.store import SqliteStore, StoredEvent

_EVENTS = TypeAdapter(list[Event])


class Refused(Exception):
    def __init__(self, status: int, reason: str):
        self.status, self.reason = status, reason


@dataclass
class CollectorSettings:
    content_ids: frozenset[str]
    origins: list[str]
    keys: dict[str, bytes] = field(default_factory=dict)
    identity: str = "token"
    identity_header: str = "X-Partnerkit-Rep"


def _today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        raise Refused(413, "too large")
    body = b""
    async for part in request.stream():
        body += part
        if len(body) > MAX_BODY_BYTES:
            raise Refused(413, "too large")
    return body


def _parse(body: bytes) -> list[Event]:
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


def create_app(settings: CollectorSettings, store: SqliteStore) -> Starlette:
    crawlers = CrawlerDetect()

    def cors(request: Request, response: Response) -> Response:
        origin = request.headers.get("origin")
        if origin in settings.origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        return response

    def identify(request: Request, events: list[Event]) -> tuple[str, str]:
        if settings.identity == "header":
            partner, _, rep = request.headers.get(settings.identity_header, "").partition("/")
            return (partner, rep) if partner and rep else ("", "")
        tokens = {event.token for event in events if event.token}
        if not tokens:
            return "", ""
        reps = {verify(token, settings.keys) for token in tokens}
        if None in reps or len(reps) != 1:
            raise Refused(403, "forged token")
        rep = reps.pop()
        return rep.partner, rep.rep

    async def collect(request: Request) -> Response:
        try:
            origin = request.headers.get("origin")
            if origin is not None and origin not in settings.origins:
                raise Refused(403, "foreign origin")
            if crawlers.isCrawler(request.headers.get("user-agent", "")):
                raise Refused(403, "bot")
            events = _parse(await _body(request))
            now = time.time() * 1000
            if any(abs(event.at - now) > MAX_CLOCK_SKEW_MS for event in events):
                raise Refused(422, "clock skew")
            if any(event.content not in settings.content_ids for event in events):
                raise Refused(422, "unknown content")
            partner, rep = identify(request, events)
        except Refused as refused:
            await asyncio.wrap_future(store.count_rejected(_today(), refused.reason))
            return cors(request, JSONResponse({"error": refused.reason}, status_code=refused.status))
        day = _today()
        stored = [
            StoredEvent(day, event.type, event.content, event.version or "", event.view, partner, rep,
                        event.engaged_ms, event.scroll)
            for event in events
        ]
        await asyncio.wrap_future(store.write(stored))
        return cors(request, Response(status_code=204))

    async def preflight(request: Request) -> Response:
        response = Response(status_code=204)
        if request.headers.get("origin") in settings.origins:
            response.headers["Access-Control-Allow-Methods"] = "POST"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            response.headers["Access-Control-Max-Age"] = "86400"
        return cors(request, response)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[
        Route("/e", collect, methods=["POST"]),
        Route("/e", preflight, methods=["OPTIONS"]),
        Route("/health", health, methods=["GET"]),
    ])
