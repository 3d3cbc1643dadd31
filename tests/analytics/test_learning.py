"""The learner record in the collector, in process (starlette's TestClient): a rep's modules done and
practice-quiz best scores converge from any device by the latest change, the exams of the release are
reported, and every hostile request is refused, counted and stores nothing."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from generator.events import ContentIndex
from generator.identity import Rep, Roster, sign
from generator.store.database import SqliteStore
from generator.collector.app import CollectorSettings, RateLimits, create_app
from generator.collector.exams import ExamService, exam_routes
from generator.collector.learning import CHANGES_PER_MINUTE, MAX_CHANGES, LearningService, learning_routes
from generator.model.answer_keys import ExamKey, QuestionKey
from tests.analytics.conftest import KEYS, ORIGIN
from tests.analytics.test_collector import BROWSER

pytestmark = pytest.mark.integration  # in process, but on PostgreSQL too

MODULES = [f"m{number}" for number in range(30)]
INDEX = ContentIndex(
    content={"home:index", "quiz:pricing-check", "quiz:sales-exam", *(f"module:{ident}" for ident in MODULES), "module:retired"},
    versions={"2.3", "2.4"}, quizzes={"pricing-check"},
    releases={"2.3": {"module:retired", "module:m0"}, "2.4": {"quiz:pricing-check", "quiz:sales-exam", *(f"module:{ident}" for ident in MODULES)}})
ROSTER = ("partner_id,partner_name,rep_id,name,email,role,joined,left\n"
          "acme,Acme Resellers,ana,Ana Alvarez,ana@acme.example,sales,2026-01-05,\n"
          "acme,Acme Resellers,bo,Bo Berg,bo@acme.example,cs,2026-01-05,\n")
ISSUED = datetime.now(timezone.utc) - timedelta(days=3)
EXAM = ExamKey(id="sales-exam", title="Sales exam", role="sales", level="silver", pass_mark=50, draw=1, shuffle_questions=False,
               shuffle_choices=False, attempts=2, retry_after_hours=24, time_limit_minutes=None, review="score",
               validity_days=365, questions=[QuestionKey(id="q1", type="single", points=1, choices=["a", "b"], correct=["a"],
                                                         prompt="Pick a", texts={"a": "A", "b": "B"})])


def token(rep: str, partner: str = "acme") -> str:
    return sign(Rep(partner, rep, ISSUED), KEYS)


def now_ms() -> int:
    return int(time.time() * 1000)


@pytest.fixture
def collector(tmp_path: Path):
    (tmp_path / "private").mkdir()
    (tmp_path / "private/roster.csv").write_text(ROSTER)
    store = SqliteStore(tmp_path / "events.sqlite")
    roster = Roster(tmp_path, tmp_path / "private/roster.csv")
    still = lambda: 0.0  # the rate limits' clock held still: a slow machine refills no bucket
    settings = CollectorSettings(INDEX, [ORIGIN], KEYS, roster=roster, rates=RateLimits(per_address=None, clock=still))
    exams = ExamService({("2.4", "sales-exam"): EXAM}, store)
    service = LearningService(store, roster.entries, exams, rates=RateLimits(CHANGES_PER_MINUTE, None, clock=still))
    app = create_app(settings, store, [*learning_routes(settings, service), *exam_routes(settings, exams)])
    with TestClient(app, headers={"user-agent": BROWSER, "origin": ORIGIN, "content-type": "text/plain"}) as client:
        client.store = store
        yield client
    store.close()


def sync(client, body: dict, raw: bytes | None = None):
    return client.post("/learning", content=raw if raw is not None else json.dumps({"version": "2.4", **body}))


def stored(client) -> list[tuple]:
    return (client.store.query("SELECT partner, rep, module, done FROM learning_modules ORDER BY rep, module")
            + client.store.query("SELECT partner, rep, quiz, best_score FROM learning_quizzes ORDER BY rep, quiz"))


def rejected(client) -> dict[str, int]:
    return dict(client.store.query("SELECT reason, SUM(count) FROM rejected GROUP BY reason"))


def test_two_devices_converge_on_the_latest_change_per_module(collector) -> None:
    at = now_ms() - 60_000
    laptop = sync(collector, {"token": token("ana"), "modules": [{"module": "m1", "done": True, "at": at},
                                                                  {"module": "m2", "done": True, "at": at}]})
    assert laptop.status_code == 200 and laptop.headers["cache-control"] == "no-store"
    record = laptop.json()
    assert record["rep"] == {"name": "Ana Alvarez", "partner": "Acme Resellers", "role": "sales"}
    assert record["modules"] == {"m1": {"done": True, "at": at, "version": "2.4"}, "m2": {"done": True, "at": at, "version": "2.4"}}
    # the phone, offline until now, had un-marked m1 later and m2 earlier: m1's later change wins, m2's earlier one does not
    phone = sync(collector, {"token": token("ana"), "modules": [{"module": "m1", "done": False, "at": at + 5000},
                                                                 {"module": "m2", "done": False, "at": at - 5000}]}).json()
    assert {ident: state["done"] for ident, state in phone["modules"].items()} == {"m1": False, "m2": True}
    replayed = sync(collector, {"token": token("ana"), "modules": [{"module": "m1", "done": True, "at": at}]})
    assert replayed.status_code == 200 and replayed.json()["modules"]["m1"]["done"] is False, "a replayed change is older"
    read = sync(collector, {"token": token("ana")}).json()
    assert read["modules"] == phone["modules"]
    assert sync(collector, {"token": token("bo")}).json()["modules"] == {}, "another rep sees none of it"


def test_a_practice_quiz_keeps_its_best_score(collector) -> None:
    for score in (60, 90, 70):
        reply = sync(collector, {"token": token("ana"), "quizzes": [{"quiz": "pricing-check", "score": score, "passed": score >= 80,
                                                                      "at": now_ms()}]})
    assert reply.json()["quizzes"] == {"pricing-check": {"best": 90, "passed": True}}


def test_the_record_says_where_the_rep_stands_with_the_releases_exams(collector) -> None:
    assert sync(collector, {"token": token("ana")}).json()["exams"] == {
        "sales-exam": {"title": "Sales exam", "attempts_left": 2, "retry_at": None, "open": False, "certificate": None}}
    attempt = collector.post("/exams/sales-exam/attempts", content=json.dumps({"version": "2.4", "token": token("ana")})).json()
    collector.post(f"/exams/sales-exam/attempts/{attempt['attempt']}", content=json.dumps({"token": token("ana"), "answers": {"q1": "b"}}))
    failed = sync(collector, {"token": token("ana")}).json()["exams"]["sales-exam"]
    assert failed["attempts_left"] == 1 and failed["retry_at"] is not None and failed["certificate"] is None
    assert sync(collector, {"token": token("ana"), "version": "2.3"}).json()["exams"] == {}, "no exam in 2.3"


def test_hostile_requests_are_refused_counted_and_store_nothing(collector) -> None:
    forged = sign(Rep("acme", "ana", ISSUED), {"k9": b"someone-elses-secret-000"})
    change = {"module": "m1", "done": True, "at": now_ms()}
    cases = [
        (sync(collector, {"modules": [change]}), 403, "anonymous"),
        (sync(collector, {"token": forged, "modules": [change]}), 403, "forged token"),
        (sync(collector, {"token": token("nobody"), "modules": [change]}), 403, "not on roster"),
        (sync(collector, {"token": token("ana"), "modules": [{**change, "module": "nonexistent"}]}), 422, "unknown module"),
        (sync(collector, {"token": token("ana"), "modules": [{**change, "module": "retired"}]}), 422, "unknown module"),
        (sync(collector, {"token": token("ana"), "version": "2.3", "modules": [{**change, "module": "m5"}]}), 422, "unknown module"),
        (sync(collector, {"token": token("ana"), "version": "9.9", "modules": [change]}), 422, "unknown release"),
        (sync(collector, {"token": token("ana"), "quizzes": [{"quiz": "sales-exam", "score": 100, "passed": True, "at": now_ms()}]}),
         422, "unknown quiz"),
        (sync(collector, {"token": token("ana"), "modules": [change, change]}), 422, "repeated module"),
        (sync(collector, {"token": token("ana"), "modules": [{**change, "at": now_ms() + 3 * 86400_000}]}), 422, "clock skew"),
        (sync(collector, {"token": token("ana"), "modules": [{**change, "at": 0}]}), 422, "clock skew"),
        (sync(collector, {"token": token("ana"), "modules": [{**change, "done": "yes"}]}), 422, "invalid request"),
        (sync(collector, {"token": token("ana"), "modules": [change] * (MAX_CHANGES + 1)}), 422, "invalid request"),
        (sync(collector, {}, raw=b"{" + b" " * 20000 + b"}"), 413, "too large"),
        (sync(collector, {}, raw=b"[" * 50), 400, "too deep"),
    ]
    for response, status, reason in cases:
        assert (response.status_code, response.json()["error"]) == (status, reason)
    foreign = collector.post("/learning", content=json.dumps({"token": token("ana"), "version": "2.4", "modules": [change]}),
                             headers={"origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert stored(collector) == []
    assert rejected(collector)["unknown module"] == 3


def test_ten_thousand_modules_marked_done_in_a_minute_are_bounded(collector) -> None:
    """A script marking every module done over and over: the first minute's worth is stored (the same
    30 rows, whatever is sent), the rest is refused and counted."""
    answers = []
    sent = 0
    while sent < 10_000:
        batch = [{"module": MODULES[(sent + index) % 30], "done": True, "at": now_ms() - 10_000 + sent + index} for index in range(25)]
        answers.append(sync(collector, {"token": token("ana"), "modules": batch}).status_code)
        sent += 25
    assert answers[:4] == [200] * 4 and set(answers[5:]) == {429}
    assert len(stored(collector)) == 30
    assert rejected(collector)["rate limit"] == answers.count(429)


def test_forget_and_the_record_limit_remove_the_rows(collector, tmp_path: Path) -> None:
    sync(collector, {"token": token("ana"), "modules": [{"module": "m1", "done": True, "at": now_ms() - 1000}],
                     "quizzes": [{"quiz": "pricing-check", "score": 90, "passed": True, "at": now_ms()}]})
    sync(collector, {"token": token("bo"), "modules": [{"module": "m1", "done": True, "at": now_ms() - 1000}]})
    removed = collector.store.forget("ana")
    assert removed["learning_modules"] == 1 and removed["learning_quizzes"] == 1
    assert stored(collector) == [("acme", "bo", "m1", 1)]
    from generator.store import learning as store_learning

    assert collector.store.run(lambda db: store_learning.prune(db, now_ms())).result() == 1
    assert stored(collector) == []


def test_the_record_tables_on_both_databases(make_store) -> None:
    """The latest change wins, the best score stays, forget and pruning empty the rows: on SQLite and PostgreSQL."""
    from generator.store import learning as store_learning

    store = make_store()

    def changes(db):
        stored = [store_learning.set_module(db, "acme", "ana", "m1", done, at, "2.4") for done, at in ((True, 10), (False, 5), (False, 20))]
        for score, passed, at in ((60, False, 10), (90, True, 20), (70, False, 30)):
            store_learning.set_quiz(db, "acme", "ana", "q1", score, passed, at)
        return stored, store_learning.modules_of(db, "acme", "ana"), store_learning.quizzes_of(db, "acme", "ana")

    stored, modules, quizzes = store.run(changes).result()
    assert stored == [True, False, True]
    assert [(m.module, m.done, m.changed_at) for m in modules] == [("m1", False, 20)]
    assert [(q.quiz, q.best_score, q.passed_at) for q in quizzes] == [("q1", 90, 20)]
    assert store.run(lambda db: store_learning.prune(db, 25)).result() == 1, "the module row is older than 25"
    assert store.forget("ana")["learning_quizzes"] == 1
    assert store_learning.all_modules(store) == [] and store_learning.all_quizzes(store) == []
