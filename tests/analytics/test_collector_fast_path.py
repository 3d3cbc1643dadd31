"""The beacon's events (``POST /e``) are answered before the collector's middleware and router
(:func:`generator.collector.app.beacon_events`, issue 32): for every kind of request, the fast path and
the routed path (:meth:`Collector.routed`) answer alike: status, headers, body, the requests and
refusals counted, and what the store holds afterwards."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from starlette.middleware.gzip import GZipMiddleware

from generator.collector.app import Collector, CollectorSettings, RateLimits, create_app
from generator.events import ContentIndex, PageResource
from generator.identity import REVOKED_FILE, Rep, Roster, sign
from generator.store.database import SqliteStore
from tests.analytics.conftest import KEYS, ORIGIN, Clock
from tests.conftest import run_async

pytestmark = pytest.mark.unit

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
ROI = "r0123456789ab"
INDEX = ContentIndex(content={"home:index", "module:pricing"}, versions={"2.4"}, quizzes={"pricing-check"},
                     resources={"module:pricing": {ROI: PageResource(title="ROI calculator")}})
ROSTER = """partner_id,partner_name,rep_id,name,email,role,joined,left
acme,Acme Resellers,rep-7,Aiko Tanaka,aiko@acme.example,sales,2026-01-05,
acme,Acme Resellers,rep-8,Ben Ode,ben@acme.example,sales,2026-01-05,
"""
CLOCK = Clock()
ISSUED = datetime.fromtimestamp(CLOCK(), timezone.utc) - timedelta(days=3)
REP_7 = sign(Rep("acme", "rep-7", ISSUED), KEYS)
REP_8 = sign(Rep("acme", "rep-8", ISSUED), KEYS)  # revoked (see REVOKED_FILE below)


def event(**fields) -> dict:
    return {"type": "view", "content": "module:pricing", "version": "2.4", "view": "v0123456789",
            "at": int(CLOCK() * 1000), **fields}


def request(body: object = None, *, method: str = "POST", path: str = "/e", origin: str | None = ORIGIN,
            agent: str = BROWSER, content_type: str = "text/plain", raw: bytes | None = None, **headers: str) -> dict:
    sent = {"user-agent": agent, **({"content-type": content_type} if content_type else {}),
            **({"origin": origin} if origin is not None else {}), **{name.replace("_", "-"): value for name, value in headers.items()}}
    content = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    return {"method": method, "url": "http://collector.test" + path, "headers": sent, "content": content}


CASES = {
    "a rep's view": [request(event(token=REP_7))],
    "an anonymous view, no Origin header": [request(event(), origin=None)],
    "a view and its leave, in one batch": [request([event(token=REP_7), event(type="leave", engaged_ms=4000, scroll=60,
                                                                              token=REP_7, at=int(CLOCK() * 1000) + 5)])],
    "a quiz result": [request(event(type="quiz", quiz="pricing-check", score=80, passed=True, token=REP_7))],
    "malformed JSON": [request(raw=b'{"type": "view",')],
    "JSON nested too deep": [request(raw=b"[" * 12 + b"]" * 12)],
    "an invalid event": [request(event(scroll=101))],
    "an empty batch": [request([])],
    "oversized": [request(raw=b'{"a": "' + b"x" * 17_000 + b'"}')],
    "a content length that is no number": [request(raw=b"{}", content_length="-1")],
    "a wrong content type": [request(event(token=REP_7), content_type="application/x-www-form-urlencoded")],
    "no content type": [request(event(token=REP_7), content_type="")],
    "a forged token": [request(event(token=REP_7[:-4] + "AAAA"))],
    "a revoked token": [request(event(token=REP_8))],
    "a rep not on the roster": [request(event(token=sign(Rep("acme", "stranger", ISSUED), KEYS)))],
    "a foreign origin": [request(event(token=REP_7), origin="https://evil.example")],
    "a bot": [request(event(token=REP_7), agent="Googlebot/2.1 (+http://www.google.com/bot.html)")],
    "unknown content": [request(event(content="module:nowhere", token=REP_7))],
    "a clock far off": [request(event(at=int(CLOCK() * 1000) - 3 * 24 * 3600 * 1000))],
    "rate-limited (3 a minute per rep)": [request(event(token=REP_7, view=f"vrate{n:07d}")) for n in range(4)],
    "a repeated view": [request(event(token=REP_7)), request(event(token=REP_7))],
    "a repeated download": [request(event(token=REP_7))] + [request(event(type="download", target=ROI, token=REP_7,
                                                                          at=int(CLOCK() * 1000) + n)) for n in (1, 2)],
    "a CORS preflight": [request(method="OPTIONS", content_type="", access_control_request_method="POST",
                                 access_control_request_headers="content-type")],
    "a CORS preflight from a foreign origin": [request(method="OPTIONS", origin="https://evil.example", content_type="",
                                                       access_control_request_method="POST")],
    "a wrong method": [request(method="GET", content_type=""), request(event(token=REP_7), method="PUT")],
    "another path": [request(event(token=REP_7), path="/e/"), request(event(token=REP_7), path="/health")],
}


def collector_app(folder: Path) -> tuple[Collector, SqliteStore]:
    """A collector of its own (store, token cache, rate buckets) on the shared roster and revocations."""
    roster = folder.parent / "private" / "roster.csv"
    if not roster.exists():
        roster.parent.mkdir(parents=True)
        roster.write_text(ROSTER)
        (folder.parent / REVOKED_FILE).write_text(f"rep_id,revoked_at\nrep-8,{datetime.now(timezone.utc).isoformat()}\n")
    folder.mkdir()
    store = SqliteStore(folder / "events.sqlite")
    settings = CollectorSettings(INDEX, [ORIGIN], KEYS, roster=Roster(folder.parent, roster), clock=CLOCK,
                                 rates=RateLimits(per_rep=3, per_address=100, clock=lambda: 1000.0))
    return create_app(settings, store), store


def counted(app: Collector) -> dict[tuple, float]:
    """The requests and refusals the app's metrics counted, by labels."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for metric in app.state.metrics.registry.collect() if metric.name in ("partnerkit_requests", "partnerkit_refusals")
            for sample in metric.samples if sample.name.endswith("_total")}


