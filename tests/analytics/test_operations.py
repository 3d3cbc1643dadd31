"""What the collector tells its operator, in-process through the ASGI app: /health, /ready and its
reasons, the Prometheus metrics, and one log line per refusal reason a minute (no address, no token)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client import generate_latest

from generator.identity import Rep, sign
from generator.store.database import SqliteStore
from generator.collector.app import CollectorSettings, create_app
from generator.collector.metrics import RefusalLog
from tests.analytics.conftest import INDEX, KEYS, ORIGIN, Clock
from tests.analytics.test_collector import BROWSER, ISSUED, event
from tests.conftest import run_async

pytestmark = pytest.mark.unit

HEADERS = {"origin": ORIGIN, "user-agent": BROWSER, "content-type": "text/plain"}


@pytest.fixture
def store(tmp_path: Path):
    opened = SqliteStore(tmp_path / "events.sqlite")
    yield opened
    opened.close()


def call(app, method: str, path: str, **options) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4711))
        async with httpx.AsyncClient(transport=transport, base_url="http://collector") as client:
            return await client.request(method, path, **options)

    return run_async(go())


def test_ready_says_ready_with_keys_and_a_current_store(store) -> None:
    app = create_app(CollectorSettings(INDEX, [ORIGIN], KEYS), store)
    assert call(app, "GET", "/health").json() == {"status": "ok"}
    response = call(app, "GET", "/ready")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


def test_ready_is_503_with_the_reason(store) -> None:
    without_keys = create_app(CollectorSettings(INDEX, [ORIGIN], {}), store)
    response = call(without_keys, "GET", "/ready")
    assert (response.status_code, response.json()) == (503, {"status": "not ready", "reason": "no token keys"})

    store.run(lambda db: db.execute("INSERT INTO schema_migrations (version) VALUES (999)")).result()
    app = create_app(CollectorSettings(INDEX, [ORIGIN], KEYS), store)
    assert call(app, "GET", "/ready").json() == {"status": "not ready", "reason": "schema newer than this partnerkit"}

    store.run(lambda db: db.execute("DELETE FROM schema_migrations WHERE version >= 3")).result()
    assert call(app, "GET", "/ready").json() == {"status": "not ready", "reason": "migrations pending"}

    store.close()
    response = call(app, "GET", "/ready")
    assert (response.status_code, response.json()) == (503, {"status": "not ready", "reason": "store unavailable"})
    assert call(app, "GET", "/health").status_code == 200, "alive, though not ready"


def test_metrics_count_requests_and_refusals_by_route_template_and_reason(store) -> None:
    app = create_app(CollectorSettings(INDEX, [ORIGIN], KEYS, clock=Clock()), store)
    token = sign(Rep("acme", "rep-7", ISSUED), KEYS)
    forged = sign(Rep("acme", "rep-7", ISSUED), {"k9": b"someone-elses-secret-000"})
    assert call(app, "POST", "/e", content=json.dumps(event(token=token)), headers=HEADERS).status_code == 204
    assert call(app, "POST", "/e", content=json.dumps(event(token=forged)), headers=HEADERS).status_code == 403
    assert call(app, "POST", "/e", content=b"{not json", headers=HEADERS).status_code == 400
    assert call(app, "GET", "/e", headers=HEADERS).status_code == 405
    assert call(app, "GET", "/no/such/path/secret-looking-1234").status_code == 404

    text = generate_latest(app.state.metrics.registry).decode()
    for line in ('partnerkit_requests_total{route="/e",status="204"} 1.0',
                 'partnerkit_requests_total{route="/e",status="403"} 1.0',
                 'partnerkit_requests_total{route="/e",status="400"} 1.0',
                 'partnerkit_requests_total{route="/e",status="405"} 1.0',
                 'partnerkit_requests_total{route="(no route)",status="404"} 1.0',
                 'partnerkit_refusals_total{reason="forged token",route="/e"} 1.0',
                 'partnerkit_refusals_total{reason="malformed json",route="/e"} 1.0',
                 "partnerkit_store_queue_length 0.0",
                 "partnerkit_lrs_outbox_waiting 0.0"):
        assert line in text.splitlines()
    commits = next(line for line in text.splitlines() if line.startswith("partnerkit_store_commit_seconds_count"))
    assert float(commits.split()[1]) >= 1
    assert "203.0.113.9" not in text and forged not in text and "secret-looking" not in text


def test_one_log_line_per_refusal_reason_a_minute_without_address_or_token(store, caplog) -> None:
    clock = Clock()
    clock.at = 60 * (int(clock.at) // 60) + 5
    app = create_app(CollectorSettings(INDEX, [ORIGIN], KEYS, clock=clock), store)
    forged = sign(Rep("acme", "rep-7", ISSUED), {"k9": b"someone-elses-secret-000"})
    with caplog.at_level(logging.WARNING, logger="partnerkit.collector"):
        for _ in range(3):
            call(app, "POST", "/e", content=json.dumps(event(token=forged)), headers=HEADERS)
        call(app, "POST", "/e", content=b"{not json", headers=HEADERS)
        assert caplog.records == [], "nothing logged before the minute is over"
        clock.advance(60)
        call(app, "POST", "/e", content=b"{not json", headers=HEADERS)
    minute = time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(clock.at - 60))
    assert [json.loads(record.getMessage()) for record in caplog.records] == [
        {"event": "refused", "minute": minute, "reason": "forged token", "count": 3},
        {"event": "refused", "minute": minute, "reason": "malformed json", "count": 1},
    ]
    assert all("203.0.113.9" not in record.getMessage() and forged not in record.getMessage() for record in caplog.records)


def test_the_refusal_log_flushes_itself_when_the_minute_ends(caplog) -> None:
    now = [119.9]
    log = RefusalLog(clock=lambda: now[0])

    async def refuse_then_wait() -> None:
        log.refused("bot")
        now[0] = 121.0
        await asyncio.sleep(0.8)  # the timer set for the end of the minute (+0.5 s) has fired

    with caplog.at_level(logging.WARNING, logger="partnerkit.collector"):
        run_async(refuse_then_wait())
    assert [json.loads(record.getMessage()) for record in caplog.records] == [
        {"event": "refused", "minute": "1970-01-01T00:01Z", "reason": "bot", "count": 1}]
