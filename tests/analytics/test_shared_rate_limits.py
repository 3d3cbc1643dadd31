"""Four ``partnerkit collect`` processes on one PostgreSQL database behind nginx (``partnerkit deploy
nginx --collector …`` four times, round robin): the rate limits per rep and per client address hold in
total, not four times over."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.analytics.collector_processes import ORIGIN, start_collector, stop, token, write_project
from tests.analytics.conftest import free_port
from tests.analytics.nginx_proxy import behind_nginx, client

pytestmark = pytest.mark.integration

PER_REP, PER_ADDRESS = 30, 60
COLLECTOR_HOST = "collect.example.com"
"""``analytics.endpoint``'s host in the test project."""


def view(rep: str | None, number: int) -> dict:
    body = {"type": "view", "content": "module:pricing", "view": f"v{number}x{time.time_ns()}", "at": int(time.time() * 1000)}
    return {**body, "token": token(rep)} if rep else body


def send_all(proxy: dict, local_address: str, bodies: list[dict]) -> list[int]:
    """POST every body through nginx from ``local_address``, eight at a time (a client per thread)."""
    clients = threading.local()
    opened: list[httpx.Client] = []

    def send(body: dict) -> int:
        if not hasattr(clients, "client"):
            clients.client = client(proxy, COLLECTOR_HOST, local_address, ORIGIN)
            opened.append(clients.client)
        return clients.client.post("/e", json=body).status_code

    try:
        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(send, bodies))
    finally:
        for each in opened:
            each.close()


def requests_answered(metrics_port: int) -> float:
    """How many POST /e one collector answered, from its metrics."""
    lines = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics").text.splitlines()
    return sum(float(line.split()[-1]) for line in lines if line.startswith('partnerkit_requests_total{route="/e"'))


def test_four_collectors_behind_nginx_share_the_limits(tmp_path: Path, postgres_database: str) -> None:
    project = write_project(tmp_path / "project", per_rep=PER_REP, per_address=PER_ADDRESS)
    ports, metrics = [free_port() for _ in range(4)], [free_port() for _ in range(4)]
    started = [start_collector(project, postgres_database, port, "--metrics", f"127.0.0.1:{metrics_port}")
               for port, metrics_port in zip(ports, metrics)]
    try:
        with behind_nginx(tmp_path, project, ports) as proxy:
            began = time.monotonic()
            by_rep = send_all(proxy, "127.0.0.2", [view("rep-1", number) for number in range(120)])
            anonymous = send_all(proxy, "127.0.0.2", [view(None, number) for number in range(120)])
            elapsed = time.monotonic() - began
            elsewhere = send_all(proxy, "127.0.0.3", [view(None, number) for number in range(10)])
        shares = [requests_answered(port) for port in metrics]
    finally:
        outputs = [stop(server) for _, server in started]
    assert "per address, shared by every collector on this database" in outputs[0]
    assert sum(shares) == 250 and min(shares) >= 20, f"nginx spreads the requests over the four: {shares}"
    assert set(by_rep) | set(anonymous) == {204, 429}
    assert elsewhere == [204] * 10, "another client address has a limit of its own"
    refill = elapsed / 60
    rep_accepted, address_accepted = by_rep.count(204), by_rep.count(204) + anonymous.count(204)
    print(f"\n4 collectors behind nginx, {elapsed:.1f} s: rep-1 {rep_accepted} of 120 accepted (limit {PER_REP}/min),"
          f" the address {address_accepted} of 240 (limit {PER_ADDRESS}/min)")
    assert PER_REP <= rep_accepted <= PER_REP + PER_REP * refill + 1, "one rep's limit holds across the four"
    assert PER_ADDRESS <= address_accepted <= PER_ADDRESS + PER_ADDRESS * refill + 1, "one address's limit holds in total"

    import psycopg

    with psycopg.connect(postgres_database) as database:
        names = [row[0] for row in database.execute("SELECT bucket FROM rate_buckets")]
        stored = database.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    assert stored == address_accepted + len(elsewhere)
    assert len(names) == 3 and not any("rep-1" in name or "127.0.0" in name for name in names), "keyed hashes only"


def test_shared_buckets_spend_from_both_or_neither_and_refill(postgres_database: str) -> None:
    from generator.store.database import PostgresStore
    from generator.store.rates import PostgresRateBuckets

    PostgresStore(postgres_database).close()  # the schema
    one, other = PostgresRateBuckets(postgres_database, b"k" * 32), PostgresRateBuckets(postgres_database, b"k" * 32)
    try:
        assert one.take([("rep:acme/rep-1", 10), ("address:192.0.2.1", 5)], 5)
        assert not other.take([("rep:acme/rep-1", 10), ("address:192.0.2.1", 5)], 1), "the address is spent, in both"
        assert other.take([("rep:acme/rep-1", 10), ("address:192.0.2.2", 5)], 5), "the rep's bucket was not spent by the refusal"
        assert not one.take([("rep:acme/rep-1", 10)], 1)
        assert not one.take([("address:192.0.2.3", 5)], 6), "more than a minute's worth at once"
        import psycopg

        with psycopg.connect(postgres_database, autocommit=True) as database:
            database.execute("UPDATE rate_buckets SET at = at - 30")  # half a minute later
        assert one.take([("rep:acme/rep-1", 10)], 5) and not one.take([("rep:acme/rep-1", 10)], 1), "refilled at 10 a minute"
    finally:
        one.close()
        other.close()
