"""Exam limits with four ``partnerkit collect`` processes on one PostgreSQL database: 20 concurrent
starts give one attempt, 20 concurrent submits grade it once, the attempt limit and the retry delay hold."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from generator.events import write_content_index
from generator.identity import Rep, sign
from generator.model.answer_keys import exam_key
from generator.certification.answer_key_files import write_exam_keys
from generator.model.content import Quiz
from tests.analytics.conftest import KEYS, ORIGIN, free_port
from tests.certification.test_exams import EXAM, WRONG

pytestmark = pytest.mark.slow

ENVIRONMENT = {**os.environ, "PARTNERKIT_TOKEN_KEYS": ",".join(f"{key}:{secret.decode()}" for key, secret in KEYS.items())}
TWICE = Quiz.model_validate({**EXAM.model_dump(mode="json", exclude_none=True), "id": "twice", "attempts": 2,
                             "retry_after_hours": 0})
HEADERS = {"Origin": ORIGIN, "User-Agent": "Mozilla/5.0 Chrome/156"}


@pytest.fixture
def collectors(tmp_path: Path, postgres_database: str):
    """Four collector processes of one project, sharing one PostgreSQL database: their base URLs."""
    (tmp_path / "site_config.yml").write_text("site_name: Academy\nsite_url: https://partners.example.com/\nvendor: Northwind\n"
                                              "product: Pulse\nanalytics:\n  endpoint: https://collect.example.com/e\n"
                                              # 160 requests of one rep: the four collectors share one limit
                                              "  rate_limit_per_rep: 1000\n")
    write_content_index(tmp_path, ["module:pricing"], [])
    write_exam_keys(tmp_path, "", {quiz.id: exam_key(quiz, 365) for quiz in (EXAM, TWICE)})
    (tmp_path / "private/roster.csv").write_text("partner_id,partner_name,rep_id,name,email,role,joined,left\n"
                                                 "acme,Acme Resellers,rep-7,Aiko Tanaka,aiko@acme.example,sales,2026-01-05,\n")
    ports = [free_port() for _ in range(4)]
    servers = [subprocess.Popen([sys.executable, "-m", "generator", "collect", "-p", str(tmp_path), "--db", postgres_database,
                                 "--port", str(port)], env=ENVIRONMENT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for port in ports]
    try:
        for port, server in zip(ports, servers):
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    assert server.poll() is None and time.monotonic() < deadline, server.communicate()[0]
                    time.sleep(0.1)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.communicate(timeout=20)


def all_at_once(requests: list[tuple[str, dict]]) -> list[httpx.Response]:
    """POST every (url, JSON body) at the same moment, each from its own thread over a connection
    opened beforehand."""
    ready = threading.Barrier(len(requests))

    def send(request: tuple[str, dict]) -> httpx.Response:
        url, body = request
        with httpx.Client(timeout=30) as client:
            client.get(url.split("/exams/")[0] + "/health")
            ready.wait()
            return client.post(url, json=body, headers=HEADERS)

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(send, requests))


def test_twenty_starts_and_submits_across_four_collectors(collectors: list[str], postgres_database: str) -> None:
    import psycopg

    token = sign(Rep("acme", "rep-7", datetime.now(timezone.utc)), KEYS)

    def starts(exam: str) -> list[httpx.Response]:
        return all_at_once([(f"{collectors[n % 4]}/exams/{exam}/attempts", {"token": token}) for n in range(20)])

    def submits(exam: str, started: dict) -> list[httpx.Response]:
        answers = {ident: WRONG[ident] for ident in started["questions"]}
        return all_at_once([(f"{collectors[n % 4]}/exams/{exam}/attempts/{started['attempt']}", {"token": token, "answers": answers})
                            for n in range(20)])

    for exam, rounds in (("sales-silver", 1), ("twice", 2)):
        for _ in range(rounds):
            started = starts(exam)
            assert {response.status_code for response in started} == {200}
            assert len({response.json()["attempt"] for response in started}) == 1, "one attempt, resumed by every tab"
            graded = submits(exam, started[0].json())
            assert sorted(response.status_code for response in graded) == [200] + [409] * 19
            assert {response.json()["error"] for response in graded if response.status_code == 409} == {"already graded"}

    too_early = starts("sales-silver")
    assert {(response.status_code, response.json()["error"]) for response in too_early} == {(429, "too early")}, "retry delay"
    no_more = starts("twice")
    assert {(response.status_code, response.json()["error"]) for response in no_more} == {(409, "no attempts left")}
    with psycopg.connect(postgres_database) as database:
        assert database.execute("SELECT exam, COUNT(*), COUNT(submitted_at) FROM exam_attempts GROUP BY exam ORDER BY exam").fetchall() == [
            ("sales-silver", 1, 1), ("twice", 2, 2)]
