"""Debian's real nginx in front of collectors, configured by ``partnerkit deploy nginx`` with a
self-signed certificate, started as a foreground process with its own prefix on 127.0.0.1 ports."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.analytics.collector_processes import BROWSER, ENVIRONMENT
from tests.analytics.conftest import free_port
from tests.conftest import require_tool

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
SITE_HOST, COLLECTOR_HOST = "partners.ostrova.example", "collect.partners.ostrova.example"
ORIGIN = f"https://{SITE_HOST}"


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


@contextlib.contextmanager
def behind_nginx(folder: Path, project: Path, collector_ports: list[int]):
    """nginx serving ``project``'s site and proxying to the collectors on ``collector_ports``, as
    ``partnerkit deploy nginx`` writes it: {"https": port, "http": port, "certificate": path}."""
    require_tool(NGINX is not None, "nginx", "apt-get install nginx-light")
    certificate, key = self_signed(folder)
    https, http = free_port(), free_port()
    nginx_dir = folder / "nginx"
    nginx_dir.mkdir()
    collectors = [argument for port in collector_ports for argument in ("--collector", f"127.0.0.1:{port}")]
    written = subprocess.run([sys.executable, "-m", "generator", "deploy", "nginx", "-p", str(project), *collectors,
                              "--certificate", str(certificate), "--certificate-key", str(key), "--listen", f"127.0.0.1:{https}",
                              "--listen-http", f"127.0.0.1:{http}", "-o", str(nginx_dir / "partnerkit.conf")],
                             capture_output=True, text=True, env=ENVIRONMENT)
    assert written.returncode == 0, written.stderr
    temporary = " ".join(f"{kind}_temp_path {nginx_dir}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (nginx_dir / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # the test's folders are its user's only
        + f"daemon off;\nworker_processes 1;\npid {nginx_dir}/nginx.pid;\nerror_log {nginx_dir}/error.log warn;\n"
        f"events {{ worker_connections 256; }}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n  access_log off;\n"
        f"  {temporary}\n  include {nginx_dir}/partnerkit.conf;\n}}\n")
    arguments = ["-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf"), "-e", str(nginx_dir / "error.log")]
    checked = subprocess.run([NGINX, "-t", *arguments], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    nginx = subprocess.Popen([NGINX, *arguments], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(https, nginx, nginx_dir / "error.log")
        yield {"https": https, "http": http, "certificate": certificate}
    finally:
        nginx.terminate()
        nginx.wait(timeout=20)


def client(deployment, host: str, local_address: str = "127.0.0.1", origin: str | None = ORIGIN) -> httpx.Client:
    """An HTTPS client of nginx from ``local_address``, asking for ``host`` (as a browser would after DNS)."""
    headers = {"Host": host, "User-Agent": BROWSER, **({"Origin": origin} if origin else {})}
    context = ssl.create_default_context(cafile=str(deployment["certificate"]))
    transport = httpx.HTTPTransport(verify=context, local_address=local_address)
    return httpx.Client(base_url=f"https://127.0.0.1:{deployment['https']}", transport=transport, timeout=30,
                        headers=headers)
