"""Hardening, round two (issue 24): the collector's routes under hostile input, in process (starlette's
TestClient, which raises any exception a route lets through), on SQLite and on PostgreSQL. Each attack
asserts that nothing happened: the status code, the refusal counted, nothing stored."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from generator.store import worklists as records
from generator.identity import Rep, Roster, sign
from generator.store.core import BatchingStore
from generator.collector.app import CollectorSettings, create_app
from generator.collector.exams import ExamService, exam_routes
from generator.collector.notifications import NotificationService, notification_routes
from generator.collector.worklists import WorklistService, worklist_routes
from generator.notifications.tokens import sign_unsubscribe
from generator.model.answer_keys import exam_key
from generator.model.worklists import Case, CaseStep
from tests.analytics.conftest import INDEX, KEYS, ORIGIN, Clock
from tests.certification.test_exams import EXAM

pytestmark = pytest.mark.integration  # in process, but on PostgreSQL too

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
HEADERS = {"content-type": "text/plain", "user-agent": BROWSER, "origin": ORIGIN}
ISSUED = datetime.now(timezone.utc) - timedelta(days=3)
ROSTER = ("partner_id,partner_name,rep_id,name,email,role,joined,left\n"
          "acme,Acme Consulting,ana,Ana Silva,ana@acme.example,sales,2026-01-10,\n"
          "acme,Acme Consulting,bo,Bo Jensen,bo@acme.example,cs,2026-01-10,\n")
CASE = "case-nordlys"


def token(rep: str = "ana", partner: str = "acme") -> str:
    return sign(Rep(partner, rep, ISSUED), KEYS)


@dataclass
class Collector:
    """Every route of the collector over one store, and what it stored."""

    client: TestClient
    store: BatchingStore
    folder: Path
    service: WorklistService

    def post(self, path: str, body: Any = None, raw: bytes | None = None, headers: dict | None = None):
        content = raw if raw is not None else json.dumps(body).encode()
        return self.client.post(path, content=content, headers={**HEADERS, **(headers or {})})

    def rejected(self) -> dict[str, int]:
        return {reason: int(count) for reason, count in self.store.query("SELECT reason, SUM(count) FROM rejected GROUP BY reason")}

    def stored(self) -> dict[str, list[tuple]]:
        """Every row a request could have added."""
        return {table: self.store.query(f"SELECT * FROM {table}") for table in
                ("events", "views", "exam_attempts", "certificates", "worklist_ticks", "worklist_notes", "notifications_unsubscribed")}


def seed_case(store: BatchingStore) -> None:
    steps = (CaseStep(0, "Call the champion", "90 days before renewal", date(2028, 1, 31), "partner"),
             CaseStep(1, "Send the renewal quote", "60 days before renewal", date(2028, 3, 1), "shared"))
    case = Case(CASE, "c1", "renewal-90-60-30", date(2028, 1, 31), steps)
    info = {"c1": records.CustomerInfo("Nordlys AS", "acme", "smb", "ana")}
    store.run(lambda db: records.record_run(db, date(2028, 1, 31), [case], {}, info, {})).result()


@pytest.fixture
def collector(make_store, tmp_path: Path):
    folder = tmp_path / "project"
    (folder / "private").mkdir(parents=True)
    (folder / "private/roster.csv").write_text(ROSTER)
    store = make_store()
    seed_case(store)
    roster = Roster(folder, folder / "private/roster.csv", recheck_seconds=0)
    settings = CollectorSettings(INDEX, [ORIGIN], KEYS, roster=roster, clock=Clock())
    exams = ExamService({("2.4", "sales-silver"): exam_key(EXAM, 365)}, store, roster)
    service = WorklistService(store, roster.entries)
    routes = [*exam_routes(settings, exams), *worklist_routes(settings, service),
              *notification_routes(settings, NotificationService(store, KEYS))]
    with TestClient(create_app(settings, store, routes), raise_server_exceptions=True) as client:
        yield Collector(client, store, folder, service)


def nothing_stored(collector: Collector) -> None:
    assert all(rows == [] for rows in collector.stored().values()), collector.stored()


# 1. Tokens: one parser refuses anything outside its alphabet, with a counted 403.

GOOD = token()
PAYLOAD, KEY_ID, SIGNATURE = GOOD.split(".")
BAD_TOKENS = {
    "é before the payload": f"é{GOOD}",
    "é in the signature": f"{PAYLOAD}.{KEY_ID}.é{SIGNATURE[1:]}",
    "é in the key id": f"{PAYLOAD}.ké.{SIGNATURE}",
    "a full-width letter": f"{PAYLOAD}.{KEY_ID}.{SIGNATURE[:-1]}Ａ",
    "an Arabic-Indic digit": f"{PAYLOAD}.{KEY_ID}.{SIGNATURE[:-1]}٣",
    "a space": f"{PAYLOAD} .{KEY_ID}.{SIGNATURE}",
    "base64 padding": f"{PAYLOAD}=.{KEY_ID}.{SIGNATURE}",
    "four parts": f"{GOOD}.x",
    "two parts": f"{PAYLOAD}.{KEY_ID}",
    "emoji only": "🙂.🙂.🙂",
    "a newline at the end": f"{GOOD}\n",
}


def attempts_with(collector: Collector, bad: str) -> list[tuple[str, Any]]:
    """Every route that reads a rep's token, given ``bad``."""
    event = {"type": "view", "content": "module:pricing", "version": "2.4", "view": "v0123456789",
             "at": int(time.time() * 1000), "token": bad}
    return [
        ("/e", collector.post("/e", event)),
        ("exam start", collector.post("/exams/sales-silver/attempts", {"version": "2.4", "token": bad})),
        ("/worklists", collector.post("/worklists", {"token": bad})),
        ("/steps/0", collector.post(f"/worklists/{CASE}/steps/0", {"token": bad, "done": True})),
        ("/notes", collector.post(f"/worklists/{CASE}/notes", {"token": bad, "text": "Champion left"})),
    ]


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
def test_a_token_with_any_character_outside_its_alphabet_is_a_counted_403(collector: Collector, kind: str) -> None:
    bad = BAD_TOKENS[kind]
    answers = attempts_with(collector, bad)
    for route, response in answers:
        assert (route, response.status_code, response.json()) == (route, 403, {"error": "forged token"})
    assert collector.rejected() == {"forged token": len(answers)}
    nothing_stored(collector)


