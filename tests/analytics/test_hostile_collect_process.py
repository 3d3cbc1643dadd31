"""Hardening, round two (issue 24): a body trickled to a real ``partnerkit collect`` process is answered
408 once its time is up, and the connection is closed then (the socket reads EOF), however long the
client would go on trickling."""

from __future__ import annotations

import os
import select
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from generator.events import BODY_SECONDS, write_content_index
from tests.analytics.conftest import free_port
from tests.analytics.test_commands import KEYS, ROSTER
from tests.conftest import configure

pytestmark = pytest.mark.integration

ORIGIN = "https://partners.example.com"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def read_response(connection: socket.socket, within: float) -> bytes:
    """One HTTP response (headers and the body its Content-Length gives), read while sending nothing."""
    data, deadline = b"", time.monotonic() + within
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < length(data):
        assert time.monotonic() < deadline, f"no full response within {within} s: {data!r}"
        readable, _, _ = select.select([connection], [], [], 0.2)
        if readable:
            part = connection.recv(4096)
            assert part, f"closed before a full response: {data!r}"
            data += part
    return data


def length(data: bytes) -> int:
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    return next(int(line.split(":", 1)[1]) for line in head.split("\r\n") if line.startswith("content-length:"))


def test_a_trickled_body_gets_a_408_and_the_connection_closes(minimal: Path) -> None:
    port = free_port()
    configure(minimal, analytics={"endpoint": f"http://127.0.0.1:{port}/e"})
    write_content_index(minimal, ["module:pricing"], [])
    (minimal / "private/roster.csv").write_text(ROSTER)
    server = subprocess.Popen([sys.executable, "-m", "generator", "collect", "-p", str(minimal), "--port", str(port)],
                              env={**os.environ, "PARTNERKIT_TOKEN_KEYS": KEYS}, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and server.poll() is None, "the collector did not start"
                time.sleep(0.1)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall((f"POST /e HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: text/plain\r\n"
                                f"Content-Length: 200\r\nOrigin: {ORIGIN}\r\nUser-Agent: {BROWSER}\r\n\r\n").encode())
            started, answer = time.monotonic(), b""
            while b"\r\n\r\n" not in answer:  # one byte a second, as long as it takes
                assert time.monotonic() - started < BODY_SECONDS + 30, "no 408"
                connection.sendall(b"[")
                readable, _, _ = select.select([connection], [], [], 1.0)
                if readable:
                    answer = read_response(connection, 10)
            assert answer.startswith(b"HTTP/1.1 408 ")
            assert b"connection: close" in answer.lower()
            assert answer.endswith(b'{"error":"slow body"}')
            readable, _, _ = select.select([connection], [], [], 10)
            assert readable and connection.recv(1) == b"", "the connection stayed open after the 408"
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert "Traceback" not in output
    with sqlite3.connect(minimal / "private/events.sqlite") as database:
        assert database.execute("SELECT reason, count FROM rejected").fetchall() == [("slow body", 1)]
        assert database.execute("SELECT COUNT(*) FROM events").fetchone() == (0,)
