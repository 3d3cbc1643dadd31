"""What is stored for signals and requests for help goes with retention and with ``forget``."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from generator.store import signals as store_signals
from generator.store.database import SqliteStore

pytestmark = pytest.mark.unit


def fill(store: SqliteStore) -> None:
    def add(tx):
        for rep, day in (("ana", "2026-05-01"), ("ana", "2026-11-04"), ("ben", "2026-11-06")):
            store_signals.raise_once(tx, store_signals.RaisedRow("deal-reading", "acme", rep, day, day, "{}"),
                                    (date.fromisoformat(day) - timedelta(days=1)).isoformat())
            store_signals.ask_for_help(tx, store_signals.HelpRequest(f"{rep}{day}", "acme", rep, "module:pricing", "", day,
                                                                     day + "T10:00:00", "text", None), 3)
    store.run(add).result()


def test_forget_removes_a_reps_signals_and_requests(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "events.sqlite")
    fill(store)
    removed = store.forget("ana")
    assert (removed["signals_raised"], removed["help_requests"]) == (2, 2)
    assert store.query("SELECT rep FROM signals_raised") == [("ben",)] and store.query("SELECT rep FROM help_requests") == [("ben",)]
    assert b"ana" not in (tmp_path / "events.sqlite").read_bytes()
    store.close()


def test_signals_and_requests_are_pruned_with_raw_events(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "events.sqlite")
    fill(store)
    store.prune(180, date(2026, 12, 1))
    assert store.query("SELECT rep, day FROM signals_raised ORDER BY day") == [("ana", "2026-11-04"), ("ben", "2026-11-06")]
    assert store.query("SELECT COUNT(*) FROM help_requests") == [(2,)]
    store.close()
