"""The collector: a small ASGI app that validates view events and stores them.

Every refusal has its own status and stores nothing: oversized bodies (413), a body that does not
arrive within :data:`BODY_SECONDS` (408), malformed or too deeply nested JSON (400), wrong fields or
types, unknown content ids, releases or quizzes, clocks too far off (422), a forged or tampered token,
a token too old, revoked, or of a rep not (or no longer) on the roster, a bad identity header, a bot
user agent, a foreign origin (403), more events per minute than a rep or an address may send (429).
Refusals are counted per reason and day, never attributed. If the store cannot commit, the answer is
503 and nothing is acknowledged.

Rate limits are token buckets per rep and per client address, in this process's memory, or shared by
every collector on one PostgreSQL database (named by keyed hashes there); addresses are never stored
or logged."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import json
import logging
import re
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Sequence

import orjson
from crawlerdetect import CrawlerDetect
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from generator.events import (
    BODY_SECONDS,
    MAX_BODY_BYTES,
    MAX_CLOCK_SKEW_MS,
    MAX_EVENTS_PER_REQUEST,
    MAX_JSON_DEPTH,
    ContentIndex,
    Event,
)
from generator.roster import ID_PATTERN
from generator.storable import unstorable
from generator.identity import Rep, Roster, token_refusal, verify
from generator.store.core import BatchingStore, StoredEvent, utc_today
from generator.store.database import migration_state
from generator.collector.metrics import CollectorMetrics, RequestMetrics, count_refused
from generator.model.config import AnalyticsSettings

ANALYTICS = AnalyticsSettings()
"""The defaults of ``analytics:`` in site_config.yml: the collector's own defaults (written once, on the config model)."""

_EVENTS = TypeAdapter(list[Event])

LOG = logging.getLogger("partnerkit.collector")


class Refused(Exception):
    """A request the collector turns away: the HTTP status and the reason it is counted under."""

    def __init__(self, status: int, reason: str, **details: object):
        super().__init__(reason)
        self.status, self.reason, self.details = status, reason, details


class RateLimits:
    """Token buckets in memory: each rep and each client address may send ``per_rep`` and
    ``per_address`` events a minute (a full minute's worth at once, then at that pace); None: no limit."""

    SWEEP_AT = 50_000
    """Buckets kept before those untouched for a minute (full again, the same as none) are dropped."""

    def __init__(self, per_rep: int | None = ANALYTICS.rate_limit_per_rep,
                 per_address: int | None = ANALYTICS.rate_limit_per_address,
                 clock: Callable[[], float] = time.monotonic, shared: Any = None):
        self.per_rep, self.per_address = per_rep, per_address
        self.shared = shared
        """Buckets every collector process shares (``store_rates.PostgresRateBuckets``), instead of this memory."""
        self.clock = clock
        """Seconds, for refilling the buckets: the process's monotonic clock (a test may hold it still)."""
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}

    def take(self, rep: str, address: str, count: int, now: float | None = None) -> bool:
        """Spend ``count`` events from the rep's (if any) and the address's buckets, or neither and False."""
        now = self.clock() if now is None else now
        wanted = []
        if self.per_rep is not None and rep:
            wanted.append((("rep", rep), self.per_rep))
        if self.per_address is not None and address:
            wanted.append((("address", address), self.per_address))
        if self.shared is not None:
            return self.shared.take([(":".join(key), rate) for key, rate in wanted], count)
        buckets = self._buckets
        levels = []
        for key, rate in wanted:  # each bucket's level now: refilled at its rate since it was last spent from
            level, since = buckets.get(key, (rate, now))
            level = min(rate, level + (now - since) * rate / 60)
            if level < count:
                return False
            levels.append((key, level))
        if len(buckets) > self.SWEEP_AT:  # a bucket untouched for a minute is full again: forget it
            self._buckets = buckets = {key: value for key, value in buckets.items() if now - value[1] < 60}
        for key, level in levels:
            buckets[key] = (level - count, now)
        return True


