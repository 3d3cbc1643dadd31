"""The collector over real HTTP: what it stores, and every kind of request it refuses."""

from __future__ import annotations

import json
import socket
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import httpx
from hypothesis import HealthCheck, given, settings, strategies as st

from generator.identity import REVOKED_FILE, Rep, Roster, sign, verify
from generator.collector.app import CollectorSettings
from generator.store.database import PostgresStore, SqliteStore
from tests.analytics.conftest import INDEX, KEYS, ORIGIN, running_collector

ISSUED = date.today() - timedelta(days=30)
"""When the test links were made (links expire after 400 days)."""

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


def event(**fields) -> dict:
    base = {"type": "view", "content": "module:pricing", "version": "2.4", "view": "v0123456789", "at": int(time.time() * 1000)}
    base.update(fields)
    return base


def post(url: str, body, origin: str | None = ORIGIN, agent: str = BROWSER, raw: bytes | None = None) -> httpx.Response:
    headers = {"content-type": "text/plain", "user-agent": agent}
    if origin:
        headers["origin"] = origin
    return httpx.post(url + "/e", content=raw if raw is not None else json.dumps(body), headers=headers)


def test_a_rep_view_and_leave_are_stored_after_a_204(collector) -> None:
    token = sign(Rep("acme", "rep-7", ISSUED), KEYS)
    response = post(collector.url, event(token=token))
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ORIGIN
    collector.settings.clock.advance(60)
    assert post(collector.url, event(type="leave", token=token, engaged_ms=42000, scroll=80)).status_code == 204
    assert collector.stored() == [
        ("view", "module:pricing", "2.4", "acme", "rep-7", 0, 0),
        ("leave", "module:pricing", "2.4", "acme", "rep-7", 42000, 80),
    ]
    assert collector.store.query("SELECT views, engaged_ms FROM daily WHERE rep = 'rep-7'") == [(1, 42000)]


def test_practice_quiz_results_are_stored_and_counted(collector) -> None:
    token = sign(Rep("acme", "rep-7", ISSUED), KEYS)
    attempts = [event(type="quiz", quiz="pricing-check", score=score, passed=score >= 80, token=token, at=event()["at"] + score)
                for score in (60, 90)]
    assert post(collector.url, attempts).status_code == 204
    assert collector.store.query("SELECT type, quiz, score, passed FROM events ORDER BY id") == [
        ("quiz", "pricing-check", 60, 0), ("quiz", "pricing-check", 90, 1),
    ]
    assert collector.store.query("SELECT quiz, version, partner, rep, attempts, passes FROM quiz_daily") == [
        ("pricing-check", "2.4", "acme", "rep-7", 2, 1),
    ]
    assert collector.store.query("SELECT COUNT(*) FROM daily") == [(0,)], "a quiz attempt is not a page view"


def test_anonymous_views_count_without_identity(collector) -> None:
    assert post(collector.url, event(content="home:index")).status_code == 204
    assert collector.stored() == [("view", "home:index", "2.4", "", "", 0, 0)]


def test_every_refusal_has_its_status_and_stores_nothing(collector) -> None:
    forged = sign(Rep("acme", "rep-7", ISSUED), {"k9": b"someone-elses-secret-000"})
    genuine = sign(Rep("acme", "rep-7", ISSUED), KEYS)
    payload, key_id, signature = genuine.split(".")
    tampered = sign(Rep("acme", "boss", ISSUED), KEYS).split(".")[0] + f".{key_id}.{signature}"
    cases = [
        (post(collector.url, None, raw=b"{not json"), 400, "malformed json"),
        (post(collector.url, None, raw=b"[" + b" " * 20000 + b"]"), 413, "too large"),
        (post(collector.url, event(at="yesterday")), 422, "invalid event"),
        (post(collector.url, event(extra="field")), 422, "invalid event"),
        (post(collector.url, []), 422, "batch size"),
        (post(collector.url, [event()] * 51), 422, "batch size"),
        (post(collector.url, event(content="module:secret-plans")), 422, "unknown content"),
        (post(collector.url, event(version="9.9")), 422, "unknown release"),
        (post(collector.url, event(type="quiz", quiz="secret-exam", passed=True)), 422, "unknown quiz"),
        (post(collector.url, event(type="quiz", quiz="pricing-check")), 422, "invalid event"),
        (post(collector.url, event(passed=True)), 422, "invalid event"),
        (post(collector.url, event(version=None)), 422, "unknown release"),
        (post(collector.url, event(at=int(time.time() * 1000) - 3 * 86400 * 1000)), 422, "clock skew"),
        (post(collector.url, event(token=forged)), 403, "forged token"),
        (post(collector.url, event(token=tampered)), 403, "forged token"),
        (post(collector.url, event(), agent="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"), 403, "bot"),
        (post(collector.url, event(), agent=""), 403, "bot"),
        (post(collector.url, event(), origin="https://evil.example.net"), 403, "foreign origin"),
    ]
    for response, status, reason in cases:
        assert (response.status_code, response.json()) == (status, {"error": reason})
    assert collector.stored() == []
    assert collector.rejected() == {
        "malformed json": 1, "too large": 1, "invalid event": 4, "batch size": 2, "unknown content": 1,
        "unknown release": 2, "unknown quiz": 1, "clock skew": 1, "forged token": 2, "bot": 2, "foreign origin": 1,
    }
    assert "access-control-allow-origin" not in post(collector.url, event(), origin="https://evil.example.net").headers


