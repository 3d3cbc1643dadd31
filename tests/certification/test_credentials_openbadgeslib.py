"""Certificates' VC-JWTs checked by a third party's Open Badges 3.0 verifier: openbadgeslib (its library
and its ``openbadges-verifier`` command), trusting the key the collector publishes. A fresh credential
verifies for its holder's subject id; a tampered, expired or revoked one does not."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from openbadgeslib.ob3.verifier import OB3Verifier, OB3VerificationError

from generator.store.database import SqliteStore
from generator.store.credentials import revoke_certificate
from generator.certification.credentials import STATUS_LIST_SIZE, badge_svg
from tests.certification.test_credentials import issuing_collector, passed
from tests.certification.test_exams import Clock

pytestmark = pytest.mark.integration


@pytest.fixture
def issuing(tmp_path: Path):
    """A collector on 127.0.0.1 issuing RS256 credentials, its clock set to now (openbadgeslib checks
    validity against the wall clock)."""
    clock = Clock()
    clock.at = datetime.now(timezone.utc)
    with issuing_collector(SqliteStore(tmp_path / "events.sqlite"), clock=clock) as running:
        yield running


def published_pem(token: str) -> bytes:
    """The public key the credential's ``kid`` names, as the PEM a verifier is given."""
    key = jwt.PyJWK(httpx.get(jwt.get_unverified_header(token)["kid"]).json()).key
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def fetch(url: str) -> bytes:
    """openbadgeslib's downloader is HTTPS-only and refuses 127.0.0.1: the test's fetcher reads the
    status list from the collector as any client does."""
    return httpx.get(url).content


def verifier_command(tmp_path: Path, token: str, recipient: str) -> subprocess.CompletedProcess[str]:
    """``openbadges-verifier`` on a badge image baked with ``token`` (the command reads SVG or PNG badges)."""
    (tmp_path / "badge.svg").write_text(badge_svg("Certified seller (Silver)", "silver", "Northwind", date(2027, 1, 1), token))
    (tmp_path / "issuer.pem").write_bytes(published_pem(token))
    command = shutil.which("openbadges-verifier") or str(Path(sys.executable).parent / "openbadges-verifier")
    return subprocess.run([command, "-V", "3", "-i", str(tmp_path / "badge.svg"), "-r", recipient,
                           "--pubkey", str(tmp_path / "issuer.pem")], capture_output=True, text=True, timeout=60)


def test_openbadgeslib_verifies_a_fresh_credential_for_its_holder(issuing, tmp_path: Path) -> None:
    certificate = passed(issuing.url)
    token = httpx.get(f"{issuing.url}/credentials/{certificate}/credential.jwt").text
    holder = jwt.decode(token, options={"verify_signature": False})["sub"]

    credential = OB3Verifier(published_pem(token)).verify(token, expected_recipient=holder, check_status=True,
                                                          download=fetch)
    assert (credential.achievement.name, credential.recipient_id) == ("Certified seller (Silver)", holder)

    baked = httpx.get(f"{issuing.url}/credentials/{certificate}/badge.svg").text
    assert badge_svg("Certified seller (Silver)", "silver", "Northwind", date(2027, 1, 1), token).split("\n")[2] in baked
    answer = verifier_command(tmp_path, token, holder)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert f"[+] OB3 signature is valid for the identity {holder}" in answer.stdout
    assert "Recipient mismatch" not in answer.stdout

    # The e-mail address is not in the credential (only its salted hash): given the address, the
    # verifier cannot tie the two, by design.
    by_address = verifier_command(tmp_path, token, "aiko@acme.example")
    assert f"Recipient mismatch: credential is for {holder}, expected mailto:aiko@acme.example" in by_address.stdout


def test_openbadgeslib_rejects_tampered_expired_and_revoked_credentials(issuing, tmp_path: Path) -> None:
    now = issuing.clock.at
    issuing.clock.at = datetime(2024, 1, 10, 9, 0, tzinfo=timezone.utc)  # passed long ago: valid until 2025-01-10
    old = passed(issuing.url)
    expired = httpx.get(f"{issuing.url}/credentials/{old}/credential.jwt").text
    with pytest.raises(OB3VerificationError, match="^Credential has expired$"):
        OB3Verifier(published_pem(expired)).verify(expired)

    issuing.clock.at = now  # passed again today: the certificate is renewed
    certificate = passed(issuing.url)
    assert certificate == old
    token = httpx.get(f"{issuing.url}/credentials/{certificate}/credential.jwt").text
    verifier = OB3Verifier(published_pem(token))
    holder = jwt.decode(token, options={"verify_signature": False})["sub"]

    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["achievement"]["name"] = "Certified seller (Gold)"
    forged = f"{header}.{base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b'=').decode()}.{signature}"
    with pytest.raises(OB3VerificationError, match="^Invalid signature$"):
        verifier.verify(forged, expected_recipient=holder)
    answer = verifier_command(tmp_path, forged, holder)
    assert (answer.returncode, answer.stdout) == (1, "[-] OB3 verification failed: Invalid signature\n")

    issuing.store.run(lambda db: revoke_certificate(db, certificate, "2026-11-23T10:00:00+00:00", STATUS_LIST_SIZE)).result()
    verifier.verify(token, expected_recipient=holder)  # the signature alone still holds…
    status = jwt.decode(token, options={"verify_signature": False})["credentialStatus"]
    with pytest.raises(OB3VerificationError) as refused:  # …the revocation list says otherwise
        verifier.verify(token, expected_recipient=holder, check_status=True, download=fetch)
    assert str(refused.value) == (f"Credential status 'revocation' is set at index {status['statusListIndex']}"
                                  f" in {status['statusListCredential']}")

