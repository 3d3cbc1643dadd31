"""Hardening, round two (issue 24): arbitrary bytes, Unicode and JSON thrown at every route of the
collector (in process, on SQLite and PostgreSQL): never a 5xx, never an exception out of a route (the
test client raises it), no error logged, and every refusal a route answers is counted."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from starlette.testclient import TestClient

from generator.identity import Roster
from generator.certification.credentials import Addresses
from generator.collector.app import CollectorSettings, RateLimits, create_app
from generator.collector.credentials import CredentialService, credential_routes
from generator.collector.exams import ExamService, exam_routes
from generator.collector.notifications import NotificationService, notification_routes
from generator.collector.worklists import WorklistService, worklist_routes
from generator.model.answer_keys import exam_key
from tests.analytics.conftest import INDEX, KEYS, ORIGIN, Clock
from tests.analytics.test_hostile_round_two import BAD_TOKENS, BROWSER, CASE, GOOD, ROSTER, seed_case
from tests.certification.test_credentials import CONFIG, SIGNING
from tests.certification.test_exams import EXAM

pytestmark = pytest.mark.integration  # in process, but on PostgreSQL too

ANY_CHARACTER = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=())
TEXT = st.text(ANY_CHARACTER, max_size=40)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=12)
TOKENS = st.sampled_from([GOOD, *BAD_TOKENS.values()]) | TEXT

COUNTED = {"/e", "/exams/{exam}/attempts", "/exams/{exam}/attempts/{attempt}", "/worklists", "/worklists/{case}/steps/{step}",
           "/worklists/{case}/notes", "/worklists/{case}/notes/page", "/unsubscribe"}
"""Routes that count each refusal they answer."""
ROUTES = [  # method, path, (path parameter, plausible value), body fields and plausible values
    ("POST", "/e", {}, {"type": "view", "content": "module:pricing", "version": "2.4", "view": "v0123456789", "at": 0,
                        "engaged_ms": 0, "scroll": 0, "quiz": None, "score": 0, "passed": None, "token": GOOD}),
    ("GET", "/health", {}, None),
    ("POST", "/exams/{exam}/attempts", {"exam": "sales-silver"}, {"version": "2.4", "token": GOOD}),
    ("POST", "/exams/{exam}/attempts/{attempt}", {"exam": "sales-silver", "attempt": "abc"},
     {"token": GOOD, "answers": {"score": "60"}}),
    ("GET", "/certificates/{id}", {"id": "abc"}, None),
    ("GET", "/credentials/{id}/credential.{format}", {"id": "abc", "format": "jwt"}, None),
    ("GET", "/credentials/{id}/badge.svg", {"id": "abc"}, None),
    ("GET", "/.well-known/jwks.json", {}, None),
    ("GET", "/issuer", {}, None),
    ("GET", "/issuer/keys/{kid}", {"kid": "k1"}, None),
    ("GET", "/issuer/status/revocation", {}, None),
    ("POST", "/worklists", {}, {"token": GOOD}),
    ("POST", "/worklists/{case}/steps/{step}", {"case": CASE, "step": "0"}, {"token": GOOD, "done": True}),
    ("POST", "/worklists/{case}/notes", {"case": CASE}, {"token": GOOD, "text": "Champion left"}),
    ("POST", "/worklists/{case}/notes/page", {"case": CASE}, {"token": GOOD, "page": 0}),
    ("GET", "/unsubscribe", {}, None),
    ("POST", "/unsubscribe", {}, None),
]


def body_for(fields: dict | None):
    """Arbitrary bytes, arbitrary JSON, or the route's fields each kept or replaced by arbitrary JSON."""
    plausible = st.just({}) if not fields else st.fixed_dictionaries(
        {}, optional={name: st.just(value) | JSON | TOKENS for name, value in fields.items()})
    as_json = st.tuples(JSON | plausible, st.booleans()).map(
        lambda pair: json.dumps(pair[0], ensure_ascii=pair[1]).encode("utf-8", "surrogatepass"))
    return st.binary(max_size=300) | as_json | st.just(b"List-Unsubscribe=One-Click")


@st.composite
def requests(draw, route):
    method, template, params, fields = route
    path = template
    for name, value in params.items():
        path = path.replace("{" + name + "}", quote(draw(st.just(value) | TEXT).encode("utf-8", "surrogatepass"), safe=""))
    query = draw(st.none() | st.dictionaries(st.sampled_from(["t", "page", "x"]), TOKENS | TEXT, max_size=2))
    if query:
        path += "?" + urlencode({key: value.encode("utf-8", "surrogatepass") for key, value in query.items()})
    headers = {"user-agent": draw(st.sampled_from([BROWSER, "Googlebot/2.1", ""]) | st.text(
        st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=30))}
    origin = draw(st.sampled_from([ORIGIN, "https://evil.example", None]))
    if origin:
        headers["origin"] = origin
    body = draw(body_for(fields)) if method == "POST" else b""
    return method, path, {name: value.encode("latin-1") for name, value in headers.items()}, body


@pytest.fixture
def client(make_store, tmp_path: Path):
    (tmp_path / "private").mkdir()
    (tmp_path / "private/roster.csv").write_text(ROSTER)
    store = make_store()
    seed_case(store)
    roster = Roster(tmp_path, tmp_path / "private/roster.csv", recheck_seconds=0)
    settings_ = CollectorSettings(INDEX, [ORIGIN], KEYS, roster=roster, rates=RateLimits(None, None), clock=Clock())
    exams = ExamService({("2.4", "sales-silver"): exam_key(EXAM, 365)}, store, roster)
    credentials = CredentialService(exams, CONFIG, Addresses("http://testserver"), {"k1": SIGNING})
    exams.register_credentials(credentials)
    routes = [*exam_routes(settings_, exams), *credential_routes(settings_, credentials),
              *worklist_routes(settings_, WorklistService(store, roster.entries)),
              *notification_routes(settings_, NotificationService(store, KEYS))]
    with TestClient(create_app(settings_, store, routes), raise_server_exceptions=True) as test_client:
        test_client.store = store
        yield test_client


def counted(store) -> int:
    return int(store.query("SELECT COALESCE(SUM(count), 0) FROM rejected")[0][0])


@pytest.mark.parametrize("route", ROUTES, ids=[f"{method} {path}" for method, path, _, _ in ROUTES])
def test_arbitrary_requests_are_answered_or_refused_and_counted(client: TestClient, route, caplog) -> None:
    template = route[1]

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                     HealthCheck.too_slow])
    @given(requests(route))
    def attack(request) -> None:
        method, path, headers, body = request
        before = counted(client.store)
        answer = client.request(method, path, headers=headers, content=body)  # raises what a route lets through
        assert answer.status_code < 500, (request, answer.status_code, answer.text)
        refusal = answer.status_code >= 400 and answer.headers.get("content-type") == "application/json"
        if template in COUNTED and refusal:
            assert counted(client.store) == before + 1, (request, answer.status_code, answer.text)

    with caplog.at_level(logging.WARNING):
        attack()
    # The refusal log's summary line (one per reason and minute, written when a minute turns over) is
    # what the operator is meant to see; anything else at warning level or with a traceback is not.
    assert not [record for record in caplog.records
                if (record.levelno >= logging.WARNING or record.exc_info) and not is_refusal_summary(record)], caplog.text


def is_refusal_summary(record: logging.LogRecord) -> bool:
    try:
        line = json.loads(record.getMessage())
    except ValueError:
        return False
    return (record.name == "partnerkit.collector" and not record.exc_info and isinstance(line, dict)
            and set(line) == {"event", "minute", "reason", "count"} and line["event"] == "refused")