@dataclass
class CollectorSettings:
    index: ContentIndex
    """Content ids and releases events may name (``private/content-index.json``)."""
    origins: list[str]
    """Site origins allowed to post (CORS); requests from any other origin are refused."""
    link_keys: dict[str, bytes] = field(default_factory=dict)
    """Keys of personal links (tokens) by key id (``PARTNERKIT_TOKEN_KEYS``); every one verifies."""
    identity: str = ANALYTICS.identity
    """``token``: the rep is named by the signed token in events; ``header``: by ``identity_header``."""
    identity_header: str = ANALYTICS.identity_header
    """Header an authenticating proxy sets to ``<partner id>/<rep id>`` (``identity: header`` only)."""
    roster: Roster | None = None
    """Who may be counted: tokens of reps not on it, past their ``left`` day or revoked are refused.
    ``partnerkit collect`` always gives one; None (library use, tests) checks signatures and age only."""
    token_max_age_days: int = ANALYTICS.token_max_age_days
    """Tokens issued longer ago than this are refused (``analytics.token_max_age_days``)."""
    rates: RateLimits = field(default_factory=RateLimits)
    """Events per minute per rep and per client address (``analytics.rate_limit_*``)."""
    max_engaged_ms: int = ANALYTICS.max_engaged_ms
    """Engaged time one view may be credited with at most (``analytics.max_engaged_minutes``)."""
    clock: Callable[[], float] = time.time
    """Seconds since 1970 (injectable for tests)."""
    verified: dict[str, Rep | None] = field(default_factory=dict, repr=False)
    """Tokens checked already and what their signatures said (a rep sends the same token with every event)."""

    VERIFIED_KEPT = 8192

    def verify(self, token: str) -> Rep | None:
        """The rep a token's signature names (None if forged), remembered for the next request."""
        if token not in self.verified:
            if len(self.verified) >= self.VERIFIED_KEPT:
                self.verified.clear()
            self.verified[token] = verify(token, self.link_keys)
        return self.verified[token]

    @classmethod
    def of(cls, analytics: AnalyticsSettings, index: ContentIndex, origins: list[str], link_keys: dict[str, bytes],
           roster: Roster | None) -> CollectorSettings:
        """The collector's settings from ``analytics:`` in site_config.yml."""
        return cls(index, origins, link_keys, analytics.identity, analytics.identity_header, roster=roster,
                   token_max_age_days=analytics.token_max_age_days,
                   rates=RateLimits(analytics.rate_limit_per_rep, analytics.rate_limit_per_address),
                   max_engaged_ms=analytics.max_engaged_ms)


class _BodyDeadlines:
    """The tasks of one event loop reading a request body, and when each must have it in full: one
    timer looks every :attr:`TICK` seconds and cancels those past their deadline (a timer of its own
    for every request would cost more than all the rest of reading a beacon's body)."""

    TICK = 0.25

    def __init__(self) -> None:
        self.waiting: dict[asyncio.Task, float] = {}
        self.expired: set[asyncio.Task] = set()
        self.ticking = False

    def watch(self, loop: asyncio.AbstractEventLoop, task: asyncio.Task, seconds: float) -> None:
        self.waiting[task] = loop.time() + seconds
        if not self.ticking:
            self.ticking = True
            loop.call_later(self.TICK, self._tick, loop)

    def forget(self, task: asyncio.Task) -> None:
        self.waiting.pop(task, None)
        self.expired.discard(task)

    def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        for task in [task for task, deadline in self.waiting.items() if deadline <= now]:
            del self.waiting[task]
            self.expired.add(task)
            task.cancel()
        self.ticking = bool(self.waiting)
        if self.ticking:
            loop.call_later(self.TICK, self._tick, loop)


_DEADLINES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _BodyDeadlines] = weakref.WeakKeyDictionary()