@pytest.mark.parametrize("bad", [f"{PAYLOAD}\x00.{KEY_ID}.{SIGNATURE}", f"{PAYLOAD}.{KEY_ID}.{SIGNATURE[:-1]}\udc80"],
                         ids=["nul", "lone surrogate"])
def test_a_token_with_a_nul_or_a_lone_surrogate_is_refused_with_the_json(collector: Collector, bad: str) -> None:
    """A NUL, or JSON's ``"\\udc80"`` (a lone surrogate), is text no store holds: 422 before any token is read."""
    answers = attempts_with(collector, bad)
    assert [(route, response.status_code, response.json()) for route, response in answers] == [
        (route, 422, {"error": "unstorable text"}) for route, _ in answers]
    assert collector.rejected() == {"unstorable text": 5}
    nothing_stored(collector)


@pytest.mark.parametrize("query", ["t=%C3%A9.k1.x", "t=%C3%A9" + quote(GOOD), "t=" + quote(f"{PAYLOAD}.{KEY_ID}.é{SIGNATURE[1:]}"),
                                   "t=%00", "t=%ED%B2%80.k1.x", "t=" + "A" * 5000, "t=%F0%9F%99%82.%F0%9F%99%82.x"],
                         ids=["é", "é before", "é in the signature", "nul", "surrogate bytes", "5000 characters", "emoji"])
def test_an_unsubscribe_token_outside_the_alphabet_is_a_counted_403(collector: Collector, query: str) -> None:
    shown = collector.client.get(f"/unsubscribe?{query}")
    sent = collector.client.post(f"/unsubscribe?{query}", content=b"List-Unsubscribe=One-Click", headers={"user-agent": BROWSER})
    assert (shown.status_code, shown.json()) == (403, {"error": "forged token"})
    assert (sent.status_code, sent.json()) == (403, {"error": "forged token"})
    assert collector.rejected() == {"forged token": 2}
    nothing_stored(collector)


def test_genuine_tokens_still_pass(collector: Collector) -> None:
    assert collector.post("/worklists", {"token": GOOD}).status_code == 200
    link = sign_unsubscribe("acme", "ana", "certificate-expiry", datetime.now(timezone.utc), KEYS)
    assert collector.client.get(f"/unsubscribe?t={link}").status_code == 200
    assert collector.rejected() == {}


# 2. Text no store can hold: refused the same way on SQLite and PostgreSQL.

def test_a_note_with_a_nul_is_a_counted_422_on_every_store(collector: Collector) -> None:
    answer = collector.post(f"/worklists/{CASE}/notes", {"token": GOOD, "text": "champion\u0000left"})
    assert (answer.status_code, answer.json()) == (422, {"error": "unstorable text"})
    raw = collector.post(f"/worklists/{CASE}/notes", raw=b'{"token": "%s", "text": "champion \\ud800 left"}' % GOOD.encode())
    assert (raw.status_code, raw.json()) == (422, {"error": "unstorable text"})
    key = collector.post(f"/worklists/{CASE}/notes", raw=b'{"token": "%s", "text": "ok", "\\u0000": 1}' % GOOD.encode())
    assert (key.status_code, key.json()) == (422, {"error": "unstorable text"})
    assert collector.rejected() == {"unstorable text": 3}
    nothing_stored(collector)
    kept = collector.post(f"/worklists/{CASE}/notes", {"token": GOOD, "text": "Champion left 🙂 — 退職"})
    assert kept.status_code == 200
    assert [row[-1] for row in collector.store.query("SELECT text FROM worklist_notes")] == ["Champion left 🙂 — 退職"]


