"""The example site and a real ``partnerkit collect`` behind Debian's nginx, configured by ``partnerkit
deploy nginx``, on TLS with a self-signed certificate: a rep's journeys through the proxy (a page view, an exam,
its certificate, My accounts, unsubscribe, a recording seeked), and the
client address the collector limits by (X-Forwarded-For from nginx only)."""

from __future__ import annotations

import datetime
import json
import shutil
import socket
import subprocess
import sys
import ssl
import time
from pathlib import Path

import httpx
import pytest

from generator.identity import Rep, sign
from generator.commands.build import build
from generator.notifications.tokens import sign_unsubscribe
from tests.analytics.collector_processes import BROWSER, ENVIRONMENT, start_collector, stop
from tests.analytics.conftest import KEYS, free_port
from tests.analytics.nginx_proxy import COLLECTOR_HOST, ORIGIN, SITE_HOST, behind_nginx, client
from tests.conftest import REPO_ROOT, configure

pytestmark = pytest.mark.integration

PER_ADDRESS = 20
ROSTER = ("partner_id,partner_name,rep_id,name,email,role,joined,left\n"
          "acme,Acme Resellers,ann,Ann Lee,ann@acme.example,sales,2026-01-05,\n")


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """The built example, its collector and nginx in front: (HTTPS port, HTTP port, collector URL, project, certificate)."""
    folder = tmp_path_factory.mktemp("deploy")
    project = folder / "ostrova"
    project.mkdir()
    for name in ("site_config.yml", "content", "transcripts"):
        source = REPO_ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, project / name)
    import yaml

    analytics = yaml.safe_load((project / "site_config.yml").read_text(encoding="utf-8"))["analytics"]
    configure(project, analytics={**analytics, "rate_limit_per_address": PER_ADDRESS})
    build(project, project / "site")
    (project / "private/roster.csv").write_text(ROSTER)
    (project / "private/customers.csv").write_text("customer_id,name,partner_id,segment,renewal_date,rep_id\n"
                                                   "c1,Nordlys AS,acme,smb,2028-04-30,ann\n")
    opened = subprocess.run([sys.executable, "-m", "generator", "worklists", "--date", "2028-01-31", "-p", str(project)],
                            capture_output=True, text=True, env=ENVIRONMENT)
    assert opened.returncode == 0, opened.stderr

    collector_port = free_port()
    collector_url, collector = start_collector(project, None, collector_port)
    try:
        with behind_nginx(folder, project, [collector_port]) as proxy:
            yield {**proxy, "collector": collector_url, "project": project}
    finally:
        output = stop(collector)
        assert "Traceback" not in output, output


def view(number: int) -> str:
    return json.dumps({"type": "view", "content": "home:index", "view": f"v{number}x{time.time_ns()}", "at": int(time.time() * 1000)})


def test_the_per_address_limit_counts_the_client_behind_the_proxy(deployment) -> None:
    with client(deployment, COLLECTOR_HOST, "127.0.0.2") as first, client(deployment, COLLECTOR_HOST, "127.0.0.3") as second:
        began = time.monotonic()
        spoofed = [first.post("/e", content=view(number), headers={"X-Forwarded-For": f"198.51.100.{number}"}).status_code
                   for number in range(PER_ADDRESS + 10)]
        elapsed = time.monotonic() - began
        accepted = spoofed.count(204)
        assert PER_ADDRESS <= accepted <= PER_ADDRESS + PER_ADDRESS * elapsed / 60 + 1, spoofed
        assert spoofed[-1] == 429, "a client's own X-Forwarded-For is replaced by nginx: it dodges nothing"
        others = [second.post("/e", content=view(number)).status_code for number in range(5)]
        assert others == [204] * 5, "another address behind the same proxy has its own limit"
    # Straight to the collector from an address it does not trust: its X-Forwarded-For is ignored.
    direct = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=30)
    with direct:
        answer = direct.post(f"{deployment['collector']}/e", content=view(0),
                             headers={"X-Forwarded-For": "198.51.100.200", "User-Agent": BROWSER, "Origin": ORIGIN})
    assert answer.status_code == 429, "counted as 127.0.0.2 (spent), not as the address it claimed"


def right_answers(project: Path, exam: str, questions: list[str]) -> dict:
    key = json.loads((project / "private/exams/site.json").read_text())["exams"][exam]
    answers = {}
    for question in key["questions"]:
        if question["id"] in questions:
            kind = question["type"]
            answers[question["id"]] = (question["answers"][0] if kind == "short-text" else
                                       question["correct"][0] if kind in ("single", "true-false") else question["correct"])
    return answers


