"""Where view events go: SQLite (the default) or PostgreSQL, with the same schema and migrations,
each written by one batching writer thread.

An event is acknowledged only after the transaction holding it is committed, so a 2xx answer means
it is on disk. Raw events are kept for the retention period; daily aggregates, updated in the same
transaction, are kept for good. What is stored, and why:

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
  :mod:`generator.analytics.store_worklists`).
- ``credential_status``, ``credentials``: certificates' verifiable credentials (see
  :mod:`generator.analytics.store_credentials`).
- ``notifications_sent`` and ``notifications_unsubscribed``: the e-mail sent log and one-click
  unsubscriptions (see :mod:`generator.analytics.store_notifications`).
- ``signals_raised`` and ``help_requests``: deal signals raised and reps' requests for help (see
  :mod:`generator.analytics.store_signals`). Download events are ``events`` rows of type ``download``
  naming the resource (``target``, a digest of its file or address).
- ``lrs_outbox``: xAPI statements for the vendor's LRS, each written in the transaction of what it
  records, until (and after) it is delivered (see :mod:`generator.analytics.store_lrs`).
- ``learning_modules`` and ``learning_quizzes``: each rep's learner record: modules marked done or
  undone (by stable module id, when, in which release) and each practice quiz's best score and when it
  was first passed (see :mod:`generator.analytics.store_learning`).
- ``rejected``: per day and reason, how many requests were refused (forged tokens, bots, ...).
- ``rate_buckets``: with PostgreSQL, the rate limits every collector shares, named by keyed hashes of
  rep ids and client addresses, deleted once unused for two minutes (see
  :mod:`generator.analytics.store_rates`).
"""

from __future__ import annotations