def test_exam_answers_with_a_nul_are_refused_and_nothing_is_graded(collector: Collector) -> None:
    started = collector.post("/exams/sales-silver/attempts", {"version": "2.4", "token": GOOD})
    assert started.status_code == 200
    attempt = started.json()["attempt"]
    answer = collector.post(f"/exams/sales-silver/attempts/{attempt}", {"token": GOOD, "answers": {"score": "6\u00000"}})
    assert (answer.status_code, answer.json()) == (422, {"error": "unstorable text"})
    assert collector.store.query("SELECT submitted_at FROM exam_attempts") == [(None,)]


@pytest.mark.parametrize("path, reason", [
    ("/worklists/c%00/notes", "unknown case"), ("/worklists/%C3%A9/steps/0", "unknown case"),
    (f"/worklists/{CASE}/steps/%D9%A3", "unknown step"), ("/exams/sales-silver/attempts/a%00", "unknown attempt"),
    ("/exams/%C3%A9%00/attempts/abc", "unknown exam"),
])
def test_ids_in_paths_outside_their_alphabet_never_reach_the_store(collector: Collector, path: str, reason: str) -> None:
    body = {"token": GOOD, "done": True} if "/steps/" in path else {"token": GOOD, "text": "x"} if "notes" in path else \
        {"token": GOOD, "answers": {}}
    answer = collector.post(path, body)
    assert (answer.status_code, answer.json()) == (404, {"error": reason})
    assert collector.rejected() == {reason: 1}
    nothing_stored(collector)


@pytest.mark.parametrize("ident", ["%00", "%C3%A9", "%ED%B2%80", "a" * 65])
def test_a_certificate_id_outside_its_alphabet_is_unknown(collector: Collector, ident: str) -> None:
    answer = collector.client.get(f"/certificates/{ident}", headers={"user-agent": BROWSER})
    assert (answer.status_code, answer.json()) == (404, {"error": "unknown certificate"})


def test_both_stores_refuse_unstorable_text_the_same_way(collector: Collector) -> None:
    from generator.storable import UnstorableText

    for text in ("champion\x00left", "lone \ud800"):
        with pytest.raises(UnstorableText, match="which no store can hold"):
            collector.store.run(lambda db: records.add_note(db, CASE, "acme", "ana", text)).result()
        with pytest.raises(UnstorableText):
            collector.store.query("SELECT id FROM worklist_cases WHERE id = ?", (text,))
    nothing_stored(collector)


# 7. Notes: capped per case, the listing paged.

def test_notes_per_case_are_capped_and_the_listing_is_paged(collector: Collector) -> None:
    from generator.collector.worklists import NOTES_PAGE

    collector.service.notes_per_case = 45
    for number in range(45):
        assert collector.post(f"/worklists/{CASE}/notes", {"token": GOOD, "text": f"note {number}"}).status_code == 200
    full = collector.post(f"/worklists/{CASE}/notes", {"token": GOOD, "text": "one more"})
    assert (full.status_code, full.json()) == (409, {"error": "notes full", "max_notes": 45})
    assert collector.rejected() == {"notes full": 1}
    assert len(collector.store.query("SELECT id FROM worklist_notes")) == 45
    [case] = collector.post("/worklists", {"token": GOOD}).json()["cases"]
    assert case["notes_total"] == 45 and len(case["notes"]) == NOTES_PAGE == 20
    assert [note["text"] for note in case["notes"]] == [f"note {number}" for number in range(25, 45)]
    pages = [collector.post(f"/worklists/{CASE}/notes/page", {"token": GOOD, "page": page}).json() for page in range(4)]
    assert [[note["text"] for note in page["notes"]] for page in pages] == [
        [f"note {number}" for number in range(25, 45)], [f"note {number}" for number in range(5, 25)],
        [f"note {number}" for number in range(5)], []]
    assert [page["more"] for page in pages] == [True, True, False, False]
    assert pages[0]["notes"][0]["by"] == "Ana Silva"
    for bad in ({"token": GOOD, "page": -1}, {"token": GOOD, "page": "1"}, {"token": GOOD, "page": 10**9}, {"token": GOOD}):
        assert collector.post(f"/worklists/{CASE}/notes/page", bad).status_code == 422
    other = collector.post("/worklists/unknown-case/notes/page", {"token": GOOD, "page": 0})
    assert (other.status_code, other.json()) == (404, {"error": "unknown case"})


def test_the_notes_cap_defaults_to_the_setting() -> None:
    from generator.model.config import CustomerSettings

    assert WorklistService(None, list).notes_per_case == CustomerSettings().notes_per_case == 100  # type: ignore[arg-type]
