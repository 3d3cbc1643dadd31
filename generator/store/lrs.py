"""The xAPI outbox: statements for the vendor's Learning Record Store, and every statement that reads or
writes it (operations take the writer's :class:`~generator.store.core.Transaction`).

- ``lrs_outbox``: one row per statement: its id (a UUID), the rep id it is about, its kind (``page``,
  ``quiz``, ``exam``, ``certificate``), the statement (JSON), when it was recorded, how often sending
  it failed, when to try next, when the LRS took it and the last failure. A statement is written in the
  same transaction as the event, grade or certificate it records, so none is lost when the LRS is down
  or the collector stops; delivered rows stay, as the record of what the LRS holds about each rep.
  ``forget`` deletes a rep's rows: the ones not yet sent are then never sent."""

from __future__ import annotations

from dataclasses import dataclass

from generator.store.core import BatchingStore, Transaction
from generator.store.feature import Migration, StoreFeature


FEATURE = StoreFeature(
    name="lrs",
    migrations=(
        Migration(9, """
    CREATE TABLE lrs_outbox (
        statement TEXT PRIMARY KEY,
        rep TEXT NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try_at TEXT NOT NULL,
        delivered_at TEXT,
        last_error TEXT
    );
    CREATE INDEX lrs_outbox_due ON lrs_outbox (delivered_at, next_try_at);
    CREATE INDEX lrs_outbox_by_rep ON lrs_outbox (rep);
    """),
    ),
    forgotten_tables=("lrs_outbox",),
)
"""This feature's migrations (steps of the one numbered list) and the tables ``forget`` empties of a rep."""


@dataclass(frozen=True)
class Pending:
    """A statement still to deliver."""

    statement: str
    body: str
    attempts: int


@dataclass(frozen=True)
class HeldByLrs:
    """What the outbox says about one rep: statements the LRS took, and those still waiting."""

    delivered: int
    waiting: int
    first: str | None
    """When the earliest delivered statement was recorded (ISO time), None if none was delivered."""


def record_statement(db: Transaction, statement: str, rep: str, kind: str, body: str, now: str) -> None:
    """Keep a statement to send (a second one with the same id, e.g. a retried event, is ignored)."""
    db.execute("INSERT INTO lrs_outbox (statement, rep, kind, body, recorded_at, next_try_at) VALUES (?, ?, ?, ?, ?, ?)"
               " ON CONFLICT (statement) DO NOTHING", (statement, rep, kind, body, now, now))


def due_statements(store: BatchingStore, now: str, limit: int) -> list[Pending]:
    """Statements not yet delivered whose next try is due, oldest first."""
    return [Pending(*row) for row in store.query(
        "SELECT statement, body, attempts FROM lrs_outbox WHERE delivered_at IS NULL AND next_try_at <= ?"
        " ORDER BY recorded_at, statement LIMIT ?", (now, limit))]


def mark_delivered(db: Transaction, statement: str, now: str) -> None:
    db.execute("UPDATE lrs_outbox SET delivered_at = ?, last_error = NULL WHERE statement = ? AND delivered_at IS NULL",
               (now, statement))


def mark_failed(db: Transaction, statement: str, next_try_at: str, error: str) -> None:
    db.execute("UPDATE lrs_outbox SET attempts = attempts + 1, next_try_at = ?, last_error = ?"
               " WHERE statement = ? AND delivered_at IS NULL", (next_try_at, error[:500], statement))


def held_by_lrs(store: BatchingStore, rep: str) -> HeldByLrs:
    """How many statements about ``rep`` the LRS took, and how many still wait (read before ``forget``)."""
    rows = store.query("SELECT COUNT(delivered_at), COUNT(*) - COUNT(delivered_at), MIN(CASE WHEN delivered_at IS NOT NULL"
                       " THEN recorded_at END) FROM lrs_outbox WHERE rep = ?", (rep,))
    delivered, waiting, first = rows[0]
    return HeldByLrs(int(delivered or 0), int(waiting or 0), first)


def outbox_counts(store: BatchingStore) -> tuple[int, int]:
    """Statements delivered, and statements waiting."""
    rows = store.query("SELECT COUNT(delivered_at), COUNT(*) - COUNT(delivered_at) FROM lrs_outbox")
    return int(rows[0][0] or 0), int(rows[0][1] or 0)
