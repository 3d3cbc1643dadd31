"""Four ``partnerkit collect`` processes on one PostgreSQL database: the rate limits per rep and per
client address hold in total, not four times over."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.analytics.collector_processes import HEADERS, start_collector, stop, token, write_project

pytestmark = pytest.mark.integration

PER_REP, PER_ADDRESS = 30, 60


def view(rep: str | None, number: int) -> dict:
    body = {"type": "view", "content": "module:pricing", "view": f"v{number}x{time.time_ns()}", "at": int(time.time() * 1000)}
    return {**body, "token": token(rep)} if rep else body


def send_all(urls: list[str], bodies: list[dict]) -> list[int]:
    """POST every body, spread over the collectors in turn, eight at a time."""
    def send(numbered: tuple[int, dict]) -> int:
        number, body = numbered
        return httpx.post(f"{urls[number % len(urls)]}/e", json=body, headers=HEADERS, timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(send, enumerate(bodies)))


def test_four_collectors_share_the_limits(tmp_path: Path, postgres_database: str) -> None:
    project = write_project(tmp_path, per_rep=PER_REP, per_address=PER_ADDRESS)
    started = [start_collector(project, postgres_database) for _ in range(4)]
    urls = [url for url, _ in started]
    try:
        began = time.monotonic()
        by_rep = send_all(urls, [view("rep-1", number) for number in range(120)])
        anonymous = send_all(urls, [view(None, number) for number in range(120)])
        elapsed = time.monotonic() - began
    finally:
        outputs = [stop(server) for _, server in started]
    assert "per address, shared by every collector on this database" in outputs[0]
    assert set(by_rep) | set(anonymous) == {204, 429}
    refill = elapsed / 60
    rep_accepted, address_accepted = by_rep.count(204), by_rep.count(204) + anonymous.count(204)
    print(f"\n4 collectors, {elapsed:.1f} s: rep-1 {rep_accepted} of 120 accepted (limit {PER_REP}/min),"
          f" the address {address_accepted} of 240 (limit {PER_ADDRESS}/min)")
    assert PER_REP <= rep_accepted <= PER_REP + PER_REP * refill + 1, "one rep's limit holds across the four"
    assert PER_ADDRESS <= address_accepted <= PER_ADDRESS + PER_ADDRESS * refill + 1, "one address's limit holds in total"

    import psycopg

    with psycopg.connect(postgres_database) as database:
        names = [row[0] for row in database.execute("SELECT bucket FROM rate_buckets")]
        stored = database.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    assert stored == address_accepted
    assert len(names) == 2 and not any("rep-1" in name or "127.0.0.1" in name for name in names), "keyed hashes only"
