"""Certificates as verifiable credentials in the collector: issuing them, handing them out, and what a
third party needs to check one (the issuer, its public keys, the revocation list).

Routes (``GET``; the collector's CORS applies, except that the keys, the issuer and the revocation list
may be read from any page: ``Access-Control-Allow-Origin: *``):

- ``/credentials/<certificate id>/credential.jwt``: the certificate's Open Badges 3.0 credential, signed
  (VC-JWT), as a download; ``credential.json``: the same credential as JSON-LD, with an embedded Data
  Integrity proof (``eddsa-rdfc-2022``) when an Ed25519 key is listed; ``badge.svg``: a badge
  image baked with the signed credential. Only while the certificate is valid (404 unknown, 410
  revoked or expired).
- ``/.well-known/jwks.json``: every listed signing key's public JWK; ``/issuer/keys/<key id>``: one of
  them (a credential's ``kid``); ``/issuer``: the issuer profile.
- ``/issuer/status/revocation``: the revocation list, a signed ``BitstringStatusListCredential``. An
  entry's bit is set once its certificate was revoked (``partnerkit revoke-certificate``, ``forget``),
  its holder left the partner (roster ``left``), or its recertification deadline passed.

A credential is issued (or renewed) with its certificate, in the same transaction; one the records no
longer match (a certificate from before credentials were enabled, or whose recertification deadline
came later) is issued again when it is downloaded."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from generator.collector.app import CollectorSettings
from generator.store.core import Transaction
from generator.store.credentials import (
    certificate_in,
    revoked_at,
    save_credential,
    status_index,
    status_rows,
    stored_credential,
)
from generator.certification.certificates import Certificate
from generator.certification.signing_keys import SigningKey, public_jwk, public_multibase
from generator.certification.data_integrity import with_proof
from generator.certification.credentials import (
    OB_CONTEXT,
    STATUS_LIST_SIZE,
    VC_CONTEXT,
    Addresses,
    badge_svg,
    issuer_profile,
    badge_fill,
    linkedin_url,
    open_badge_credential,
    sign,
    status_list_credential,
)
from generator.collector.exams import ExamService
from generator.roster import ID_PATTERN
from generator.model.answer_keys import ExamKey
from generator.model.config import SiteConfig

JWT_MEDIA_TYPE = "application/vc+jwt"
JWT_CLAIMS = ("iss", "sub", "nbf", "exp", "jti", "iat")
"""The JWT's registered claims: not part of the credential itself."""
LINKED_DATA_TYPES = ("application/ld+json", "application/vc")
"""Media types a client names in ``Accept`` to get the revocation list as JSON-LD with a Data Integrity proof
(without them it is a VC-JWT)."""
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
ASSERTION_METHOD = {"assertionMethod": {"@id": "https://w3id.org/security#assertionMethod", "@type": "@id",
                                        "@container": "@set"}}
"""The term an issuer profile needs to list its Data Integrity keys (neither VC 2.0's nor Open Badges' context
defines it at the top level)."""


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def payload_of(signed: str) -> dict[str, Any]:
    """The claims of a compact JWS this collector signed (read, not verified: it comes from the store)."""
    part = signed.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@dataclass
