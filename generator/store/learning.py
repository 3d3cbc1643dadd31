"""The store's learner-record tables: every SQL statement on ``learning_modules`` and
``learning_quizzes`` and their row types.

- ``learning_modules``: per rep and module id, whether it is done now, when that last changed (the
  time on the rep's device when they pressed the button, milliseconds since 1970) and the release
  page it was pressed on. The latest change wins: a change older than the stored one is ignored, so
  two devices syncing in any order end in the same state.
- ``learning_quizzes``: per rep and practice quiz, the best score and when it was first passed.

Rows not changed for ``analytics.learning_record_days`` are deleted (:func:`prune`); ``forget``
deletes a rep's rows (both tables are in ``FORGOTTEN_TABLES``)."""

from __future__ import annotations

from dataclasses import dataclass

from generator.store.core import BatchingStore, Transaction
from generator.store.feature import Migration, StoreFeature


FEATURE = StoreFeature(
    name="learning",
    migrations=(
        Migration(11, """
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
    """),
    ),
    forgotten_tables=("learning_modules", "learning_quizzes"),
)
"""This feature's migrations (steps of the one numbered list) and the tables ``forget`` empties of a rep."""


@dataclass(frozen=True)
class ModuleState:
    module: str
    done: bool
    changed_at: int
    version: str


@dataclass(frozen=True)
class QuizBest:
    quiz: str
    best_score: int
    passed_at: int | None
    changed_at: int


@dataclass(frozen=True)
class RecordRow:
    """One rep's module row, as the report reads every rep's record."""

    partner: str
    rep: str
    module: str
    done: bool
    changed_at: int
    version: str


@dataclass(frozen=True)
class QuizRow:
    partner: str
    rep: str
    quiz: str
    best_score: int
    passed_at: int | None


def set_module(db: Transaction, partner: str, rep: str, module: str, done: bool, at: int, version: str) -> bool:
    """Record a change unless a later (or equally late) one is stored; True if it was stored."""
    return db.execute(
        "INSERT INTO learning_modules (partner, rep, module, done, changed_at, version) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (partner, rep, module) DO UPDATE SET done = excluded.done, changed_at = excluded.changed_at,"
        " version = excluded.version WHERE learning_modules.changed_at < excluded.changed_at",
        (partner, rep, module, int(done), at, version)).rowcount == 1


def set_quiz(db: Transaction, partner: str, rep: str, quiz: str, score: int, passed: bool, at: int) -> None:
    """Keep the best score, and the earliest time the quiz was passed."""
    db.execute(
        "INSERT INTO learning_quizzes (partner, rep, quiz, best_score, passed_at, changed_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (partner, rep, quiz) DO UPDATE SET"
        " best_score = CASE WHEN excluded.best_score > learning_quizzes.best_score THEN excluded.best_score"
        " ELSE learning_quizzes.best_score END,"
        " passed_at = CASE WHEN learning_quizzes.passed_at IS NULL OR excluded.passed_at < learning_quizzes.passed_at"
        " THEN COALESCE(excluded.passed_at, learning_quizzes.passed_at) ELSE learning_quizzes.passed_at END,"
        " changed_at = excluded.changed_at",
        (partner, rep, quiz, score, at if passed else None, at))


def modules_of(db: Transaction, partner: str, rep: str) -> list[ModuleState]:
    return [ModuleState(module, bool(done), changed_at, version) for module, done, changed_at, version in db.rows(
        "SELECT module, done, changed_at, version FROM learning_modules WHERE partner = ? AND rep = ? ORDER BY module",
        (partner, rep))]


def quizzes_of(db: Transaction, partner: str, rep: str) -> list[QuizBest]:
    return [QuizBest(*row) for row in db.rows(
        "SELECT quiz, best_score, passed_at, changed_at FROM learning_quizzes WHERE partner = ? AND rep = ? ORDER BY quiz",
        (partner, rep))]


def prune(db: Transaction, before: int) -> int:
    """Delete record rows not changed since ``before`` (milliseconds); return how many."""
    removed = db.execute("DELETE FROM learning_modules WHERE changed_at < ?", (before,)).rowcount
    return removed + db.execute("DELETE FROM learning_quizzes WHERE changed_at < ?", (before,)).rowcount


def all_modules(store: BatchingStore) -> list[RecordRow]:
    """Every rep's module rows (reports)."""
    return [RecordRow(partner, rep, module, bool(done), changed_at, version) for partner, rep, module, done, changed_at, version
            in store.query("SELECT partner, rep, module, done, changed_at, version FROM learning_modules")]


def all_quizzes(store: BatchingStore) -> list[QuizRow]:
    return [QuizRow(*row) for row in store.query("SELECT partner, rep, quiz, best_score, passed_at FROM learning_quizzes")]
