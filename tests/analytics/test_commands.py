"""The analytics commands as a vendor runs them: build, invite, collect, forget."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from generator.commands.build import build
from tests.analytics.conftest import free_port
from tests.conftest import configure

KEYS = "k1:0123456789abcdef0123"
ROSTER = "partner_id,partner_name,rep_id,name,email,role,joined,left\nacme,Acme,rep-1,Ana Silva,ana@acme.example,sales,2026-01-10,\n"


def run(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *arguments, "-p", str(cwd)], capture_output=True, text=True,
                          env={**os.environ, "PARTNERKIT_TOKEN_KEYS": KEYS})


def test_invite_collect_and_forget(minimal: Path) -> None:
    port = free_port()
    configure(minimal, analytics={"endpoint": f"http://127.0.0.1:{port}/e"})
    build(minimal, minimal / "site")
    (minimal / "private/roster.csv").write_text(ROSTER)

    invited = run("invite", cwd=minimal)
    assert invited.returncode == 0, invited.stderr
    header, row = invited.stdout.splitlines()
    assert header == "rep_id,name,email,link"
    assert row.startswith("rep-1,Ana Silva,ana@acme.example,https://partners.example.com/?pk=")
    token = row.split("?pk=")[1]

    server = subprocess.Popen([sys.executable, "-m", "generator", "collect", "-p", str(minimal), "--port", str(port)],
                              env={**os.environ, "PARTNERKIT_TOKEN_KEYS": KEYS}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        body = json.dumps({"type": "view", "content": "module:pricing", "view": "v0123456789", "at": int(time.time() * 1000), "token": token})
        response = httpx.post(f"http://127.0.0.1:{port}/e", content=body, headers={
            "origin": "https://partners.example.com", "content-type": "text/plain",
            "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"})
        assert response.status_code == 204
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert "Collecting on http://127.0.0.1:" in output and "for https://partners.example.com" in output

    forgotten = run("forget", "rep-1", cwd=minimal)
    assert (forgotten.returncode, forgotten.stdout) == (0, "Removed 2 rows about rep rep-1\n")


def test_collect_needs_a_build_first(minimal: Path) -> None:
    result = run("collect", cwd=minimal)
    assert (result.returncode, result.stderr) == (
        1, "Error: private/content-index.json not found: run partnerkit build first (it lists the pages events may name)\n"
    )
