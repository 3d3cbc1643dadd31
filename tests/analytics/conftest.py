"""A real collector: uvicorn serving the app on 127.0.0.1 with a SQLite store in a temporary folder."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from generator.analytics.collector import CollectorSettings, create_app
from generator.analytics.store import SqliteStore

ORIGIN = "https://partners.example.com"
KEYS = {"k2": b"second-secret-0123456789", "k1": b"first-secret-0123456789"}
CONTENT = frozenset({"home:index", "module:pricing", "path:sales-start", "talk:kickoff"})


@dataclass
class RunningCollector:
    url: str
    store: SqliteStore

    def stored(self) -> list[tuple]:
        return self.store.query("SELECT type, content, version, partner, rep, engaged_ms, scroll FROM events ORDER BY id")

    def rejected(self) -> dict[str, int]:
        return dict(self.store.query("SELECT reason, SUM(count) FROM rejected GROUP BY reason"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_collector(settings: CollectorSettings, database: Path, port: int | None = None):
    """The collector app served by uvicorn on 127.0.0.1 in a thread, until the block ends."""
    store = SqliteStore(database)
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, store), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "collector did not start"
    try:
        yield RunningCollector(f"http://127.0.0.1:{port}", store)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()


@pytest.fixture
def collector(tmp_path: Path):
    with running_collector(CollectorSettings(CONTENT, [ORIGIN], KEYS), tmp_path / "events.sqlite") as running:
        yield running
