"""``partnerkit serve``: a live preview that follows edits, and survives broken ones."""

from __future__ import annotations

import socket
import subprocess
import sys
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
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/modules/pricing/"
        fetch_until(url, lambda body: "Three plans: Starter, Growth and Scale." in body)

        modules = minimal / "content/modules.yml"
        modules.write_text(modules.read_text().replace("Three plans:", "Four plans:"))
        fetch_until(url, lambda body: "Four plans: Starter, Growth and Scale." in body)

        modules.write_text(modules.read_text().replace("minutes: 20", "minutes: twenty"))
        time.sleep(2)
        assert "Four plans" in fetch_until(url, lambda body: True)
        modules.write_text(modules.read_text().replace("minutes: twenty", "minutes: 20").replace("Four plans:", "Five plans:"))
        fetch_until(url, lambda body: "Five plans:" in body)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert (
        "Warning: Preview not updated, the last good pages stay:\n"
        "content/modules.yml:27:10: minutes: expected a whole number, got 'twenty'\n"
        "Content changed: preview updated\n"
    ) in output
    assert output.count("Warning: Preview not updated") == 1
    assert "end of life" not in output
    assert not (minimal / "site").exists()
