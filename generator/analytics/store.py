"""Where view events go: SQLite (WAL, one batching writer thread).

An event is acknowledged only after the transaction holding it is committed, so a 2xx answer means
it is on disk. Raw events are kept for the retention period; daily aggregates, updated in the same
transaction, are kept for good. What is stored, and why:

- ``events``: one row per accepted event: the day received (UTC), type, content id, release, the
  beacon's random view id, partner and rep ids (empty for anonymous views), engaged milliseconds and
  scroll depth. No IP address, no user agent, no page URL, no names or e-mail addresses.
- ``daily``: per day, content, release, partner and rep: views and engaged milliseconds (reports).
- ``rejected``: per day and reason, how many requests were refused (forged tokens, bots, ...).
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from concurrent.futures import Future
from dataclasses import astuple, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

MIGRATIONS = [
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        received_day TEXT NOT NULL,
        type TEXT NOT NULL,
        content TEXT NOT NULL,
        version TEXT NOT NULL,
        view TEXT NOT NULL,
        partner TEXT NOT NULL,
        rep TEXT NOT NULL,
        engaged_ms INTEGER NOT NULL,
        scroll INTEGER NOT NULL
    );
    CREATE INDEX events_by_day ON events (received_day);
    CREATE INDEX events_by_rep ON events (rep);
    CREATE TABLE daily (
        day TEXT NOT NULL,
        content TEXT NOT NULL,
        version TEXT NOT NULL,
        partner TEXT NOT NULL,
        rep TEXT NOT NULL,
        views INTEGER NOT NULL,
        engaged_ms INTEGER NOT NULL,
        PRIMARY KEY (day, content, version, partner, rep)
    );
    CREATE TABLE rejected (
        day TEXT NOT NULL,
        reason TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (day, reason)
    );
    """,
]
"""Schema changes in order; applied once each and recorded in ``schema_migrations``."""

BATCH_LIMIT = 500
"""Requests written in one transaction at most."""


@dataclass(frozen=True)
class StoredEvent:
    received_day: str
    type: str
    content: str
    version: str
    view: str
    partner: str
    rep: str
    engaged_ms: int
    scroll: int


def migrate(connection: sqlite3.Connection) -> None:
    connection.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
    done = {row[0] for row in connection.execute("SELECT version FROM schema_migrations")}
    for number, script in enumerate(MIGRATIONS, start=1):
        if number not in done:
            connection.executescript(f"BEGIN; {script}; INSERT INTO schema_migrations VALUES ({number}); COMMIT;")


class SqliteStore:
    """A SQLite database written by one thread, in batches, each committed before it is acknowledged."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        setup = sqlite3.connect(path)
        setup.execute("PRAGMA journal_mode=WAL")
        migrate(setup)
        setup.close()
        self._queue: queue.Queue[tuple[str, Any, Future] | None] = queue.Queue()
        self._writer = threading.Thread(target=self._write_loop, name="partnerkit-store-writer", daemon=True)
        self._writer.start()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")  # an acknowledged event survives a power cut too
        connection.execute("PRAGMA busy_timeout=5000")
        return connection

    def _write_loop(self) -> None:
        connection = self._connect()
        while True:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < BATCH_LIMIT:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                batch.append(item)
            try:
                connection.execute("BEGIN IMMEDIATE")
                results = [self._apply(connection, kind, payload) for kind, payload, _ in batch]
                connection.execute("COMMIT")
            except Exception as exc:  # the whole batch failed: every waiting request learns it
                connection.execute("ROLLBACK")
                for _, _, future in batch:
                    future.set_exception(exc)
                continue
            for (_, _, future), result in zip(batch, results):
                future.set_result(result)
        connection.close()

    @staticmethod
    def _apply(connection: sqlite3.Connection, kind: str, payload: Any) -> Any:
        if kind == "events":
            connection.executemany(
                "INSERT INTO events (received_day, type, content, version, view, partner, rep, engaged_ms, scroll)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [astuple(event) for event in payload],
            )
            connection.executemany(
                "INSERT INTO daily VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, content, version, partner, rep)"
                " DO UPDATE SET views = views + excluded.views, engaged_ms = engaged_ms + excluded.engaged_ms",
                [(e.received_day, e.content, e.version, e.partner, e.rep, int(e.type == "view"), e.engaged_ms) for e in payload],
            )
            return len(payload)
        if kind == "rejected":
            day, reason = payload
            connection.execute(
                "INSERT INTO rejected VALUES (?, ?, 1) ON CONFLICT (day, reason) DO UPDATE SET count = count + 1",
                (day, reason),
            )
            return None
        if kind == "prune":
            return connection.execute("DELETE FROM events WHERE received_day < ?", (payload,)).rowcount
        if kind == "forget":
            removed = connection.execute("DELETE FROM events WHERE rep = ?", (payload,)).rowcount
            return removed + connection.execute("DELETE FROM daily WHERE rep = ?", (payload,)).rowcount
        raise ValueError(kind)

    def _submit(self, kind: str, payload: Any) -> Future:
        future: Future = Future()
        self._queue.put((kind, payload, future))
        return future

    def write(self, events: list[StoredEvent]) -> Future:
        """Store events; the future completes once they are committed."""
        return self._submit("events", events)

    def count_rejected(self, day: str, reason: str) -> Future:
        return self._submit("rejected", (day, reason))

    def prune(self, retention_days: int, today: date) -> int:
        """Delete raw events older than ``retention_days``; daily aggregates stay. Returns rows removed."""
        return self._submit("prune", (today - timedelta(days=retention_days)).isoformat()).result()

    def forget(self, rep: str) -> int:
        """Delete every row about one rep (raw events and aggregates). Returns rows removed."""
        return self._submit("forget", rep).result()

    def query(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        """Read with a connection of its own (WAL lets readers run beside the writer)."""
        connection = self._connect()
        try:
            return connection.execute(sql, parameters).fetchall()
        finally:
            connection.close()

    def close(self) -> None:
        self._queue.put(None)
        self._writer.join(timeout=10)
