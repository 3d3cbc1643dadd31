"""Rate limits shared by every collector process on one PostgreSQL database: token buckets in the
``rate_buckets`` table, spent and refilled in one statement each, by the database's clock.

A bucket is named by a keyed hash (HMAC-SHA256 with the first token key) of the rep or client address
it limits, never by the address or rep id itself, and a bucket untouched for two minutes (full again,
the same as none) is deleted. A database that cannot be reached limits nothing (the store answers 503
for what it cannot commit anyway)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from typing import Any
from generator.store.feature import Migration, StoreFeature


FEATURE = StoreFeature(
    name="rates",
    migrations=(
        Migration(10, """
    CREATE TABLE rate_buckets (
        bucket TEXT PRIMARY KEY,
        level DOUBLE PRECISION NOT NULL,
        at DOUBLE PRECISION NOT NULL
    );
    """),
    ),
    forgotten_tables=(),
)
"""This feature's migrations (steps of the one numbered list) and the tables ``forget`` empties of a rep."""

LOG = logging.getLogger("partnerkit.collector")

SPEND = (
    "INSERT INTO rate_buckets (bucket, level, at) VALUES (%(bucket)s, %(rate)s - %(count)s, extract(epoch FROM clock_timestamp()))"
    " ON CONFLICT (bucket) DO UPDATE SET"
    " level = LEAST(%(rate)s, rate_buckets.level + GREATEST(0, excluded.at - rate_buckets.at) * %(rate)s / 60.0) - %(count)s,"
    " at = excluded.at"
    " WHERE LEAST(%(rate)s, rate_buckets.level + GREATEST(0, excluded.at - rate_buckets.at) * %(rate)s / 60.0) >= %(count)s"
    " RETURNING level"
)
SWEEP = "DELETE FROM rate_buckets WHERE at < extract(epoch FROM clock_timestamp()) - 120"
SWEEP_SECONDS = 60


class PostgresRateBuckets:
    """Token buckets in PostgreSQL, for :class:`generator.collector.app.RateLimits` (``shared``)."""

    def __init__(self, url: str, secret: bytes):
        self.url, self._secret = url, secret
        self._connection: Any = None
        self._lock = threading.Lock()
        self._swept = 0.0

    def bucket(self, name: str) -> str:
        return hmac.new(self._secret, name.encode(), hashlib.sha256).hexdigest()[:32]

    def take(self, wanted: list[tuple[str, int]], count: int) -> bool:
        """Spend ``count`` from every bucket in ``wanted`` (name, events a minute), or from none and False."""
        if any(count > rate for _, rate in wanted):
            return False
        with self._lock:
            try:
                return self._take(wanted, count)
            except _Refused:
                return False
            except Exception as failure:  # limit nothing rather than refuse everyone
                LOG.warning("shared rate limits unavailable, not applied: %s", type(failure).__name__)
                if self._connection is not None:
                    try:
                        self._connection.close()
                    except Exception:
                        pass
                self._connection = None
                return True

    def _take(self, wanted: list[tuple[str, int]], count: int) -> bool:
        import psycopg

        if self._connection is None:
            self._connection = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
        connection = self._connection
        buckets = sorted((self.bucket(name), rate) for name, rate in wanted)  # one order: no deadlock between processes
        with connection.transaction():
            for bucket, rate in buckets:
                if connection.execute(SPEND, {"bucket": bucket, "rate": rate, "count": count}).fetchone() is None:
                    raise _Refused
        if time.monotonic() - self._swept > SWEEP_SECONDS:
            self._swept = time.monotonic()
            connection.execute(SWEEP)
        return True

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


class _Refused(Exception):
    """A bucket had too little left: the transaction is rolled back, nothing spent."""
