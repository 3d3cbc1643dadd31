"""The analytics commands as a vendor runs them: build, invite, collect, revoke, report, forget."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx

from generator.events import write_content_index
from generator.identity import RECHECK_SECONDS
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
    assert (forgotten.returncode, forgotten.stdout) == (0, (
        "Removed 3 rows about rep rep-1: events 1, views 1, daily 1; nothing in quiz_daily, exam_attempts, certificates, credentials, worklist_ticks, worklist_notes, notifications_sent, notifications_unsubscribed, signals_raised, help_requests, lrs_outbox, learning_modules, learning_quizzes\n"
        "rep-1 is still on the roster: remove their row there, or they are counted again\n"))


def test_collect_needs_a_build_first(minimal: Path) -> None:
    result = run("collect", cwd=minimal)
    assert (result.returncode, result.stderr) == (
        1, "Error: private/content-index.json not found: run partnerkit build first (it lists the pages events may name)\n"
    )


HOSTILE = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]


def collector_running(root: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "generator", "collect", "-p", str(root), "--port", str(port)],
                              env={**os.environ, "PARTNERKIT_TOKEN_KEYS": KEYS}, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError(server.communicate()[0])


def send(port: int, token: str, **fields) -> httpx.Response:
    body = {"type": "view", "content": "module:pricing", "view": f"v{time.time_ns()}", "at": int(time.time() * 1000),
            "token": token, **fields}
    return httpx.post(f"http://127.0.0.1:{port}/e", content=json.dumps(body), headers={
        "origin": "https://partners.example.com", "content-type": "text/plain",
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"})


def links_of(output: str) -> dict[str, str]:
    return {row["rep_id"]: row["link"].split("?pk=")[1] for row in csv.DictReader(io.StringIO(output))}


def test_revoke_cuts_a_link_off_at_once_and_invite_makes_a_new_one(minimal: Path) -> None:
    port = free_port()
    configure(minimal, analytics={"endpoint": f"http://127.0.0.1:{port}/e"})
    write_content_index(minimal, ["module:pricing"], [])
    (minimal / "private/roster.csv").write_text(ROSTER + "acme,Acme,rep-2,Bo Chen,bo@acme.example,cs,2026-01-10,\n")
    first = links_of(run("invite", cwd=minimal).stdout)
    server = collector_running(minimal, port)
    try:
        assert send(port, first["rep-1"]).status_code == 204
        revoked = run("revoke", "rep-1", cwd=minimal)
        assert (revoked.returncode, revoked.stdout) == (
            0, "Links of Ana Silva (acme/rep-1) issued until now are refused; partnerkit invite makes a new one\n")
        time.sleep(RECHECK_SECONDS + 0.1)
        refused = send(port, first["rep-1"])
        assert (refused.status_code, refused.json()) == (403, {"error": "revoked token"}), "no restart needed"
        assert send(port, first["rep-2"]).status_code == 204, "other reps' links still work"
        second = links_of(run("invite", cwd=minimal).stdout)
        assert send(port, second["rep-1"]).status_code == 204, "a link made after the revocation works"
        unknown = run("revoke", "rep-9", cwd=minimal)
        assert (unknown.returncode, unknown.stderr) == (
            1, "Error: rep rep-9 is not on private/roster.csv: their links are refused already\n")

        (minimal / "private/roster.csv").write_text(ROSTER.replace("2026-01-10,", "2026-01-10,2026-02-01"))
        time.sleep(RECHECK_SECONDS + 0.1)
        gone = send(port, second["rep-1"])
        assert (gone.status_code, gone.json()) == (403, {"error": "left roster"}), "the roster is re-read when it changes"
        dropped = send(port, second["rep-2"])
        assert (dropped.status_code, dropped.json()) == (403, {"error": "not on roster"})
    finally:
        server.terminate()
        server.communicate(timeout=20)
    with sqlite3.connect(minimal / "private/events.sqlite") as database:
        assert database.execute("SELECT rep, COUNT(*) FROM events GROUP BY rep ORDER BY rep").fetchall() == [("rep-1", 2), ("rep-2", 1)]
        assert dict(database.execute("SELECT reason, count FROM rejected").fetchall()) == {
            "revoked token": 1, "left roster": 1, "not on roster": 1}


def test_forget_leaves_no_byte_of_the_rep_in_the_database_files_or_reports(minimal: Path) -> None:
    port = free_port()
    configure(minimal, analytics={"endpoint": f"http://127.0.0.1:{port}/e"})
    write_content_index(minimal, ["module:pricing"], [])
    roster = ROSTER + "acme,Acme,zq9-forget-me,Zoe Quinn,zoe@acme.example,sales,2026-01-10,\n"
    (minimal / "private/roster.csv").write_text(roster)
    links = links_of(run("invite", cwd=minimal).stdout)
    server = collector_running(minimal, port)
    try:
        for rep in ("rep-1", "zq9-forget-me", "zq9-forget-me"):
            assert send(port, links[rep]).status_code == 204
        month = datetime.now(timezone.utc).strftime("%Y-%m")
        (minimal / "private/sales.csv").write_text(f"rep_id,month,amount\nzq9-forget-me,{month},100\n")
        reported = run("report", "--month", month, cwd=minimal)
        assert reported.returncode == 0, reported.stderr
        assert b"zq9-forget-me" in (minimal / f"private/reports/{month}/reps.csv").read_bytes()
        (minimal / "private/roster.csv").write_text(ROSTER)  # the vendor removed them first
        forgotten = run("forget", "zq9-forget-me", cwd=minimal)  # while the collector runs
        assert forgotten.returncode == 0, forgotten.stderr
        assert forgotten.stdout == (
            "Removed 5 rows about rep zq9-forget-me: events 2, views 2, daily 1; nothing in quiz_daily, exam_attempts, certificates, credentials, worklist_ticks, worklist_notes, notifications_sent, notifications_unsubscribed, signals_raised, help_requests, lrs_outbox, learning_modules, learning_quizzes\n"
            f"Deleted private/reports/{month}/ (it named zq9-forget-me; run partnerkit report again to remake it)\n"
        )
        assert send(port, links["rep-1"]).status_code == 204, "the collector carries on"
    finally:
        server.terminate()
        server.communicate(timeout=20)
    files = sorted((minimal / "private").glob("events.sqlite*"))
    assert files[0].name == "events.sqlite"
    for path in files:
        assert b"zq9-forget-me" not in path.read_bytes(), path.name
    assert not (minimal / f"private/reports/{month}").exists()
    with sqlite3.connect(minimal / "private/events.sqlite") as database:
        assert database.execute("SELECT rep, COUNT(*) FROM events GROUP BY rep").fetchall() == [("rep-1", 2)]


def test_every_csv_written_puts_a_quote_before_formulas(minimal: Path) -> None:
    configure(minimal, analytics={"endpoint": "https://collect.example.com/e"})
    rows = "".join(f"acme,Acme,rep-{n},{csv_cell(name)},r{n}@acme.example,sales,2026-01-10,\n" for n, name in enumerate(HOSTILE))
    (minimal / "private").mkdir(exist_ok=True)
    (minimal / "private/roster.csv").write_text(ROSTER.splitlines()[0] + "\n" + rows)
    written = run("invite", "-o", str(minimal / "links.csv"), cwd=minimal)
    assert written.returncode == 0, written.stderr
    printed = run("invite", cwd=minimal)
    for text in (printed.stdout, (minimal / "links.csv").read_text()):
        assert [row["name"] for row in csv.DictReader(io.StringIO(text))] == ["'" + name for name in HOSTILE]


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
