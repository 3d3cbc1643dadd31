"""``partnerkit backup`` while a real collector takes events and grades exams, and ``partnerkit restore``
into a fresh database: everything acknowledged before the backup began is there (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.store.database import PostgresStore
from tests.analytics.collector_processes import ENVIRONMENT, Reps, collector, stored, write_project

pytestmark = pytest.mark.integration


def partnerkit(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *arguments], cwd=cwd, capture_output=True, text=True, env=ENVIRONMENT)


def sqlite_query(path: Path):
    def query(sql: str) -> list[tuple]:
        with sqlite3.connect(path) as connection:
            return connection.execute(sql).fetchall()
    return query


def postgres_query(url: str):
    def query(sql: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(url) as connection:
            return connection.execute(sql).fetchall()
    return query


def back_up_under_load(project: Path, db: str | None, backup: Path) -> tuple[object, float]:
    """Reps use the collector; the backup runs in the middle. What was acknowledged, and when the backup began."""
    with collector(project, db) as (url, _):
        with Reps([url]) as reps:
            time.sleep(4)
            began = time.monotonic()
            made = partnerkit("backup", "-p", str(project), *(["--db", db] if db else []), "-o", str(backup), cwd=project.parent)
            assert made.returncode == 0, made.stderr
            time.sleep(2)
        acknowledged = reps.acknowledged
    assert made.stdout.startswith(f"Backed up to {backup.relative_to(project.parent)}"), made.stdout
    assert acknowledged.server_errors == []
    return acknowledged, began


def check_restored(acknowledged, began: float, query, label: str) -> None:
    before = acknowledged.before(began)
    views, attempts, certificates = stored(query)
    assert len(before.events) > 20 and len(before.attempts) > 3 and len(before.certificates) > 3, before
    assert set(before.events) <= views, "every event acknowledged before the backup began is in it"
    assert set(before.attempts) <= attempts and set(before.certificates) <= certificates
    print(f"\n{label}: acknowledged before the backup {len(before.events)} events, {len(before.attempts)} attempts,"
          f" {len(before.certificates)} certificates; restored {len(views)} events, {len(attempts)} attempts,"
          f" {len(certificates)} certificates (all acknowledged during the run: {len(acknowledged.events)} events)")


def test_sqlite_backup_while_collecting_and_restore(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project")
    backup = tmp_path / "backups/events.sqlite"
    acknowledged, began = back_up_under_load(project, None, backup)
    assert os.stat(backup).st_mode & 0o777 == 0o600, "a backup holds personal data: its owner's only"

    fresh = tmp_path / "fresh/events.sqlite"
    restored = partnerkit("restore", str(backup), "--db", str(fresh), cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith("Restored backups/events.sqlite: events ")
    check_restored(acknowledged, began, sqlite_query(fresh), "SQLite")
    assert sqlite_query(fresh)("PRAGMA integrity_check") == [("ok",)]

    again = partnerkit("restore", str(backup), "--db", str(fresh), cwd=tmp_path)
    assert (again.returncode, again.stderr) == (
        1, f"Error: {fresh} is not empty: stop the collectors and give --force to replace what it holds\n")
    forced = partnerkit("restore", str(backup), "--db", str(fresh), "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr


def test_postgres_backup_while_collecting_and_restore(tmp_path: Path, postgres_server: str, postgres_database: str) -> None:
    import psycopg

    project = write_project(tmp_path / "project")
    backup = tmp_path / "events.pgdump"
    acknowledged, began = back_up_under_load(project, postgres_database, backup)

    fresh = f"{postgres_server}/restored{os.getpid()}"
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE restored{os.getpid()}")
    PostgresStore(fresh).close()  # a collector started on it first: the schema, no rows
    restored = partnerkit("restore", str(backup), "--db", fresh, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    check_restored(acknowledged, began, postgres_query(fresh), "PostgreSQL")

    again = partnerkit("restore", str(backup), "--db", fresh, cwd=tmp_path)
    assert (again.returncode, again.stderr) == (
        1, "Error: the database is not empty: stop the collectors and give --force to replace what it holds\n")
    wrong_kind = partnerkit("restore", str(backup), "--db", str(tmp_path / "x.sqlite"), cwd=tmp_path)
    assert (wrong_kind.returncode, wrong_kind.stderr) == (
        1, f"Error: {backup} is a PostgreSQL backup: restore it into a postgresql://… database\n")


def test_restore_refuses_what_is_no_backup(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    result = partnerkit("restore", str(junk), "--db", str(tmp_path / "x.sqlite"), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        1, f"Error: {junk}: not a partnerkit backup (neither a SQLite database nor a pg_dump archive)\n")