import asyncio
import operator
import queue
import sqlite3
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from generator.errors import PartnerkitError
from generator.layout import EVENTS_DB
from generator.storable import UnstorableText, check_storable

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
    """
    ALTER TABLE events ADD COLUMN sent_at BIGINT;
    CREATE UNIQUE INDEX events_once ON events (view, type, sent_at) WHERE type <> 'view';
    CREATE TABLE views (
        view TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        partner TEXT NOT NULL,
        rep TEXT NOT NULL,
        started BIGINT NOT NULL,
        engaged_ms BIGINT NOT NULL
    ){without_rowid};
    """,
    # worklists: cases, steps, ticks, notes (generator/analytics/store_worklists.py says what and why)
    """
    CREATE TABLE worklist_cases (
        id TEXT PRIMARY KEY,
        customer TEXT NOT NULL,
        customer_name TEXT NOT NULL,
        partner TEXT NOT NULL,
        segment TEXT NOT NULL,
        account_rep TEXT NOT NULL,
        procedure TEXT NOT NULL,
        trigger_day TEXT NOT NULL,
        url TEXT NOT NULL,
        opened_on TEXT NOT NULL,
        seen_on TEXT NOT NULL,
        closed_on TEXT,
        closed_reason TEXT
    );
    CREATE INDEX worklist_cases_by_partner ON worklist_cases (partner, closed_on);
    CREATE TABLE worklist_steps (
        case_id TEXT NOT NULL,
        step INTEGER NOT NULL,
        action TEXT NOT NULL,
        when_text TEXT NOT NULL,
        due TEXT,
        owner TEXT NOT NULL,
        checklist TEXT NOT NULL,
        PRIMARY KEY (case_id, step)
    );
    CREATE TABLE worklist_ticks (
        case_id TEXT NOT NULL,
        step INTEGER NOT NULL,
        partner TEXT NOT NULL,
        rep TEXT NOT NULL,
        ticked_at TEXT NOT NULL,
        PRIMARY KEY (case_id, step)
    );
    CREATE TABLE worklist_notes (
        id {serial},
        case_id TEXT NOT NULL,
        partner TEXT NOT NULL,
        rep TEXT NOT NULL,
        written_at TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE INDEX worklist_notes_by_case ON worklist_notes (case_id);
    CREATE TABLE worklist_held (
        customer TEXT NOT NULL,
        procedure TEXT NOT NULL,
        since TEXT NOT NULL,
        PRIMARY KEY (customer, procedure)
    );
    """,
    # credentials: status list entries and signed credentials (generator/analytics/store_credentials.py)
    """
    CREATE TABLE credential_status (
        status_index INTEGER PRIMARY KEY,
        certificate TEXT UNIQUE,
        revoked_at TEXT
    );
    CREATE TABLE credentials (
        certificate TEXT PRIMARY KEY,
        rep TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        jwt TEXT NOT NULL
    );
    """,
    # notifications: the sent log and one-click unsubscriptions (generator/analytics/store_notifications.py)
    """
    CREATE TABLE notifications_sent (
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        recipient TEXT NOT NULL,
        period TEXT NOT NULL,
        rep TEXT NOT NULL,
        state TEXT NOT NULL,
        claimed_at TEXT NOT NULL,
        sent_at TEXT,
        PRIMARY KEY (kind, subject, recipient, period)
    );
    CREATE INDEX notifications_sent_by_rep ON notifications_sent (rep);
    CREATE TABLE notifications_unsubscribed (
        rep TEXT NOT NULL,
        kind TEXT NOT NULL,
        partner TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (rep, kind)
    );
    """,
    # deal signals: download events name their resource; raised signals and help requests (store_signals.py)
    """
    ALTER TABLE events ADD COLUMN target TEXT NOT NULL DEFAULT '';
    CREATE INDEX events_downloads ON events (view, target) WHERE type = 'download';
    CREATE TABLE signals_raised (
        rule TEXT NOT NULL,
        partner TEXT NOT NULL,
        rep TEXT NOT NULL,
        day TEXT NOT NULL,
        window_ends TEXT NOT NULL,
        evidence TEXT NOT NULL,
        PRIMARY KEY (rule, partner, rep, day)
    );
    CREATE INDEX signals_raised_by_rep ON signals_raised (rep);
    CREATE TABLE help_requests (
        id TEXT PRIMARY KEY,
        partner TEXT NOT NULL,
        rep TEXT NOT NULL,
        content TEXT NOT NULL,
        version TEXT NOT NULL,
        day TEXT NOT NULL,
        asked_at TEXT NOT NULL,
        text TEXT NOT NULL,
        answered_at TEXT
    );
    CREATE INDEX help_requests_by_rep ON help_requests (partner, rep, day);
    """,
    # xAPI statements for a Learning Record Store (generator/analytics/store_lrs.py)
    """
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
    """,
    # rate limits shared by collector processes on PostgreSQL (generator/analytics/store_rates.py)
    """
    CREATE TABLE rate_buckets (
        bucket TEXT PRIMARY KEY,
        level DOUBLE PRECISION NOT NULL,
        at DOUBLE PRECISION NOT NULL
    );
    """,
    # learner record: modules done per rep, practice-quiz best scores (generator/analytics/store_learning.py)
    """
    CREATE TABLE learning_modules (
        partner TEXT NOT NULL,
        rep TEXT NOT NULL,
        module TEXT NOT NULL,
        done INTEGER NOT NULL,
        changed_at BIGINT NOT NULL,
        version TEXT NOT NULL,
        PRIMARY KEY (partner, rep, module)
    );
    CREATE TABLE learning_quizzes (
        partner TEXT NOT NULL,
        rep TEXT NOT NULL,
        quiz TEXT NOT NULL,
        best_score INTEGER NOT NULL,
        passed_at BIGINT,
        changed_at BIGINT NOT NULL,
        PRIMARY KEY (partner, rep, quiz)
    );
    """,
]
"""Schema changes in order, for both databases (``{serial}`` is each one's auto-numbered key,
``{without_rowid}`` stores a table in its primary key's tree where the database can); applied once each
and recorded in ``schema_migrations``. A view event needs no ``events_once`` entry: ``views`` has its id."""

BATCH_LIMIT = 500
"""Requests written in one transaction at most."""

PRUNE_CHECK_SECONDS = 3600
"""How long an idle writer waits before checking whether the day's pruning is due."""