def test_tokens_verify_across_key_rotation() -> None:
    old = sign(Rep("acme", "rep-1", date(2026, 1, 2)), {"k1": KEYS["k1"]})
    assert verify(old, KEYS) == Rep("acme", "rep-1", date(2026, 1, 2))
    assert verify(old, {"k2": KEYS["k2"]}) is None
    assert sign(Rep("acme", "rep-1", date(2026, 1, 2)), KEYS).split(".")[1] == "k2"


def test_health(collector) -> None:
    assert httpx.get(collector.url + "/health").json() == {"status": "ok"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(
    st.binary(max_size=3000),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
                 lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
                 max_leaves=30).map(lambda value: json.dumps(value).encode()),
))
def test_fuzzed_bodies_never_crash_the_server(collector, body: bytes) -> None:
    response = post(collector.url, None, raw=body)
    assert response.status_code in (204, 400, 403, 413, 422)
    assert httpx.get(collector.url + "/health").status_code == 200


def test_a_batch_naming_two_reps_is_refused(collector) -> None:
    one, other = (sign(Rep("acme", rep, ISSUED), KEYS) for rep in ("rep-1", "rep-2"))
    response = post(collector.url, [event(token=one), event(token=other)])
    assert (response.status_code, response.json()) == (403, {"error": "forged token"})
    assert collector.stored() == []


def test_cors_preflight_is_answered_for_the_site_only(collector) -> None:
    asked = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    allowed = httpx.options(collector.url + "/e", headers={"origin": ORIGIN, **asked})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    refused = httpx.options(collector.url + "/e", headers={"origin": "https://evil.example.net", **asked})
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


def test_behind_an_authenticating_proxy_the_rep_comes_from_its_header(make_store) -> None:
    settings = CollectorSettings(INDEX, [ORIGIN], identity="header", identity_header="X-Remote-Rep")
    with running_collector(settings, make_store()) as running:
        def with_header(value: str | None, body: dict) -> httpx.Response:
            headers = {"content-type": "text/plain", "user-agent": BROWSER, "origin": ORIGIN}
            if value is not None:
                headers["x-remote-rep"] = value
            return httpx.post(running.url + "/e", content=json.dumps(body), headers=headers)

        forged = sign(Rep("acme", "boss", ISSUED), KEYS)
        assert with_header("acme/rep-7", event(token=forged)).status_code == 204, "tokens play no part"
        assert with_header(None, event(view="vanonymous1")).status_code == 204
        refused = with_header("acme/rep 7; drop", event())
        assert (refused.status_code, refused.json()) == (403, {"error": "bad identity header"})
        assert [row[3:5] for row in running.stored()] == [("acme", "rep-7"), ("", "")]


def test_a_lost_database_connection_is_a_503_then_the_collector_recovers(postgres_database) -> None:
    """PostgreSQL only: SQLite has no connection to lose (failed batches are in the store tests)."""
    import psycopg

    store = PostgresStore(postgres_database)
    with running_collector(CollectorSettings(INDEX, [ORIGIN], KEYS), store) as running:
        assert post(running.url, event(view="vbefore0001")).status_code == 204
        with psycopg.connect(store.url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                          " WHERE datname = current_database() AND pid <> pg_backend_pid()")
        lost = post(running.url, event(view="vlost000001"))
        assert (lost.status_code, lost.json()) == (503, {"error": "store unavailable"})
        assert post(running.url, event(view="vafter00001")).status_code == 204
        assert running.store.query("SELECT view FROM events ORDER BY id") == [("vbefore0001",), ("vafter00001",)]


