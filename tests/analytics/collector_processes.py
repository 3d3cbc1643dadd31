"""Real ``partnerkit collect`` processes of a small project, and reps who use them while a test does
something to them (back up, stop): every answer the collectors acknowledged is written down."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import httpx

from generator.events import write_content_index
from generator.identity import Rep, sign
from generator.certification.answer_key_files import write_exam_keys
from generator.model.answer_keys import exam_key
from tests.analytics.conftest import KEYS, ORIGIN, free_port
from tests.certification.test_exams import EXAM, RIGHT

ENVIRONMENT = {**os.environ, "PARTNERKIT_TOKEN_KEYS": ",".join(f"{key}:{secret.decode()}" for key, secret in KEYS.items())}
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
HEADERS = {"Origin": ORIGIN, "User-Agent": BROWSER}
REPS = [f"rep-{number}" for number in range(1, 41)]


def write_project(root: Path, per_rep: int = 100000, per_address: int = 1000000, analytics: str = "") -> Path:
    """A project the collector can run: its config (rate limits as given), content index, one exam's key
    and a roster of 40 reps."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site_config.yml").write_text(
        "site_name: Academy\nsite_url: https://partners.example.com/\nvendor: Northwind\nproduct: Pulse\n"
        "analytics:\n  endpoint: https://collect.example.com/e\n"
        f"  rate_limit_per_rep: {per_rep}\n  rate_limit_per_address: {per_address}\n" + analytics)
    write_content_index(root, ["module:pricing"], [])
    write_exam_keys(root, "", {EXAM.id: exam_key(EXAM, 365)})
    (root / "private/roster.csv").write_text("partner_id,partner_name,rep_id,name,email,role,joined,left\n" + "".join(
        f"acme,Acme Resellers,{rep},Rep {rep},{rep}@acme.example,sales,2026-01-05,\n" for rep in REPS))
    return root


def start_collector(root: Path, db: str | None = None, port: int | None = None, *extra: str) -> tuple[str, subprocess.Popen]:
    """``partnerkit collect`` on 127.0.0.1, once it answers /ready: its base URL and process."""
    port = port or free_port()
    command = [sys.executable, "-m", "generator", "collect", "-p", str(root), "--port", str(port), *extra]
    server = subprocess.Popen(command + (["--db", db] if db else []), env=ENVIRONMENT, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return f"http://127.0.0.1:{port}", server
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise AssertionError(server.communicate()[0])
        time.sleep(0.1)


def stop(server: subprocess.Popen) -> str:
    """SIGTERM, and the process's output once it has exited."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    return server.communicate(timeout=60)[0]


@contextlib.contextmanager
def collector(root: Path, db: str | None = None, *extra: str):
    url, server = start_collector(root, db, None, *extra)
    try:
        yield url, server
    finally:
        stop(server)


def token(rep: str) -> str:
    return sign(Rep("acme", rep, datetime.now(timezone.utc)), KEYS)


@dataclass
class Acknowledged:
    """What the collectors answered 2xx to, each with the moment the answer arrived (monotonic)."""

    events: dict[str, float] = field(default_factory=dict)
    """View ids of acknowledged view events."""
    attempts: dict[str, float] = field(default_factory=dict)
    certificates: dict[str, float] = field(default_factory=dict)
    server_errors: list[tuple[str, int]] = field(default_factory=list)
    refused: int = 0
    """Requests the connection refused or cut (never acknowledged: a client sends them again)."""

    def before(self, moment: float) -> "Acknowledged":
        return Acknowledged(*({key: at for key, at in table.items() if at < moment}
                              for table in (self.events, self.attempts, self.certificates)))


class Reps:
    """Threads of reps reading pages and passing the exam against ``urls`` (round robin) until stopped."""

    def __init__(self, urls: list[str], threads: int = 4, exams: bool = True):
        self.urls, self.exams = urls, exams
        self.acknowledged = Acknowledged()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._work, args=(number, threads), daemon=True) for number in range(threads)]

    def __enter__(self) -> "Reps":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> Acknowledged:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
        return self.acknowledged

    def _note(self, table: dict[str, float], key: str) -> None:
        with self._lock:
            table.setdefault(key, time.monotonic())  # first acknowledged (a renewed certificate keeps its id)

    def _post(self, client: httpx.Client, url: str, **options) -> httpx.Response | None:
        try:
            response = client.post(url, headers=HEADERS, **options)
        except httpx.HTTPError:
            with self._lock:
                self.acknowledged.refused += 1
            return None
        if response.status_code >= 500:
            with self._lock:
                self.acknowledged.server_errors.append((url, response.status_code))
        return response

    def _work(self, number: int, threads: int) -> None:
        mine = REPS[number::threads]
        sent = 0
        with httpx.Client(timeout=30) as client:
            while not self._stop.is_set():
                rep = mine[sent % len(mine)]
                url = self.urls[sent % len(self.urls)]
                sent += 1
                view = f"v{number}x{sent}x{time.time_ns()}"
                body = {"type": "view", "content": "module:pricing", "view": view, "at": int(time.time() * 1000), "token": token(rep)}
                response = self._post(client, f"{url}/e", json=body)
                if response is not None and response.status_code == 204:
                    self._note(self.acknowledged.events, view)
                if not self.exams or sent % 5:
                    continue
                rep = mine[(sent // 5) % len(mine)]  # every rep of the thread takes the exam in turn
                started = self._post(client, f"{url}/exams/{EXAM.id}/attempts", json={"token": token(rep)})
                if started is None or started.status_code != 200:
                    continue
                attempt = started.json()
                self._note(self.acknowledged.attempts, attempt["attempt"])
                answers = {ident: RIGHT[ident] for ident in attempt["questions"]}
                graded = self._post(client, f"{url}/exams/{EXAM.id}/attempts/{attempt['attempt']}",
                                    json={"token": token(rep), "answers": answers})
                if graded is not None and graded.status_code == 200 and graded.json().get("certificate"):
                    self._note(self.acknowledged.certificates, graded.json()["certificate"])


def stored(query) -> tuple[set[str], set[str], set[str]]:
    """(view ids, attempt ids, certificate ids) in a database, read with ``query(sql) -> rows``."""
    return ({row[0] for row in query("SELECT view FROM events")}, {row[0] for row in query("SELECT id FROM exam_attempts")},
            {row[0] for row in query("SELECT id FROM certificates")})
