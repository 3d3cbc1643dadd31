"""Collector throughput beside a bare endpoint on the same server, and durability on loopback.

Starts the real collector (uvicorn, SQLite store, a roster of --reps reps, the default rate limits)
in a child process, and the anchor: a bare Starlette endpoint answering 204 on the same uvicorn, as
a user would start it. Then:
1. wrk (a C load generator) posts events for --seconds, in --rounds rounds that take the collector and
   the bare endpoint in turn (A B A B ..., the order alternating), each event a new view of one of the
   reps (signed tokens, round robin) from one of 1,000 client addresses (``X-Forwarded-For``, which the
   collector trusts from 127.0.0.1 as from a reverse proxy): accepted events/s and p50/p99 latency of
   both, and their ratio round by round. Goals: at least half the bare endpoint's throughput, p99 at
   most 10 ms. The events stored are counted against those wrk saw acknowledged: wrk stops with
   requests in flight, which the collector may store after wrk stopped counting, so "stored" can
   exceed "acknowledged" by up to the number of connections; those are neither acknowledged nor lost.
   wrk cannot say which events were acknowledged, so no loss is claimed from these counts;
2. a Python client (which knows each event it had acknowledged) loads the collector, which is killed
   with SIGKILL after 3 s and restarted: every event acknowledged with a 2xx must be in the database.
Also prints, first and with or without wrk, the size of the beacon with what it needs (pages.js, whose
helpers it uses and which every page that loads it loads), each file minified and gzipped as the site
serves it, against its goal: Plausible's script, 723 bytes, which needs nothing else; and beacon.js alone.

``--diagnose`` adds a third side to each round, for finding where the collector's time goes, never for
a goal: the same collector with its store's writes answered at once and nothing stored (no SQLite
statement, no commit), so the gap between it and the collector is the store's, and the gap between it
and the bare endpoint the request handling's (checks, parsing, the rep's token, rate limits).

Needs wrk: benchmarks/setup-collector installs it (apt-get install wrk). A Python client cannot load
the server fully (it measures itself), so without wrk this benchmark refuses to run.

    python benchmarks/collector.py [--seconds 20] [--rounds 2] [--clients 32] [--diagnose]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

BEACON = Path(__file__).resolve().parent.parent / "generator" / "assets" / "partnerkit" / "beacon.js"
BEACON_GOAL = 723
"""Plausible's script, gzipped (the smallest beacon of its kind we know of)."""
KEYS = {"bench": b"benchmark-secret-0123456789"}
SERVER = r"""
import sys, uvicorn
from pathlib import Path
from generator.collector.app import CollectorSettings, create_app
from generator.events import ContentIndex
from generator.identity import Roster
from generator.store.database import SqliteStore
roster = Path(sys.argv[3])
settings = CollectorSettings(ContentIndex(content={"module:pricing", "home:index"}), ["https://partners.example.com"],
                             {"bench": b"benchmark-secret-0123456789"}, roster=Roster(roster.parent, roster))
uvicorn.run(create_app(settings, SqliteStore(Path(sys.argv[1]))), host="127.0.0.1", port=int(sys.argv[2]),
            log_level="warning", access_log=False, forwarded_allow_ips=["127.0.0.1"])
"""
UNSTORED = SERVER.replace("uvicorn.run(create_app(settings, SqliteStore(Path(sys.argv[1])))", """import asyncio
store = SqliteStore(Path(sys.argv[1]))
def answered_unstored(events, max_engaged_ms=0):  # --diagnose: every write acknowledged at once, nothing stored
    done = asyncio.get_running_loop().create_future()
    done.set_result(len(events))
    return done
store.written = answered_unstored
uvicorn.run(create_app(settings, store)""")
"""``--diagnose``: the collector with its store's writes answered at once and nothing stored."""
assert UNSTORED != SERVER
BARE = r"""
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
async def event(request):
    await request.body()
    return Response(status_code=204)
async def health(request):
    return Response("ok")
uvicorn.run(Starlette(routes=[Route("/e", event, methods=["POST"]), Route("/health", health)]), host="127.0.0.1",
            port=int(sys.argv[2]), log_level="warning", access_log=False, forwarded_allow_ips=["127.0.0.1"])
"""
ADDRESSES = [f"198.51.{n // 250}.{n % 250 + 1}" for n in range(1000)]
"""Client addresses the load comes from (documentation ranges), as a reverse proxy would pass them on."""


