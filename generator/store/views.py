"""Page views and events: what the batching writer (``generator.store.core``) records for each event, and
the daily totals reports read.

Rows: ``events`` (one per accepted event), ``views`` (one per view id), ``daily`` (views and engaged time per
day, page, release, partner and rep), ``quiz_daily`` (practice-quiz attempts and passes per day) and
``rejected`` (refused requests per day and reason)."""

from __future__ import annotations

from dataclasses import dataclass

from generator.store.core import BatchingStore
from generator.store.feature import Migration, StoreFeature


FEATURE = StoreFeature(
    name="views",
    migrations=(
        Migration(1, """
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
    """),
        Migration(2, """
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
    """),
        Migration(4, """
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
    """),
    ),
    forgotten_tables=("events", "views", "daily", "quiz_daily"),
)
"""This feature's migrations (steps of the one numbered list) and the tables ``forget`` empties of a rep."""


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
