"""Certificates as Open Badges 3.0 credentials, checked the way a third party checks them: issued by a
real collector (uvicorn on 127.0.0.1, SQLite and PostgreSQL), verified with PyJWT (not joserfc, which
signed them) against the collector's published keys, validated against 1EdTech's JSON Schema, and
looked up in the revocation list (decoded here by hand)."""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import json
import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from lxml import etree

from generator.collector.app import CollectorSettings
from generator.store.credentials import revoke_certificate
from generator.certification.signing_keys import credential_keys, new_key_entry
from generator.certification.credentials import (
    BADGE_NAMESPACE,
    STATUS_LIST_SIZE,
    Addresses,
    holder_id,
    identity_hash,
    linkedin_url,
)
from generator.collector.exams import ExamService
from generator.model.answer_keys import exam_key
from generator.collector.credentials import CredentialService, credential_routes
from generator.errors import PartnerkitError
from generator.model.config import SiteConfig
from tests.analytics.conftest import INDEX, KEYS, ORIGIN, free_port, running_collector
from tests.certification.test_exams import EXAM, ISSUED, RIGHT, ROSTER, TOKEN, Clock, answers_for, start, submit
from generator.identity import Rep, sign

CONFIG = SiteConfig.model_validate({
    "site_name": "Northwind Partner Academy", "vendor": "Northwind Analytics", "product": "Pulse",
    "site_url": "https://partners.northwind.example/", "vendor_url": "https://northwind.example",
    "vendor_email": "certification@northwind.example",
    "certification": {"tiers": [
        {"id": "gold", "name": "Gold partner", "requires": [{"role": "sales", "level": "gold"}]},
        {"id": "silver", "name": "Silver partner", "requires": [{"role": "sales", "level": "silver", "reps": 2}]},
        {"id": "bronze", "name": "Bronze partner", "requires": [{"role": "cs", "level": "bronze"}]},
    ]},
})
SIGNING = rsa.generate_private_key(public_exponent=65537, key_size=2048)
"""The collector's signing key: RS256, as ``partnerkit credential-key`` makes by default."""
SCHEMA_FILE = Path(__file__).parents[1] / "data" / "openbadges" / "ob_v3p0_achievementcredential_schema.json"
"""Where 1EdTech's schema is looked for (see tests/data/openbadges/README.md); PARTNERKIT_OB3_SCHEMA may name another copy."""


@contextlib.contextmanager
def issuing_collector(store, signing_keys: dict | None = None, clock: Clock | None = None):
    """A collector on 127.0.0.1 grading the silver exam and issuing its credentials with ``signing_keys``
    (default: the RSA key ``k1``); ``.clock``, ``.service`` and ``.credentials`` are set on it."""
    clock = clock or Clock()
    port = free_port()
    service = ExamService({("2.4", "sales-silver"): exam_key(EXAM, 365)}, None, ROSTER, clock)  # type: ignore[arg-type]
    credentials = CredentialService(service, CONFIG, Addresses(f"http://127.0.0.1:{port}"), signing_keys or {"k1": SIGNING})
    service.register_credentials(credentials)
    settings = CollectorSettings(INDEX, [ORIGIN], KEYS)
    with running_collector(settings, store, port, exams=service, routes=credential_routes(settings, credentials)) as running:
        running.clock = clock
        running.service = service
        running.credentials = credentials
        yield running


@pytest.fixture
def issuing(make_store):
    with issuing_collector(make_store()) as running:
        yield running


def passed(url: str) -> str:
    drawn = start(url).json()
    return submit(url, drawn["attempt"], answers_for(drawn, RIGHT)).json()["certificate"]


def public_key(token: str) -> jwt.PyJWK:
    """The key a credential names (its ``kid`` is the address of its JWK), checked against the JWKS."""
    kid = jwt.get_unverified_header(token)["kid"]
    listed = {key["kid"]: key for key in httpx.get(kid.rsplit("/issuer/", 1)[0] + "/.well-known/jwks.json").json()["keys"]}
    assert httpx.get(kid).json() == listed[kid]
    return jwt.PyJWK(listed[kid])


