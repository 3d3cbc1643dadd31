"""The store's deal-signal tables: signals raised and reps' requests for help (every SQL statement about them).

What is stored, and why (personal data):

- ``signals_raised``: one row per signal raised, keyed by (rule, partner, rep, day): the rule id, the
  rep's partner and rep ids, the day it was raised for, the last day of its quiet window (the rule is
  not raised again for the rep until then) and the evidence shown in the digest (JSON: the titles of the
  pages and resources read, with their days). It is what makes a signal go out once. Kept for the
  report (signals per partner and month) for ``analytics.retention_days``, like raw events, or until
  ``forget`` removes the rep's rows.
- ``help_requests``: one row per "Ask for help" a rep sent from a deal-stage page: a random id, partner
  and rep ids, the page (content id and release), the day and UTC time, the rep's
  text (at most ``help_max_chars``; stored as written, escaped wherever it is shown) and when a vendor
  contact marked it answered. Kept for ``analytics.retention_days``, or until ``forget`` removes the rep's rows.

Reading history comes from ``events`` (view and download rows), pruned with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.store.core import BatchingStore, Transaction
from generator.store.feature import Migration, StoreFeature


FEATURE = StoreFeature(
    name="signals",
    migrations=(
        Migration(8, """
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
    """),
    ),
    forgotten_tables=("signals_raised", "help_requests"),
)
"""This feature's migrations (steps of the one numbered list) and the tables ``forget`` empties of a rep."""


@dataclass(frozen=True)
class Reading:
    """One view or download event of an identified rep."""

    day: str
    partner: str
    rep: str
    type: str
    content: str
    target: str


@dataclass(frozen=True)
class RaisedRow:
    rule: str
    partner: str
    rep: str
    day: str
    window_ends: str
    evidence: str


def readings(store: BatchingStore, since: str, until: str) -> list[Reading]:
    """Views and downloads of identified reps received from day ``since`` to day ``until`` (both included)."""
    return [Reading(*row) for row in store.query(
        "SELECT received_day, partner, rep, type, content, target FROM events"
        " WHERE type IN ('view', 'download') AND rep <> '' AND received_day >= ? AND received_day <= ?"
        " ORDER BY received_day, id", (since, until))]


def raised(tx: Transaction, since: str = "", until: str = "9999-12-31") -> list[RaisedRow]:
    """Signals raised for days from ``since`` to ``until``."""
    return [RaisedRow(*row) for row in tx.rows(
        "SELECT rule, partner, rep, day, window_ends, evidence FROM signals_raised WHERE day >= ? AND day <= ?"
        " ORDER BY day, partner, rep, rule", (since, until))]


def raise_once(tx: Transaction, row: RaisedRow, window_starts: str, record: bool = True) -> bool:
    """Record ``row`` unless the rule was raised for the rep on a day whose quiet window overlaps
    (a day after ``window_starts`` and up to the row's ``window_ends``); True if recorded (or, with
    ``record`` false, if it would be, recording nothing)."""
    tx.lock("signals", row.rule, row.partner, row.rep)
    if tx.rows("SELECT 1 FROM signals_raised WHERE rule = ? AND partner = ? AND rep = ? AND day > ? AND day <= ?",
               (row.rule, row.partner, row.rep, window_starts, row.window_ends)):
        return False
    if not record:
        return True
    tx.execute("INSERT INTO signals_raised (rule, partner, rep, day, window_ends, evidence) VALUES (?, ?, ?, ?, ?, ?)",
               (row.rule, row.partner, row.rep, row.day, row.window_ends, row.evidence))
    return True


@dataclass(frozen=True)
class HelpRequest:
    id: str
    partner: str
    rep: str
    content: str
    version: str
    day: str
    asked_at: str
    text: str
    answered_at: str | None


HELP_COLUMNS = "id, partner, rep, content, version, day, asked_at, text, answered_at"


def ask_for_help(tx: Transaction, request: HelpRequest, per_day: int) -> bool:
    """Store ``request`` unless the rep sent ``per_day`` requests on its day already; True if stored."""
    tx.lock("help", request.partner, request.rep)
    (count,) = tx.rows("SELECT COUNT(*) FROM help_requests WHERE partner = ? AND rep = ? AND day = ?",
                       (request.partner, request.rep, request.day))[0]
    if count >= per_day:
        return False
    tx.execute(f"INSERT INTO help_requests ({HELP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (request.id, request.partner, request.rep, request.content, request.version, request.day, request.asked_at,
                request.text, request.answered_at))
    return True


def help_requests(tx: Transaction, since: str = "", until: str = "9999-12-31") -> list[HelpRequest]:
    """Requests for help asked from day ``since`` to day ``until``, oldest first."""
    return [HelpRequest(*row) for row in tx.rows(
        f"SELECT {HELP_COLUMNS} FROM help_requests WHERE day >= ? AND day <= ? ORDER BY asked_at, id", (since, until))]


def mark_answered(tx: Transaction, ident: str, at: str) -> bool | None:
    """Mark a request answered; None if there is no such request, False if it was answered already."""
    found = tx.rows("SELECT answered_at FROM help_requests WHERE id = ?", (ident,))
    if not found:
        return None
    if found[0][0] is not None:
        return False
    tx.execute("UPDATE help_requests SET answered_at = ? WHERE id = ?", (at, ident))
    return True
