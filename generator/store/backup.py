"""Backups of the store while collectors run, and restores into an empty database.

SQLite: the online backup API copies a consistent snapshot (one read transaction; the collectors'
writes go on in the write-ahead log) into one self-contained file. PostgreSQL: ``pg_dump`` in its
custom format, restored with ``pg_restore`` in one transaction. A backup holds personal data: it is
written readable by its owner only."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from generator.store.database import MIGRATIONS, database_kind, sqlite_path
from generator.errors import PartnerkitError

COUNTED = ("events", "exam_attempts", "certificates")
"""Tables whose rows a backup or restore reports (the evidence behind reports and certificates)."""

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


def backup_kind(path: Path) -> str:
    """``sqlite`` or ``postgresql``: what a backup file holds, from its first bytes."""
    with path.open("rb") as file:
        start = file.read(len(SQLITE_HEADER))
    if start == SQLITE_HEADER:
        return "sqlite"
    if start.startswith(PG_DUMP_HEADER):
        return "postgresql"
    raise PartnerkitError(f"{path}: not a partnerkit backup (neither a SQLite database nor a pg_dump archive)")


def _private_file(path: Path) -> Path:
    """A new temporary file beside ``path``, readable and writable by its owner only."""
    temporary = path.with_name(f".{path.name}.partial")
    temporary.unlink(missing_ok=True)
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return temporary


def _sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    return {table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in COUNTED}


def backup(location: str, output: Path) -> dict[str, int] | None:
    """Copy the database at ``location`` to ``output`` (replaced only once the copy is complete);
    the rows counted in it (SQLite), None for PostgreSQL."""
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = _private_file(output)
    try:
        if database_kind(location) == "postgresql":
            _run_tool("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={temporary}", location)
            counts = None
        else:
            source_path = sqlite_path(location)
            if not source_path.is_file():
                raise PartnerkitError(f"{source_path} not found: nothing to back up")
            source = sqlite3.connect(source_path)
            target = sqlite3.connect(temporary)
            try:
                source.execute("PRAGMA busy_timeout=10000")
                source.backup(target)  # one step: a snapshot as of one moment, collectors writing beside it
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                counts = _sqlite_counts(target)
            finally:
                target.close()
                source.close()
        temporary.replace(output)
        return counts
    finally:
        temporary.unlink(missing_ok=True)


def _run_tool(tool: str, *arguments: str) -> None:
    if shutil.which(tool) is None:
        raise PartnerkitError(f"{tool} not found: install PostgreSQL's client programs (Debian: postgresql-client)")
    done = subprocess.run([tool, *arguments], capture_output=True, text=True)
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise PartnerkitError(f"{tool} failed: {message}")


def restore(backup_file: Path, location: str, overwrite: bool = False) -> dict[str, int]:
    """Restore ``backup_file`` into the database at ``location``; refused if that database holds any
    row unless ``overwrite``. Returns the rows counted in the restored database."""
    kind = backup_kind(backup_file)
    target_kind = database_kind(location)
    if kind != target_kind:
        raise PartnerkitError(f"{backup_file} is a {'PostgreSQL' if kind == 'postgresql' else 'SQLite'} backup:"
                              f" restore it into a {'postgresql://… database' if kind == 'postgresql' else 'SQLite file'}")
    if kind == "sqlite":
        return _restore_sqlite(backup_file, sqlite_path(location), overwrite)
    return _restore_postgres(backup_file, location, overwrite)


def _check_sqlite_backup(connection: sqlite3.Connection, backup_file: Path) -> None:
    try:
        versions = [row[0] for row in connection.execute("SELECT version FROM schema_migrations")]
    except sqlite3.DatabaseError:
        raise PartnerkitError(f"{backup_file}: not a partnerkit backup (no schema_migrations table)") from None
    if max(versions, default=0) > len(MIGRATIONS):
        raise PartnerkitError(f"{backup_file} was made by a newer partnerkit: upgrade partnerkit, then restore")


def _sqlite_rows(connection: sqlite3.Connection) -> int:
    tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return sum(connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
               for table in tables if table != "schema_migrations")


def _restore_sqlite(backup_file: Path, path: Path, overwrite: bool) -> dict[str, int]:
    source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        _check_sqlite_backup(source, backup_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(path)
        try:
            target.execute("PRAGMA busy_timeout=10000")
            if not overwrite and _sqlite_rows(target):
                raise PartnerkitError(f"{path} is not empty: stop the collectors and give --force to replace what it holds")
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
            return _sqlite_counts(target)
        finally:
            target.close()
    finally:
        source.close()


def _restore_postgres(backup_file: Path, url: str, overwrite: bool) -> dict[str, int]:
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as connection:
            tables = [row[0] for row in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")]
            rows = sum(connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
                       for table in tables if table != "schema_migrations")
    except psycopg.OperationalError as exc:
        raise PartnerkitError(f"cannot connect to PostgreSQL: {str(exc).strip().splitlines()[0]}") from None
    if rows and not overwrite:
        raise PartnerkitError("the database is not empty: stop the collectors and give --force to replace what it holds")
    _run_tool("pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", f"--dbname={url}", str(backup_file))
    with psycopg.connect(url, autocommit=True) as connection:
        return {table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in COUNTED}
