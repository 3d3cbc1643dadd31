"""The store's retention and forgetting, and the roster behind personal links."""

from __future__ import annotations

from dataclasses import astuple
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from generator.identity import invite_links, verify
from generator.roster import read_roster
from generator.store.core import StoredEvent
from generator.store.database import MIGRATIONS
from generator.errors import ContentErrors, PartnerkitError
from tests.analytics.conftest import KEYS


_views = iter(range(10**6))


def stored(day: str, rep: str, kind: str = "view", engaged: int = 0, view: str | None = None, at: int = 0) -> StoredEvent:
    """An event of a view of its own (unless ``view`` is given), received ``at`` seconds into the day."""
    moment = int(datetime.fromisoformat(day + "T00:00:00+00:00").timestamp()) + at
    return StoredEvent(day, kind, "module:pricing", "", view or f"v{next(_views):010d}", "acme" if rep else "", rep,
                       engaged, 0, sent_at=moment * 1000, received=moment * 1000)


def test_retention_prunes_raw_events_but_keeps_daily_totals(make_store) -> None:
    store = make_store()
    store.write([stored("2026-01-01", "rep-1", view="vjanuary01"), stored("2026-01-01", "rep-1", "leave", 5000, "vjanuary01", 60),
                 stored("2026-11-20", "rep-1")]).result()
    assert store.prune(retention_days=30, today=date(2026, 11, 22)) == 2
    assert store.query("SELECT received_day FROM events") == [("2026-11-20",)]
    assert store.query("SELECT day, views, engaged_ms FROM daily ORDER BY day") == [("2026-01-01", 1, 5000), ("2026-11-20", 1, 0)]


def test_forget_removes_one_rep_everywhere(make_store) -> None:
    store = make_store()
    store.write([stored("2026-11-20", "rep-1"), stored("2026-11-20", "rep-2"), stored("2026-11-21", "rep-1")]).result()
    assert store.forget("rep-1") == {"events": 2, "views": 2, "daily": 2, "quiz_daily": 0, "exam_attempts": 0, "certificates": 0,
                                     "credentials": 0, "worklist_ticks": 0, "worklist_notes": 0, "notifications_sent": 0,
                                     "notifications_unsubscribed": 0, "signals_raised": 0, "help_requests": 0,
                                     "lrs_outbox": 0, "learning_modules": 0, "learning_quizzes": 0}
    assert store.query("SELECT rep FROM events") == [("rep-2",)]
    assert store.query("SELECT rep FROM daily") == [("rep-2",)]


def test_batches_from_many_threads_are_all_committed(make_store) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = make_store()
    with ThreadPoolExecutor(8) as pool:
        futures = list(pool.map(lambda n: store.write([stored("2026-11-22", f"rep-{n % 5}")]), range(200)))
    assert sum(future.result() for future in futures) == 200
    assert store.query("SELECT COUNT(*) FROM events") == [(200,)]
    assert store.query("SELECT SUM(views) FROM daily") == [(200,)]


def test_migrations_are_applied_once(make_store) -> None:
    make_store()
    again = make_store()  # the same database, opened a second time

    assert again.query("SELECT version FROM schema_migrations ORDER BY version") == [(n,) for n in range(1, len(MIGRATIONS) + 1)]


def test_a_database_of_the_first_schema_is_upgraded_with_its_rows(make_store, monkeypatch) -> None:
    from generator.store.database import FeatureStore

    with monkeypatch.context() as first_release:
        first_release.setattr(FeatureStore, "migrations", MIGRATIONS[:1])
        old = make_store()
    connection = old._connect()  # a row as the first release wrote it
    connection.execute(old._sql("INSERT INTO events (received_day, type, content, version, view, partner, rep, engaged_ms, scroll)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"), astuple(stored("2026-11-20", "rep-1"))[:9])
    connection.close()
    old.close()
    upgraded = make_store()
    upgraded.write([StoredEvent("2026-11-21", "quiz", "module:pricing", "", "v0123456789", "acme", "rep-1", 0, 0,
                                "pricing-check", 80, True)]).result()
    assert upgraded.query("SELECT received_day, type, quiz, score, passed FROM events ORDER BY id") == [
        ("2026-11-20", "view", "", 0, 0), ("2026-11-21", "quiz", "pricing-check", 80, 1),
    ]
    assert upgraded.query("SELECT quiz, rep, attempts, passes FROM quiz_daily") == [("pricing-check", "rep-1", 1, 1)]


