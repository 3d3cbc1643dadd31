""""Ask for help" at the collector: stored for a signed-in rep on a deal-stage page; every hostile
request refused, counted and storing nothing; the answered link marks a request once."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.store import signals as store_signals
from generator.collector.help import HelpService, answered_link, help_routes
from generator.model.config import HelpSettings
from generator.model.urls import Urls
from generator.model.versions import Releases
from tests.analytics.conftest import KEYS
from tests.signals.conftest import Collector, token

pytestmark = pytest.mark.unit


@pytest.fixture
def collector(tmp_path: Path):
    running = Collector(tmp_path, lambda settings, store: help_routes(settings, HelpService(store, HelpSettings(max_chars=100), KEYS)))
    yield running
    running.client.close()
    running.store.close()


def stored(collector) -> list[tuple]:
    return collector.store.query("SELECT partner, rep, content, text, answered_at FROM help_requests ORDER BY asked_at")


def ask(collector, **fields):
    return collector.post("/help", {"token": token(), "content": "module:pricing", "text": "A 40-seat deal with a retailer", **fields})


def test_a_signed_in_rep_asks_for_help_on_a_deal_stage_page(collector) -> None:
    response = ask(collector)
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert stored(collector) == [("acme", "rep-7", "module:pricing", "A 40-seat deal with a retailer", None)]


def test_scripted_text_is_stored_as_written_to_be_escaped_where_shown(collector) -> None:
    assert ask(collector, text="<script>alert(1)</script> & co").status_code == 200
    assert stored(collector)[0][3] == "<script>alert(1)</script> & co"


def test_hostile_requests_are_refused_counted_and_store_nothing(collector) -> None:
    cases = [
        (ask(collector, token=token()[:-4] + "AAAA"), 403, "forged token"),
        (ask(collector, token=None), 403, "anonymous"),
        (ask(collector, text="x" * 101), 422, "text too long"),
        (collector.client.post("/help", content=b"{" + b" " * 9000 + b"}", headers={"user-agent": "Mozilla/5.0 Chrome/126"}), 413, "too large"),
        (ask(collector, text="   "), 422, "empty text"),
        (ask(collector, text="bidi \u202e trick"), 422, "control characters"),
        (ask(collector, content="module:basics"), 422, "not a deal-stage page"),
        (ask(collector, version="9.9"), 422, "unknown release"),
        (ask(collector, extra="field"), 422, "invalid request"),
        (ask(collector, text=["list"]), 422, "invalid request"),
        (collector.post("/help", {"token": token(), "content": "module:pricing", "text": "hi"}, origin="https://evil.example"), 403, "foreign origin"),
    ]
    assert [(response.status_code, response.json()["error"]) for response, _, _ in cases] == [(s, r) for _, s, r in cases]
    assert stored(collector) == []
    assert collector.rejected() == {"forged token": 1, "anonymous": 1, "text too long": 1, "too large": 1, "empty text": 1,
                                    "control characters": 1, "not a deal-stage page": 1, "unknown release": 1,
                                    "invalid request": 2, "foreign origin": 1}


def test_a_rep_may_ask_three_times_a_day(collector) -> None:
    assert [ask(collector, text=f"deal {n}").status_code for n in range(4)] == [200, 200, 200, 429]
    assert len(stored(collector)) == 3 and collector.rejected() == {"help limit": 1}
    assert ask(collector, token=token("acme", "rep-8")).status_code == 200, "the limit is per rep"


def test_the_answered_link_marks_the_request_once(collector) -> None:
    assert ask(collector).status_code == 200
    (request,) = collector.store.run(store_signals.help_requests).result()
    urls = Urls("https://partners.example", Releases(), "https://collect.example")
    link = urlsplit(answered_link(urls, request, KEYS, datetime.now(timezone.utc)))
    address = f"{link.path}?{link.query}"
    page = collector.client.get(address)
    assert page.status_code == 200 and "Mark answered" in page.text
    assert stored(collector)[0][4] is None, "opening the link changes nothing"
    assert collector.client.post(address).status_code == 200
    assert stored(collector)[0][4] is not None
    assert collector.client.post(address).status_code == 409
    assert collector.client.post(address.replace("t=", "t=x")).status_code == 403
    assert collector.rejected() == {"replayed token": 1, "forged token": 1}
