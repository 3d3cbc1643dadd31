"""A real collector: uvicorn serving the app on 127.0.0.1 with a SQLite store in a temporary folder."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
import threading
import time
from dataclasses import dataclass
from typing import Sequence
from pathlib import Path
from typing import Sequence

import pytest
import uvicorn
from starlette.routing import BaseRoute

from generator.collector.app import CollectorSettings, create_app
from generator.events import ContentIndex
from generator.store.core import BatchingStore
from generator.store.database import PostgresStore, SqliteStore
from generator.collector.exams import ExamService, exam_routes
from tests.conftest import require_tool

ORIGIN = "https://partners.example.com"
KEYS = {"k2": b"second-secret-0123456789", "k1": b"first-secret-0123456789"}
INDEX = ContentIndex(content={"home:index", "module:pricing", "path:sales-start", "talk:kickoff"}, versions={"2.3", "2.4"},
                     quizzes={"pricing-check"})


class Clock:
    """The collector's clock in tests: the real time when made, then moved by hand."""

    def __init__(self) -> None:
        self.at = time.time()

    def __call__(self) -> float:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += seconds


@dataclass
class RunningCollector:
    url: str
    store: BatchingStore
    settings: CollectorSettings | None = None

    def stored(self) -> list[tuple]:
        return self.store.query("SELECT type, content, version, partner, rep, engaged_ms, scroll FROM events ORDER BY id")

    def rejected(self) -> dict[str, int]:
        return dict(self.store.query("SELECT reason, SUM(count) FROM rejected GROUP BY reason"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL cluster on 127.0.0.1 (Debian's postgresql package, installed by scripts/setup)."""
    binaries = _postgres_bin()
    require_tool(binaries is not None, "PostgreSQL", "apt-get install postgresql")
    folder = Path(tempfile.mkdtemp(prefix="partnerkit-pg-"))  # pytest's own folders are closed to the postgres user
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    subprocess.run(_as_postgres([str(binaries / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "partnerkit",
                                 "--no-sync"]), check=True, capture_output=True)
    subprocess.run(_as_postgres([str(binaries / "pg_ctl"), "-D", str(folder / "data"), "-w", "-l", str(folder / "log"),
                                 "-o", f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=on", "start"]), check=True, capture_output=True)
    yield f"postgresql://partnerkit@127.0.0.1:{port}"
    subprocess.run(_as_postgres([str(binaries / "pg_ctl"), "-D", str(folder / "data"), "-m", "fast", "stop"]), capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_database(postgres_server) -> str:
    """The URL of a fresh, empty database on the throwaway server."""
    import psycopg

    name = f"t{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return f"{postgres_server}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def make_store(request, tmp_path: Path):
    """``make()`` opens a store on a fresh, empty database (the same one on every call), once on SQLite
    and once on PostgreSQL: the same tests run on both."""
    opened: list[BatchingStore] = []

    def make(**options) -> BatchingStore:
        """A store on the same database each time it is called (options: retention_days, today)."""
        if request.param == "sqlite":
            store: BatchingStore = SqliteStore(tmp_path / "events.sqlite", **options)
        else:
            store = PostgresStore(opened[0].url if opened else request.getfixturevalue("postgres_database"), **options)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@contextlib.contextmanager
def running_collector(settings: CollectorSettings, database: Path | BatchingStore, port: int | None = None,
                      exams: ExamService | None = None, routes: Sequence[BaseRoute] = ()):
    """The collector app served by uvicorn on 127.0.0.1 in a thread, until the block ends; with
    ``exams`` (whose store is replaced by this one) it grades exams too; ``routes`` are served besides."""
    store = database if isinstance(database, BatchingStore) else SqliteStore(database)
    port = port or free_port()
    routes = list(routes)
    if exams is not None:
        exams.store = store
        exams.apply_recertification()
        routes += exam_routes(settings, exams)
    server = uvicorn.Server(uvicorn.Config(create_app(settings, store, routes), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "collector did not start"
    try:
        yield RunningCollector(f"http://127.0.0.1:{port}", store, settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()


@pytest.fixture
def collector(make_store):
    with running_collector(CollectorSettings(INDEX, [ORIGIN], KEYS, clock=Clock()), make_store()) as running:
        yield running
