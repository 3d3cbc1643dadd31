"""The store every command and collector opens: the features' tables, SQLite or PostgreSQL, and ``--db``.

``FEATURES`` is the one list of the store's features; the migrations every database runs and the tables
``forget`` empties are read from it. What is stored, and why:

- ``events``: one row per accepted event: the day received (UTC), type, content id, release, the
  beacon's random view id, partner and rep ids (empty for anonymous views), engaged milliseconds
  credited and scroll depth, for quiz events the quiz id, score and whether it passed, and the time
  the browser sent it (``sent_at``: with the view id and type, it recognises a retried event, stored
  once). No IP address, no user agent, no page URL, no names or e-mail addresses.
- ``views``: one row per view id: the day and time (milliseconds) it was first seen, partner and rep ids, and the
  engaged milliseconds credited so far. A view counts once; its engaged time never exceeds the time
  since it was first seen, nor the collector's maximum per view. Pruned with the raw events.
- ``daily``: per day, content, release, partner and rep: views and engaged milliseconds (reports).
- ``quiz_daily``: per day, quiz, release, partner and rep: practice-quiz attempts and passes.
- ``exam_attempts``: every exam attempt: exam, release, partner and rep ids, when it started, its
  deadline, the questions drawn, when it was submitted, the answers given, score and result (kept for
  good, like certificates: they are the evidence behind a certificate; ``forget`` removes them).
- ``certificates``: one per rep and exam: its unguessable id, partner and rep ids, the exam's title,
  role and level, release, issue and expiry days and any recertification deadline.
- ``worklist_*``: procedure cases on customer data, their steps, ticks and notes (see
  :mod:`generator.store.worklists`).
- ``credential_status``, ``credentials``: certificates' verifiable credentials (see
  :mod:`generator.store.credentials`).
- ``notifications_sent`` and ``notifications_unsubscribed``: the e-mail sent log and one-click
  unsubscriptions (see :mod:`generator.store.notifications`).
- ``signals_raised`` and ``help_requests``: deal signals raised and reps' requests for help (see
  :mod:`generator.store.signals`). Download events are ``events`` rows of type ``download``
  naming the resource (``target``, a digest of its file or address).
- ``lrs_outbox``: xAPI statements for the vendor's LRS, each written in the transaction of what it
  records, until (and after) it is delivered (see :mod:`generator.store.lrs`).
- ``learning_modules`` and ``learning_quizzes``: each rep's learner record: modules marked done or
  undone (by stable module id, when, in which release) and each practice quiz's best score and when it
  was first passed (see :mod:`generator.store.learning`).
- ``rejected``: per day and reason, how many requests were refused (forged tokens, bots, ...).
- ``rate_buckets``: with PostgreSQL, the rate limits every collector shares, named by keyed hashes of
  rep ids and client addresses, deleted once unused for two minutes (see
  :mod:`generator.store.rates`).
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any, Callable

from generator.errors import PartnerkitError
from generator.layout import EVENTS_DB
from generator.store import credentials, exams, learning, lrs, notifications, rates, signals, views, worklists
from generator.store.core import BatchingStore, Transaction, utc_today
from generator.store.feature import StoreFeature, forgotten_tables, ordered_migrations

FEATURES: tuple[StoreFeature, ...] = (views.FEATURE, exams.FEATURE, credentials.FEATURE, worklists.FEATURE,
                                      notifications.FEATURE, signals.FEATURE, lrs.FEATURE, rates.FEATURE,
                                      learning.FEATURE)
"""The store's features, in the order ``forget`` lists their tables."""

MIGRATIONS = ordered_migrations(FEATURES)
"""Schema changes in order, for both databases, applied once each and recorded in ``schema_migrations``
by their step (see :mod:`generator.store.feature`). A view event needs no ``events_once`` entry: ``views`` has its id."""

FORGOTTEN_TABLES = forgotten_tables(FEATURES)
"""Every table with rows about a rep (``forget`` empties them of that rep)."""


