"""xAPI statements to a real LRS: Ralph on 127.0.0.1 (tests/analytics/ralph.py). What the collector
records is written to the outbox in the same transaction; the sender delivers it; Ralph's models
validate every statement; with Ralph stopped in the middle and started again, and an answer lost on
the way, every statement arrives exactly once. ``forget`` stops sending a rep's statements and says
what the LRS already holds."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from generator.identity import Rep, sign
from generator.store.database import SqliteStore
from generator.store.lrs import due_statements, held_by_lrs, record_statement
from generator.certification.credentials import Addresses
from generator.cli import cli
from generator.collector.app import CollectorSettings
from generator.collector.credentials import CredentialService, credential_routes
from generator.collector.exams import ExamService
from generator.collector.learning import LearningService, ModuleChange, SyncRequest
from generator.collector.lrs import LrsSender, lrs_auth
from generator.collector.xapi import StatementRecorder, Vocabulary, duration
from generator.errors import PartnerkitError
from generator.model.config import LrsSettings
from generator.model.answer_keys import exam_key
from tests.analytics.conftest import INDEX, KEYS, ORIGIN, Clock, running_collector
from tests.analytics.ralph import KEY, ralph, ralph_errors  # noqa: F401 - the fixture
from tests.analytics.test_collector import event, post
from tests.certification.test_credentials import CONFIG, SIGNING
from tests.certification.test_exams import EXAM, RIGHT, ROSTER, Clock as ExamClock, answers_for, start, submit
from tests.conftest import configure

pytestmark = pytest.mark.integration

HOME = "https://partners.example.com"
TOKEN = sign(Rep("acme", "rep-7", date.today() - timedelta(days=30)), KEYS)


def deliver_all(sender: LrsSender, seconds: float = 30) -> int:
    """Rounds of sending until nothing waits (retries are due within milliseconds in these tests)."""
    delivered, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        delivered += sender.send_due().delivered
        if not sender.store.query("SELECT 1 FROM lrs_outbox WHERE delivered_at IS NULL"):
            return delivered
        time.sleep(0.05)
    raise AssertionError(f"statements still waiting: {sender.store.query('SELECT kind, attempts, last_error FROM lrs_outbox WHERE delivered_at IS NULL')}")


def test_statements_arrive_exactly_once_across_an_lrs_outage(ralph, tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "events.sqlite")
    recorder = StatementRecorder(Vocabulary(HOME, {"module:pricing": "Pricing", "sales-silver": "Certified seller"}),
                                 frozenset({"page", "quiz", "exam", "certificate"}))
    store.event_recorders.append(recorder.event_stored)
    exams = ExamService({("2.4", "sales-silver"): exam_key(EXAM, 365)}, store, ROSTER, ExamClock())
    exams.statements = recorder
    settings = CollectorSettings(INDEX, [ORIGIN], KEYS, clock=Clock())
    sender = LrsSender(store, LrsSettings(endpoint=f"{ralph.url}/xAPI/", retry_seconds=0.01, max_retry_seconds=0.05),
                       lrs_auth(LrsSettings(), {"PARTNERKIT_LRS_KEY": KEY}))
    with running_collector(settings, store, exams=exams) as collector:
        credentials = CredentialService(exams, CONFIG, Addresses(collector.url), {"k1": SIGNING})
        exams.register_credentials(credentials)
        assert post(collector.url, event(token=TOKEN)).status_code == 204
        settings.clock.advance(60)
        assert post(collector.url, event(type="leave", token=TOKEN, engaged_ms=42_000, scroll=80)).status_code == 204
        quizzes = [event(type="quiz", quiz="pricing-check", score=score, passed=score >= 80, token=TOKEN,
                         at=event()["at"] + score) for score in (60, 90)]
        assert post(collector.url, quizzes).status_code == 204
        assert deliver_all(sender) == 3

        ralph.stop()  # the LRS goes down in the middle of the run
        drawn = start(collector.url).json()
        verdict = submit(collector.url, drawn["attempt"], answers_for(drawn, RIGHT)).json()
        assert verdict["passed"] is True
        settings.clock.advance(60)
        assert post(collector.url, event(type="leave", token=TOKEN, engaged_ms=5_000, scroll=90,
                                         at=event()["at"] + 1)).status_code == 204
        failed = sender.send_due()
        assert (failed.delivered, failed.failed) == (0, 3) and failed.last_error.startswith("ConnectError")
        assert store.query("SELECT kind, attempts FROM lrs_outbox WHERE delivered_at IS NULL ORDER BY kind") == [
            ("certificate", 1), ("exam", 1), ("page", 1)]

        # An answer lost on the way: the LRS took the first page read, the collector never heard it.
        store.run(lambda db: db.execute("UPDATE lrs_outbox SET delivered_at = NULL WHERE kind = 'page'"
                                        " AND delivered_at IS NOT NULL")).result()
        ralph.start()
        time.sleep(0.06)  # the retry is due
        assert deliver_all(sender) == 4
        outbox = dict(store.query("SELECT statement, body FROM lrs_outbox"))

    stored = ralph.stored()
    counts = Counter(statement["id"] for statement in stored)
    assert counts == Counter(set(outbox)), "every statement once, none missing, none twice"
    assert ralph_errors(stored) == [] and ralph_errors([json.loads(body) for body in outbox.values()]) == []
    # Ralph answers the same through its xAPI API
    listed = httpx.get(f"{ralph.url}/xAPI/statements", auth=tuple(KEY.split(":")), params={"limit": 100},
                       headers={"X-Experience-API-Version": "1.0.3"}).json()["statements"]
    assert {statement["id"] for statement in listed} == set(outbox)

    by_verb: dict[str, list[dict]] = {}
    for statement in stored:
        by_verb.setdefault(statement["verb"]["display"]["en"], []).append(statement)
    assert sorted((verb, len(found)) for verb, found in by_verb.items()) == [
        ("earned", 1), ("experienced", 2), ("failed", 1), ("passed", 2)]
    for statement in stored:
        assert statement["actor"]["account"] == {"homePage": HOME, "name": "rep-7"} and "mbox" not in statement["actor"]
    page = next(s for s in by_verb["experienced"] if s["result"]["duration"] == "PT42S")
    assert page["object"]["id"] == f"{HOME}/xapi/activities/page/module:pricing"
    assert page["object"]["definition"] == {"type": "http://activitystrea.ms/schema/1.0/page", "name": {"en": "Pricing"}}
    assert page["context"]["extensions"] == {f"{HOME}/xapi/extensions/partner": "acme", f"{HOME}/xapi/extensions/release": "2.4"}
    [quiz_failed] = by_verb["failed"]
    assert quiz_failed["result"]["score"] == {"scaled": 0.6, "raw": 60, "min": 0, "max": 100}
    assert quiz_failed["result"]["success"] is False
    exam = next(s for s in by_verb["passed"] if s["object"]["id"].endswith("/exam/sales-silver"))
    assert exam["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/assessment"
    assert exam["result"]["success"] is True and 0.75 <= exam["result"]["score"]["scaled"] <= 1
    [earned] = by_verb["earned"]
    assert earned["verb"]["id"] == "http://id.tincanapi.com/verb/earned"
    jwt_id = json.loads(__import__("base64").urlsafe_b64decode(
        store_jwt(tmp_path, verdict["certificate"]).split(".")[1] + "=="))["jti"]
    assert earned["result"]["extensions"] == {f"{HOME}/xapi/extensions/certificate": verdict["certificate"],
                                              f"{HOME}/xapi/extensions/credential": jwt_id}


def test_a_module_marked_done_is_one_completed_statement(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "events.sqlite")
    recorder = StatementRecorder(Vocabulary(HOME, {"module:pricing": "Pricing"}), frozenset({"module"}))
    service = LearningService(store, statements=recorder)
    at = 1_796_000_000_000

    def sync(*changes: tuple[str, bool, int]) -> None:
        body = SyncRequest(modules=[ModuleChange(module=module, done=done, at=moment) for module, done, moment in changes])
        store.run(service.sync("acme", "rep-7", "2.4", body)).result()

    sync(("pricing", True, at))
    sync(("pricing", True, at))  # the same change again (a second device, a retry): nothing new
    sync(("pricing", True, at - 5000), ("basics", False, at))  # an older change, and a module marked not done
    bodies = [json.loads(body) for (body,) in store.query("SELECT body FROM lrs_outbox")]
    assert len(bodies) == 1 and ralph_errors(bodies) == []
    [completed] = bodies
    assert completed["verb"] == {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en": "completed"}}
    assert completed["object"] == {"objectType": "Activity", "id": f"{HOME}/xapi/activities/module/pricing",
                                   "definition": {"type": "http://adlnet.gov/expapi/activities/module", "name": {"en": "Pricing"}}}
    assert completed["actor"]["account"] == {"homePage": HOME, "name": "rep-7"}
    assert completed["result"] == {"completion": True}
    store.close()


def store_jwt(tmp_path: Path, certificate: str) -> str:
    store = SqliteStore(tmp_path / "events.sqlite")
    try:
        return store.query("SELECT jwt FROM credentials WHERE certificate = ?", (certificate,))[0][0]
    finally:
        store.close()


def test_a_retried_event_records_one_statement(make_store) -> None:
    store = make_store()
    recorder = StatementRecorder(Vocabulary(HOME, {}), frozenset({"page", "quiz"}))
    store.event_recorders.append(recorder.event_stored)
    settings = CollectorSettings(INDEX, [ORIGIN], KEYS, clock=Clock())
    with running_collector(settings, store) as collector:
        post(collector.url, event(token=TOKEN))
        settings.clock.advance(30)
        leave = event(type="leave", token=TOKEN, engaged_ms=20_000, scroll=50)
        assert post(collector.url, leave).status_code == 204
        assert post(collector.url, leave).status_code == 204  # the browser sent it again
        post(collector.url, event(type="leave", view="v-anonymous-1", engaged_ms=20_000, scroll=50))  # no rep: no statement
        assert collector.store.query("SELECT kind, rep FROM lrs_outbox") == [("page", "rep-7")]


def test_only_the_events_asked_for_are_recorded(make_store) -> None:
    store = make_store()
    recorder = StatementRecorder(Vocabulary(HOME, {}), frozenset({"quiz"}))
    store.event_recorders.append(recorder.event_stored)
    settings = CollectorSettings(INDEX, [ORIGIN], KEYS, clock=Clock())
    with running_collector(settings, store) as collector:
        post(collector.url, event(token=TOKEN))
        settings.clock.advance(30)
        post(collector.url, event(type="leave", token=TOKEN, engaged_ms=20_000, scroll=50))
        post(collector.url, event(type="quiz", quiz="pricing-check", score=80, passed=True, token=TOKEN))
        assert collector.store.query("SELECT kind FROM lrs_outbox") == [("quiz",)]


def test_forget_stops_sending_and_says_what_the_lrs_holds(minimal: Path) -> None:
    configure(minimal, lrs={"endpoint": "https://lrs.example/xAPI/"})
    (minimal / "private").mkdir(exist_ok=True)
    store = SqliteStore(minimal / "private" / "events.sqlite")
    for number, delivered in ((1, True), (2, True), (3, False)):
        def write(db, number=number, delivered=delivered):
            record_statement(db, f"00000000-0000-5000-8000-00000000000{number}", "rep-7", "page", "{}", "2026-12-01T10:00:00.000Z")
            if delivered:
                db.execute("UPDATE lrs_outbox SET delivered_at = '2026-12-01T10:00:01.000Z' WHERE statement = ?",
                           (f"00000000-0000-5000-8000-00000000000{number}",))
        store.run(write).result()
    store.run(lambda db: record_statement(db, "00000000-0000-5000-8000-000000000009", "rep-8", "page", "{}",
                                          "2026-12-01T10:00:00.000Z")).result()
    assert held_by_lrs(store, "rep-7").delivered == 2
    store.close()

    result = CliRunner().invoke(cli, ["forget", "rep-7", "-p", str(minimal)])
    assert result.exit_code == 0, result.output
    assert "lrs_outbox 3" in result.output
    assert ("The LRS already holds 2 xAPI statements about rep-7 (sent since 2026-12-01; actor account name rep-7):"
            " partnerkit cannot delete them there, ask its administrator") in result.output
    assert "1 statements about rep-7 not yet sent to the LRS are deleted: they will not be sent" in result.output
    store = SqliteStore(minimal / "private" / "events.sqlite")
    try:
        assert [pending.statement for pending in due_statements(store, "2027-01-01", 10)] == ["00000000-0000-5000-8000-000000000009"]
    finally:
        store.close()


def test_lrs_settings_and_vocabulary() -> None:
    with pytest.raises(PartnerkitError) as error:
        lrs_auth(LrsSettings(endpoint="https://lrs.example/xAPI/"), {})
    assert str(error.value) == "PARTNERKIT_LRS_KEY is not set: the LRS's credentials, as key:secret (lrs.endpoint is set)"
    assert lrs_auth(LrsSettings(), {"PARTNERKIT_LRS_KEY": "key:se:cret"}) == "Basic a2V5OnNlOmNyZXQ="
    assert [duration(ms) for ms in (42_000, 1_500, 61_000, 3_600_000, 3_725_010)] == [
        "PT42S", "PT1.5S", "PT1M1S", "PT1H0S", "PT1H2M5.01S"]