FORGOTTEN_TABLES = ("events", "views", "daily", "quiz_daily", "exam_attempts", "certificates", "credentials", "worklist_ticks",
                    "worklist_notes", "notifications_sent", "notifications_unsubscribed", "signals_raised", "help_requests",
                    "lrs_outbox", "learning_modules", "learning_quizzes")
"""Every table with rows about a rep (``forget`` empties them of that rep)."""

MAX_ENGAGED_MS = 180 * 60 * 1000
"""Engaged time one view is credited with at most, unless the collector says otherwise."""

INSERT_EVENT = (
    "INSERT INTO events (received_day, type, content, version, view, partner, rep, engaged_ms, scroll, quiz, score, passed, sent_at, target)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (view, type, sent_at) WHERE type <> 'view' DO NOTHING"
)
INSERT_VIEW = (
    "INSERT INTO views (view, day, partner, rep, started, engaged_ms) VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (view) DO NOTHING"
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
    sent_at: int | None = None
    """The browser's clock when it sent the event (milliseconds): a retry of it is stored once."""
    received: int = 0
    """When the collector received it, milliseconds since 1970 (UTC): the wall time a view's engaged time is capped by."""
    target: str = ""
    """Download events: the resource's event id."""


_event_fields = operator.attrgetter(*(field.name for field in fields(StoredEvent)))
"""A stored event's fields, as a tuple."""


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


_APPLY_ORDER = {"prune": 0, "call": 1, "events": 2, "rejected": 3}
"""The order the kinds of a batch's items are applied in (see ``BatchingStore._lock_order``)."""


class Transaction:
    """The writer's open transaction, handed to :meth:`BatchingStore.run` operations; ``?`` marks parameters."""

    def __init__(self, store: "BatchingStore", cursor: Any):
        self._store, self._cursor = store, cursor

    def execute(self, sql: str, parameters: tuple = ()) -> Any:
        check_storable(parameters)  # the same refusal on every database (see generator.storable)
        self._cursor.execute(self._store._sql(sql), parameters)
        return self._cursor

    def rows(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        return [tuple(row) for row in self.execute(sql, parameters).fetchall()]

    def lock(self, *names: str) -> None:
        """Hold a lock named by ``names`` until this transaction ends: collectors in other processes
        that ask for the same name wait (PostgreSQL: a transaction-level advisory lock; SQLite: every
        write transaction holds the whole database already)."""
        self._store._lock(self._cursor, "/".join(names))


class BatchingStore:
    """A database written by one thread, in batches, each committed before it is acknowledged.

    With ``retention_days`` set, the writer also deletes raw events older than that once a day (at the
    first batch of a new UTC day, or within an hour when idle). A batch that fails is reported to every
    request in it (none of them is acknowledged) and the writer carries on, reconnecting if the
    connection broke. Subclasses say how to connect and how the database spells parameters and
    auto-numbered keys."""

    placeholder = "?"
    serial = "INTEGER PRIMARY KEY"
    without_rowid = ""
    begin = "BEGIN"
    for_update = ""
    """Appended to a SELECT whose rows the transaction goes on to update (a row lock where there are row locks)."""
    RETRIES = 3
    """Times a batch is tried when the database aborted it for a deadlock or a serialisation conflict."""

    on_commit: Callable[[float], None] | None = None
    """Told how many seconds each committed batch took (the collector's metrics)."""

    def __init__(self, retention_days: int | None = None, today: Callable[[], date] = utc_today) -> None:
        self.retention_days = retention_days
        self._today = today
        self._pruned_on: date | None = None
        self.event_recorders: list[Callable[[Transaction, StoredEvent, int], None]] = []
        """Called in the transaction of each event stored, with the engaged milliseconds it was credited
        (the xAPI outbox writes its statements there)."""
        setup = self._connect()
        try:
            self._migrate(setup)
        finally:
            setup.close()
        self._connection: Any = None
        self._closed = False
        self._queue: queue.SimpleQueue[tuple[str, Any, Future] | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write_loop, name="partnerkit-store-writer", daemon=True)
        self._writer.start()

    def _connect(self) -> Any:
        raise NotImplementedError

    def _sql(self, statement: str) -> str:
        return statement.replace("?", self.placeholder)

    def _migrate(self, connection: Any) -> None:
        self._run(connection, self.begin)
        self._lock(connection.cursor(), "partnerkit-migrations")  # collectors starting together migrate once
        self._run(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
        done = {row[0] for row in self._run(connection, "SELECT version FROM schema_migrations").fetchall()}
        for number, script in enumerate(MIGRATIONS, start=1):
            if number not in done:
                for statement in filter(str.strip, script.format(serial=self.serial, without_rowid=self.without_rowid).split(";")):
                    self._run(connection, statement)
                self._run(connection, "INSERT INTO schema_migrations (version) VALUES (?)", (number,))
        self._run(connection, "COMMIT")

    def _run(self, connection: Any, statement: str, parameters: tuple = ()) -> Any:
        return connection.execute(self._sql(statement), parameters)

    def _lock(self, cursor: Any, name: str) -> None:
        pass

    def _transient(self, error: Exception) -> bool:
        """Whether ``error`` aborted the transaction only because of other transactions (try again)."""
        return False

    def _after_forget(self) -> None:
        """Leave no copy of deleted rows in the database's files."""

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
            started = time.perf_counter()
            if batch and self._commit(batch) and batch[0][0] == "prune":
                self._pruned_on = today
            if batch and self.on_commit is not None:
                self.on_commit(time.perf_counter() - started)
        if self._connection is not None:
            self._connection.close()

    def _commit(self, batch: list[tuple[str, Any, Future]]) -> bool:
        """Apply the batch in one transaction; settle every future with its result or the failure."""
        for attempt in range(self.RETRIES):
            try:
                if self._connection is None:
                    self._connection = self._connect()
                self._run(self._connection, self.begin)
                results: list[Any] = [None] * len(batch)
                for index in sorted(range(len(batch)), key=lambda index: self._lock_order(batch[index])):
                    kind, payload, _ = batch[index]
                    results[index] = self._apply(self._connection, kind, payload)
                self._run(self._connection, "COMMIT")
                break
            except Exception as exc:  # nothing in the batch was stored
                self._abandon_transaction()
                if attempt + 1 < self.RETRIES and self._transient(exc):
                    if attempt and len(batch) > 1:  # conflicting twice: one transaction per request holds fewer locks
                        return all([self._commit([item]) for item in batch])
                    continue
                self._settle([(future, False, exc) for _, _, future in batch])  # every waiting request learns it
                return False
        failure = None
        if any(kind == "forget" for kind, _, _ in batch):
            try:
                self._after_forget()
            except Exception as exc:  # the rows are gone, but copies may remain in the files: say so
                failure = PartnerkitError(f"the rows are deleted, but the database files could not be compacted ({exc}): run forget again")
        self._settle([(future, False, failure) if failure is not None and kind == "forget" else (future, True, result)
                for (kind, _, future), result in zip(batch, results)])
        return True

    @staticmethod
    def _settle(outcomes: list[tuple[Any, bool, Any]]) -> None:
        """Complete each future with its result (True) or exception (False): a ``concurrent.futures``
        one here, an event loop's in that loop, all of one loop's at once (one wake-up, not one each)."""
        here: list[tuple[Any, bool, Any]] = []
        in_loops: dict[asyncio.AbstractEventLoop, list[tuple[Any, bool, Any]]] = {}
        for outcome in outcomes:
            future = outcome[0]
            (in_loops.setdefault(future.get_loop(), []) if isinstance(future, asyncio.Future) else here).append(outcome)
        BatchingStore._complete(here)
        for loop, completed in in_loops.items():
            try:
                loop.call_soon_threadsafe(BatchingStore._complete, completed)
            except RuntimeError:  # that loop is closed: no one waits there any more
                pass

    @staticmethod
    def _complete(outcomes: list[tuple[Any, bool, Any]]) -> None:
        for future, ok, value in outcomes:
            if not future.done():  # (an event loop's future is cancelled if its request was)
                future.set_result(value) if ok else future.set_exception(value)

    @staticmethod
    def _lock_order(item: tuple[str, Any, Future]) -> tuple[int, Any]:
        """Where an item of a batch is applied: every collector's transactions take their locks in one
        order (operations' named locks first, then event rows, then refusal counters by day and reason),
        so two batches never wait for each other in a circle. Operations keep the order they came in."""
        kind, payload, _ = item
        return (_APPLY_ORDER.get(kind, len(_APPLY_ORDER)), payload if kind == "rejected" else ())

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
            events, max_engaged_ms = payload
            return sum(self._store_event(cursor, event, max_engaged_ms) for event in events)
        if kind == "rejected":
            cursor.execute(self._sql(UPSERT_REJECTED), payload)
            return None
        if kind == "prune":
            cursor.execute(self._sql("DELETE FROM events WHERE received_day < ?"), (payload,))
            removed = cursor.rowcount
            cursor.execute(self._sql("DELETE FROM views WHERE day < ?"), (payload,))
            cursor.execute(self._sql("DELETE FROM signals_raised WHERE day < ?"), (payload,))
            cursor.execute(self._sql("DELETE FROM help_requests WHERE day < ?"), (payload,))
            return removed
        if kind == "call":
            return payload(Transaction(self, cursor))
        if kind == "forget":
            removed = {}
            for table in FORGOTTEN_TABLES:
                cursor.execute(self._sql(f"DELETE FROM {table} WHERE rep = ?"), (payload,))
                removed[table] = cursor.rowcount
            return removed
        raise ValueError(kind)

    def _store_event(self, cursor: Any, event: StoredEvent, max_engaged_ms: int) -> int:
        """Store one event unless it repeats one stored already; 1 if stored. A view event counts a view
        only the first time its view id is seen; a leave event is credited with no more engaged time
        than has passed since then (and ``max_engaged_ms`` in all), and none on another rep's view."""
        credited = 0
        if event.type == "view":
            cursor.execute(self._sql(INSERT_VIEW), (event.view, event.received_day, event.partner, event.rep, event.received))
            if cursor.rowcount != 1:
                return 0
        elif event.type == "leave":
            cursor.execute(self._sql("SELECT partner, rep, started, engaged_ms FROM views WHERE view = ?" + self.for_update),
                           (event.view,))
            seen = cursor.fetchone()
            if seen is None:  # its view event never arrived: time counts from now
                cursor.execute(self._sql(INSERT_VIEW), (event.view, event.received_day, event.partner, event.rep, event.received))
                seen = (event.partner, event.rep, event.received, 0)
            if (seen[0], seen[1]) != (event.partner, event.rep):
                return 0
            allowed = min(max_engaged_ms, event.received - seen[2]) - seen[3]
            credited = max(0, min(event.engaged_ms, allowed))
        elif event.type == "download":  # once per view and resource, on a view of the same rep seen before
            cursor.execute(self._sql("SELECT partner, rep FROM views WHERE view = ?"), (event.view,))
            if cursor.fetchone() != (event.partner, event.rep):
                return 0
            cursor.execute(self._sql("SELECT 1 FROM events WHERE view = ? AND target = ? AND type = 'download'"),
                           (event.view, event.target))
            if cursor.fetchone() is not None:
                return 0
        cursor.execute(self._sql(INSERT_EVENT), (
            event.received_day, event.type, event.content, event.version, event.view, event.partner, event.rep, credited,
            event.scroll, event.quiz, event.score, int(event.passed), event.sent_at, event.target))
        if cursor.rowcount != 1 or event.type == "download":
            return cursor.rowcount
        if event.type == "quiz":
            cursor.execute(self._sql(UPSERT_QUIZ_DAILY),
                           (event.received_day, event.quiz, event.version, event.partner, event.rep, int(event.passed)))
        else:
            if credited:
                cursor.execute(self._sql("UPDATE views SET engaged_ms = engaged_ms + ? WHERE view = ?"), (credited, event.view))
            cursor.execute(self._sql(UPSERT_DAILY), (event.received_day, event.content, event.version, event.partner, event.rep,
                                                     int(event.type == "view"), credited))
        for record in self.event_recorders:
            record(Transaction(self, cursor), event, credited)
        return 1

    def _submit(self, kind: str, payload: Any, future: Future | asyncio.Future | None = None) -> Any:
        future = Future() if future is None else future
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

    def write(self, events: list[StoredEvent], max_engaged_ms: int = MAX_ENGAGED_MS) -> Future:
        """Store events (each at most once; engaged time capped per view, see :meth:`_store_event`); the
        future completes with how many were new once they are committed (or fails if they were not, or
        with :class:`UnstorableText` at once if one holds text no store can)."""
        return self._submit_events(events, max_engaged_ms, Future())

    def written(self, events: list[StoredEvent], max_engaged_ms: int = MAX_ENGAGED_MS) -> asyncio.Future:
        """:meth:`write` for a caller on an event loop: a future of that loop, completed in it (the
        writer wakes each loop once per batch it committed, not once per request)."""
        return self._submit_events(events, max_engaged_ms, asyncio.get_running_loop().create_future())

    def _submit_events(self, events: list[StoredEvent], max_engaged_ms: int, future: Any) -> Any:
        try:
            for event in events:
                check_storable(_event_fields(event))  # its fields, uncopied (astuple deep-copies each)
        except UnstorableText as refused:
            future.set_exception(refused)
            return future
        return self._submit("events", (events, max_engaged_ms), future)

    def count_rejected(self, day: str, reason: str) -> Future:
        return self._submit("rejected", (day, reason))

    def prune(self, retention_days: int, today: date) -> int:
        """Delete raw events older than ``retention_days``; daily aggregates stay. Returns rows removed."""
        return self._submit("prune", (today - timedelta(days=retention_days)).isoformat()).result()

    def forget(self, rep: str) -> dict[str, int]:
        """Delete every row about one rep (raw events, views, aggregates, exam attempts, certificates) and
        leave no copy in the database's files. Returns the rows removed per table."""
        return self._submit("forget", rep).result()

    def query(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        """Read with a connection of its own, beside the writer. ``?`` marks parameters."""
        check_storable(parameters)
        connection = self._connect()
        try:
            return [tuple(row) for row in self._run(connection, sql, parameters).fetchall()]
        finally:
            connection.close()

    def queue_length(self) -> int:
        """Writes waiting for the writer thread."""
        return self._queue.qsize()

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

    begin = "BEGIN IMMEDIATE"  # the write lock first: collectors in other processes wait, never interleave
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


class PostgresStore(BatchingStore):
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


@dataclass(frozen=True)
class DailyTotal:
    """One row of ``daily``: a rep's (or the anonymous readers') views and engaged time on one page and day."""

    day: str
    content: str
    version: str
    partner: str
    rep: str
    views: int
    engaged_ms: int


@dataclass(frozen=True)
class QuizTotal:
    """One row of ``quiz_daily``: a rep's practice-quiz attempts and passes on one day."""

    day: str
    quiz: str
    version: str
    partner: str
    rep: str
    attempts: int
    passes: int


def daily_totals(store: BatchingStore, since: str = "", until: str = "9999-12-31") -> list[DailyTotal]:
    """The rows of ``daily`` from day ``since`` to day ``until`` (``YYYY-MM-DD``, both included; default: all)."""
    return [DailyTotal(*row) for row in store.query(
        "SELECT day, content, version, partner, rep, views, engaged_ms FROM daily WHERE day >= ? AND day <= ?",
        (since, until))]


def quiz_totals(store: BatchingStore) -> list[QuizTotal]:
    """Every row of ``quiz_daily``."""
    return [QuizTotal(*row) for row in store.query(
        "SELECT day, quiz, version, partner, rep, attempts, passes FROM quiz_daily")]


def open_project_store(root: Path, db: str | None, retention_days: int | None = None) -> BatchingStore:
    """The store of the project at ``root`` for ``--db``: ``postgresql://user@host/db``, ``sqlite:///path``, a file path, or the default SQLite file."""
    if db is not None and database_kind(db) == "postgresql":
        return open_store(db, retention_days)
    if db is not None and database_kind(db) == "unknown":
        raise PartnerkitError(f"--db {db}: give postgresql://…, sqlite:///path or a file path")
    location = sqlite_path(db) if db else root / EVENTS_DB
    return open_store(str(location if location.is_absolute() else root / location), retention_days)
