"""The credential commands as a vendor runs them: ``credential-key``, ``collect`` with the key set,
``revoke-certificate`` and ``forget`` (their effect on the revocation list a third party reads)."""

from __future__ import annotations

import base64
import gzip
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

import httpx
import jwt

from generator.store.database import SqliteStore
from generator.store.exams import CERTIFICATE_COLUMNS
from generator.commands.build import build
from tests.analytics.conftest import free_port
from tests.browser.test_quiz import EXAM
from tests.conftest import configure
from tests.test_content_errors import write

TOKENS = "k1:0123456789abcdef0123"
ROSTER = ("partner_id,partner_name,rep_id,name,email,role,joined,left\n"
          "acme,Acme,rep-1,Ana Silva,ana@acme.example,sales,2026-01-10,\nacme,Acme,rep-2,Bo Li,bo@acme.example,sales,2026-01-10,\n")
TODAY = date.today()


def run(*arguments: str, cwd: Path, keys: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *arguments, "-p", str(cwd)], capture_output=True, text=True,
                          env={**os.environ, "PARTNERKIT_TOKEN_KEYS": TOKENS, "PARTNERKIT_CREDENTIAL_KEYS": keys})


def bit(url: str, index: int) -> bool:
    token = httpx.get(url).text
    claims = jwt.decode(token, jwt.PyJWK(httpx.get(jwt.get_unverified_header(token)["kid"]).json()), algorithms=["RS256"])
    encoded = claims["credentialSubject"]["encodedList"][1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


@pytest.mark.slow
def test_collect_issues_revoke_certificate_and_forget_revoke(minimal: Path) -> None:
    made = subprocess.run([sys.executable, "-m", "generator", "credential-key", "k2026"], capture_output=True, text=True)
    assert made.returncode == 0 and made.stdout.startswith("k2026:RS256:"), "RS256 unless told otherwise"
    older = subprocess.run([sys.executable, "-m", "generator", "credential-key", "k2025", "--algorithm", "EdDSA"],
                           capture_output=True, text=True)
    assert older.returncode == 0 and older.stdout.startswith("k2025:EdDSA:") and len(older.stdout.strip()) == len("k2025:EdDSA:") + 43
    keys = made.stdout.strip() + "," + older.stdout.strip()

    port = free_port()
    write(minimal, "content/exam.yml", EXAM)
    configure(minimal, analytics={"endpoint": f"http://127.0.0.1:{port}/e"}, vendor_email="certs@northwind.example")
    build(minimal, minimal / "site")
    (minimal / "private/roster.csv").write_text(ROSTER)
    store = SqliteStore(minimal / "private/events.sqlite")
    for ident, rep, exam in (("cert-1", "rep-1", "seller-silver"), ("cert-2", "rep-2", "seller-silver"),
                             ("cert-3", "rep-1", "seller-gold")):
        row = (ident, "acme", rep, exam, "Certified seller", "sales", "silver", "",
               (TODAY - timedelta(days=5)).isoformat(), (TODAY + timedelta(days=360)).isoformat(), None)
        store.run(lambda db, row=row: db.execute(
            f"INSERT INTO certificates ({CERTIFICATE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)).result()
    store.close()

    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "generator", "collect", "-p", str(minimal), "--port", str(port)],
                              env={**os.environ, "PARTNERKIT_TOKEN_KEYS": TOKENS, "PARTNERKIT_CREDENTIAL_KEYS": keys},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        indices = {}
        for ident in ("cert-1", "cert-2"):
            token = httpx.get(f"{base}/credentials/{ident}/credential.jwt").text
            claims = jwt.decode(token, jwt.PyJWK(httpx.get(f"{base}/issuer/keys/k2026").json()), algorithms=["RS256"])
            assert claims["issuer"]["email"] == "certs@northwind.example"
            indices[ident] = int(claims["credentialStatus"]["statusListIndex"])
        status = f"{base}/issuer/status/revocation"
        assert not bit(status, indices["cert-1"]) and not bit(status, indices["cert-2"])

        revoked = run("revoke-certificate", "cert-1", cwd=minimal)
        assert revoked.returncode == 0, revoked.stderr
        assert revoked.stdout.startswith("Certificate cert-1 is revoked (since ")
        assert revoked.stdout.endswith("): its verifiable credentials no longer verify\n")
        assert bit(status, indices["cert-1"]) and not bit(status, indices["cert-2"])
        assert httpx.get(f"{base}/certificates/cert-1").json()["status"] == "revoked"

        unknown = run("revoke-certificate", "nope", cwd=minimal)
        assert (unknown.returncode, unknown.stdout, unknown.stderr) == (1, "", "Error: no certificate has the id nope\n")

        forgotten = run("forget", "rep-2", cwd=minimal)
        assert forgotten.returncode == 0, forgotten.stderr
        assert "certificates 1, credentials 1" in forgotten.stdout
        assert bit(status, indices["cert-2"]), "a forgotten rep's credential stays revoked"
        assert httpx.get(f"{base}/certificates/cert-2").status_code == 404
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert f"Certificates come with verifiable credentials: {base}/.well-known/jwks.json lists the keys" in output

    # The report counts no revoked or forgotten certificate towards tiers.
    (minimal / "private/sales.csv").write_text("rep_id,month,amount\n")
    reported = run("report", cwd=minimal)
    assert reported.returncode == 0, reported.stderr
    [folder] = (minimal / "private/reports").iterdir()
    table = json.loads((folder / "report.json").read_text(encoding="utf-8"))["certificates"]
    assert [(row["rep"], row["exam"], row["status"]) for row in table] == [("rep-1", "seller-gold", "valid")]
    rows = SqliteStore(minimal / "private/events.sqlite")
    try:
        assert rows.query("SELECT certificate FROM credential_status WHERE status_index = ?", (indices["cert-2"],)) == [(None,)]
    finally:
        rows.close()