def stored(store: SqliteStore) -> dict[str, list[tuple]]:
    return {table: store.query(f"SELECT * FROM {table} ORDER BY 1, 2")
            for table in ("events", "views", "daily", "quiz_daily", "rejected")}


def answers(app: Collector, store: SqliteStore, requests: list[dict], routed: bool) -> tuple:
    """What each request got (status, headers, body), what was counted and what the store holds."""
    async def send_all() -> list[tuple]:
        transport = httpx.ASGITransport(app=app.routed if routed else app, client=("203.0.113.9", 4711))
        async with httpx.AsyncClient(transport=transport) as client:
            got = []
            for sent in requests:
                response = await client.request(**sent)
                got.append((response.status_code, response.headers.multi_items(), response.content))
            return got

    try:
        got = run_async(send_all())
        return got, counted(app), stored(store)
    finally:
        store.close()


@pytest.mark.parametrize("case", CASES)
def test_the_fast_path_answers_as_the_middleware_and_router_do(case: str, tmp_path: Path) -> None:
    fast = answers(*collector_app(tmp_path / "fast"), CASES[case], routed=False)
    routed = answers(*collector_app(tmp_path / "routed"), CASES[case], routed=True)
    assert fast == routed
    assert fast[1], "every request is counted"


def test_the_beacons_events_never_reach_the_middleware(tmp_path: Path) -> None:
    app, store = collector_app(tmp_path / "fast")
    (got, _, rows) = answers(app, store, CASES["a view and its leave, in one batch"] + CASES["a forged token"], routed=False)
    assert [status for status, _, _ in got] == [204, 403]
    assert app.middleware_stack is None, "Starlette's middleware stack is built at the first request it answers"
    assert [row[2] for row in rows["events"]] == ["view", "leave"]
    assert rows["rejected"][0][1:] == ("forged token", 1)


def test_a_request_that_fails_is_answered_500_on_both_paths_and_the_error_raised(tmp_path: Path) -> None:
    """A client that disconnects while its body is read: Starlette's ServerErrorMiddleware answers 500
    and raises the error on to the server (which logs it); the fast path does the same."""
    outcomes = []
    for routed in (False, True):
        app, store = collector_app(tmp_path / ("routed" if routed else "fast"))
        sent: list[dict] = []

        async def receive() -> dict:
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
                 "path": "/e", "raw_path": b"/e", "query_string": b"", "root_path": "", "client": ("203.0.113.9", 4711),
                 "server": ("127.0.0.1", 80), "headers": [(b"origin", ORIGIN.encode()), (b"user-agent", BROWSER.encode())]}
        try:
            with pytest.raises(Exception) as raised:
                run_async((app.routed if routed else app)(scope, receive, send))
            outcomes.append((type(raised.value).__name__, sent, counted(app), stored(store)))
        finally:
            store.close()
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == "ClientDisconnect"
    assert outcomes[0][1][0]["status"] == 500 and outcomes[0][1][1]["body"] == b"Internal Server Error"
    assert outcomes[0][2] == {("partnerkit_requests_total", (("route", "/e"), ("status", "500"))): 1.0}


def test_with_every_origin_allowed_or_middleware_added_every_request_is_routed(tmp_path: Path) -> None:
    """CORS with ``*`` answers differently (``Access-Control-Allow-Origin: *``), and middleware or an
    error handler added to the app must see every request: then the fast path stands aside."""
    store = SqliteStore(tmp_path / "events.sqlite")
    try:
        assert create_app(CollectorSettings(INDEX, ["*"], KEYS), store).events is None
        with_middleware = create_app(CollectorSettings(INDEX, [ORIGIN], KEYS), store)
        assert with_middleware.events is not None
        with_middleware.add_middleware(GZipMiddleware)
        assert with_middleware.events is None
        with_handler = create_app(CollectorSettings(INDEX, [ORIGIN], KEYS), store)
        with_handler.add_exception_handler(500, lambda request, error: None)
        assert with_handler.events is None
    finally:
        store.close()
