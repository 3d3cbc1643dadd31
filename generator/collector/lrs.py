"""Delivering the xAPI outbox to the vendor's Learning Record Store.

Each statement is sent on its own with ``PUT <endpoint>/statements?statementId=<id>`` (xAPI's idempotent
way to store a statement under a known id). The LRS answering 200 or 204 took it; 409 means it already
holds a statement with that id: this one, sent before by a sender whose answer was lost (or by another
collector process), so it counts as delivered too. Anything else (the LRS down, a timeout, 5xx, a
refused key) leaves it waiting: it is tried again after ``lrs.retry_seconds``, doubled after each
failure up to ``lrs.max_retry_seconds``. Delivery is at least once; the statement ids make it once in
the LRS.

``partnerkit collect`` runs a :class:`LrsSender` in a background thread while it serves (statements go
out within seconds of what they record, with no other job to schedule); ``partnerkit lrs-send`` runs
one round by hand (e.g. after the collector was stopped, or to see what is waiting)."""

from __future__ import annotations

import base64
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

import httpx

from generator.store.core import BatchingStore
from generator.store.lrs import due_statements, mark_delivered, mark_failed
from generator.collector.xapi import XAPI_VERSION
from generator.errors import PartnerkitError
from generator.model.config import LrsSettings

BATCH = 200
"""Statements tried in one round at most."""
TIMEOUT_SECONDS = 10
IDLE_SECONDS = 2.0
"""How often the background sender looks for statements to send."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def lrs_auth(settings: LrsSettings, environment: dict[str, str] | None = None) -> str:
    """The ``Authorization`` header from ``key:secret`` in the variable ``lrs.key_variable`` names."""
    value = (environment if environment is not None else os.environ).get(settings.key_variable, "")
    key, colon, secret = value.partition(":")
    if not colon or not key or not secret:
        raise PartnerkitError(f"{settings.key_variable} is not set: the LRS's credentials, as key:secret (lrs.endpoint is set)")
    return "Basic " + base64.b64encode(value.encode("utf-8")).decode("ascii")


@dataclass(frozen=True)
class Round:
    """What one round of sending did."""

    delivered: int
    already_held: int
    """Of those, how many the LRS already held (409: a resend after a lost answer)."""
    failed: int
    last_error: str | None = None


@dataclass
class LrsSender:
    store: BatchingStore
    settings: LrsSettings
    authorization: str
    now: Callable[[], datetime] = _now
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=TIMEOUT_SECONDS))

    @property
    def statements_url(self) -> str:
        assert self.settings.endpoint is not None
        return self.settings.endpoint.rstrip("/") + "/statements"

    def _wait(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.settings.max_retry_seconds, self.settings.retry_seconds * 2 ** min(attempts, 30)))

    def send_due(self) -> Round:
        """Send every statement whose time has come (at most :data:`BATCH`), once each."""
        delivered = held = failed = 0
        error: str | None = None
        headers = {"Authorization": self.authorization, "X-Experience-API-Version": XAPI_VERSION,
                   "Content-Type": "application/json"}
        for pending in due_statements(self.store, _iso(self.now()), BATCH):
            try:
                answer = self.client.put(self.statements_url, params={"statementId": pending.statement},
                                         content=pending.body.encode("utf-8"), headers=headers)
                status, reason = answer.status_code, f"HTTP {answer.status_code}"
            except httpx.HTTPError as exc:
                status, reason = 0, f"{type(exc).__name__}: {exc}"
            if status in (200, 204, 409):
                self.store.run(lambda db, ident=pending.statement: mark_delivered(db, ident, _iso(self.now()))).result()
                delivered += 1
                held += status == 409
            else:
                later = _iso(self.now() + self._wait(pending.attempts))
                self.store.run(lambda db, ident=pending.statement, later=later, reason=reason:
                               mark_failed(db, ident, later, reason)).result()
                failed += 1
                error = reason
        return Round(delivered, held, failed, error)

    def run_in_background(self, stop: threading.Event, on_error: Callable[[str], None] = lambda message: None) -> threading.Thread:
        """Send due statements every :data:`IDLE_SECONDS` until ``stop`` is set (a daemon thread)."""

        def loop() -> None:
            reported = None
            while not stop.is_set():
                try:
                    done = self.send_due()
                except Exception as exc:  # the store closing, a database hiccup: try again next round
                    done = Round(0, 0, 1, f"{type(exc).__name__}: {exc}")
                if done.last_error and done.last_error != reported:
                    on_error(f"LRS: {done.failed} statements wait ({done.last_error}); trying again later")
                reported = done.last_error
                stop.wait(IDLE_SECONDS if not done.delivered else 0.05)

        thread = threading.Thread(target=loop, name="partnerkit-lrs-sender", daemon=True)
        thread.start()
        return thread
