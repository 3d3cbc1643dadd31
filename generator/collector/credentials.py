"""Certificates as verifiable credentials in the collector: issuing them, handing them out, and what a
third party needs to check one (the issuer, its public keys, the revocation list).

Routes (``GET``; the collector's CORS applies, except that the keys, the issuer and the revocation list
may be read from any page: ``Access-Control-Allow-Origin: *``):

- ``/credentials/<certificate id>/credential.jwt``: the certificate's Open Badges 3.0 credential, signed
  (VC-JWT), as a download; ``credential.json``: the same credential, readable; ``badge.svg``: a badge
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
from generator.analytics.store import Transaction
from generator.analytics.store_credentials import (
    certificate_in,
    revoked_at,
    save_credential,
    status_index,
    status_rows,
    stored_credential,
)
from generator.certification.certificates import Certificate
from generator.certification.credential_keys import public_jwk
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
from generator.structure.keys import ExamKey
from generator.structure.config import SiteConfig

JWT_MEDIA_TYPE = "application/vc+jwt"


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
    keys: dict[str, Ed25519PrivateKey]
    """Signing keys by id, the first signs (``PARTNERKIT_CREDENTIAL_KEYS``); empty: no credentials."""

    @property
    def enabled(self) -> bool:
        return bool(self.keys) and self.addresses is not None

    def issue(self, db: Transaction, key: ExamKey, certificate_id: str) -> str | None:
        """Sign the certificate's credential and keep it (in the writer's transaction); returns it."""
        certificate = certificate_in(db, certificate_id)
        if not self.enabled or certificate is None or self.addresses is None:
            return None
        now = self.exams.now()
        entry = next((row for row in self.exams.roster
                      if (row.partner_id, row.rep_id) == (certificate.partner, certificate.rep)), None)
        email = entry.email if entry and "@" in entry.email else f"{certificate.partner}/{certificate.rep}"
        index = status_index(db, certificate.id, STATUS_LIST_SIZE)
        credential = open_badge_credential(certificate, key, self.config, self.addresses, email, secrets.token_hex(16),
                                           index, f"urn:uuid:{uuid.uuid4()}")
        key_id, private = next(iter(self.keys.items()))
        signed = sign(credential, self.addresses.key(key_id), private, now)
        save_credential(db, certificate.id, certificate.rep, _iso(now), signed)
        return signed

    def _key_of(self, certificate: Certificate) -> ExamKey | None:
        return self.exams.keys.get((certificate.version, certificate.exam)) or next(
            (key for (_, exam), key in self.exams.keys.items() if exam == certificate.exam), None)

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
        left = {(entry.partner_id, entry.rep_id): entry.left for entry in self.exams.roster if entry.left is not None}
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
        key_id, private = next(iter(self.keys.items()))
        return sign(credential, self.addresses.key(key_id), private, now)


NOT_ENABLED = {"error": "credentials not enabled"}
SVG_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'", "X-Content-Type-Options": "nosniff"}


def credential_routes(settings: CollectorSettings, service: CredentialService) -> list[Route]:
    """The collector's credential routes (answering 404 while no signing key or address is set)."""

    def refused(status: int, reason: str) -> JSONResponse:
        return JSONResponse({"error": reason}, status_code=status, headers={"Cache-Control": "no-store"})

    async def valid_certificate(request: Request) -> Certificate | Response:
        if not service.enabled:
            return refused(404, NOT_ENABLED["error"])
        certificate = await asyncio.to_thread(service.exams.certificate, request.path_params["id"][:64])
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
            return Response(json.dumps(payload_of(signed), indent=2, ensure_ascii=False) + "\n", media_type="application/json",
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
        return published({"keys": [public_jwk(service.addresses.key(ident), key) for ident, key in service.keys.items()]})

    async def jwk(request: Request) -> Response:
        ident = request.path_params["kid"]
        if not service.enabled or service.addresses is None or ident not in service.keys:
            return refused(404, "unknown key")
        return published(public_jwk(service.addresses.key(ident), service.keys[ident]))

    async def issuer(request: Request) -> Response:
        if not service.enabled or service.addresses is None:
            return refused(404, NOT_ENABLED["error"])
        return published({"@context": [VC_CONTEXT, OB_CONTEXT], **issuer_profile(service.config, service.addresses)})

    async def status(request: Request) -> Response:
        if not service.enabled:
            return refused(404, NOT_ENABLED["error"])
        signed = await asyncio.to_thread(service.status_list)
        return Response(signed, media_type=JWT_MEDIA_TYPE, headers={"Cache-Control": "max-age=60", **public})

    return [
        Route("/credentials/{id}/credential.{format:str}", credential, methods=["GET"]),
        Route("/credentials/{id}/badge.svg", badge, methods=["GET"]),
        Route("/.well-known/jwks.json", jwks, methods=["GET"]),
        Route("/issuer", issuer, methods=["GET"]),
        Route("/issuer/keys/{kid}", jwk, methods=["GET"]),
        Route("/issuer/status/revocation", status, methods=["GET"]),
    ]