def make_reps(work: Path, count: int) -> tuple[Path, list[str]]:
    """A roster of ``count`` reps and one fresh token each."""
    from datetime import datetime, timezone

    from generator.identity import Rep, sign

    roster = work / "roster.csv"
    rows = [f"p{n % 40},Partner {n % 40},rep-{n},Rep {n},rep{n}@example.com,sales,2026-01-01," for n in range(count)]
    roster.write_text("partner_id,partner_name,rep_id,name,email,role,joined,left\n" + "\n".join(rows) + "\n")
    now = datetime.now(timezone.utc)
    return roster, [sign(Rep(f"p{n % 40}", f"rep-{n}", now), KEYS) for n in range(count)]


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system, every thread) a process has used so far (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(database: Path, port: int, roster: Path, server: str = SERVER) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", server, str(database), str(port), str(roster)])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.05)
    raise SystemExit("collector did not start")


async def load(port: int, seconds: float, clients: int, prefix: str, tokens: list[str], stop_after: float | None = None,
               process: subprocess.Popen | None = None) -> tuple[set[str], list[float], int]:
    """Post single-event requests from ``clients`` workers; return acknowledged view ids and latencies."""
    acknowledged: set[str] = set()
    latencies: list[float] = []
    failures = 0
    deadline = time.monotonic() + seconds
    url = f"http://127.0.0.1:{port}/e"
    headers = {"content-type": "text/plain", "origin": "https://partners.example.com",
               "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"}

    async def worker(number: int, client: httpx.AsyncClient) -> None:
        nonlocal failures
        sent = 0
        while time.monotonic() < deadline:
            view = f"{prefix}{number:03d}x{sent:07d}"
            turn = number + sent * clients
            sent += 1
            body = json.dumps({"type": "view", "content": "module:pricing", "view": view, "at": int(time.time() * 1000),
                               "token": tokens[turn % len(tokens)]})
            started = time.perf_counter()
            try:
                response = await client.post(url, content=body,
                                             headers={**headers, "x-forwarded-for": ADDRESSES[turn % len(ADDRESSES)]})
            except httpx.HTTPError:
                failures += 1
                await asyncio.sleep(0.05)
                continue
            if response.status_code == 204:
                acknowledged.add(view)
                latencies.append(time.perf_counter() - started)
            else:
                failures += 1

    async def killer() -> None:
        if stop_after is not None and process is not None:
            await asyncio.sleep(stop_after)
            process.send_signal(signal.SIGKILL)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=5) as client:
        await asyncio.gather(killer(), *(worker(number, client) for number in range(clients)))
    return acknowledged, latencies, failures