ROSTER = """partner_id,partner_name,rep_id,name,email,role,joined,left
acme,Acme Resellers,rep-7,Aiko Tanaka,aiko@acme.example,sales,2026-01-05,
acme,Acme Resellers,rep-8,Ben Ode,ben@acme.example,sales,2026-01-05,
acme,Acme Resellers,gone,Gil Oneway,gil@acme.example,sales,2026-01-05,{left}
"""


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def test_tokens_of_reps_not_current_are_refused_as_the_roster_is_now(make_store, tmp_path: Path) -> None:
    roster_file = tmp_path / "private/roster.csv"
    roster_file.parent.mkdir()
    roster_file.write_text(ROSTER.format(left=(now_utc().date() - timedelta(days=1)).isoformat()))
    settings = CollectorSettings(INDEX, [ORIGIN], KEYS, roster=Roster(tmp_path, roster_file, recheck_seconds=0))
    issued = now_utc() - timedelta(days=3)
    token = {rep: sign(Rep("acme", rep, issued), KEYS) for rep in ("rep-7", "rep-8", "gone", "stranger")}
    with running_collector(settings, make_store()) as running:
        cases = [
            (event(token=token["stranger"]), "not on roster"),
            (event(token=sign(Rep("globex", "rep-7", issued), KEYS)), "not on roster"),
            (event(token=token["gone"]), "left roster"),
            (event(token=sign(Rep("acme", "rep-7", date(2019, 3, 1)), KEYS)), "expired token"),
            (event(token=sign(Rep("acme", "rep-7", now_utc() - timedelta(days=401)), KEYS)), "expired token"),
        ]
        for body, reason in cases:
            response = post(running.url, body)
            assert (response.status_code, response.json()) == (403, {"error": reason})
        assert running.stored() == []
        assert post(running.url, event(token=sign(Rep("acme", "rep-7", now_utc() - timedelta(days=399)), KEYS))).status_code == 204

        (tmp_path / REVOKED_FILE).write_text(f"rep_id,revoked_at\nrep-7,{now_utc().isoformat()}\n")  # no restart
        revoked = post(running.url, event(token=token["rep-7"], view="vafterrevoke"))
        assert (revoked.status_code, revoked.json()) == (403, {"error": "revoked token"})
        assert post(running.url, event(token=token["rep-8"], view="vrep8view01")).status_code == 204
        fresh = sign(Rep("acme", "rep-7", now_utc() + timedelta(seconds=1)), KEYS)
        assert post(running.url, event(token=fresh, view="vnewlink001")).status_code == 204

        roster_file.write_text(ROSTER.format(left="").replace("rep-8", "rep-9"))
        assert post(running.url, event(token=token["gone"], view="vgoneback01")).status_code == 204, "the roster is re-read"
        assert post(running.url, event(token=token["rep-8"], view="vrep8view02")).json() == {"error": "not on roster"}
        assert [row[4] for row in running.stored()] == ["rep-7", "rep-8", "rep-7", "gone"]
        assert running.rejected() == {"not on roster": 3, "left roster": 1, "expired token": 2, "revoked token": 1}


def test_a_view_counts_once_however_often_it_is_sent(collector) -> None:
    token = sign(Rep("acme", "rep-7", ISSUED), KEYS)
    view = event(token=token)
    for _ in range(30):
        assert post(collector.url, view).status_code == 204, "a retry is acknowledged"
    assert post(collector.url, [view] * 50).status_code == 204
    assert post(collector.url, {**view, "at": view["at"] + 1}).status_code == 204, "a new event of the same view"
    assert collector.stored() == [("view", "module:pricing", "2.4", "acme", "rep-7", 0, 0)]
    assert collector.store.query("SELECT views FROM daily") == [(1,)]
    other = sign(Rep("acme", "rep-8", ISSUED), KEYS)
    collector.settings.clock.advance(60)
    assert post(collector.url, event(type="leave", token=other, engaged_ms=30000)).status_code == 204
    assert collector.store.query("SELECT SUM(engaged_ms) FROM daily") == [(0,)], "no time on another rep's view"


