"""The store's core: one batching writer per database (SQLite or PostgreSQL, see
:mod:`generator.store.database`), the migrations runner and the hot path of view events.

The writer is a thread of its own, or, for a SQLite store a collector has attached to its event loop
(:meth:`BatchingStore.attach`), that loop: a thread writing beside the loop waits for the interpreter's
lock at each statement while the loop handles requests, which cost the collector more than the writing.

An event is acknowledged only after the transaction holding it is committed, so a 2xx answer means
it is on disk. Raw events are kept for the retention period; daily aggregates, updated in the same
transaction, are kept for good. What each table holds, and why: :mod:`generator.store.database`."""

from __future__ import annotations

import asyncio
import operator
import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from generator.errors import PartnerkitError
from generator.model.config import AnalyticsSettings
from generator.storable import UnstorableText, check_storable

BATCH_LIMIT = 500
"""Requests written in one transaction at most."""

PRUNE_CHECK_SECONDS = 3600
"""How long an idle writer waits before checking whether the day's pruning is due."""

MAX_ENGAGED_MS = AnalyticsSettings().max_engaged_ms
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


class _LoopWrite(Future):
    """The future of a write submitted on the event loop the store writes on: waiting for it there would
    wait for itself, so that first commits what the loop was given."""

    def __init__(self, store: "BatchingStore"):
        super().__init__()
        self._store = store

    def result(self, timeout: float | None = None) -> Any:
        self._write_now()
        return super().result(timeout)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        self._write_now()
        return super().exception(timeout)

    def _write_now(self) -> None:
        if not self.done() and self._store._on_loop():
            self._store._flush()


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
    migrations: Sequence[str] = ()
    """The schema's steps in order (step 1 first): every feature's, see :mod:`generator.store.database`."""
    forgotten_tables: Sequence[str] = ()
    """The tables ``forget`` empties of a rep, in the order it reports them."""

    on_commit: Callable[[float], None] | None = None
    """Told how many seconds each committed batch took (the collector's metrics)."""
    writes_on_loop = False
    """Whether :meth:`attach` moves the writing onto an event loop: for a database on the same machine
    whose commit waits only for its disk (SQLite), not for a server across a network."""

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
        self._loop: asyncio.AbstractEventLoop | None = None
        """The event loop writing (:meth:`attach`); None: the writer thread."""
        self._loop_thread = 0
        self._mode = threading.Lock()
        """Held while the writer moves between the thread and a loop, and while a write is handed to either."""
        self._pending: list[tuple[str, Any, Future]] = []
        self._flush_scheduled = False
        self._idle_check: asyncio.TimerHandle | None = None
        self._detached = threading.Event()
        self._start_writer()

    def _start_writer(self) -> None:
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
        for number, script in enumerate(self.migrations, start=1):
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
            self._write_batch(batch)
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _write_batch(self, batch: list[tuple[str, Any, Future]]) -> None:
        """Commit one batch (empty: only see whether the day's pruning is due), by whichever writer writes."""
        today = self._today()
        if self.retention_days is not None and today != self._pruned_on:
            cutoff = (today - timedelta(days=self.retention_days)).isoformat()
            batch.insert(0, ("prune", cutoff, Future()))
        started = time.perf_counter()
        if batch and self._commit(batch) and batch[0][0] == "prune":
            self._pruned_on = today
        if batch and self.on_commit is not None:
            self.on_commit(time.perf_counter() - started)

    def attach(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Write on ``loop`` from now on (called on it, by the collector when it starts serving): each pass
        of the loop commits what its requests submitted in one transaction, as the writer thread would,
        and answers them once committed; callers on other threads are handed over to the loop. The
        writer thread writes what it was given and stops. False (nothing changes) for a store that does
        not write on a loop (:attr:`writes_on_loop`), one closed, or one attached already."""
        assert asyncio.get_running_loop() is loop, "attach is called on the loop that is to write"
        if not self.writes_on_loop or self._closed or self._loop is not None:
            return False
        self._queue.put(None)  # what the thread was given is written first, in order
        self._writer.join()
        with self._mode:
            self._loop, self._loop_thread = loop, threading.get_ident()
            self._detached.clear()
            while True:  # given to the thread after it stopped
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    self._add(item)
        self._idle_check = loop.call_later(PRUNE_CHECK_SECONDS, self._idle)
        return True

    def detach(self) -> None:
        """Write what the loop was given and go back to the writer thread (the collector stopping)."""
        with self._mode:
            if self._loop is None:
                return
            self._loop = None
            pending, self._pending = self._pending, []
            self._flush_scheduled = False
        if self._idle_check is not None:
            self._idle_check.cancel()
        self._write_all(pending)
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._start_writer()
        self._detached.set()

    def _add(self, item: tuple[str, Any, Future]) -> None:
        """Take a write on the loop; the loop's next pass commits it with the others of this pass."""
        if self._loop is None:  # handed over while the store was being detached: the thread writes it
            self._queue.put(item)
            return
        self._pending.append(item)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        pending, self._pending = self._pending, []
        self._write_all(pending)

    def _write_all(self, pending: list[tuple[str, Any, Future]]) -> None:
        for start in range(0, len(pending), BATCH_LIMIT):
            self._write_batch(pending[start:start + BATCH_LIMIT])

    def _idle(self) -> None:
        if self._loop is not None:
            self._write_batch([])
            self._idle_check = self._loop.call_later(PRUNE_CHECK_SECONDS, self._idle)

    def _on_loop(self) -> bool:
        return self._loop is not None and threading.get_ident() == self._loop_thread

    def _commit(self, batch: list[tuple[str, Any, Future]]) -> bool:
        """Apply the batch in one transaction; settle every future with its result or the failure."""
        for attempt in range(self.RETRIES):
            try:
                if self._connection is None:
                    self._connection = self._connect()
                self._run(self._connection, self.begin)
                results: list[Any] = [None] * len(batch)
                only_events = {item[0] for item in batch} == {"events"}  # (the usual batch: already in order)
                for index in range(len(batch)) if only_events else sorted(range(len(batch)), key=lambda index: self._lock_order(batch[index])):
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
        one here, an event loop's in that loop (here too when writing on it), all of one loop's at once
        (one wake-up, not one each)."""
        here: list[tuple[Any, bool, Any]] = []
        in_loops: dict[asyncio.AbstractEventLoop, list[tuple[Any, bool, Any]]] = {}
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # the writer thread
            running = None
        for outcome in outcomes:
            future = outcome[0]
            if isinstance(future, asyncio.Future) and future.get_loop() is not running:
                in_loops.setdefault(future.get_loop(), []).append(outcome)
            else:
                here.append(outcome)
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
            for table in self.forgotten_tables:
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
        on_loop = self._on_loop()
        if future is None:
            future = _LoopWrite(self) if on_loop else Future()
        if self._closed:
            future.set_exception(PartnerkitError("the event store is closed"))
            return future
        if on_loop:
            self._add((kind, payload, future))
            return future
        with self._mode:
            loop = self._loop
            if loop is None:
                self._queue.put((kind, payload, future))
                return future
            try:
                loop.call_soon_threadsafe(self._add, (kind, payload, future))
            except RuntimeError:  # its loop has closed without detaching: nothing writes any more
                future.set_exception(PartnerkitError("the event store's writer has stopped"))
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
        """Writes waiting for the writer."""
        return self._queue.qsize() + len(self._pending)

    def close(self) -> None:
        """Write what is queued, then stop the writer."""
        if self._closed:
            return
        if self._on_loop():
            self.detach()
        elif self._loop is not None:  # the loop goes back to the thread first
            try:
                self._loop.call_soon_threadsafe(self.detach)
                self._detached.wait(timeout=10)
            except RuntimeError:  # that loop has closed: nothing else writes, so write here
                self.detach()
        self._closed = True
        self._queue.put(None)
        self._writer.join(timeout=10)
