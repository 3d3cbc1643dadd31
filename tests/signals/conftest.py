"""The collector in-process (Starlette's TestClient) over a SQLite store, for deal-signal tests."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from generator.events import ContentIndex, PageResource
from generator.identity import Rep, sign
from generator.store.database import SqliteStore
from generator.collector.app import CollectorSettings, create_app
from tests.analytics.conftest import KEYS, ORIGIN, Clock

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
ROI = "r0123456789ab"
INDEX = ContentIndex(content={"home:index", "module:pricing", "module:basics"}, stages={"module:pricing": ["pricing"]},
                     resources={"module:pricing": {ROI: PageResource(title="ROI calculator", stage="pricing")}})
ISSUED = date.today() - timedelta(days=30)


def token(partner: str = "acme", rep: str = "rep-7") -> str:
    return sign(Rep(partner, rep, ISSUED), KEYS)


def event(**fields) -> dict:
    base = {"type": "view", "content": "module:pricing", "view": "v0123456789", "at": int(time.time() * 1000)}
    base.update(fields)
    return base


class Collector:
    def __init__(self, tmp_path: Path, routes=()):
        self.clock = Clock()
        self.settings = CollectorSettings(INDEX, [ORIGIN], KEYS, clock=self.clock)
        self.store = SqliteStore(tmp_path / "events.sqlite")
        self.client = TestClient(create_app(self.settings, self.store, routes(self.settings, self.store) if routes else ()))

    def post(self, path: str, body, origin: str = ORIGIN, **headers):
        import json

        return self.client.post(path, content=json.dumps(body), headers={
            "content-type": "text/plain", "user-agent": BROWSER, "origin": origin, **headers})

    def rejected(self) -> dict[str, int]:
        return dict(self.store.query("SELECT reason, SUM(count) FROM rejected GROUP BY reason"))

    def downloads(self) -> list[tuple]:
        return self.store.query("SELECT content, target, partner, rep FROM events WHERE type = 'download' ORDER BY id")


@pytest.fixture
def collector(tmp_path: Path):
    running = Collector(tmp_path)
    yield running
    running.client.close()
    running.store.close()