def test_engaged_time_never_exceeds_the_time_since_the_view_began_nor_the_maximum(collector) -> None:
    token = sign(Rep("acme", "rep-7", ISSUED), KEYS)
    start = event(token=token)
    assert post(collector.url, start).status_code == 204
    collector.settings.clock.advance(90)
    day = 24 * 3600 * 1000
    leaves = [event(type="leave", token=token, engaged_ms=day, at=start["at"] + n) for n in range(1, 51)]
    assert post(collector.url, leaves).status_code == 204, "1,200 hours claimed in one request"
    assert collector.store.query("SELECT engaged_ms FROM daily") == [(90_000,)]
    assert post(collector.url, leaves).status_code == 204
    assert collector.store.query("SELECT engaged_ms FROM daily") == [(90_000,)], "a retried batch adds nothing"
    collector.settings.clock.advance(10 * 3600)
    more = [event(type="leave", token=token, engaged_ms=day, at=start["at"] + n) for n in range(100, 103)]
    assert post(collector.url, more).status_code == 204
    assert collector.store.query("SELECT SUM(engaged_ms) FROM daily") == [(180 * 60 * 1000,)], "at most 180 minutes a view"
    assert collector.store.query("SELECT engaged_ms FROM views") == [(180 * 60 * 1000,)]


def test_rate_limits_per_rep_and_per_address(collector) -> None:
    token = sign(Rep("acme", "rep-7", ISSUED), KEYS)
    collector.settings.rates.clock = lambda: 0.0  # no refill while the test runs, however slow the machine

    def batch(prefix: str, **fields) -> list[dict]:
        return [event(view=f"v{prefix}{n:08d}", **fields) for n in range(50)]

    assert [post(collector.url, batch(f"r{n}", token=token)).status_code for n in range(3)] == [204, 204, 429]
    assert post(collector.url, batch("r9", token=token)).json() == {"error": "rate limit"}
    assert collector.store.query("SELECT COUNT(*) FROM events") == [(100,)], "120 a minute: the third batch is refused whole"
    collector.settings.clock.advance(60)  # rate limits run on the process's own monotonic clock
    statuses = [post(collector.url, batch(f"a{n}")).status_code for n in range(12)]
    assert statuses == [204] * 10 + [429] * 2, "600 a minute from one address (the two batches of rep-7 counted)"
    elsewhere = httpx.post(collector.url + "/e", content=json.dumps(batch("x0")), headers={
        "content-type": "text/plain", "user-agent": BROWSER, "origin": ORIGIN, "x-forwarded-for": "203.0.113.9"})
    assert elsewhere.status_code == 204, "another client behind the trusted proxy has its own limit"
    assert collector.rejected() == {"rate limit": 4}
    assert collector.store.query("SELECT COUNT(*) FROM events") == [(650,)]
    if isinstance(collector.store, SqliteStore):
        for path in collector.store.path.parent.glob("events.sqlite*"):
            assert b"203.0.113.9" not in path.read_bytes() and b"127.0.0.1" not in path.read_bytes()


def test_json_nested_8000_deep_is_refused_before_parsing(collector) -> None:
    deep = b"[" * 8000 + b"]" * 8000
    assert len(deep) < 16 * 1024
    for body in (deep, b'{"a":' * 2000 + b"1" + b"}" * 2000, b'[{"type": "view", "x": ' + b"[" * 11 + b"]" * 11 + b"}]"):
        response = post(collector.url, None, raw=body)
        assert (response.status_code, response.json()) == (400, {"error": "too deep"})
    brackets_in_text = json.dumps([event(content="module:pricing", version="2.4", view="v" + "x" * 20)]).replace("x" * 20, "[" * 20)
    assert post(collector.url, None, raw=brackets_in_text.encode()).json() == {"error": "invalid event"}, "text is not nesting"
    assert collector.rejected() == {"too deep": 3, "invalid event": 1}
    assert collector.stored() == []


def test_a_body_trickled_in_is_cut_off(tmp_path: Path) -> None:
    with running_collector(CollectorSettings(INDEX, [ORIGIN], KEYS), tmp_path / "e.sqlite") as running:
        host, port = running.url.removeprefix("http://").split(":")
        body = json.dumps(event()).encode()
        with socket.create_connection((host, int(port)), timeout=15) as connection:
            connection.sendall(f"POST /e HTTP/1.1\r\nHost: {host}\r\nOrigin: {ORIGIN}\r\nUser-Agent: {BROWSER}\r\n"
                               f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n".encode())
            started = time.monotonic()
            connection.setblocking(False)
            answer = b""
            for byte in body:
                try:
                    answer += connection.recv(1000)
                except BlockingIOError:
                    pass
                if answer:
                    break
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    break
                time.sleep(1)
            connection.setblocking(True)
            while b"\r\n\r\n" not in answer:
                answer += connection.recv(1000)
        assert answer.startswith(b"HTTP/1.1 408 "), answer
        assert time.monotonic() - started < 8
        assert running.stored() == []
        assert running.rejected() == {"slow body": 1}