WRK_SCRIPT = r"""
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread) thread_id = thread_id + 1; thread:set("id", thread_id) end
function init(args) prefix = run .. "w" .. id .. "x"; counter = id * 7919 end
request = function()
  counter = counter + 1
  local body = '{"type":"view","content":"module:pricing","view":"' .. prefix .. string.format("%010d", counter) ..
               '","at":' .. string.format("%d", os.time() * 1000) .. ',"token":"' .. tokens[counter % #tokens + 1] .. '"}'
  return wrk.format("POST", "/e", {["Content-Type"] = "text/plain", ["Origin"] = "https://partners.example.com",
                    ["X-Forwarded-For"] = addresses[counter % #addresses + 1],
                    ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("WRK %d %d %d %d %.3f %.3f\n", summary.requests, summary.errors.status,
           summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
           summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def wrk_load(port: int, seconds: float, clients: int, work: Path, tokens: list[str], run: str = "r"):
    """Throughput with wrk (a C load generator: a Python client tops out near 300 requests/s here)."""
    script = work / "events.lua"
    lua_list = lambda items: "{" + ",".join(f'"{item}"' for item in items) + "}"  # noqa: E731
    script.write_text(f"run = \"{run}\"\ntokens = {lua_list(tokens)}\naddresses = {lua_list(ADDRESSES)}\n" + WRK_SCRIPT)
    output = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "-s", str(script), f"http://127.0.0.1:{port}/e"],
        capture_output=True, text=True,
    ).stdout
    line = next(row for row in output.splitlines() if row.startswith("WRK "))
    requests, bad_status, socket_errors, duration_us, p50, p99 = line.split()[1:]
    accepted = int(requests) - int(bad_status) - int(socket_errors)
    return accepted, int(duration_us) / 1e6, float(p50), float(p99), int(bad_status) + int(socket_errors)


def stored_views(database: Path) -> set[str]:
    connection = sqlite3.connect(database)
    try:
        return {row[0] for row in connection.execute("SELECT view FROM events")}
    finally:
        connection.close()


def commit_seconds(folder: Path, commits: int = 200) -> list[float]:
    """How long one small commit takes on this disk with the collector's SQLite settings (WAL, synchronous
    FULL: each commit waits for its fsync), sorted. An event is acknowledged only once committed, so at
    most ``connections`` events share one commit: ``connections / commit time`` caps the collector."""
    path = folder / "commit-probe.sqlite"
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("CREATE TABLE probe (n INTEGER)")
        took = []
        for number in range(commits):
            started = time.perf_counter()
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO probe VALUES (?)", (number,))
            connection.execute("COMMIT")
            took.append(time.perf_counter() - started)
        return sorted(took)
    finally:
        connection.close()


def shipped_beacon() -> bytes:
    """The beacon as the site serves it (minified by the build)."""
    from generator.render.site import minified

    return minified("beacon.js", BEACON.read_text(encoding="utf-8")).encode("utf-8")


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def beacon_with_needs() -> tuple[list[str], int]:
    """The beacon as it can be compared with a script of its kind (Plausible's is self-contained): the
    scripts a page of a site with analytics loads for it when nothing else is on the page (the build's own
    page_assets: pages.js, whose helpers the beacon uses, and the beacon), and their size, each minified
    and gzipped as a server sends it. A browser fetches whole files: pages.js counts whole."""
    from generator.model.config import SiteConfig
    from generator.render.mkdocs_config import page_assets
    from generator.render.site import minified

    site = SiteConfig.model_validate({"site_name": "Partners", "vendor": "Ostrova", "product": "Pulse",
                                      "analytics": {"endpoint": "https://collect.partners.example.com/e"}})
    names = page_assets(site, "")
    size = sum(gzipped(minified(name, BEACON.with_name(name).read_text(encoding="utf-8")).encode("utf-8")) for name in names)
    return names, size


def beacon_line() -> str:
    """The beacon with what it needs, against its goal; and the beacon's own file, which no page loads
    without pages.js."""
    names, size = beacon_with_needs()
    return (f"beacon with what it needs ({' + '.join(names)}, each minified and gzipped as served): {size} bytes; "
            f"goal <= {BEACON_GOAL} (Plausible's script, self-contained): {'met' if size <= BEACON_GOAL else 'not met'} "
            f"({size / BEACON_GOAL:.2f}x); beacon.js alone {gzipped(shipped_beacon())} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="wrk run per side and round")
    parser.add_argument("--rounds", type=int, default=2, help="collector / bare endpoint rounds (interleaved)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--reps", type=int, default=2000, help="Reps on the roster, each with a token (default 2000).")
    parser.add_argument("--diagnose", action="store_true",
                        help="also run the collector with writes answered unstored (where the time goes; no goal)")
    options = parser.parse_args()
    print(beacon_line())
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: run benchmarks/setup-collector (apt-get install wrk). "
                         "A Python client cannot load the collector fully, so no figure is given without it.")
    print(f"{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} at the start")
    with tempfile.TemporaryDirectory() as work:
        database = Path(work) / "events.sqlite"
        roster, tokens = make_reps(Path(work), options.reps)
        port = free_port()
        commits = commit_seconds(Path(work))
        commit = statistics.median(commits)
        print(f"one commit on this disk (WAL, synchronous FULL): median {commit * 1000:.2f} ms, "
              f"p99 {commits[int(len(commits) * 0.99)] * 1000:.2f} ms: at most {options.clients / commit:,.0f} events/s "
              f"at {options.clients} connections, each acknowledged after its commit")
        collector_runs, bare_runs, unstored_runs = [], [], []
        acknowledged_total = 0
        sides = [("collector", SERVER, collector_runs),
                 *([("collector, nothing stored", UNSTORED, unstored_runs)] if options.diagnose else []),
                 ("bare Starlette, same uvicorn", BARE, bare_runs)]
        for round_number in range(options.rounds):
            for name, code, into in sides if round_number % 2 == 0 else reversed(sides):
                server = start(database, port, roster, code)
                cpu_before = cpu_seconds(server.pid)
                try:
                    accepted, duration, p50, p99, failures = wrk_load(port, options.seconds, options.clients, Path(work), tokens,
                                                                   run=f"r{round_number}")
                    cpu = cpu_seconds(server.pid) - cpu_before
                finally:
                    server.terminate()
                    server.wait()
                into.append((accepted / duration, p50, p99, failures, cpu / max(accepted, 1) * 1e6))
                if name == "collector":
                    acknowledged_total += accepted
        stored = len(stored_views(database))

        def median(runs: list, index: int) -> float:
            return statistics.median(run[index] for run in runs)

        print(f"wrk, {options.clients} connections, {options.seconds:.0f} s per run, {options.rounds} rounds interleaved; medians")
        for name, _, runs in sides:
            print(f"{name:<29} {median(runs, 0):>9,.0f} events/s  p50 {median(runs, 1):5.1f} ms  p99 {median(runs, 2):5.1f} ms  "
                  f"CPU {median(runs, 4):4.0f} µs/event  ({sum(run[3] for run in runs)} refused or failed)")
        shares = [ours[0] / bare[0] for ours, bare in zip(collector_runs, bare_runs)]
        print("collector / bare endpoint, round by round: " + ", ".join(f"{share:.2f}x" for share in shares)
              + f"; load average {os.getloadavg()[0]:.1f} now ({os.cpu_count()} cores, shared with whatever else runs)")
        if options.diagnose:
            print("diagnosis (no goal): collector with nothing stored / bare endpoint, round by round: "
                  + ", ".join(f"{ours[0] / bare[0]:.2f}x" for ours, bare in zip(unstored_runs, bare_runs))
                  + f"; the store's share of the collector's CPU per event: "
                  + f"{1 - median(unstored_runs, 4) / median(collector_runs, 4):.0%}")
        share = statistics.median(shares)
        print(f"CPU per event, bare endpoint / collector (the share of the bare throughput a collector limited by its CPU "
              f"alone would reach; steadier than throughput on a busy machine): "
              f"{statistics.median(bare[4] / ours[4] for ours, bare in zip(collector_runs, bare_runs)):.2f}x")
        print(f"goal: collector throughput >= 0.5x the bare endpoint's: {share:.2f}x: {'met' if share >= 0.5 else 'not met'}")
        p99 = median(collector_runs, 2)
        print(f"goal: collector p99 <= 10 ms at {options.clients} connections: {p99:.1f} ms: {'met' if p99 <= 10 else 'not met'}")
        print(f"events wrk saw acknowledged {acknowledged_total}, stored {stored}: {stored - acknowledged_total:+d} "
              f"(requests in flight when wrk stopped are stored but not counted by wrk: neither acknowledged nor lost; "
              f"{'as expected' if 0 <= stored - acknowledged_total <= options.clients * options.rounds else 'MORE THAN IN FLIGHT: look'})")

        server = start(database, port, roster)
        acknowledged, _, failures = asyncio.run(load(port, 6, options.clients, "k", tokens, stop_after=3, process=server))
        server.wait()
        server = start(database, port, roster)
        missing = acknowledged - stored_views(database)
        server.terminate()
        server.wait()
        print(f"kill -9 after 3 s of load (Python client, which knows each acknowledged event): {len(acknowledged)} acknowledged "
              f"before the kill, {len(missing)} missing after restart ({failures} requests failed while it was down); "
              f"goal 0 missing: {'met' if not missing else 'not met'}")


if __name__ == "__main__":
    main()