async def read_body(request: Request, limit: int = MAX_BODY_BYTES, seconds: float = BODY_SECONDS) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed ``limit`` bytes, and with
    408 if it has not arrived in full within ``seconds`` (a body trickled in ties up no one for long)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise Refused(413, "too large")
    loop = asyncio.get_running_loop()
    deadlines = _DEADLINES.get(loop) or _DEADLINES.setdefault(loop, _BodyDeadlines())
    task = asyncio.current_task()
    assert task is not None
    deadlines.watch(loop, task, seconds)
    body = b""
    try:
        while True:  # the ASGI messages themselves (as Request.stream reads them, without its generator)
            message = await request.receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect()
            body += message.get("body", b"")
            if len(body) > limit:
                raise Refused(413, "too large")
            if not message.get("more_body", False):
                return body
    except asyncio.CancelledError:
        if task not in deadlines.expired:
            raise
        task.uncancel()
        raise Refused(408, "slow body") from None
    finally:
        deadlines.forget(task)


_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(rb"[\[\]{}]")


def load_json(body: bytes, depth: int = MAX_JSON_DEPTH) -> object:
    """The body as JSON; 400 if it is not JSON or nests arrays and objects deeper than ``depth``
    (checked before parsing, so no parser recursion is spent on it)."""
    if body.count(b"[") + body.count(b"{") > depth:
        level = 0
        for bracket in _BRACKET.findall(_STRING.sub(b"", body)):
            level += 1 if bracket in b"[{" else -1
            if level > depth:
                raise Refused(400, "too deep")
    try:
        data = _parsed(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Refused(400, "malformed json") from None
    except RecursionError:
        raise Refused(400, "too deep") from None
    # only a \u escape or a byte beyond ASCII can make text no store holds: else no need to look
    if (not body.isascii() or b"\\u" in body) and _holds_unstorable(data):
        raise Refused(422, "unstorable text")
    return data


_LONG_NUMBER = re.compile(rb"[0-9]{18}")


def _parsed(body: bytes) -> object:
    """``json.loads(body)``, the fast way (orjson) where that gives the same: a body orjson does not
    take (UTF-16, a lone surrogate, NaN, ...) is decided by ``json``, and so is one with a number too
    long for orjson to keep as an integer."""
    if not _LONG_NUMBER.search(body):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    return json.loads(body)


def _holds_unstorable(data: object) -> bool:
    """Whether any text in parsed JSON (keys too) is one no store can hold (:mod:`generator.storable`:
    a NUL, a lone surrogate from a ``\\ud800`` escape): refused where it comes in, on every store alike."""
    if isinstance(data, str):
        return unstorable(data) is not None
    if isinstance(data, dict):
        return any(_holds_unstorable(key) or _holds_unstorable(value) for key, value in data.items())
    if isinstance(data, list):
        return any(_holds_unstorable(item) for item in data)
    return False


def path_id(request: Request, name: str, reason: str) -> str:
    """The id a path names (``name``), refused as ``reason`` (404) unless it is letters, digits, ``-``
    and ``_`` (as every case, attempt, exam and certificate id is): no other text reaches the store."""
    value = request.path_params[name]
    if not ID_PATTERN.fullmatch(value):
        raise Refused(404, reason)
    return value


def store_unavailable(failure: Exception) -> Response:
    """503 for a request the store could not commit; the operator's log says why (the error's kind and
    message, never the request)."""
    LOG.warning("store unavailable, request answered 503: %s: %s", type(failure).__name__, failure)
    return JSONResponse({"error": "store unavailable"}, status_code=503)


async def stored_answer(store: BatchingStore, operation: Callable[[Any], Any],
                        headers: dict[str, str] | None = None) -> Response:
    """Run ``operation`` in a store transaction and answer with its result as JSON; a :class:`Refused`
    it returns is answered (and counted) as that refusal; a store that fails answers 503."""
    try:
        result = await asyncio.wrap_future(store.run(operation))
    except Exception as failure:
        return store_unavailable(failure)
    if isinstance(result, Refused):
        return await count_refusal(store, result)
    return JSONResponse(result, headers=headers)


def validated(schema: type[BaseModel] | TypeAdapter, data: object, reason: str = "invalid request") -> Any:
    """``data`` (as ``load_json`` gave it) checked against a pydantic model or type; 422 ``reason`` if
    it does not fit. With ``load_json``, the collector's one JSON body parser."""
    try:
        if isinstance(schema, TypeAdapter):
            return schema.validate_python(data)
        return schema.model_validate(data)
    except ValidationError:
        raise Refused(422, reason) from None


def parse_events(body: bytes) -> list[Event]:
    """One event or a list of them, as JSON (the beacon posts it as text/plain)."""
    data = load_json(body)
    items = data if isinstance(data, list) else [data]
    if not items or len(items) > MAX_EVENTS_PER_REQUEST:
        raise Refused(422, "batch size")
    return validated(_EVENTS, items, "invalid event")


_CRAWLERS = CrawlerDetect()


@functools.lru_cache(maxsize=4096)
def is_bot(agent: str) -> bool:
    """Whether a user agent is a crawler's (remembered: browsers send a few agents over and over)."""
    return _CRAWLERS.isCrawler(agent)


def check_request(settings: CollectorSettings, request: Request) -> None:
    """Refuse requests from a foreign origin or a bot."""
    origin = request.headers.get("origin")
    if origin is not None and origin not in settings.origins:
        raise Refused(403, "foreign origin")
    agent = request.headers.get("user-agent", "")
    if not agent or is_bot(agent):
        raise Refused(403, "bot")


def rep_of(settings: CollectorSettings, request: Request, tokens: set[str], count: int = 1) -> tuple[str, str]:
    """(partner id, rep id) from the proxy's identity header or the request's signed tokens, or two
    empty strings for an anonymous reader; a forged, expired or revoked token, one of a rep not on the
    roster, or a bad header is refused (403), and so are ``count`` events more than the rep or the
    client address may send this minute (429)."""
    partner, rep = _identity(settings, request, tokens)
    client = request.scope.get("client")  # (request.client makes a named tuple of it each time)
    address = client[0] if client else ""
    if not settings.rates.take(f"{partner}/{rep}" if rep else "", address, count):
        raise Refused(429, "rate limit")
    return partner, rep


def known_rep(settings: CollectorSettings, request: Request, token: str | None) -> tuple[str, str]:
    """(partner id, rep id) of a request that must come from a rep (an exam, a worklist): as
    :func:`rep_of` with the body's ``token``, and 403 ``anonymous`` for a reader with none."""
    partner, rep = rep_of(settings, request, {token} if token else set())
    if not rep:
        raise Refused(403, "anonymous")
    return partner, rep


def _identity(settings: CollectorSettings, request: Request, tokens: set[str]) -> tuple[str, str]:
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
    reps = {settings.verify(token) for token in tokens}
    if None in reps or len(reps) != 1:
        raise Refused(403, "forged token")
    rep = reps.pop()
    now = datetime.fromtimestamp(settings.clock(), timezone.utc)
    refusal = token_refusal(rep, now, settings.token_max_age_days, settings.roster)
    if refusal:
        raise Refused(403, refusal)
    return rep.partner, rep.rep


@functools.lru_cache(maxsize=4)
def _day(number: int) -> str:
    return datetime.fromtimestamp(number * 86400, timezone.utc).date().isoformat()


def utc_day(seconds: float) -> str:
    """The UTC day (``YYYY-MM-DD``) of a time in seconds since 1970 (worked out once a day)."""
    return _day(int(seconds // 86400))


CLOSING = (408, 413)
"""Refusals of a body still arriving (too slow, too large): answered with ``Connection: close``, so the
server closes the connection then instead of reading the rest of the body."""


async def count_refusal(store: BatchingStore, refused: Refused) -> JSONResponse:
    """Count the refusal under its reason (best effort) and answer it."""
    count_refused(refused.reason)
    try:
        await asyncio.wrap_future(store.count_rejected(utc_today().isoformat(), refused.reason))
    except Exception:
        pass  # the refusal stands even if it could not be counted
    return JSONResponse({"error": refused.reason, **refused.details}, status_code=refused.status,
                        headers={"Connection": "close"} if refused.status in CLOSING else None)


READY_SECONDS = 5
"""How long ``/ready`` waits for the store before it answers 503."""


async def readiness(settings: CollectorSettings, store: BatchingStore) -> str | None:
    """Why the collector cannot serve yet (None: ready): no token keys to check links with, a store
    that does not answer within :data:`READY_SECONDS`, or a schema that is not this version's."""
    if settings.identity == "token" and not settings.link_keys:
        return "no token keys"
    try:
        async with asyncio.timeout(READY_SECONDS):
            return await asyncio.wrap_future(store.run(migration_state))
    except TimeoutError:
        return "store not answering"
    except Exception as failure:
        LOG.warning("store not ready: %s: %s", type(failure).__name__, failure)
        return "store unavailable"


EVENTS_ROUTE = "/e"
"""The path the beacon posts its events to."""

CORE_PATHS = (EVENTS_ROUTE, "/health", "/ready")
"""The routes every collector serves (:func:`create_app`): the beacon's events, liveness and readiness."""


def create_app(settings: CollectorSettings, store: BatchingStore, routes: Sequence[BaseRoute] = ()) -> Starlette:
    """The collector: ``POST /e``, ``GET /health`` (alive), ``GET /ready`` (able to serve: 503 and the
    reason otherwise) and any further ``routes`` (e.g. exam grading), all behind CORS limited to the
    site's origins; its metrics are ``app.state.metrics`` (served elsewhere, see :mod:`.metrics`)."""

    async def collect(request: Request) -> Response:
        now = settings.clock()
        day = utc_day(now)
        try:
            check_request(settings, request)
            events = parse_events(await read_body(request))
            now = settings.clock()
            if any(abs(event.at - now * 1000) > MAX_CLOCK_SKEW_MS for event in events):
                raise Refused(422, "clock skew")
            refusal = next(filter(None, map(settings.index.refusal, events)), None)
            if refusal:
                raise Refused(422, refusal)
            partner, rep = rep_of(settings, request, {event.token for event in events if event.token}, len(events))
        except Refused as refused:
            return await count_refusal(store, refused)
        received = int(now * 1000)
        stored = [
            StoredEvent(day, event.type, event.content, event.version or "", event.view, partner, rep,
                        event.engaged_ms, event.scroll, event.quiz or "", event.score, bool(event.passed), event.at, received,
                        event.target or "")
            for event in events
        ]
        downloads = [event for event in stored if event.type == "download"]
        try:
            if downloads:  # a download counts once per view and resource, on the rep's own view: others are refused
                others = [event for event in stored if event.type != "download"]
                if others:
                    await store.written(others, settings.max_engaged_ms)
                new = await store.written(downloads, settings.max_engaged_ms)
                refused = len(downloads) - new - (0 if new or others else 1)
                for _ in range(refused):
                    await asyncio.wrap_future(store.count_rejected(day, "repeated download"))
                if not (new or others):
                    return await count_refusal(store, Refused(409, "repeated download"))
            else:
                await store.written(stored, settings.max_engaged_ms)
        except Exception as failure:
            return store_unavailable(failure)
        return Response(status_code=204)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def ready(request: Request) -> Response:
        reason = await readiness(settings, store)
        return JSONResponse({"status": "not ready", "reason": reason} if reason else {"status": "ready"},
                            status_code=503 if reason else 200)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        freeze_start_up()
        attached = store.attach(asyncio.get_running_loop())  # SQLite: written by this loop, see BatchingStore.attach
        try:
            yield
        finally:
            if attached:
                store.detach()
            metrics.log.flush()  # the last minute's refusals

    metrics = CollectorMetrics(store, settings.clock)
    served = [Route(EVENTS_ROUTE, collect, methods=["POST"]), Route("/health", health, methods=["GET"]),
              Route("/ready", ready, methods=["GET"]), *routes]
    app = Collector(
        routes=served, lifespan=lifespan,
        middleware=[Middleware(RequestMetrics, metrics=metrics, routes=served),
                    Middleware(CORSMiddleware, allow_origins=list(settings.origins), allow_methods=["GET", "POST"],
                               allow_headers=["Content-Type"], max_age=86400)],
        events=None if "*" in settings.origins else beacon_events(collect, metrics, settings.origins),
    )
    app.state.metrics = metrics
    return app


def beacon_events(collect: Callable[[Request], Awaitable[Response]], metrics: CollectorMetrics,
                  origins: Sequence[str]) -> Callable[[dict, Any, Any], Awaitable[None]]:
    """``POST /e`` as an ASGI app of its own: ``collect`` (the route's handler) with what the collector's
    middleware does for that route done here in a few lines (the middleware and router cost more than
    the rest of a beacon's request): the request counted by status and its refusals labelled with the
    route (:class:`RequestMetrics`), the CORS headers of a simple request (:class:`CORSMiddleware` with
    the site's origins, none of them ``*``), and a 500 for a request that fails (Starlette's
    ``ServerErrorMiddleware``, the error raised on to the server that logs it)."""
    allowed = frozenset(origins)

    async def events(scope: dict, receive: Any, send: Any) -> None:
        token = metrics.serving(EVENTS_ROUTE)
        status, started = 500, False
        try:
            request = Request(scope, receive)
            response = await collect(request)
            origin = request.headers.get("origin")
            cors = ([(b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"Origin")]
                    if origin is not None and origin in allowed else [(b"vary", b"Origin")])
            status, started = response.status_code, True
            await send({"type": "http.response.start", "status": status, "headers": [*response.raw_headers, *cors]})
            await send({"type": "http.response.body", "body": response.body})
        except Exception:
            if not started:  # as Starlette's ServerErrorMiddleware answers (debug off)
                await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, send)
            raise
        finally:
            metrics.served(token)
            metrics.answered(EVENTS_ROUTE, status)

    return events


class Collector(Starlette):
    """The collector's app: Starlette, with ``POST /e`` (the beacon's events, most of what a collector
    serves) answered by ``events`` (:func:`beacon_events`) before the middleware and router, exactly as
    they answer it (:meth:`routed`, which answers every other request, still can); ``events`` None:
    everything is routed."""

    def __init__(self, *, events: Callable[[dict, Any, Any], Awaitable[None]] | None, **options: Any):
        super().__init__(**options)
        self.events = events

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if (self.events is not None and scope["type"] == "http" and scope["method"] == "POST"
                and scope["path"] == EVENTS_ROUTE and not scope.get("root_path")):
            scope["app"] = self
            await self.events(scope, receive, send)
        else:
            await self.routed(scope, receive, send)

    async def routed(self, scope: dict, receive: Any, send: Any) -> None:
        """The request through the middleware and the router (as every request went before ``events``)."""
        await super().__call__(scope, receive, send)

    def add_middleware(self, *args: Any, **kwargs: Any) -> None:
        self.events = None  # middleware added later sees every request
        super().add_middleware(*args, **kwargs)

    def add_exception_handler(self, *args: Any, **kwargs: Any) -> None:
        self.events = None  # and so does an error handler
        super().add_exception_handler(*args, **kwargs)


_frozen = False


def freeze_start_up() -> None:
    """Move what start-up made (modules, settings, the roster, ...) out of the garbage collector's
    sight, once per process: its collections then look only at what requests made (``gc.freeze``)."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()
