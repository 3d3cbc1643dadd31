"""The store's exam tables: every SQL statement on ``exam_attempts`` and ``certificates`` and their
row types (what the tables hold, and why: :mod:`generator.store.database`).

Writes take the writer's open :class:`~generator.store.core.Transaction`; reads beside the writer
take the :class:`~generator.store.core.BatchingStore`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from generator.store.core import BatchingStore, Transaction
from generator.certification.certificates import Certificate
from generator.store.feature import Migration, StoreFeature


FEATURE = StoreFeature(
    name="exams",
    migrations=(
        Migration(3, """
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
    """),
    ),
    forgotten_tables=("exam_attempts", "certificates"),
)
"""This feature's migrations (steps of the one numbered list) and the tables ``forget`` empties of a rep."""

CERTIFICATE_COLUMNS = "id, partner, rep, exam, title, role, level, version, issued, expires, recertify_by"
"""Columns of the ``certificates`` table, in the order of :class:`Certificate`'s fields."""


@dataclass(frozen=True)
class Attempt:
    """One row of ``exam_attempts`` as starting an attempt reads it (times as ISO text)."""

    id: str
    started_at: str
    deadline: str | None
    questions: str
    """The questions drawn, as JSON."""
    submitted_at: str | None
    passed: int | None


@dataclass(frozen=True)
class OpenAttempt:
    """One row of ``exam_attempts`` as grading it reads it."""

    version: str
    deadline: str | None
    questions: str
    submitted_at: str | None


def certificate_from_row(row: tuple) -> Certificate:
    """A :class:`Certificate` from a row selected with :data:`CERTIFICATE_COLUMNS` (days as ISO text)."""
    *fields, issued, expires, recertify_by = row
    return Certificate(*fields, date.fromisoformat(issued), date.fromisoformat(expires),
                       date.fromisoformat(recertify_by) if recertify_by else None)


def attempts_of(db: Transaction, partner: str, rep: str, exam: str) -> list[Attempt]:
    """A rep's attempts at one exam, oldest first."""
    return [Attempt(*row) for row in db.rows(
        "SELECT id, started_at, deadline, questions, submitted_at, passed FROM exam_attempts"
        " WHERE partner = ? AND rep = ? AND exam = ? ORDER BY started_at", (partner, rep, exam))]


def add_attempt(db: Transaction, attempt: str, exam: str, version: str, partner: str, rep: str, started_at: str,
                deadline: str | None, questions: str) -> None:
    db.execute("INSERT INTO exam_attempts (id, exam, version, partner, rep, started_at, deadline, questions)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (attempt, exam, version, partner, rep, started_at, deadline, questions))


def attempt_to_grade(db: Transaction, attempt: str, partner: str, rep: str, exam: str) -> OpenAttempt | None:
    rows = db.rows("SELECT version, deadline, questions, submitted_at FROM exam_attempts"
                   " WHERE id = ? AND partner = ? AND rep = ? AND exam = ?", (attempt, partner, rep, exam))
    return OpenAttempt(*rows[0]) if rows else None


def record_grade(db: Transaction, attempt: str, submitted_at: str, answers: str, score: int, passed: bool) -> None:
    db.execute("UPDATE exam_attempts SET submitted_at = ?, answers = ?, score = ?, passed = ? WHERE id = ?",
               (submitted_at, answers, score, int(passed), attempt))


def certificate_id(db: Transaction, partner: str, rep: str, exam: str) -> str | None:
    """The id of the rep's certificate for ``exam``, if they have one."""
    rows = db.rows("SELECT id FROM certificates WHERE partner = ? AND rep = ? AND exam = ?", (partner, rep, exam))
    return rows[0][0] if rows else None


def certificates_of(db: Transaction, partner: str, rep: str) -> list[Certificate]:
    """A rep's certificates (read inside the writer's transaction)."""
    return [certificate_from_row(row) for row in db.rows(
        f"SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE partner = ? AND rep = ? ORDER BY exam", (partner, rep))]


def renew_certificate(db: Transaction, certificate: Certificate) -> None:
    """Store a renewed certificate: the rep's existing one (its id) passed again, with the exam's title,
    role and level as they are now, the release passed in and new issue and expiry days; any
    recertification deadline is met."""
    db.execute("UPDATE certificates SET title = ?, role = ?, level = ?, version = ?, issued = ?, expires = ?,"
               " recertify_by = NULL WHERE id = ?",
               (certificate.title, certificate.role, certificate.level, certificate.version, certificate.issued.isoformat(),
                certificate.expires.isoformat(), certificate.id))


def add_certificate(db: Transaction, certificate: Certificate) -> None:
    """Store a newly issued certificate (a rep's first for its exam)."""
    db.execute(f"INSERT INTO certificates ({CERTIFICATE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (certificate.id, certificate.partner, certificate.rep, certificate.exam, certificate.title, certificate.role,
                certificate.level, certificate.version, certificate.issued.isoformat(), certificate.expires.isoformat(),
                certificate.recertify_by.isoformat() if certificate.recertify_by else None))


def mark_recertification(db: Transaction, exam: str, release: str, by: str) -> int:
    """Ask holders of ``exam`` passed in ``release`` to pass it again by ``by`` (unless an earlier
    deadline is set); return how many certificates changed."""
    return db.execute("UPDATE certificates SET recertify_by = ? WHERE exam = ? AND version = ?"
                      " AND (recertify_by IS NULL OR recertify_by > ?)", (by, exam, release, by)).rowcount


def certificate(store: BatchingStore, ident: str) -> Certificate | None:
    rows = store.query(f"SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE id = ?", (ident,))
    return certificate_from_row(rows[0]) if rows else None


def all_certificates(store: BatchingStore) -> list[Certificate]:
    return [certificate_from_row(row) for row in store.query(f"SELECT {CERTIFICATE_COLUMNS} FROM certificates")]
