"""The store's features: each declares its tables, its migrations (with their step in the one numbered
list every database records) and what ``forget`` empties; a database made before the features were
told apart opens, migrates and restores as before."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from generator.store import backup
from generator.store.database import FEATURES, FORGOTTEN_TABLES, MIGRATIONS, SqliteStore
from generator.store.feature import Migration, StoreFeature, forgotten_tables, ordered_migrations

pytestmark = pytest.mark.unit

OLD_MIGRATIONS = [  # the one list of main before the store was split into features, verbatim
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
    # worklists: cases, steps, ticks, notes (generator/store/worklists.py says what and why)
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
    # credentials: status list entries and signed credentials (generator/store/credentials.py)
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
    # notifications: the sent log and one-click unsubscriptions (generator/store/notifications.py)
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
    # xAPI statements for a Learning Record Store (generator/store/lrs.py)
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
    # rate limits shared by collector processes on PostgreSQL (generator/store/rates.py)
    """
    CREATE TABLE rate_buckets (
        bucket TEXT PRIMARY KEY,
        level DOUBLE PRECISION NOT NULL,
        at DOUBLE PRECISION NOT NULL
    );
    """,
    # learner record: modules done per rep, practice-quiz best scores (generator/store/learning.py)
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
OLD_FORGOTTEN_TABLES = ("events", "views", "daily", "quiz_daily", "exam_attempts", "certificates", "credentials",
                        "worklist_ticks", "worklist_notes", "notifications_sent", "notifications_unsubscribed",
                        "signals_raised", "help_requests", "lrs_outbox", "learning_modules", "learning_quizzes")


def old_database(path: Path, steps: int) -> None:
    """A SQLite database as the code before the split left it after its first ``steps`` migrations."""
    database = sqlite3.connect(path, isolation_level=None)
    database.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
    for number, script in enumerate(OLD_MIGRATIONS[:steps], start=1):
        for statement in filter(str.strip, script.format(serial="INTEGER PRIMARY KEY", without_rowid=" WITHOUT ROWID").split(";")):
            database.execute(statement)
        database.execute("INSERT INTO schema_migrations (version) VALUES (?)", (number,))
    database.execute("INSERT INTO events (received_day, type, content, version, view, partner, rep, engaged_ms, scroll)"
                     " VALUES ('2026-11-20', 'view', 'module:pricing', '', 'v0123456789', 'acme', 'rep-1', 0, 0)")
    database.close()


def schema(path: Path) -> list[tuple]:
    database = sqlite3.connect(path)
    try:
        return database.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()
    finally:
        database.close()


def test_the_features_give_back_the_one_numbered_list_and_the_forget_order():
    assert MIGRATIONS == OLD_MIGRATIONS
    assert FORGOTTEN_TABLES == OLD_FORGOTTEN_TABLES
    assert [feature.name for feature in FEATURES] == ["views", "exams", "credentials", "worklists", "notifications",
                                                      "signals", "lrs", "rates", "learning"]


@pytest.mark.parametrize("steps", [len(OLD_MIGRATIONS), 7, 1])
def test_a_database_made_before_the_split_opens_and_migrates(tmp_path: Path, steps: int):
    old_database(tmp_path / "old.sqlite", steps)
    SqliteStore(tmp_path / "new.sqlite").close()
    store = SqliteStore(tmp_path / "old.sqlite")
    try:
        assert store.query("SELECT version FROM schema_migrations ORDER BY version") == [
            (step,) for step in range(1, len(MIGRATIONS) + 1)]
        assert store.query("SELECT rep, content FROM events") == [("rep-1", "module:pricing")]
        assert store.forget("rep-1")["events"] == 1
    finally:
        store.close()
    if steps == len(OLD_MIGRATIONS):  # nothing ran: the schema is the one a new database gets
        assert schema(tmp_path / "old.sqlite") == schema(tmp_path / "new.sqlite")


def test_a_backup_of_a_database_made_before_the_split_restores(tmp_path: Path):
    old_database(tmp_path / "old.sqlite", len(OLD_MIGRATIONS))
    assert backup.backup(str(tmp_path / "old.sqlite"), tmp_path / "old.backup") == {
        "events": 1, "exam_attempts": 0, "certificates": 0}
    assert backup.restore(tmp_path / "old.backup", str(tmp_path / "restored.sqlite"))["events"] == 1
    store = SqliteStore(tmp_path / "restored.sqlite")
    try:
        assert store.query("SELECT COUNT(*) FROM schema_migrations") == [(len(MIGRATIONS),)]
        assert store.query("SELECT rep FROM events") == [("rep-1",)]
    finally:
        store.close()


def feature(name: str, *steps: int, script: str = "CREATE TABLE t{step} (rep TEXT);", forgets: tuple = ()) -> StoreFeature:
    return StoreFeature(name, tuple(Migration(step, script.format(step=step)) for step in steps), forgets)


def test_a_gap_or_a_step_declared_twice_is_refused():
    assert ordered_migrations([feature("b", 2), feature("a", 1, 3)]) == [
        "CREATE TABLE t1 (rep TEXT);", "CREATE TABLE t2 (rep TEXT);", "CREATE TABLE t3 (rep TEXT);"]
    with pytest.raises(ValueError, match="^migration 2 is declared by a and b$"):
        ordered_migrations([feature("a", 1, 2), feature("b", 2)])
    with pytest.raises(ValueError, match="^migration 2 is declared by no feature$"):
        ordered_migrations([feature("a", 1), feature("b", 3)])


def test_a_table_created_by_two_features_or_forgotten_by_another_is_refused():
    assert forgotten_tables([feature("a", 1, forgets=("t1",)), feature("b", 2, forgets=("t2",))]) == ("t1", "t2")
    with pytest.raises(ValueError, match="^table t1 is created by a and b$"):
        forgotten_tables([feature("a", 1), feature("b", 1)])
    with pytest.raises(ValueError, match="^b forgets table t1, which it does not create$"):
        forgotten_tables([feature("a", 1), feature("b", 2, forgets=("t1",))])
