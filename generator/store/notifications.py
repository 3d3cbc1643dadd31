"""The store's notification tables: the sent log and unsubscriptions (every SQL statement about them).

What is stored, and why (personal data):

- ``notifications_sent``: one row per message ``partnerkit notify --send`` handed, or was about to
  hand, to the SMTP server, keyed by (kind, subject, recipient, period): the message kind, the subject
  key (a certificate id, a release, a partner id), the recipient (a rep id, or ``vendor:<address>``
  for the vendor's contacts), the period (a certificate's expiry and reminder bucket, an ISO week, a
  release), the rep id of a rep recipient (empty for vendor contacts), the state (``sending`` before
  the SMTP transaction, ``sent`` once the server accepted it, ``failed`` when it refused it for good)
  and the UTC times. It is what makes each message go out at most once. No message text, no
  addresses of reps (they stay in the roster). Kept for good; ``forget`` removes a rep's rows.
- ``notifications_unsubscribed``: per rep and message kind, when they unsubscribed (one click in a
  message) and their partner id. Kept until ``forget`` removes it: it is their choice, respected by
  every later run.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.store.core import Transaction
from generator.store.feature import Migration, StoreFeature


FEATURE = StoreFeature(
    name="notifications",
    migrations=(
        Migration(7, """
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
    """),
    ),
    forgotten_tables=("notifications_sent", "notifications_unsubscribed"),
)
"""This feature's migrations (steps of the one numbered list) and the tables ``forget`` empties of a rep."""

SENDING, SENT, FAILED = "sending", "sent", "failed"
"""States of a sent-log row: claimed before SMTP, accepted by the server, refused by it for good."""


@dataclass(frozen=True)
class LogKey:
    """What a message is, once: its kind, subject key, recipient key and period."""

    kind: str
    subject: str
    recipient: str
    period: str


@dataclass(frozen=True)
class LogRow:
    key: LogKey
    rep: str
    state: str
    claimed_at: str
    sent_at: str | None


def logged(tx: Transaction) -> list[LogRow]:
    """Every row of the sent log."""
    return [LogRow(LogKey(*row[:4]), *row[4:]) for row in tx.rows(
        "SELECT kind, subject, recipient, period, rep, state, claimed_at, sent_at FROM notifications_sent"
        " ORDER BY claimed_at, kind, recipient")]


def claim(tx: Transaction, key: LogKey, rep: str, at: str) -> bool:
    """Record that the message is about to be sent; False (nothing written) if it was logged already."""
    cursor = tx.execute(
        "INSERT INTO notifications_sent (kind, subject, recipient, period, rep, state, claimed_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, subject, recipient, period) DO NOTHING",
        (key.kind, key.subject, key.recipient, key.period, rep, SENDING, at))
    return cursor.rowcount == 1


def settle(tx: Transaction, key: LogKey, state: str, at: str) -> None:
    """Mark a claimed message ``sent`` or ``failed``."""
    tx.execute("UPDATE notifications_sent SET state = ?, sent_at = ? WHERE kind = ? AND subject = ? AND recipient = ?"
               " AND period = ?", (state, at, key.kind, key.subject, key.recipient, key.period))


def release(tx: Transaction, key: LogKey) -> None:
    """Drop the claim of a message the server turned away for now (it is tried again next run)."""
    tx.execute("DELETE FROM notifications_sent WHERE kind = ? AND subject = ? AND recipient = ? AND period = ?"
               " AND state = ?", (key.kind, key.subject, key.recipient, key.period, SENDING))


def unsubscriptions(tx: Transaction) -> dict[tuple[str, str], str]:
    """When each (rep, kind) was unsubscribed (UTC ISO time)."""
    return {(rep, kind): at for rep, kind, at in tx.rows("SELECT rep, kind, at FROM notifications_unsubscribed")}


def unsubscribe(tx: Transaction, partner: str, rep: str, kind: str, at: str) -> bool:
    """Record that ``rep`` wants no more messages of ``kind``; False if they had unsubscribed already."""
    cursor = tx.execute("INSERT INTO notifications_unsubscribed (rep, kind, partner, at) VALUES (?, ?, ?, ?)"
                        " ON CONFLICT (rep, kind) DO NOTHING", (rep, kind, partner, at))
    return cursor.rowcount == 1
