"""Every command of the README, typed in the project folder of a fresh copy of the example."""

from __future__ import annotations

import json
import signal
import socket
import time
import zipfile
from datetime import date
from pathlib import Path

import httpx

from tests.cli.conftest import TOKEN_KEYS, git, partnerkit, running, user_environment, wait_for_http

SITE_ORIGIN = "https://partners.ostrova.example"
REP_BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
ROSTER = ("partner_id,partner_name,rep_id,name,email,role,joined,left\n"
          "acme,Acme,rep-1,Ana Silva,ana@acme.example,sales,2026-01-10,\n"
          "acme,Acme,rep-2,Bo Lind,bo@acme.example,cs,2026-02-01,\n")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_build_from_the_project_folder(built_example) -> None:
    project, result = built_example.project, built_example.result
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("Loading content\n")
    assert f"Site written to {project / 'site'}\n" in result.stderr
    assert (project / "site/index.html").is_file()
    assert (project / "site/modules/index.html").is_file()
    assert (project / "private/content-index.json").is_file()
    assert (project / "private/exams/site.json").is_file()
    assert not list(project.glob("site/**/exams/*.json"))


def test_check_from_the_project_folder(built_example) -> None:
    result = partnerkit("check", cwd=built_example.project)
    # The example's teal header reads below 4.5:1 against white: said once, with the fix partnerkit applies.
    assert (result.returncode, result.stderr) == (0, (
        "Warning: site_config.yml: palette.primary: teal (#009485) reads 3.77:1 against white, below 4.5:1 "
        "for links and buttons; partnerkit shows links, buttons and the header in the darker #00695c (6.61:1) "
        "instead. A primary such as indigo (6.86:1) keeps the colour as configured\n"))
    assert result.stdout.startswith("OK: ") and result.stdout.endswith(" 1 talk\n")
    assert "8 modules" in result.stdout and "2 quizzes" in result.stdout


def test_transcribe_with_transcripts_only_has_nothing_to_do(built_example) -> None:
    result = partnerkit("transcribe", cwd=built_example.project)
    assert (result.returncode, result.stdout, result.stderr) == (0, "1 talk ready in transcripts/\n", "")