def verified(token: str, now: datetime | None = None) -> dict:
    """The credential's claims if its signature, validity period and type check out (PyJWT raises
    otherwise) and it is a VC-JWT as Open Badges 3.0 §8.2 has it; the period is checked against ``now``
    when given (the collector's clock), else today."""
    header = jwt.get_unverified_header(token)
    assert set(header) == {"alg", "kid", "typ"} and header["typ"] == "JWT", "§8.2.3: no other JOSE header"
    key = public_key(token)
    assert header["alg"] == key.algorithm_name, "the algorithm the published key says"
    options = {"require": ["exp", "nbf", "iss", "sub", "jti"]}
    if now is not None:
        options.update(verify_exp=False, verify_nbf=False)
    claims = jwt.decode(token, key, algorithms=["RS256", "EdDSA"], options=options)
    if now is not None and not claims["nbf"] <= now.timestamp() < claims["exp"]:
        raise jwt.ExpiredSignatureError("outside its validity period")
    assert claims["iss"] == claims["issuer"]["id"] and claims["jti"] == claims["id"]
    assert claims["sub"] == claims["credentialSubject"]["id"], "§8.2.4: sub is the subject's id"
    assert "iat" not in claims
    return claims


def revoked_in_list(status: dict, now: datetime) -> bool:
    """Whether the credential's entry is set in the revocation list the collector serves (signature and
    validity at ``now`` checked)."""
    listed = verified(httpx.get(status["statusListCredential"]).text, now)
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    encoded = listed["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) * 8 == STATUS_LIST_SIZE
    index = int(status["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def schema_validator():
    location = os.environ.get("PARTNERKIT_OB3_SCHEMA") or SCHEMA_FILE
    if not Path(location).is_file():
        pytest.skip("1EdTech's AchievementCredential schema is not stored (its licence): set PARTNERKIT_OB3_SCHEMA to"
                    " docs/schema/achievementcredential.json of github.com/1EdTech/openbadges-specification, branch"
                    " gh-pages (see tests/data/openbadges/README.md)")
    from jsonschema import Draft201909Validator, FormatChecker

    schema = json.loads(Path(location).read_text(encoding="utf-8"))
    return Draft201909Validator(schema, format_checker=FormatChecker())


def test_passing_issues_a_signed_open_badge_credential(issuing) -> None:
    certificate = passed(issuing.url)
    page = f"{ORIGIN}/verify/"
    shown = httpx.get(f"{issuing.url}/certificates/{certificate}", params={"page": page, "pk": TOKEN}).json()
    assert shown["yours"] is True
    assert shown["credential_url"] == f"{issuing.url}/credentials/{certificate}/credential.jwt"
    assert shown["badge_url"] == f"{issuing.url}/credentials/{certificate}/badge.svg"

    download = httpx.get(shown["credential_url"])
    assert download.status_code == 200 and download.headers["content-type"] == "application/vc+jwt"
    assert download.headers["content-disposition"] == f'attachment; filename="certificate-{certificate}.jwt"'
    claims = verified(download.text)
    assert claims["@context"] == ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                                  {"1EdTechJsonSchemaValidator2019": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#1EdTechJsonSchemaValidator2019"}]
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["issuer"] == {"id": f"{issuing.url}/issuer", "type": ["Profile"], "name": "Northwind Analytics",
                                "url": "https://northwind.example", "email": "certification@northwind.example"}
    assert claims["iss"] == claims["issuer"]["id"] and claims["jti"] == claims["id"] and claims["id"].startswith("urn:uuid:")
    assert (claims["validFrom"], claims["validUntil"]) == ("2026-11-22T00:00:00Z", "2027-11-22T23:59:59Z")
    assert claims["exp"] == int(datetime(2027, 11, 22, 23, 59, 59, tzinfo=timezone.utc).timestamp())

    subject = claims["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["id"] == claims["sub"] == holder_id(Addresses(issuing.url), certificate)
    assert subject["id"].startswith("urn:uuid:")
    [identity] = subject["identifier"]
    assert identity["identityType"] == "emailAddress" and identity["hashed"] is True and len(identity["salt"]) == 32
    expected = hashlib.sha256(("aiko@acme.example" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    assert "aiko@acme.example" not in json.dumps(claims) and "Aiko" not in json.dumps(claims), "no address, no name"

    achievement = subject["achievement"]
    assert achievement["name"] == "Certified seller (Silver)" and achievement["achievementType"] == "Certification"
    assert achievement["description"] == "Northwind Analytics certification for the Sales rep role at the silver level."
    assert achievement["criteria"]["narrative"] == (
        "Pass the Certified seller (Silver) exam, graded by Northwind Analytics: at least 75 % of the points on 3 questions"
        " drawn from a pool of 4, within 20 minutes. Certifies the Sales rep role at the silver level, for 365 days; when a"
        " later release changes the exam materially, holders pass it again. Counts towards the partner tiers: Silver partner.")
    assert achievement["tag"] == ["Sales rep", "silver"]

    status = claims["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == f"{issuing.url}/issuer/status/revocation"
    assert 0 <= int(status["statusListIndex"]) < STATUS_LIST_SIZE
    assert not revoked_in_list(status, issuing.clock.at)

    readable = httpx.get(f"{issuing.url}/credentials/{certificate}/credential.json")
    assert readable.headers["content-type"] == "application/json"
    assert readable.json() == {name: value for name, value in claims.items() if name not in ("iss", "sub", "nbf", "exp", "jti")}
    assert httpx.get(f"{issuing.url}/issuer").json()["name"] == "Northwind Analytics"

    # LinkedIn's add-to-profile form, filled in.
    linkedin = urlsplit(shown["linkedin_url"])
    assert (linkedin.scheme, linkedin.netloc, linkedin.path) == ("https", "www.linkedin.com", "/profile/add")
    assert {name: values[0] for name, values in parse_qs(linkedin.query).items()} == {
        "startTask": "CERTIFICATION_NAME", "name": "Certified seller (Silver)", "organizationName": "Northwind Analytics",
        "issueYear": "2026", "issueMonth": "11", "expirationYear": "2027", "expirationMonth": "11",
        "certUrl": f"{page}?id={certificate}", "certId": certificate}


def test_only_the_holder_is_offered_the_holders_buttons(issuing) -> None:
    """A third party checking a certificate sees the verdict, not the holder's download and LinkedIn
    buttons: those come only with the holder's own token, never another rep's, a forged or an oversized one."""
    certificate = passed(issuing.url)
    colleague = sign(Rep("acme", "rep-9", ISSUED), KEYS)
    forged = TOKEN[:-4] + ("AAAA" if not TOKEN.endswith("AAAA") else "BBBB")
    holder_only = {"credential_url", "badge_url", "linkedin_url", "yours"}
    for token in (None, colleague, forged, TOKEN + "x" * 600):
        params = {"page": f"{ORIGIN}/verify/", **({"pk": token} if token else {})}
        response = httpx.get(f"{issuing.url}/certificates/{certificate}", params=params)
        assert response.status_code == 200
        shown = response.json()
        assert not holder_only & shown.keys(), token
        assert shown["status"] == "valid" and shown["holder"] == "Aiko Tanaka"
    shown = httpx.get(f"{issuing.url}/certificates/{certificate}", params={"page": f"{ORIGIN}/verify/", "pk": TOKEN}).json()
    assert holder_only <= shown.keys()


def test_issued_credentials_follow_1edtechs_schema(issuing) -> None:
    validator = schema_validator()
    certificate = passed(issuing.url)
    claims = verified(httpx.get(f"{issuing.url}/credentials/{certificate}/credential.jwt").text)
    errors = sorted(validator.iter_errors(claims), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, error.path))}: {error.message}" for error in errors)
    broken = {**claims, "credentialSubject": {**claims["credentialSubject"], "identifier": [{"identityHash": "x"}]}}
    assert not validator.is_valid(broken), "the schema is really applied"


def test_tampered_credentials_fail_verification(issuing) -> None:
    certificate = passed(issuing.url)
    token = httpx.get(f"{issuing.url}/credentials/{certificate}/credential.jwt").text
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["achievement"]["name"] = "Certified seller (Gold)"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(jwt.InvalidSignatureError):
        verified(f"{header}.{forged}.{signature}")
    other = jwt.encode(claims, rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256",
                       headers=jwt.get_unverified_header(token))
    with pytest.raises(jwt.InvalidSignatureError):
        verified(other)
    assert verified(token)["credentialSubject"]["achievement"]["name"] == "Certified seller (Silver)"


def test_expired_credentials_fail_verification_and_are_no_longer_handed_out(issuing) -> None:
    issuing.clock.at = datetime(2025, 1, 10, 9, 0, tzinfo=timezone.utc)  # passed long ago: valid until 2026-01-10
    certificate = passed(issuing.url)
    token = httpx.get(f"{issuing.url}/credentials/{certificate}/credential.jwt").text
    with pytest.raises(jwt.ExpiredSignatureError):
        verified(token)
    issuing.clock.at = datetime(2026, 1, 11, 9, 0, tzinfo=timezone.utc)
    shown = httpx.get(f"{issuing.url}/certificates/{certificate}").json()
    assert shown["status"] == "expired" and "credential_url" not in shown and "linkedin_url" not in shown
    refused = httpx.get(f"{issuing.url}/credentials/{certificate}/credential.jwt")
    assert (refused.status_code, refused.json()) == (410, {"error": "certificate expired"})


def test_revoked_certificates_fail_verification(issuing) -> None:
    certificate = passed(issuing.url)
    token = httpx.get(f"{issuing.url}/credentials/{certificate}/credential.jwt").text
    status = verified(token)["credentialStatus"]
    revoked = issuing.store.run(lambda db: revoke_certificate(db, certificate, "2026-11-23T10:00:00+00:00", STATUS_LIST_SIZE)).result()
    assert revoked == "2026-11-23T10:00:00+00:00"
    assert revoked_in_list(status, issuing.clock.at), "the credential already handed out is revoked"
    shown = httpx.get(f"{issuing.url}/certificates/{certificate}", params={"page": f"{ORIGIN}/verify/"}).json()
    assert (shown["status"], shown["revoked_on"]) == ("revoked", "2026-11-23")
    assert not {"credential_url", "badge_url", "linkedin_url"} & shown.keys()
    for kind in ("credential.jwt", "credential.json", "badge.svg"):
        refused = httpx.get(f"{issuing.url}/credentials/{certificate}/{kind}")
        assert (refused.status_code, refused.json()) == (410, {"error": "certificate revoked"})
    again = issuing.store.run(lambda db: revoke_certificate(db, certificate, "2026-11-30T10:00:00+00:00", STATUS_LIST_SIZE)).result()
    assert again == revoked, "revoking again keeps the first time"
    assert issuing.store.run(lambda db: revoke_certificate(db, "nope", "2026-11-30T10:00:00+00:00", STATUS_LIST_SIZE)).result() is None


def test_renewal_and_recertification_reissue_under_the_same_status_entry(issuing) -> None:
    certificate = passed(issuing.url)
    first = verified(httpx.get(f"{issuing.url}/credentials/{certificate}/credential.jwt").text, issuing.clock.at)
    issuing.clock.at += timedelta(days=200)
    drawn = start(issuing.url).json()
    assert submit(issuing.url, drawn["attempt"], answers_for(drawn, RIGHT)).json()["certificate"] == certificate
    renewed = verified(httpx.get(f"{issuing.url}/credentials/{certificate}/credential.jwt").text, issuing.clock.at)
    assert renewed["validFrom"] == "2027-06-10T00:00:00Z" and renewed["id"] != first["id"]
    assert renewed["credentialStatus"] == first["credentialStatus"]

    # A later release asks holders to recertify by a day: the credential handed out now ends then,
    # and once the day has passed without a new pass, the entry is set.
    by = date(2027, 8, 1)
    issuing.store.run(lambda db: db.execute("UPDATE certificates SET recertify_by = ? WHERE id = ?", (by.isoformat(), certificate))).result()
    shortened = verified(httpx.get(f"{issuing.url}/credentials/{certificate}/credential.jwt").text, issuing.clock.at)
    assert shortened["validUntil"] == "2027-08-01T23:59:59Z"
    assert not revoked_in_list(shortened["credentialStatus"], issuing.clock.at)
    issuing.clock.at = datetime(2027, 8, 2, 9, 0, tzinfo=timezone.utc)
    assert revoked_in_list(shortened["credentialStatus"], issuing.clock.at)


def test_a_rep_who_left_has_their_entry_set(issuing) -> None:
    certificate = passed(issuing.url)
    status = verified(httpx.get(f"{issuing.url}/credentials/{certificate}/credential.jwt").text)["credentialStatus"]
    entry = issuing.service.roster[0]
    issuing.service.roster = [type(entry)(*[*vars(entry).values()][:-1], date(2026, 11, 22))]
    assert revoked_in_list(status, issuing.clock.at)
    assert httpx.get(f"{issuing.url}/credentials/{certificate}/credential.jwt").status_code == 410


def test_badge_image_is_baked_with_the_signed_credential(issuing) -> None:
    certificate = passed(issuing.url)
    answer = httpx.get(f"{issuing.url}/credentials/{certificate}/badge.svg")
    assert answer.headers["content-type"] == "image/svg+xml"
    assert answer.headers["content-disposition"] == f'attachment; filename="certificate-{certificate}.svg"'
    assert answer.headers["content-security-policy"].startswith("default-src 'none'")
    svg = etree.fromstring(answer.content)
    [baked] = svg.findall(f"{{{BADGE_NAMESPACE}}}credential")
    claims = verified(baked.get("verify"))
    assert claims["credentialSubject"]["achievement"]["name"] == "Certified seller (Silver)"
    assert "Certified seller (Silver)" in svg.findtext("{http://www.w3.org/2000/svg}title")


def test_rotation_keeps_old_credentials_verifiable(issuing) -> None:
    older = Ed25519PrivateKey.generate()
    issuing.credentials.signing_keys = {"k0": older}  # a key from before RS256: EdDSA
    certificate = passed(issuing.url)
    old = httpx.get(f"{issuing.url}/credentials/{certificate}/credential.jwt").text
    assert jwt.get_unverified_header(old)["alg"] == "EdDSA"
    issuing.credentials.signing_keys = {"k1": SIGNING, "k0": older}  # the new key first: it signs from now on
    listed = httpx.get(f"{issuing.url}/.well-known/jwks.json", headers={"Origin": "https://verifier.example"})
    assert listed.headers["access-control-allow-origin"] == "*", "any verifier's page may read the keys"
    jwks = listed.json()["keys"]
    assert [key["kid"] for key in jwks] == [f"{issuing.url}/issuer/keys/k1", f"{issuing.url}/issuer/keys/k0"]
    assert set(jwks[0]) == {"kty", "n", "e", "kid", "alg", "use"} and (jwks[0]["kty"], jwks[0]["alg"]) == ("RSA", "RS256")
    assert set(jwks[1]) == {"kty", "crv", "x", "kid", "alg", "use"} and (jwks[1]["crv"], jwks[1]["alg"]) == ("Ed25519", "EdDSA")
    assert verified(old)["credentialSubject"]["achievement"]["name"] == "Certified seller (Silver)"
    issuing.clock.at += timedelta(days=1)
    renewed = verified(httpx.get(f"{issuing.url}/credentials/{certificate}/credential.jwt").text)
    assert renewed["credentialSubject"]["id"] == verified(old)["credentialSubject"]["id"], "the same holder id"
    status_list = httpx.get(f"{issuing.url}/issuer/status/revocation").text
    assert jwt.get_unverified_header(status_list) == {"alg": "RS256", "kid": f"{issuing.url}/issuer/keys/k1", "typ": "JWT"}
    verified(status_list, issuing.clock.at)
    issuing.credentials.signing_keys = {"k1": SIGNING}  # k0 dropped: what it signed no longer verifies
    with pytest.raises(KeyError):
        verified(old)
    assert httpx.get(f"{issuing.url}/issuer/keys/k0").status_code == 404


def test_without_keys_no_credentials_are_offered(make_store) -> None:
    service = ExamService({("2.4", "sales-silver"): exam_key(EXAM, 365)}, None, ROSTER, Clock())  # type: ignore[arg-type]
    credentials = CredentialService(service, CONFIG, Addresses("http://127.0.0.1:1"), {})
    service.register_credentials(credentials)
    settings = CollectorSettings(INDEX, [ORIGIN], KEYS)
    with running_collector(settings, make_store(), exams=service, routes=credential_routes(settings, credentials)) as running:
        certificate = passed(running.url)
        shown = httpx.get(f"{running.url}/certificates/{certificate}").json()
        assert shown["status"] == "valid" and "credential_url" not in shown
        for path in (f"/credentials/{certificate}/credential.jwt", "/.well-known/jwks.json", "/issuer/status/revocation"):
            answer = httpx.get(running.url + path)
            assert (answer.status_code, answer.json()) == (404, {"error": "credentials not enabled"})
        assert running.store.query("SELECT COUNT(*) FROM credentials") == [(0,)]


def test_identity_hash_as_the_spec_example() -> None:
    assert identity_hash("a@example.com", "Kosher") == "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    assert identity_hash(" A@Example.com ", "Kosher") == identity_hash("a@example.com", "Kosher")


def test_linkedin_url_escapes_its_values() -> None:
    url = linkedin_url("A&B <Gold>", "Northwind & Co", date(2026, 1, 5), date(2027, 1, 4), "id-1", "https://x.example/verify/?id=id-1")
    assert parse_qs(urlsplit(url).query)["name"] == ["A&B <Gold>"]
    assert parse_qs(urlsplit(url).query)["certUrl"] == ["https://x.example/verify/?id=id-1"]


def test_credential_keys_from_the_environment() -> None:
    entry = new_key_entry("k2026")
    older = new_key_entry("k2025", "EdDSA")
    written_before_rsa = "k2024:" + older.split(":")[2]
    keys = credential_keys({"PARTNERKIT_CREDENTIAL_KEYS": f"{entry}, {older},{written_before_rsa}"})
    assert list(keys) == ["k2026", "k2025", "k2024"]
    assert isinstance(keys["k2026"], rsa.RSAPrivateKey) and keys["k2026"].key_size == 2048
    assert isinstance(keys["k2025"], Ed25519PrivateKey) and isinstance(keys["k2024"], Ed25519PrivateKey)
    assert credential_keys({}) == {}
    message = ("PARTNERKIT_CREDENTIAL_KEYS: each key is 'id:RS256:key' (an RSA key of at least 2048 bits, PKCS#8 DER in"
               " base64url) or 'id:EdDSA:seed' (a 32-byte Ed25519 seed in base64url; 'id:seed' also reads as one);"
               " make one with partnerkit credential-key")
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
    small_der = base64.urlsafe_b64encode(small.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())).decode().rstrip("=")
    for wrong in ("k1", "k1:short", "bad id:" + older.split(":")[2], "k1:" + "!" * 43, "k1:RS256:" + older.split(":")[2],
                  "k1:EdDSA:" + entry.split(":")[2], "k1:HS256:" + older.split(":")[2], "k1:RS256:" + small_der,
                  "k1:RS256:x:y"):
        with pytest.raises(PartnerkitError) as error:
            credential_keys({"PARTNERKIT_CREDENTIAL_KEYS": wrong})
        assert str(error.value) == message
    with pytest.raises(PartnerkitError, match="key id 'k2026' is listed twice"):
        credential_keys({"PARTNERKIT_CREDENTIAL_KEYS": f"{entry},{entry}"})


def test_odd_requests_get_nothing(issuing) -> None:
    certificate = passed(issuing.url)
    for path in (f"/credentials/{certificate}/credential.exe", f"/credentials/{certificate}/credential.",
                 "/credentials/..%2F..%2Fetc/credential.jwt", f"/credentials/{'x' * 5000}/credential.jwt",
                 "/issuer/keys/..%2Fk1", "/issuer/keys/k1%00"):
        answer = httpx.get(issuing.url + path)
        assert answer.status_code == 404, path
        assert "eyJ" not in answer.text, f"{path}: no credential in the answer"
    assert issuing.store.query("SELECT COUNT(*) FROM credentials") == [(1,)], "nothing issued by odd requests"


def test_badge_text_is_escaped() -> None:
    from generator.certification.credentials import badge_svg

    hostile = 'Seller</text><script>alert(1)</script><text x="0'
    svg = etree.fromstring(badge_svg(hostile, "gold", "Acme & <Co>", date(2027, 1, 1), 'a.b"c.d').encode())
    assert not svg.findall(".//{http://www.w3.org/2000/svg}script") and not svg.findall(".//script")
    assert svg.find("{http://www.w3.org/2000/svg}title").text == f"{hostile}, Acme & <Co>, valid until 2027-01-01"
    assert svg.find(f"{{{BADGE_NAMESPACE}}}credential").get("verify") == 'a.b"c.d'


def test_the_badge_wears_its_levels_metal_on_the_sites_colour_with_the_title_inside_the_disc() -> None:
    from generator.certification.credentials import LEVEL_RINGS, badge_fill, badge_svg
    from generator.model.palette import contrast

    svg_ns = "{http://www.w3.org/2000/svg}"
    rings = {}
    for level in ("bronze", "silver", "gold"):
        svg = etree.fromstring(badge_svg("Certified Pulse seller (Silver)", level, "Ostrova", date(2027, 1, 1), "a.b.c",
                                         badge_fill("teal")).encode())
        disc = svg.find(f"{svg_ns}circle")
        rings[level] = disc.get("stroke")
        assert disc.get("fill") == badge_fill("teal") == "#00695c", "the site's primary, in its readable shade"
        lines = [text.text for text in svg.findall(f"{svg_ns}text")]
        assert lines[:2] == ["Certified Pulse", "seller (Silver)"] and lines[2] == level.capitalize() and lines[-1] == "Ostrova"
        assert all(len(line) <= 18 for line in lines), "short lines stay clear of the rim"
    assert rings == {level: LEVEL_RINGS[level] for level in rings}
    assert len(set(rings.values())) == 3, "a Silver badge is not ringed in gold"
    assert contrast(badge_fill("yellow")) >= 4.5 and contrast(badge_fill("white")) >= 4.5, "white text stays readable"