class CredentialService:
    """Issues and describes credentials beside an :class:`ExamService` (its store, roster and clock)."""

    exams: ExamService
    config: SiteConfig
    addresses: Addresses | None
    """Where the collector is served (None: no ``analytics.endpoint``, so no credentials)."""
    signing_keys: dict[str, SigningKey]
    """Signing keys by id, the first signs (``PARTNERKIT_CREDENTIAL_KEYS``); empty: no credentials."""

    @property
    def enabled(self) -> bool:
        return bool(self.signing_keys) and self.addresses is not None

    def issue(self, db: Transaction, key: ExamKey, certificate_id: str) -> str | None:
        """Sign the certificate's credential and keep it (in the writer's transaction); returns it."""
        certificate = certificate_in(db, certificate_id)
        if not self.enabled or certificate is None or self.addresses is None:
            return None
        now = self.exams.now()
        entry = self.exams.entry(certificate.partner, certificate.rep)
        email = entry.email if entry and "@" in entry.email else f"{certificate.partner}/{certificate.rep}"
        index = status_index(db, certificate.id, STATUS_LIST_SIZE)
        credential = open_badge_credential(certificate, key, self.config, self.addresses, email, secrets.token_hex(16),
                                           index, f"urn:uuid:{uuid.uuid4()}")
        key_id, private = next(iter(self.signing_keys.items()))
        signed = sign(credential, self.addresses.key(key_id), private)
        save_credential(db, certificate.id, certificate.rep, _iso(now), signed)
        return signed

    @property
    def proof_key(self) -> tuple[str, Ed25519PrivateKey] | None:
        """The key that signs Data Integrity proofs: the first Ed25519 key listed (None: no proofs)."""
        return next(((ident, key) for ident, key in self.signing_keys.items() if isinstance(key, Ed25519PrivateKey)), None)

    def method_ids(self) -> list[str]:
        """The ``verificationMethod`` addresses of the listed Ed25519 keys."""
        assert self.addresses is not None
        return [self.addresses.method(ident) for ident, key in self.signing_keys.items() if isinstance(key, Ed25519PrivateKey)]

    def secured(self, signed: str) -> dict[str, Any]:
        """The credential a VC-JWT carries, as JSON-LD: without the JWT's claims, with an embedded
        ``eddsa-rdfc-2022`` proof made now when an Ed25519 key is listed."""
        credential = {name: value for name, value in payload_of(signed).items() if name not in JWT_CLAIMS}
        found = self.proof_key
        if found is None or self.addresses is None:
            return credential
        ident, key = found
        created = self.exams.now().astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        return with_proof(credential, self.addresses.method(ident), key, created)

    def _key_of(self, certificate: Certificate) -> ExamKey | None:
        return self.exams.answer_keys.get((certificate.version, certificate.exam)) or next(
            (key for (_, exam), key in self.exams.answer_keys.items() if exam == certificate.exam), None)

    def current(self, certificate: Certificate) -> str | None:
        """The certificate's credential, issued again first when the stored one says another validity
        (or there is none)."""
        signed = stored_credential(self.exams.store, certificate.id)
        until = f"{certificate.valid_until.isoformat()}T23:59:59Z"
        if signed is not None and payload_of(signed).get("validUntil") == until:
            return signed
        key = self._key_of(certificate)
        if key is None:
            return signed
        return self.exams.store.run(lambda db: self.issue(db, key, certificate.id)).result()

    def links(self, certificate: Certificate, shown: dict[str, Any]) -> dict[str, Any]:
        """What the verification page adds: a revocation by ``revoke-certificate``, and while the
        certificate is valid, its credential, badge and LinkedIn addresses."""
        extra: dict[str, Any] = {}
        revoked = revoked_at(self.exams.store, certificate.id)
        if revoked is not None and shown["status"] != "revoked":
            extra.update(status="revoked", revoked_on=revoked[:10])
        if extra.get("status", shown["status"]) not in ("valid", "recertify") or not self.enabled or self.addresses is None:
            return extra
        extra.update(credential_url=self.addresses.credential(certificate.id), badge_url=self.addresses.badge(certificate.id))
        if shown.get("verify_url"):
            extra["linkedin_url"] = linkedin_url(certificate.title, self.config.vendor, certificate.issued,
                                                 certificate.valid_until, certificate.id, shown["verify_url"])
        return extra

    def revoked_indices(self, today: date) -> set[int]:
        """Indices whose bit is set today: revoked, holder left, or recertification deadline passed."""
        left = {(entry.partner_id, entry.rep_id): entry.left for entry in self.exams.entries() if entry.left is not None}
        bits = set()
        for row in status_rows(self.exams.store):
            gone = left.get((row.partner, row.rep))
            if (row.revoked_at is not None or (gone is not None and gone <= today)
                    or (row.recertify_by is not None and date.fromisoformat(row.recertify_by) < today)):
                bits.add(row.index)
        return bits

    def status_list(self) -> str:
        """The revocation list, signed."""
        assert self.addresses is not None
        now = self.exams.now()
        credential = status_list_credential(self.config, self.addresses, self.revoked_indices(now.date()), now)
        key_id, private = next(iter(self.signing_keys.items()))
        return sign(credential, self.addresses.key(key_id), private)

    def status_list_secured(self) -> dict[str, Any] | None:
        """The revocation list as JSON-LD with an embedded Data Integrity proof (None: no Ed25519 key)."""
        assert self.addresses is not None
        found = self.proof_key
        if found is None:
            return None
        now = self.exams.now()
        credential = status_list_credential(self.config, self.addresses, self.revoked_indices(now.date()), now)
        return with_proof(credential, self.addresses.method(found[0]), found[1], credential["validFrom"])


NOT_ENABLED = {"error": "credentials not enabled"}
SVG_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'", "X-Content-Type-Options": "nosniff"}


