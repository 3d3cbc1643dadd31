"""Where view events go: SQLite (the default) or PostgreSQL, with the same schema and migrations,
each written by one batching writer thread.

An event is acknowledged only after the transaction holding it is committed, so a 2xx answer means
it is on disk. Raw events are kept for the retention period; daily aggregates, updated in the same
transaction, are kept for good. What is stored, and why:

- ``events``: one row per accepted event: the day received (UTC), type, content id, release, the
  beacon's random view id, partner and rep ids (empty for anonymous views), engaged milliseconds and
  scroll depth, and for quiz events the quiz id, score and whether it passed. No IP address, no user agent, no page URL, no names or e-mail addresses.
- ``daily``: per day, content, release, partner and rep: views and engaged milliseconds (reports).
- ``quiz_daily``: per day, quiz, release, partner and rep: practice-quiz attempts and passes.
- ``exam_attempts``: every exam attempt: exam, release, partner and rep ids, when it started, its
  deadline, the questions drawn, when it was submitted, the answers given, score and result (kept for
  good, like certificates: they are the evidence behind a certificate; ``forget`` removes them).
- ``certificates``: one per rep and exam: its unguessable id, partner and rep ids, the exam's title,
  role and level, release, issue and expiry days and any recertification deadline.
- ``rejected``: per day and reason, how many requests were refused (forged tokens, bots, ...).
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from concurrent.futures import Future
from dataclasses import astuple, dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from generator.errors import PartnerkitError

MIGRATIONS = [
    """
    CREATE TABLE events (
        id {serial},
        received_day TEXT NOT NULL,
        type TEXT NOT NULL,
        content TEXT NOT NULL,
        version TEXT NOT NULL,
        view TEXT NOT NULL,
        partner TEXT NOT NULL,
        rep TEXT NOT NULL,
        engaged_ms BIGINT NOT NULL,
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
        views BIGINT NOT NULL,
        engaged_ms BIGINT NOT NULL,
        PRIMARY KEY (day, content, version, partner, rep)
    );
    CREATE TABLE rejected (
        day TEXT NOT NULL,
        reason TEXT NOT NULL,
        count BIGINT NOT NULL,
        PRIMARY KEY (day, reason)
    );
    """,
    """
    ALTER TABLE events ADD COLUMN quiz TEXT NOT NULL DEFAULT '';
    ALTER TABLE events ADD COLUMN score INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE events ADD COLUMN passed INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE quiz_daily (
        day TEXT NOT NULL,
        quiz TEXT NOT NULL,
        version TEXT NOT NULL,
        partner TEXT NOT NULL,
        rep TEXT NOT NULL,
        attempts BIGINT NOT NULL,
        passes BIGINT NOT NULL,
        PRIMARY KEY (day, quiz, version, partner, rep)
    );
    """,
    """
    CREATE TABLE exam_attempts (
        id TEXT PRIMARY KEY,
        exam TEXT NOT NULL,
        version TEXT NOT NULL,
        partner TEXT NOT NULL,
        rep TEXT NOT NULL,
        started_at TEXT NOT NULL,
        deadline TEXT,
        questions TEXT NOT NULL,
        submitted_at TEXT,
        answers TEXT,
        score INTEGER,
        passed INTEGER
    );
    CREATE INDEX exam_attempts_by_rep ON exam_attempts (partner, rep, exam, started_at);
    CREATE TABLE certificates (
        id TEXT PRIMARY KEY,
        partner TEXT NOT NULL,
        rep TEXT NOT NULL,
        exam TEXT NOT NULL,
        title TEXT NOT NULL,
        role TEXT NOT NULL,
        level TEXT NOT NULL,
        version TEXT NOT NULL,
        issued TEXT NOT NULL,
        expires TEXT NOT NULL,
        recertify_by TEXT,
        UNIQUE (partner, rep, exam)
    );
    """,
]
"""Schema changes in order, for both databases (``{serial}`` is each one's auto-numbered key);
applied once each and recorded in ``schema_migrations``."""

BATCH_LIMIT = 500
"""Requests written in one transaction at most."""

PRUNE_CHECK_SECONDS = 3600
"""How long an idle writer waits before checking whether the day's pruning is due."""

INSERT_EVENT = (
    "INSERT INTO events (received_day, type, content, version, view, partner, rep, engaged_ms, scroll, quiz, score, passed)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
UPSERT_DAILY = (
    "INSERT INTO daily (day, content, version, partner, rep, views, engaged_ms) VALUES (?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (day, content, version, partner, rep)"
    " DO UPDATE SET views = daily.views + excluded.views, engaged_ms = daily.engaged_ms + excluded.engaged_ms"
)
UPSERT_QUIZ_DAILY = (
    "INSERT INTO quiz_daily (day, quiz, version, partner, rep, attempts, passes) VALUES (?, ?, ?, ?, ?, 1, ?)"
    " ON CONFLICT (day, quiz, version, partner, rep)"
    " DO UPDATE SET attempts = quiz_daily.attempts + 1, passes = quiz_daily.passes + excluded.passes"
)
UPSERT_REJECTED = (
    "INSERT INTO rejected (day, reason, count) VALUES (?, ?, 1)"
    " ON CONFLICT (day, reason) DO UPDATE SET count = rejected.count + 1"
)


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
    quiz: str = ""
    score: int = 0
    passed: bool = False


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


class Transaction:
    """The writer's open transaction, handed to :meth:`BatchingStore.run` operations; ``?`` marks parameters."""

    def __init__(self, store: "BatchingStore", cursor: Any):
        self._store, self._cursor = store, cursor

    def execute(self, sql: str, parameters: tuple = ()) -> Any:
        self._cursor.execute(self._store._sql(sql), parameters)
        return self._cursor

    def rows(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        return [tuple(row) for row in self.execute(sql, parameters).fetchall()]


class BatchingStore:
    """A database written by one thread, in batches, each committed before it is acknowledged.

    With ``retention_days`` set, the writer also deletes raw events older than that once a day (at the
    first batch of a new UTC day, or within an hour when idle). A batch that fails is reported to every
    request in it (none of them is acknowledged) and the writer carries on, reconnecting if the
    connection broke. Subclasses say how to connect and how the database spells parameters and
    auto-numbered keys."""

    placeholder = "?"
    serial = "INTEGER PRIMARY KEY"

    def __init__(self, retention_days: int | None = None, today: Callable[[], date] = utc_today) -> None:
        self.retention_days = retention_days
        self._today = today
        self._pruned_on: date | None = None
        setup = self._connect()
        try:
            self._migrate(setup)
        finally:
            setup.close()
        self._connection: Any = None
        self._closed = False
        self._queue: queue.Queue[tuple[str, Any, Future] | None] = queue.Queue()
        self._writer = threading.Thread(target=self._write_loop, name="partnerkit-store-writer", daemon=True)
        self._writer.start()

    def _connect(self) -> Any:
        raise NotImplementedError

    def _sql(self, statement: str) -> str:
        return statement.replace("?", self.placeholder)

    def _migrate(self, connection: Any) -> None:
        self._run(connection, "BEGIN")
        self._run(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
        done = {row[0] for row in self._run(connection, "SELECT version FROM schema_migrations").fetchall()}
        for number, script in enumerate(MIGRATIONS, start=1):
            if number not in done:
                for statement in filter(str.strip, script.format(serial=self.serial).split(";")):
                    self._run(connection, statement)
                self._run(connection, "INSERT INTO schema_migrations (version) VALUES (?)", (number,))
        self._run(connection, "COMMIT")

    def _run(self, connection: Any, statement: str, parameters: tuple = ()) -> Any:
        return connection.execute(self._sql(statement), parameters)

    def _write_loop(self) -> None:
        stopping = False
        while not stopping:
            try:
                first = self._queue.get(timeout=PRUNE_CHECK_SECONDS)
            except queue.Empty:
                first = ()  # idle: only see whether pruning is due
            if first is None:
                break
            batch = [first] if first else []
            while len(batch) < BATCH_LIMIT:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            today = self._today()
            if self.retention_days is not None and today != self._pruned_on:
                cutoff = (today - timedelta(days=self.retention_days)).isoformat()
                batch.insert(0, ("prune", cutoff, Future()))
            if batch and self._commit(batch) and batch[0][0] == "prune":
                self._pruned_on = today
        if self._connection is not None:
            self._connection.close()

    def _commit(self, batch: list[tuple[str, Any, Future]]) -> bool:
        """Apply the batch in one transaction; settle every future with its result or the failure."""
        try:
            if self._connection is None:
                self._connection = self._connect()
            self._run(self._connection, "BEGIN")
            results = [self._apply(self._connection, kind, payload) for kind, payload, _ in batch]
            self._run(self._connection, "COMMIT")
        except Exception as exc:  # nothing in the batch was stored: every waiting request learns it
            self._abandon_transaction()
            for _, _, future in batch:
                future.set_exception(exc)
            return False
        for (_, _, future), result in zip(batch, results):
            future.set_result(result)
        return True

    def _abandon_transaction(self) -> None:
        """Roll back; a connection that cannot even do that is dropped and opened again for the next batch."""
        if self._connection is None:
            return
        try:
            self._run(self._connection, "ROLLBACK")
        except Exception:
            try:
                self._connection.close()
            except Exception:
                pass
            self._connection = None

    def _apply(self, connection: Any, kind: str, payload: Any) -> Any:
        cursor = connection.cursor()
        if kind == "events":
            cursor.executemany(self._sql(INSERT_EVENT), [(*astuple(e)[:-1], int(e.passed)) for e in payload])
            reading = [(e.received_day, e.content, e.version, e.partner, e.rep, int(e.type == "view"), e.engaged_ms)
                       for e in payload if e.type != "quiz"]
            quizzes = [(e.received_day, e.quiz, e.version, e.partner, e.rep, int(e.passed)) for e in payload if e.type == "quiz"]
            if reading:
                cursor.executemany(self._sql(UPSERT_DAILY), reading)
            if quizzes:
                cursor.executemany(self._sql(UPSERT_QUIZ_DAILY), quizzes)
            return len(payload)
        if kind == "rejected":
            cursor.execute(self._sql(UPSERT_REJECTED), payload)
            return None
        if kind == "prune":
            cursor.execute(self._sql("DELETE FROM events WHERE received_day < ?"), (payload,))
            return cursor.rowcount
        if kind == "call":
            return payload(Transaction(self, cursor))
        if kind == "forget":
            cursor.execute(self._sql("DELETE FROM events WHERE rep = ?"), (payload,))
            removed = cursor.rowcount
            for table in ("daily", "quiz_daily", "exam_attempts", "certificates"):
                cursor.execute(self._sql(f"DELETE FROM {table} WHERE rep = ?"), (payload,))
                removed += cursor.rowcount
            return removed
        raise ValueError(kind)

    def _submit(self, kind: str, payload: Any) -> Future:
        future: Future = Future()
        if self._closed:
            future.set_exception(PartnerkitError("the event store is closed"))
        else:
            self._queue.put((kind, payload, future))
        return future

    def run(self, operation: Callable[["Transaction"], Any]) -> Future:
        """Run ``operation`` in the writer's transaction (reads and writes that must not interleave with
        other requests, such as starting an exam attempt). It must not raise for expected outcomes: an
        exception fails the whole batch it is committed with."""
        return self._submit("call", operation)

    def write(self, events: list[StoredEvent]) -> Future:
        """Store events; the future completes once they are committed (or fails if they were not)."""
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
        """Read with a connection of its own, beside the writer. ``?`` marks parameters."""
        connection = self._connect()
        try:
            return [tuple(row) for row in self._run(connection, sql, parameters).fetchall()]
        finally:
            connection.close()

    def close(self) -> None:
        """Write what is queued, then stop the writer."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._writer.join(timeout=10)


class SqliteStore(BatchingStore):
    """SQLite in WAL mode: readers run beside the one writer; a commit is synced to disk."""

    def __init__(self, path: Path, retention_days: int | None = None, today: Callable[[], date] = utc_today):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(retention_days, today)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")  # an acknowledged event survives a power cut too
        connection.execute("PRAGMA busy_timeout=5000")
        return connection


class PostgresStore(BatchingStore):
    """PostgreSQL through psycopg 3, for vendors whose collectors outgrow one machine."""

    placeholder = "%s"
    serial = "BIGSERIAL PRIMARY KEY"

    def __init__(self, url: str, retention_days: int | None = None, today: Callable[[], date] = utc_today):
        self.url = url
        super().__init__(retention_days, today)

    def _connect(self) -> Any:
        import psycopg

        try:
            return psycopg.connect(self.url, autocommit=True)
        except psycopg.OperationalError as exc:
            raise PartnerkitError(f"cannot connect to PostgreSQL: {str(exc).strip().splitlines()[0]}") from None


def open_store(location: str, retention_days: int | None = None) -> BatchingStore:
    """``postgresql://…`` opens PostgreSQL; anything else is a SQLite file path."""
    if location.startswith(("postgresql://", "postgres://")):
        return PostgresStore(location, retention_days)
    return SqliteStore(Path(location), retention_days)