def test_a_rep_passes_an_exam_and_the_certificate_verifies_through_the_proxy(deployment) -> None:
    token = sign(Rep("acme", "ann", datetime.datetime.now(datetime.timezone.utc)), KEYS)
    with client(deployment, COLLECTOR_HOST, "127.0.0.4") as collector:
        started = collector.post("/exams/sales-silver/attempts", json={"token": token})
        assert started.status_code == 200, started.text
        attempt = started.json()
        graded = collector.post(f"/exams/sales-silver/attempts/{attempt['attempt']}",
                                json={"token": token, "answers": right_answers(deployment["project"], "sales-silver", attempt["questions"])})
        assert graded.status_code == 200 and graded.json()["passed"] is True, graded.text
        verified = collector.get(f"/certificates/{graded.json()['certificate']}")
        assert verified.status_code == 200 and verified.json()["status"] == "valid", verified.text
        assert verified.headers["strict-transport-security"] == "max-age=31536000"
        assert collector.get("/certificates/not-a-certificate").status_code == 404
        assert collector.get("/ready").json() == {"status": "ready"}
    with client(deployment, SITE_HOST) as site:
        page = site.get("/verify/")
        assert page.status_code == 200 and "<html" in page.text


def test_a_rep_ticks_a_step_in_my_accounts_through_the_proxy(deployment) -> None:
    token = sign(Rep("acme", "ann", datetime.datetime.now(datetime.timezone.utc)), KEYS)
    with client(deployment, COLLECTOR_HOST, "127.0.0.6") as collector:
        listing = collector.post("/worklists", json={"token": token})
        assert listing.status_code == 200, listing.text
        case = listing.json()["cases"][0]
        assert case["customer"] == "Nordlys AS" and case["steps"][0]["mine"] is True
        ticked = collector.post(f"/worklists/{case['id']}/steps/0", json={"token": token, "done": True})
        assert ticked.status_code == 200, ticked.text
        again = collector.post("/worklists", json={"token": token}).json()["cases"][0]
        assert again["steps"][0]["done"] is True and again["steps"][0]["done_by"] == "Ann Lee"


def test_one_click_unsubscribe_through_the_proxy(deployment) -> None:
    token = sign_unsubscribe("acme", "ann", "certificate-expiry", datetime.datetime.now(datetime.timezone.utc), KEYS)
    with client(deployment, COLLECTOR_HOST, origin=None) as collector:
        page = collector.get(f"/unsubscribe?t={token}")
        assert page.status_code == 200 and "<button" in page.text
        done = collector.post(f"/unsubscribe?t={token}", content=b"List-Unsubscribe=One-Click",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert done.status_code == 200 and "You will get no more e-mails about certificate reminders." in done.text


def test_the_site_seeks_recordings_caches_hashed_assets_and_shows_its_404_page(deployment) -> None:
    project = deployment["project"]
    recording = next((project / "site/media").glob("*.ogg"))
    with client(deployment, SITE_HOST) as site:
        seeked = site.get(f"/media/{recording.name}", headers={"Range": "bytes=1000-1999"})
        assert seeked.status_code == 206
        assert seeked.headers["content-range"] == f"bytes 1000-1999/{recording.stat().st_size}"
        assert seeked.content == recording.read_bytes()[1000:2000]
        bundle = next((project / "site/assets/javascripts").glob("bundle.*.min.js"))
        script = site.get(f"/assets/javascripts/{bundle.name}", headers={"Accept-Encoding": "gzip"})
        assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert script.headers["content-encoding"] == "gzip" and script.content == bundle.read_bytes()
        home = site.get("/")
        assert home.status_code == 200 and home.headers["cache-control"] == "no-cache"
        missing = site.get("/no/such/page/")
        assert missing.status_code == 404 and missing.text == (project / "site/404.html").read_text(encoding="utf-8")
        assert site.get("/private/roster.csv").status_code == 404
    plain = httpx.get(f"http://127.0.0.1:{deployment['http']}/talks/", headers={"Host": SITE_HOST})
    assert (plain.status_code, plain.headers["location"]) == (301, f"https://{SITE_HOST}/talks/")


def test_nginx_refuses_oversized_and_slow_requests_before_the_collector(deployment) -> None:
    with client(deployment, COLLECTOR_HOST, "127.0.0.5") as collector:
        assert collector.post("/e", content=b"[" + b" " * 20000 + b"]").status_code == 413
    context = ssl.create_default_context(cafile=str(deployment["certificate"]))
    with socket.create_connection(("127.0.0.1", deployment["https"])) as raw, \
            context.wrap_socket(raw, server_hostname=COLLECTOR_HOST) as slow:
        slow.sendall(b"POST /e HTTP/1.1\r\nHost: " + COLLECTOR_HOST.encode() + b"\r\n")  # the headers never end
        slow.settimeout(30)
        began = time.monotonic()
        try:
            answer = slow.recv(4096)
        except (ConnectionError, ssl.SSLError):
            answer = b""
        assert time.monotonic() - began < 25, "nginx closes a connection whose headers never end"
    assert b"204" not in answer