def credential_routes(settings: CollectorSettings, service: CredentialService) -> list[Route]:
    """The collector's credential routes (answering 404 while no signing key or address is set)."""

    def refused(status: int, reason: str) -> JSONResponse:
        return JSONResponse({"error": reason}, status_code=status, headers={"Cache-Control": "no-store"})

    async def valid_certificate(request: Request) -> Certificate | Response:
        if not service.enabled:
            return refused(404, NOT_ENABLED["error"])
        ident = request.path_params["id"]
        certificate = await asyncio.to_thread(service.exams.certificate, ident) if ID_PATTERN.fullmatch(ident) else None
        if certificate is None:
            return refused(404, "unknown certificate")
        shown = service.exams.verification(certificate)
        shown.update(await asyncio.to_thread(service.links, certificate, shown))
        if shown["status"] not in ("valid", "recertify"):
            return refused(410, f"certificate {shown['status']}")
        return certificate

    def attachment(name: str) -> dict[str, str]:
        return {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff"}

    async def signed_credential(request: Request) -> tuple[Certificate, str] | Response:
        """The valid certificate a request names and its current signed credential, or the refusal."""
        certificate = await valid_certificate(request)
        if isinstance(certificate, Response):
            return certificate
        signed = await asyncio.to_thread(service.current, certificate)
        return refused(404, "no credential") if signed is None else (certificate, signed)

    async def credential(request: Request) -> Response:
        if request.path_params["format"] not in ("jwt", "json"):
            return refused(404, "not found")
        found = await signed_credential(request)
        if isinstance(found, Response):
            return found
        certificate, signed = found
        if request.path_params["format"] == "json":
            secured = await asyncio.to_thread(service.secured, signed)
            return Response(json.dumps(secured, indent=2, ensure_ascii=False) + "\n", media_type="application/json",
                            headers=attachment(f"certificate-{certificate.id}.json"))
        return Response(signed, media_type=JWT_MEDIA_TYPE, headers=attachment(f"certificate-{certificate.id}.jwt"))

    async def badge(request: Request) -> Response:
        found = await signed_credential(request)
        if isinstance(found, Response):
            return found
        certificate, signed = found
        image = badge_svg(certificate.title, certificate.level, service.config.vendor, certificate.valid_until, signed,
                          badge_fill(service.config.palette.primary))
        return Response(image, media_type="image/svg+xml",
                        headers={**attachment(f"certificate-{certificate.id}.svg"), **SVG_HEADERS})

    public = {"Access-Control-Allow-Origin": "*"}  # what any verifier, in any page, may read

    def published(data: dict[str, Any]) -> JSONResponse:
        return JSONResponse(data, headers={"Cache-Control": "public, max-age=300", **public})

    async def jwks(request: Request) -> Response:
        if not service.enabled or service.addresses is None:
            return refused(404, NOT_ENABLED["error"])
        return published({"keys": [public_jwk(service.addresses.key(ident), key) for ident, key in service.signing_keys.items()]})

    async def jwk(request: Request) -> Response:
        ident = request.path_params["kid"]
        if not service.enabled or service.addresses is None or ident not in service.signing_keys:
            return refused(404, "unknown key")
        return published(public_jwk(service.addresses.key(ident), service.signing_keys[ident]))

    async def method(request: Request) -> Response:
        ident = request.path_params["kid"]
        key = service.signing_keys.get(ident)
        if not service.enabled or service.addresses is None or not isinstance(key, Ed25519PrivateKey):
            return refused(404, "unknown key")
        return published({"@context": MULTIKEY_CONTEXT, "id": service.addresses.method(ident), "type": "Multikey",
                          "controller": service.addresses.issuer, "publicKeyMultibase": public_multibase(key)})

    async def issuer(request: Request) -> Response:
        if not service.enabled or service.addresses is None:
            return refused(404, NOT_ENABLED["error"])
        profile = {"@context": [VC_CONTEXT, OB_CONTEXT], **issuer_profile(service.config, service.addresses)}
        methods = service.method_ids()
        if methods:
            profile["@context"].append(ASSERTION_METHOD)
            profile["assertionMethod"] = methods
        return published(profile)

    async def status(request: Request) -> Response:
        if not service.enabled:
            return refused(404, NOT_ENABLED["error"])
        headers = {"Cache-Control": "max-age=60", "Vary": "Accept", **public}
        if any(kind in request.headers.get("accept", "") for kind in LINKED_DATA_TYPES):
            secured = await asyncio.to_thread(service.status_list_secured)
            if secured is not None:
                return Response(json.dumps(secured, ensure_ascii=False), media_type="application/ld+json", headers=headers)
        signed = await asyncio.to_thread(service.status_list)
        return Response(signed, media_type=JWT_MEDIA_TYPE, headers=headers)

    return [
        Route("/credentials/{id}/credential.{format:str}", credential, methods=["GET"]),
        Route("/credentials/{id}/badge.svg", badge, methods=["GET"]),
        Route("/.well-known/jwks.json", jwks, methods=["GET"]),
        Route("/issuer", issuer, methods=["GET"]),
        Route("/issuer/keys/{kid}", jwk, methods=["GET"]),
        Route("/issuer/methods/{kid}", method, methods=["GET"]),
        Route("/issuer/status/revocation", status, methods=["GET"]),
    ]
