"""Worklists served by the real collector: each rep sees their partner's cases, ticks and notes are
recorded with who and when, and every request that must not see or change a case is refused with
nothing stored."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from generator.store import worklists as records
from generator.collector.app import CollectorSettings
from generator.identity import Rep, Roster, sign
from generator.store.database import SqliteStore
from generator.collector.worklists import worklist_routes
from generator.collector.worklists import worklist_service
from generator.load.config import load_config
from tests.analytics.conftest import INDEX, KEYS, ORIGIN, running_collector
from tests.analytics.test_collector import BROWSER
from tests.worklists.conftest import run

CUSTOMERS = ("customer_id,name,partner_id,segment,renewal_date,rep_id\n"
             "c1,Nordlys AS,acme,smb,2028-04-30,ana\n"
             "c2,Bo's Account,acme,mid-market,2028-03-31,bo\n"
             "c3,Kestrel Ltd,globex,smb,2028-03-01,gia\n")
ISSUED = datetime.now(timezone.utc) - timedelta(days=3)


def token(partner: str, rep: str) -> str:
    return sign(Rep(partner, rep, ISSUED), KEYS)


@pytest.fixture
def served(project: Path):
    (project / "private/customers.csv").write_text(CUSTOMERS)
    assert run("worklists", "--date", "2028-01-31", cwd=project).returncode == 0

    def start(own_accounts_only: bool = False):
        store = SqliteStore(project / "private/events.sqlite")
        config = load_config(project)
        roster = Roster(project, project / "private/roster.csv")
        settings = CollectorSettings(INDEX, [ORIGIN], KEYS, roster=roster)
        service = worklist_service(store, config, {"procedure:renewal-90-60-30": "Renewal at 90, 60 and 30 days"}, roster)
        service.own_accounts_only = own_accounts_only
        return running_collector(settings, store, routes=worklist_routes(settings, service))

    return start


def post(url: str, body: dict) -> httpx.Response:
    return httpx.post(url, content=json.dumps(body), headers={"content-type": "text/plain", "user-agent": BROWSER, "origin": ORIGIN})


def ids(store, partner: str) -> dict[str, str]:
    return {row.customer: row.id for row in store.run(lambda db: records.cases(db, partner)).result()}


def stored(store) -> tuple[list, list]:
    return (store.query("SELECT case_id, step, partner, rep FROM worklist_ticks ORDER BY case_id, step"),
            store.query("SELECT case_id, partner, rep, text FROM worklist_notes ORDER BY id"))


def test_a_rep_reads_ticks_unticks_and_notes_their_partners_cases(served) -> None:
    with served() as collector:
        listing = post(f"{collector.url}/worklists", {"token": token("acme", "ana")})
        assert listing.status_code == 200
        assert listing.headers["cache-control"] == "no-store"
        body = listing.json()
        assert body["name"] == "Ana Silva" and body["vendor"] is False
        assert [case["customer"] for case in body["cases"]] == ["Bo's Account", "Nordlys AS"]
        nordlys = body["cases"][1]
        assert nordlys["procedure"] == "Renewal at 90, 60 and 30 days" and nordlys["segment"] == "SMB"
        assert [(step["due"], step["owner"], step["mine"]) for step in nordlys["steps"]] == [
            ("2028-01-31", "Partner", True), ("2028-01-31", "Ostrova", False), ("2028-03-01", "Partner", True),
            ("2028-03-16", "Partner", True), ("2028-03-31", "Shared", True), ("2028-04-30", "Partner", True)]
        case = nordlys["id"]
        assert post(f"{collector.url}/worklists/{case}/steps/4", {"token": token("acme", "ana"), "done": True}).status_code == 200
        assert post(f"{collector.url}/worklists/{case}/steps/0", {"token": token("acme", "bo"), "done": True}).status_code == 200
        assert post(f"{collector.url}/worklists/{case}/steps/0", {"token": token("acme", "ana"), "done": False}).status_code == 200
        assert post(f"{collector.url}/worklists/{case}/notes", {"token": token("acme", "ana"), "text": "Champion left in December"}).status_code == 200
        ticks, notes = stored(collector.store)
        assert ticks == [(case, 4, "acme", "ana")]
        assert notes == [(case, "acme", "ana", "Champion left in December")]
        when = collector.store.query("SELECT ticked_at FROM worklist_ticks")[0][0]
        assert abs(datetime.fromisoformat(when) - datetime.now(timezone.utc)) < timedelta(minutes=1)
        again = post(f"{collector.url}/worklists", {"token": token("acme", "bo")}).json()["cases"][1]
        assert again["steps"][4]["done"] is True and again["steps"][4]["done_by"] == "Ana Silva"
        assert again["notes"] == [{"by": "Ana Silva", "at": again["notes"][0]["at"], "text": "Champion left in December"}]


def test_the_vendor_sees_every_partners_vendor_and_shared_steps_with_ticks_and_notes(served) -> None:
    with served() as collector:
        case = ids(collector.store, "acme")["c1"]
        post(f"{collector.url}/worklists/{case}/steps/4", {"token": token("acme", "ana"), "done": True})
        post(f"{collector.url}/worklists/{case}/notes", {"token": token("acme", "ana"), "text": "Champion left"})
        body = post(f"{collector.url}/worklists", {"token": token("ostrova", "val")}).json()
        assert body["vendor"] is True
        assert sorted((case["customer"], case["partner"]) for case in body["cases"]) == [
            ("Bo's Account", "Acme Consulting"), ("Kestrel Ltd", "Globex Partners"), ("Nordlys AS", "Acme Consulting")]
        nordlys = next(item for item in body["cases"] if item["customer"] == "Nordlys AS")
        assert [(step["step"], step["owner"], step["done"]) for step in nordlys["steps"]] == [
            (1, "Ostrova", False), (4, "Shared", True)]
        assert nordlys["notes"][0]["text"] == "Champion left"
        assert post(f"{collector.url}/worklists/{case}/steps/1", {"token": token("ostrova", "val"), "done": True}).status_code == 200
        assert post(f"{collector.url}/worklists/{case}/steps/0", {"token": token("ostrova", "val"), "done": True}).status_code == 403
        assert stored(collector.store)[0] == [(case, 1, "ostrova", "val"), (case, 4, "acme", "ana")]


def test_every_refusal_stores_nothing(served) -> None:
    with served() as collector:
        theirs = ids(collector.store, "globex")["c3"]
        mine = ids(collector.store, "acme")["c1"]
        forged = sign(Rep("acme", "ana", ISSUED), {"k9": b"someone-elses-secret-000"})
        cases = [
            (post(f"{collector.url}/worklists", {}), 403, "anonymous"),
            (post(f"{collector.url}/worklists", {"token": forged}), 403, "forged token"),
            (post(f"{collector.url}/worklists", {"token": token("acme", "nobody")}), 403, "not on roster"),
            (post(f"{collector.url}/worklists/{mine}/steps/0", {"done": True}), 403, "anonymous"),
            (post(f"{collector.url}/worklists/{mine}/steps/0", {"token": forged, "done": True}), 403, "forged token"),
            (post(f"{collector.url}/worklists/{theirs}/steps/0", {"token": token("acme", "ana"), "done": True}), 404, "unknown case"),
            (post(f"{collector.url}/worklists/{theirs}/notes", {"token": token("acme", "ana"), "text": "hi"}), 404, "unknown case"),
            (post(f"{collector.url}/worklists/nonexistent/steps/0", {"token": token("acme", "ana"), "done": True}), 404, "unknown case"),
            (post(f"{collector.url}/worklists/{mine}/steps/9", {"token": token("acme", "ana"), "done": True}), 404, "unknown step"),
            (post(f"{collector.url}/worklists/{mine}/steps/-1", {"token": token("acme", "ana"), "done": True}), 404, "unknown step"),
            (post(f"{collector.url}/worklists/{mine}/steps/1", {"token": token("acme", "ana"), "done": True}), 403, "not your step"),
            (post(f"{collector.url}/worklists/{mine}/steps/0", {"token": token("acme", "ana"), "done": "yes"}), 422, "invalid request"),
            (post(f"{collector.url}/worklists/{mine}/notes", {"token": token("acme", "ana"), "text": "x" * 501}), 422, "note too long"),
            (post(f"{collector.url}/worklists/{mine}/notes", {"token": token("acme", "ana"), "text": "   "}), 422, "empty note"),
        ]
        for response, status, reason in cases:
            assert (response.status_code, response.json()["error"]) == (status, reason)
        other_origin = httpx.post(f"{collector.url}/worklists/{mine}/notes", content=json.dumps({"token": token("acme", "ana"), "text": "x"}),
                                  headers={"user-agent": BROWSER, "origin": "https://evil.example"})
        assert other_origin.status_code == 403
        assert stored(collector.store) == ([], [])
        listing = post(f"{collector.url}/worklists", {"token": token("globex", "gia")}).json()
        assert [case["customer"] for case in listing["cases"]] == ["Kestrel Ltd"]


def test_reps_see_only_their_accounts_when_the_setting_says_so(served) -> None:
    with served(own_accounts_only=True) as collector:
        assert [case["customer"] for case in post(f"{collector.url}/worklists", {"token": token("acme", "bo")}).json()["cases"]] == ["Bo's Account"]
        nordlys = ids(collector.store, "acme")["c1"]
        response = post(f"{collector.url}/worklists/{nordlys}/steps/0", {"token": token("acme", "bo"), "done": True})
        assert response.status_code == 404
        assert stored(collector.store) == ([], [])


def test_forget_removes_a_reps_ticks_and_notes(served, project: Path) -> None:
    with served() as collector:
        case = ids(collector.store, "acme")["c1"]
        post(f"{collector.url}/worklists/{case}/steps/0", {"token": token("acme", "ana"), "done": True})
        post(f"{collector.url}/worklists/{case}/steps/2", {"token": token("acme", "bo"), "done": True})
        post(f"{collector.url}/worklists/{case}/notes", {"token": token("acme", "ana"), "text": "Ana's note"})
    assert run("worklists", "--date", "2028-02-01", cwd=project).returncode == 0  # the day's files show who ticked
    day = project / "private/worklists/2028-02-01"
    assert "Ana Silva" in (day / "acme.csv").read_text() and "done by Ana Silva" in (day / "acme.html").read_text()
    forgotten = run("forget", "ana", cwd=project)
    assert forgotten.returncode == 0, forgotten.stderr
    assert "worklist_ticks 1, worklist_notes 1" in forgotten.stdout
    assert forgotten.stdout.splitlines()[1:] == [
        "Deleted private/worklists/2028-02-01/acme.csv and its .html (it showed a step ana ticked;"
        " run partnerkit worklists again to remake today's)",
        "ana is still on the roster: remove their row there, or they are counted again"]
    assert not (day / "acme.csv").exists() and not (day / "acme.html").exists()
    assert sorted(path.name for path in day.iterdir()) == ["@vendor.csv", "@vendor.html", "globex.csv", "globex.html"]
    assert (project / "private/worklists/2028-01-31/acme.csv").is_file(), "a day from before the tick stays"
    for path in (project / "private/worklists").rglob("*"):
        assert path.is_dir() or b"Ana Silva" not in path.read_bytes(), path
    store = SqliteStore(project / "private/events.sqlite")
    try:
        assert stored(store) == ([(case, 2, "acme", "bo")], [])
    finally:
        store.close()
    assert b"Ana's note" not in (project / "private/events.sqlite").read_bytes()
