"""``partnerkit serve``: a live preview that follows edits, and survives broken ones."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch_until(url: str, predicate, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                last = response.read().decode("utf-8")
            if predicate(last):
                return last
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never matched; last body starts: {last[:300]!r}")


def test_serve_rerenders_on_content_change_and_keeps_last_good_pages(minimal: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--project", str(minimal), "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stdout), daemon=True)  # type: ignore[arg-type]
    reader.start()

    def said(text: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in lines):
            assert time.monotonic() < deadline, f"serve never said {text!r}: {''.join(lines)[-2000:]}"
            time.sleep(0.2)

    try:
        url = f"http://127.0.0.1:{port}/modules/pricing/"
        fetch_until(url, lambda body: "Three plans: Starter, Growth and Scale." in body)

        modules = minimal / "content/modules.yml"
        modules.write_text(modules.read_text().replace("Three plans:", "Four plans:"))
        fetch_until(url, lambda body: "Four plans: Starter, Growth and Scale." in body)

        modules.write_text(modules.read_text().replace("minutes: 20", "minutes: twenty"))
        said("Warning: Preview not updated")  # the broken edit was read (however slow the machine)
        assert "Four plans" in fetch_until(url, lambda body: True)
        modules.write_text(modules.read_text().replace("minutes: twenty", "minutes: 20").replace("Four plans:", "Five plans:"))
        fetch_until(url, lambda body: "Five plans:" in body)
    finally:
        server.terminate()
        server.wait(timeout=20)
        reader.join(timeout=20)
    output = "".join(lines)
    warning = (
        "Warning: Preview not updated, the last good pages stay:\n"
        "content/modules.yml:27:10: minutes: expected a whole number, got 'twenty'\n"
    )
    assert warning in output
    # The engine shares the terminal: its "Building documentation..." may come before our line.
    assert "Content changed: preview updated\n" in output[output.index(warning) + len(warning):]
    assert output.count("Warning: Preview not updated") == 1
    assert "end of life" not in output
    assert not (minimal / "site").exists()


def test_byte_ranges_as_http_defines_them() -> None:
    from generator.commands.serve_ranges import byte_range

    assert byte_range("bytes=0-9", 100) == (0, 9)
    assert byte_range("bytes=90-", 100) == (90, 99)
    assert byte_range("bytes=95-200", 100) == (95, 99)
    assert byte_range("bytes=-10", 100) == (90, 99)
    assert byte_range("bytes=-200", 100) == (0, 99)
    assert byte_range("bytes=100-", 100) is None
    assert byte_range("bytes=9-3", 100) is None
    assert byte_range("bytes=-", 100) is None


def test_the_range_middleware_answers_206_around_any_wsgi_app() -> None:
    from generator.commands.serve_ranges import ranges

    body = bytes(range(256)) * 100

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "audio/ogg"), ("Content-Length", str(len(body)))])
        return [body[index:index + 8192] for index in range(0, len(body), 8192)]

    def call(headers: dict[str, str]):
        answer = {}

        def start_response(status, response_headers, exc_info=None):
            answer.update(status=status, headers=dict(response_headers))

        data = b"".join(ranges(app)({"REQUEST_METHOD": "GET", **headers}, start_response))
        return answer["status"], answer["headers"], data

    status, headers, data = call({"HTTP_RANGE": "bytes=8000-8399"})
    assert (status, headers["Content-Range"], headers["Content-Length"], data) == (
        "206 Partial Content", f"bytes 8000-8399/{len(body)}", "400", body[8000:8400])
    status, headers, data = call({})
    assert (status, headers["Accept-Ranges"], data) == ("200 OK", "bytes", body)
    status, headers, data = call({"HTTP_RANGE": f"bytes={len(body)}-"})
    assert (status, headers["Content-Range"], data) == ("416 Range Not Satisfiable", f"bytes */{len(body)}", b"")
    status, _, data = call({"HTTP_RANGE": "items=0-1"})
    assert (status, data) == ("200 OK", body)


def test_the_preview_keeps_the_query_when_it_redirects_to_a_folder() -> None:
    from generator.commands.serve_ranges import ranges

    def app(environ, start_response):
        start_response("302 Found", [("Location", "/verify/")])
        return []

    answer = {}
    ranges(app)({"REQUEST_METHOD": "GET", "QUERY_STRING": "id=abc"}, lambda status, headers, exc_info=None: answer.update(
        status=status, headers=headers))
    assert answer == {"status": "302 Found", "headers": [("Location", "/verify/?id=abc")]}
