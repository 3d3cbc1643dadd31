"""SIGTERM to a real ``partnerkit collect`` while reps use it: it stops taking connections, finishes the
requests in flight and commits them: no acknowledged event, attempt or certificate is lost, no 5xx."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.analytics.collector_processes import Reps, start_collector, stop, stored, write_project

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_sigterm_under_load_loses_nothing_acknowledged(tmp_path: Path, database: str, request) -> None:
    project = write_project(tmp_path / "project")
    db = request.getfixturevalue("postgres_database") if database == "postgresql" else None
    url, server = start_collector(project, db)
    with Reps([url], threads=6) as reps:
        time.sleep(3)
        signalled = time.monotonic()
        output = stop(server)  # SIGTERM while the six reps keep sending
        time.sleep(0.5)
    acknowledged = reps.acknowledged
    in_flight = len(acknowledged.events) - len(acknowledged.before(signalled).events)
    assert server.returncode == -signal.SIGTERM and "Traceback" not in output, output
    assert acknowledged.server_errors == []
    if db:
        import psycopg

        def query(sql: str) -> list[tuple]:
            with psycopg.connect(db) as connection:
                return connection.execute(sql).fetchall()
    else:
        def query(sql: str) -> list[tuple]:
            with sqlite3.connect(project / "private/events.sqlite") as connection:
                return connection.execute(sql).fetchall()
    views, attempts, certificates = stored(query)
    print(f"\n{database}: acknowledged {len(acknowledged.events)} events, {len(acknowledged.attempts)} attempts,"
          f" {len(acknowledged.certificates)} certificates ({in_flight} events answered after the signal); stored {len(views)}, {len(attempts)}, {len(certificates)};"
          f" {acknowledged.refused} requests refused or cut after the signal (never acknowledged)")
    assert len(acknowledged.events) > 20 and acknowledged.certificates
    assert set(acknowledged.events) <= views and set(acknowledged.attempts) <= attempts
    assert set(acknowledged.certificates) <= certificates
