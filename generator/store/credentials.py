"""What the store keeps about certificates' verifiable credentials, and every statement that reads or
writes it (operations take the writer's :class:`~generator.store.core.Transaction`).

- ``credential_status``: one row per index of the revocation list that was ever given out: the index,
  the certificate it belongs to, and when it was revoked (``partnerkit revoke-certificate``, or
  ``forget``). Kept for good: a credential handed out stays checkable. ``forget`` revokes the rep's
  entries and removes the certificate id from them, so what is left (an index and a time) names no one.
- ``credentials``: the latest signed credential of each certificate (the VC-JWT handed out on the
  verify page), the rep id it belongs to and when it was signed. It holds the salted hash of the rep's
  e-mail address, not the address; ``forget`` deletes it with the certificate."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from generator.store.core import BatchingStore, Transaction
from generator.store.exams import CERTIFICATE_COLUMNS, certificate_from_row
from generator.certification.certificates import Certificate
from generator.errors import PartnerkitError
from generator.store.feature import Migration, StoreFeature


FEATURE = StoreFeature(
    name="credentials",
    migrations=(
        Migration(6, """
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
    """),
    ),
    forgotten_tables=("credentials",),
)
"""This feature's migrations (steps of the one numbered list) and the tables ``forget`` empties of a rep."""


@dataclass(frozen=True)
class StatusRow:
    """One index of the revocation list and what decides its bit."""

    index: int
    revoked_at: str | None
    """When it was revoked (ISO time), None while it is not."""
    partner: str | None
    """The certificate's partner and rep ids, and its recertification deadline (None once forgotten)."""
    rep: str | None
    recertify_by: str | None


def status_index(db: Transaction, certificate: str, size: int) -> int:
    """The certificate's index in the revocation list, given out now if it has none: a random free one
    (indices in order would tell how many certificates were issued, and when)."""
    rows = db.rows("SELECT status_index FROM credential_status WHERE certificate = ?", (certificate,))
    if rows:
        return rows[0][0]
    used = db.rows("SELECT COUNT(*) FROM credential_status")[0][0]
    if used >= size:
        raise PartnerkitError("the revocation list is full")
    while True:
        index = secrets.randbelow(size)
        if not db.rows("SELECT 1 FROM credential_status WHERE status_index = ?", (index,)):
            db.execute("INSERT INTO credential_status (status_index, certificate) VALUES (?, ?)", (index, certificate))
            return index


def save_credential(db: Transaction, certificate: str, rep: str, issued_at: str, signed: str) -> None:
    """Keep the certificate's newest credential (a renewal replaces the one before)."""
    db.execute("INSERT INTO credentials (certificate, rep, issued_at, jwt) VALUES (?, ?, ?, ?)"
               " ON CONFLICT (certificate) DO UPDATE SET rep = excluded.rep, issued_at = excluded.issued_at,"
               " jwt = excluded.jwt", (certificate, rep, issued_at, signed))


def revoke_certificate(db: Transaction, certificate: str, now: str, size: int) -> str | None:
    """Revoke the certificate's status entry (given out now if it had none) as of ``now``; returns when
    it was revoked (earlier, if it was already), or None when no certificate has that id."""
    if not db.rows("SELECT 1 FROM certificates WHERE id = ?", (certificate,)):
        return None
    index = status_index(db, certificate, size)
    db.execute("UPDATE credential_status SET revoked_at = ? WHERE status_index = ? AND revoked_at IS NULL", (now, index))
    return db.rows("SELECT revoked_at FROM credential_status WHERE status_index = ?", (index,))[0][0]


def revoke_rep(db: Transaction, rep: str, now: str) -> int:
    """Revoke every status entry of the rep's certificates and unlink them (before ``forget`` deletes the
    certificates); returns how many entries."""
    return db.execute("UPDATE credential_status SET revoked_at = COALESCE(revoked_at, ?), certificate = NULL"
                      " WHERE certificate IN (SELECT id FROM certificates WHERE rep = ?)", (now, rep)).rowcount


def stored_credential(store: BatchingStore, certificate: str) -> str | None:
    """The certificate's newest signed credential, or None."""
    rows = store.query("SELECT jwt FROM credentials WHERE certificate = ?", (certificate,))
    return rows[0][0] if rows else None


def revoked_at(store: BatchingStore, certificate: str) -> str | None:
    """When the certificate was revoked, or None."""
    rows = store.query("SELECT revoked_at FROM credential_status WHERE certificate = ?", (certificate,))
    return rows[0][0] if rows else None


def revoked_certificates(store: BatchingStore) -> set[str]:
    """Ids of the certificates revoked with ``revoke-certificate`` (they no longer count towards tiers)."""
    return {row[0] for row in store.query(
        "SELECT certificate FROM credential_status WHERE revoked_at IS NOT NULL AND certificate IS NOT NULL")}


def status_rows(store: BatchingStore) -> list[StatusRow]:
    """Every index given out, with its certificate's holder and recertification deadline."""
    return [StatusRow(*row) for row in store.query(
        "SELECT s.status_index, s.revoked_at, c.partner, c.rep, c.recertify_by FROM credential_status s"
        " LEFT JOIN certificates c ON c.id = s.certificate ORDER BY s.status_index")]


def certificate_in(db: Transaction, certificate: str) -> Certificate | None:
    """The certificate as the writer's transaction sees it (just issued or renewed)."""
    rows = db.rows(f"SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE id = ?", (certificate,))
    return certificate_from_row(rows[0]) if rows else None
