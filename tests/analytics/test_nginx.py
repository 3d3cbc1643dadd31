"""The example site and a real ``partnerkit collect`` behind Debian's nginx, configured by ``partnerkit
deploy nginx``, on TLS with a self-signed certificate: a rep's journeys through the proxy, and the
client address the collector limits by (X-Forwarded-For from nginx only)."""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from generator.analytics.identity import Rep, sign
from generator.commands.build import build
from generator.notifications.tokens import sign_unsubscribe
from tests.analytics.collector_processes import BROWSER, ENVIRONMENT, start_collector, stop
from tests.analytics.conftest import KEYS, free_port
from tests.conftest import REPO_ROOT, configure

pytestmark = pytest.mark.integration

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
SITE_HOST, COLLECTOR_HOST = "partners.ostrova.example", "collect.partners.ostrova.example"
ORIGIN = f"https://{SITE_HOST}"
PER_ADDRESS = 20
ROSTER = ("partner_id,partner_name,rep_id,name,email,role,joined,left\n"
          "acme,Acme Resellers,ann,Ann Lee,ann@acme.example,sales,2026-01-05,\n")


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for both hosts and 127.0.0.1, made with ``cryptography``: (certificate, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SITE_HOST)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=7))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName(SITE_HOST), x509.DNSName(COLLECTOR_HOST),
                                                               x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert process.poll() is None, log.read_text() if log.exists() else "nginx exited"
        time.sleep(0.05)
    raise AssertionError("nginx did not start")


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """The built example, its collector and nginx in front: (HTTPS port, HTTP port, collector URL, project, certificate)."""
    if NGINX is None:
        message = "nginx is not installed (scripts/setup installs Debian's nginx-light): nginx journey tests SKIPPED"
        print(f"\n!!! {message} !!!")
        pytest.skip(message)
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

    collector_port = free_port()
    collector_url, collector = start_collector(project, None, collector_port)
    certificate, key = self_signed(folder)
    https, http = free_port(), free_port()
    nginx_dir = folder / "nginx"
    nginx_dir.mkdir()
    written = subprocess.run([sys.executable, "-m", "generator", "deploy", "nginx", "-p", str(project),
                              "--collector", f"127.0.0.1:{collector_port}", "--certificate", str(certificate),
                              "--certificate-key", str(key), "--listen", f"127.0.0.1:{https}", "--listen-http", f"127.0.0.1:{http}",
                              "-o", str(nginx_dir / "partnerkit.conf")], capture_output=True, text=True, env=ENVIRONMENT)
    assert written.returncode == 0, written.stderr
    temporary = " ".join(f"{kind}_temp_path {nginx_dir}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (nginx_dir / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # the test's folders are its user's only
        + f"daemon off;\nworker_processes 1;\npid {nginx_dir}/nginx.pid;\nerror_log {nginx_dir}/error.log warn;\n"
        f"events {{ worker_connections 256; }}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n  access_log off;\n"
        f"  {temporary}\n  include {nginx_dir}/partnerkit.conf;\n}}\n")
    checked = subprocess.run([NGINX, "-t", "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf"), "-e", str(nginx_dir / "error.log")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    nginx = subprocess.Popen([NGINX, "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf"), "-e", str(nginx_dir / "error.log")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(https, nginx, nginx_dir / "error.log")
        yield {"https": https, "http": http, "collector": collector_url, "project": project, "certificate": certificate}
    finally:
        nginx.terminate()
        nginx.wait(timeout=20)
        output = stop(collector)
        assert "Traceback" not in output, output


def client(deployment, host: str, local_address: str = "127.0.0.1", origin: str | None = ORIGIN) -> httpx.Client:
    """An HTTPS client of nginx from ``local_address``, asking for ``host`` (as a browser would after DNS)."""
    headers = {"Host": host, "User-Agent": BROWSER, **({"Origin": origin} if origin else {})}
    context = ssl.create_default_context(cafile=str(deployment["certificate"]))
    transport = httpx.HTTPTransport(verify=context, local_address=local_address)
    return httpx.Client(base_url=f"https://127.0.0.1:{deployment['https']}", transport=transport, timeout=30,
                        headers=headers)


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
        assert site.get(f"/assets/javascripts/{bundle.name}").headers["cache-control"] == "public, max-age=31536000, immutable"
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