class FeatureStore(BatchingStore):
    """A batching writer over every feature's tables."""

    migrations = MIGRATIONS
    forgotten_tables = FORGOTTEN_TABLES


class SqliteStore(FeatureStore):
    """SQLite in WAL mode: readers run beside the one writer; a commit is synced to disk."""

    def __init__(self, path: Path, retention_days: int | None = None, today: Callable[[], date] = utc_today):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(retention_days, today)

    begin = "BEGIN IMMEDIATE"  # the write lock first: collectors in other processes wait, never interleave
    writes_on_loop = True  # a commit waits for this machine's disk only (see BatchingStore.attach)
    without_rowid = " WITHOUT ROWID"

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")  # an acknowledged event survives a power cut too
        connection.execute("PRAGMA busy_timeout=5000")
        connection.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten with zeros, not left in free space
        return connection

    def _after_forget(self) -> None:
        """Copy the WAL into the database and empty it, rebuild the file without free pages, empty the WAL again."""
        for statement in ("PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"):
            row = self._connection.execute(statement).fetchone()
            if row is not None and row[0]:
                raise PartnerkitError("another connection is using the database")


class PostgresStore(FeatureStore):
    """PostgreSQL through psycopg 3, for vendors whose collectors outgrow one machine."""

    placeholder = "%s"
    serial = "BIGSERIAL PRIMARY KEY"
    for_update = " FOR UPDATE"

    def _lock(self, cursor: Any, name: str) -> None:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (name,))

    def _transient(self, error: Exception) -> bool:
        import psycopg

        return isinstance(error, (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure))

    def __init__(self, url: str, retention_days: int | None = None, today: Callable[[], date] = utc_today):
        self.url = url
        super().__init__(retention_days, today)

    def _connect(self) -> Any:
        import psycopg

        try:
            return psycopg.connect(self.url, autocommit=True)
        except psycopg.OperationalError as exc:
            raise PartnerkitError(f"cannot connect to PostgreSQL: {str(exc).strip().splitlines()[0]}") from None


def migration_state(db: Transaction) -> str | None:
    """None if the database's schema is this version's; else what differs (``/ready`` says it)."""
    done = {row[0] for row in db.rows("SELECT version FROM schema_migrations")}
    if any(version > len(MIGRATIONS) for version in done):
        return "schema newer than this partnerkit"
    if len(done) < len(MIGRATIONS):
        return "migrations pending"
    return None


def database_kind(location: str) -> str:
    """What a ``--db`` value names, read once here: ``postgresql`` (a ``postgresql://`` or
    ``postgres://`` URL), ``sqlite`` (``sqlite:///path`` or a file path) or ``unknown`` (another URL)."""
    if location.startswith(("postgresql://", "postgres://")):
        return "postgresql"
    return "sqlite" if location.startswith("sqlite:///") or "://" not in location else "unknown"


def sqlite_path(location: str) -> Path:
    """The file of a ``sqlite`` location (``sqlite:///path`` or a path), as written."""
    return Path(location.removeprefix("sqlite:///"))


def open_store(location: str, retention_days: int | None = None) -> BatchingStore:
    """``postgresql://…`` opens PostgreSQL; anything else is a SQLite file path."""
    if database_kind(location) == "postgresql":
        return PostgresStore(location, retention_days)
    return SqliteStore(sqlite_path(location), retention_days)


def open_project_store(root: Path, db: str | None, retention_days: int | None = None) -> BatchingStore:
    """The store of the project at ``root`` for ``--db``: ``postgresql://user@host/db``, ``sqlite:///path``, a file path, or the default SQLite file."""
    if db is not None and database_kind(db) == "postgresql":
        return open_store(db, retention_days)
    if db is not None and database_kind(db) == "unknown":
        raise PartnerkitError(f"--db {db}: give postgresql://…, sqlite:///path or a file path")
    location = sqlite_path(db) if db else root / EVENTS_DB
    return open_store(str(location if location.is_absolute() else root / location), retention_days)