def test_release_then_build_as_the_readme_says(example: Path) -> None:
    """The vendor's job after every product release: commit, release, build, all inside the project."""
    (example / "content/modules/05-pricing-roi.yml").write_text(
        (example / "content/modules/05-pricing-roi.yml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    git(example, "commit", "--quiet", "--all", "--message", "Content for 2.0")
    released = partnerkit("release", "2.0", "--alias", "latest", cwd=example)
    assert (released.returncode, released.stderr) == (0, "")
    assert released.stdout == "Release 2.0, latest declared from git ref v2.0; run partnerkit build to publish it.\n"
    assert git(example, "tag", "--list") == "v2.0\n"

    built = partnerkit("build", cwd=example)
    assert built.returncode == 0, built.stderr
    assert "2.0: built in " in built.stderr
    assert f"Site written to {example / 'site'} (1 release; the root leads to latest)\n" in built.stderr
    assert "\r" not in built.stderr and "[#" not in built.stderr  # no progress bars in a pipe
    versions = json.loads((example / "site/versions.json").read_text(encoding="utf-8"))
    assert [(entry["version"], entry["aliases"]) for entry in versions] == [("2.0", ["latest"])]
    assert (example / "site/2.0/modules/pricing-roi/index.html").is_file()
    assert (example / "site/latest/modules/pricing-roi/index.html").is_file()

    again = partnerkit("build", cwd=example)
    assert again.returncode == 0, again.stderr
    assert "2.0: unchanged, reused\n" in again.stderr

    only = partnerkit("build", "--only", "2.0", cwd=example)
    assert only.returncode == 0, only.stderr
    assert "Building 1 of 1 releases with mkdocs" in only.stderr and "2.0: built in " in only.stderr

    unknown = partnerkit("build", "--only", "2.1", cwd=example)
    assert (unknown.returncode, unknown.stderr) == (1, "Error: --only 2.1: no such release (did you mean '2.0'?)\n")


def test_relative_project_and_site_dir_from_the_parent_folder(example: Path) -> None:
    parent = example.parent
    checked = partnerkit("check", "-p", example.name, cwd=parent)
    assert checked.returncode == 0, checked.stderr
    built = partnerkit("build", "-p", example.name, "-d", "out", cwd=parent)
    assert built.returncode == 0, built.stderr
    assert f"Site written to {parent / 'out'}\n" in built.stderr
    assert (parent / "out/index.html").is_file()
    assert not (example / "site").exists()
    assert (example / "private/content-index.json").is_file()

    (example / "private/roster.csv").write_text(ROSTER, encoding="utf-8")
    invited = partnerkit("invite", "-p", example.name, "--roster", f"{example.name}/private/roster.csv", "-o", "links.csv",
                         cwd=parent, env=user_environment(PARTNERKIT_TOKEN_KEYS=TOKEN_KEYS))
    assert (invited.returncode, invited.stderr) == (0, "")
    assert invited.stdout == "2 personal links written to links.csv\n"
    assert (parent / "links.csv").read_text(encoding="utf-8").startswith("rep_id,name,email,link\nrep-1,Ana Silva,")


def test_invite_collect_report_and_forget(built_example) -> None:
    project = built_example.project
    environment = user_environment(PARTNERKIT_TOKEN_KEYS=TOKEN_KEYS)
    (project / "private/roster.csv").write_text(ROSTER, encoding="utf-8")
    (project / "private/sales.csv").write_text(f"rep_id,month,amount\nrep-1,{date.today():%Y-%m},1200\n", encoding="utf-8")

    missing_keys = partnerkit("invite", cwd=project)
    assert (missing_keys.returncode, missing_keys.stderr) == (
        1, "Error: PARTNERKIT_TOKEN_KEYS is not set: give at least one 'id:secret' key\n")
    invited = partnerkit("invite", "-o", "links.csv", cwd=project, env=environment)
    assert (invited.returncode, invited.stdout) == (0, "2 personal links written to links.csv\n")
    links = (project / "links.csv").read_text(encoding="utf-8").splitlines()
    assert links[1].startswith("rep-1,Ana Silva,ana@acme.example,https://partners.ostrova.example/?pk=")
    token = links[1].split("?pk=")[1]

    port = free_port()
    with running("collect", "--port", str(port), cwd=project, env=environment) as collector:
        health = wait_for_http(f"http://127.0.0.1:{port}/health", collector.process)
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        event = {"type": "view", "content": "module:pricing-roi", "view": "v0123456789", "at": int(time.time() * 1000),
                 "token": token}
        sent = httpx.post(f"http://127.0.0.1:{port}/e", content=json.dumps(event),
                          headers={"origin": SITE_ORIGIN, "content-type": "text/plain", "user-agent": REP_BROWSER})
        assert sent.status_code == 204
    # uvicorn shuts down gracefully, then re-raises SIGTERM: a service manager sees a stop by SIGTERM
    assert collector.process.returncode == -signal.SIGTERM, collector.output
    assert f"Collecting on http://127.0.0.1:{port}/e for {SITE_ORIGIN}\n" in collector.output
    assert "Traceback" not in collector.output
    assert (project / "private/events.sqlite").is_file()

    month = f"{date.today():%Y-%m}"
    reported = partnerkit("report", "--month", month, cwd=project)
    assert (reported.returncode, reported.stderr) == (0, "")
    report = project / "private/reports" / month / "report.html"
    assert reported.stdout == f"Report written to private/reports/{month}/report.html\n"
    assert "Ana Silva" in report.read_text(encoding="utf-8")

    forgotten = partnerkit("forget", "rep-1", cwd=project)
    assert (forgotten.returncode, forgotten.stdout) == (0, (
        "Removed 3 rows about rep rep-1: events 1, views 1, daily 1; nothing in quiz_daily, exam_attempts, certificates, credentials, worklist_ticks, worklist_notes, notifications_sent, notifications_unsubscribed, signals_raised, help_requests, lrs_outbox, learning_modules, learning_quizzes\n"
        f"Deleted private/reports/{month}/ (it named rep-1; run partnerkit report again to remake it)\n"
        "rep-1 is still on the roster: remove their row there, or they are counted again\n"))
    assert not report.exists()


def test_export_qti_writes_into_the_current_folder(built_example) -> None:
    project = built_example.project
    result = partnerkit("export-qti", "sales-foundations", cwd=project)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "QTI package written to sales-foundations.qti.zip\n"
    with zipfile.ZipFile(project / "sales-foundations.qti.zip") as package:
        assert "imsmanifest.xml" in package.namelist()
    (project / "exports").mkdir()
    into = partnerkit("export-qti", "sales-silver", "-o", "exports/silver.zip", cwd=project)
    assert (into.returncode, into.stdout) == (0, "QTI package written to exports/silver.zip\n")
    elsewhere = partnerkit("export-qti", "sales-silver", "-p", "..", "-o", "gold.zip", cwd=project / "exports")
    assert (elsewhere.returncode, elsewhere.stdout) == (0, "QTI package written to gold.zip\n")
    outside = partnerkit("export-qti", "sales-silver", "-o", str(project.parent / "silver.zip"), cwd=project)
    assert outside.stdout == f"QTI package written to {project.parent / 'silver.zip'}\n"


def test_serve_previews_the_project_and_answers_byte_ranges(example: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    with running("serve", "-a", f"127.0.0.1:{port}", cwd=example) as preview:
        home = wait_for_http(base, preview.process)
        assert home.status_code == 200 and "Ostrova Partner Academy" in home.text
        asset = example / ".partnerkit-cache/serve/docs/assets/partnerkit/beacon.js"
        whole = asset.read_bytes()
        full = httpx.get(base + "assets/partnerkit/beacon.js")
        assert (full.status_code, full.headers["accept-ranges"], full.content) == (200, "bytes", whole)
        part = httpx.get(base + "assets/partnerkit/beacon.js", headers={"Range": "bytes=10-19"})
        assert (part.status_code, part.headers["content-range"], part.content) == (206, f"bytes 10-19/{len(whole)}", whole[10:20])
        tail = httpx.get(base + "assets/partnerkit/beacon.js", headers={"Range": "bytes=-5"})
        assert (tail.status_code, tail.content) == (206, whole[-5:])
        past = httpx.get(base + "assets/partnerkit/beacon.js", headers={"Range": f"bytes={len(whole)}-"})
        assert (past.status_code, past.headers["content-range"]) == (416, f"bytes */{len(whole)}")
        several = httpx.get(base + "assets/partnerkit/beacon.js", headers={"Range": "bytes=0-1,5-6"})
        assert (several.status_code, several.content) == (200, whole)
        redirect = httpx.get(base + "verify?id=c0ffee")  # the certificate link of an exam page
        assert (redirect.status_code, redirect.headers["location"]) == (302, "/verify/?id=c0ffee")
    assert preview.process.returncode == 0, preview.output
    assert "code 206" not in preview.output and "Traceback" not in preview.output
    assert not (example / "site").exists()


def test_progress_bar_is_drawn_on_a_terminal_only(example: Path) -> None:
    import os
    import pty
    import subprocess

    from tests.cli.conftest import PARTNERKIT

    assert partnerkit("release", "2.0", cwd=example).returncode == 0
    controller, terminal = pty.openpty()
    process = subprocess.Popen([str(PARTNERKIT), "build"], cwd=example, env=user_environment(),
                               stdout=subprocess.DEVNULL, stderr=terminal)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed: the build is over
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert process.wait(timeout=120) == 0, shown
    assert b"\rReleases [##############################] 1/1 built\r\n" in shown

    piped = partnerkit("build", "--only", "2.0", cwd=example)
    assert piped.returncode == 0 and "2.0: built in " in piped.stderr
    assert "Releases [" not in piped.stderr and "\r" not in piped.stderr