ROSTER = """partner_id,partner_name,rep_id,name,email,role,joined,left
acme,Acme Resellers,rep-1,Ana Silva,ana@acme.example,sales,2026-01-10,
acme,Acme Resellers,rep-2,Bo Chen,bo@acme.example,cs,2026-02-01,2026-06-30
"""


def test_invites_for_current_reps_carry_verifiable_tokens(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(ROSTER)
    now = datetime(2026, 11, 22, 9, 30, 15, 123456, tzinfo=timezone.utc)
    links = invite_links(read_roster(tmp_path / "roster.csv", tmp_path), "https://partners.example.com", KEYS, now)
    assert [entry.rep_id for entry, _ in links] == ["rep-1"]
    link = links[0][1]
    assert link.startswith("https://partners.example.com/?pk=")
    rep = verify(link.split("?pk=")[1], KEYS)
    assert (rep.partner, rep.rep, rep.issued) == ("acme", "rep-1", datetime(2026, 11, 22, 9, 30, 15, 123000, tzinfo=timezone.utc))


def test_roster_errors_are_located(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(ROSTER + "acme,Acme,rep 3,X,x@a.example,sales,2026-03-01,\nacme,Acme,rep-1,Y,y@a.example,sales,01/02/2026,\nshort,row\n")
    with pytest.raises(ContentErrors) as caught:
        read_roster(tmp_path / "roster.csv", tmp_path)
    assert [str(error) for error in caught.value.errors] == [
        "roster.csv:4:3: rep_id: 'rep 3' is not an id: letters, digits, '-' and '_'",
        "roster.csv:5:7: joined: dates are written YYYY-MM-DD",
        "roster.csv:6:1: expected 8 columns, got 2",
    ]


def test_the_writer_prunes_once_a_day_by_itself(make_store) -> None:
    clock = [date(2026, 11, 1)]
    store = make_store(retention_days=30, today=lambda: clock[0])
    store.write([stored("2026-09-15", "rep-1"), stored("2026-10-20", "rep-1")]).result()
    assert store.query("SELECT COUNT(*) FROM events") == [(2,)], "pruned before this batch, on 2026-11-01"
    clock[0] = date(2026, 11, 25)
    store.write([stored("2026-11-25", "rep-2")]).result()
    assert store.query("SELECT received_day FROM events ORDER BY received_day") == [("2026-11-25",)]
    assert store.query("SELECT COUNT(*) FROM daily") == [(3,)], "daily totals are kept"


def test_a_failed_batch_is_not_acknowledged_and_the_writer_carries_on(make_store) -> None:
    store = make_store()
    broken = StoredEvent("2026-11-20", "view", None, "", "v0123456789", "", "", 0, 0)  # content is NOT NULL
    failed = store.write([stored("2026-11-20", "rep-1"), broken])
    with pytest.raises(Exception, match="(?i)not null|null value"):
        failed.result()
    assert store.write([stored("2026-11-21", "rep-2")]).result() == 1
    assert store.query("SELECT received_day, rep FROM events") == [("2026-11-21", "rep-2")]
    assert store.query("SELECT day, rep, views FROM daily") == [("2026-11-21", "rep-2", 1)]


def test_a_closed_store_refuses_writes(make_store) -> None:
    store = make_store()
    store.close()
    with pytest.raises(PartnerkitError, match="^the event store is closed$"):
        store.write([stored("2026-11-21", "rep-2")]).result()


def test_a_batch_takes_its_locks_in_one_order_whatever_order_requests_came_in(make_store) -> None:
    """Operations (which take named locks) run before refusal counters, whichever came first, so two
    collectors' batches never wait for each other in a circle (a deadlock made CI answer 503)."""
    import threading

    store = make_store()
    gate = threading.Event()
    holding = store.run(lambda tx: gate.wait(10))  # the writer is busy: the next requests form one batch
    counted = [store.count_rejected("2026-11-21", "too early"), store.count_rejected("2026-11-21", "already graded")]
    seen = store.run(lambda tx: tx.rows("SELECT COUNT(*) FROM rejected"))
    gate.set()
    assert holding.result(10) is True
    assert [future.result(10) for future in counted] == [None, None]
    assert seen.result(10) == [(0,)], "the operation ran before the counters queued ahead of it"
    assert store.query("SELECT reason, count FROM rejected ORDER BY reason") == [("already graded", 1), ("too early", 1)]
