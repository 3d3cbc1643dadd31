"""Certificates as Open Badges 3.0 verifiable credentials: what one says, its status list, its proof.

Pure functions: the collector (:mod:`generator.collector.credentials`) calls them with what its records
hold. A credential is an ``OpenBadgeCredential`` in the W3C Verifiable Credentials 2.0 data model:

- ``issuer``: the vendor's profile from site_config.yml (``vendor``, ``vendor_url``, ``vendor_email``),
  whose id is the collector's ``/issuer`` address;
- ``credentialSubject``: the rep, whose ``id`` (the JWT's ``sub``) is a ``urn:uuid:`` made from the
  issuer's address and the certificate id (:func:`holder_id`): it names this certificate's holder and
  nothing else (no address, no name, not the same across a rep's certificates), and by a salted SHA-256 hash of their roster e-mail address
  (``identityHash``, with the salt beside it, as the spec describes: whoever knows the address can check
  it; the address itself is not in the credential), and the ``achievement``: the exam's title,
  description, ``criteria.narrative`` (its rules, the role and level it certifies and the partner tiers
  it counts towards);
- ``validFrom`` / ``validUntil``: the certificate's issue day and its last valid day;
- ``credentialStatus``: a ``BitstringStatusListEntry`` in the collector's revocation list.

The proof is a VC-JWT as Open Badges 3.0 §8.2 has it: a compact JWS (RS256, or EdDSA with an older
Ed25519 key) whose header is exactly ``alg``, ``kid`` (the address of the signing key's JWK) and
``typ: "JWT"``, and whose payload is the credential with the claims ``iss``, ``sub``, ``nbf``, ``exp``
and ``jti`` mirroring it."""

from __future__ import annotations

import base64
import gzip
import hashlib
import uuid
import warnings
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from joserfc import jwt
from joserfc.errors import SecurityWarning

from generator.certification.certificates import Certificate
from generator.certification.signing_keys import SigningKey, algorithm, joserfc_key
from generator.model.answer_keys import ExamKey
from generator.model.config import SiteConfig

warnings.filterwarnings("ignore", message="EdDSA is deprecated", category=SecurityWarning)
# RFC 9864 names the algorithm "Ed25519"; "EdDSA" is what Open Badges and VC verifiers read today.

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
"""The Verifiable Credentials 2.0 context, first in every credential."""
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
"""The Open Badges 3.0 context."""
SCHEMA_VALIDATOR = "1EdTechJsonSchemaValidator2019"
"""The ``credentialSchema`` type Open Badges 3.0 requires."""
SCHEMA_VALIDATOR_TERM = {SCHEMA_VALIDATOR: f"https://purl.imsglobal.org/spec/vc/ob/vocab.html#{SCHEMA_VALIDATOR}"}
"""An inline context defining it: neither the VC 2.0 nor the Open Badges 3.0 context does, and a Data Integrity
verifier in safe mode (Digital Bazaar's) rejects a type no context defines."""
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
"""1EdTech's JSON Schema for achievement credentials, named in ``credentialSchema``."""
STATUS_LIST_SIZE = 131072
"""Entries in the revocation list: 16 KiB of bits, the smallest list the Bitstring Status List spec allows
(so one entry says little about how many certificates there are)."""
STATUS_LIST_HOURS = 24
"""Hours a served revocation list is valid (``validUntil``): verifiers fetch it again after that."""
STATUS_PURPOSE = "revocation"
JWT_TYPE = "JWT"
"""The ``typ`` of a credential's JWS header (Open Badges 3.0 §8.2.3)."""
BADGE_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
"""Namespace of the ``<openbadges:credential>`` element a baked SVG badge carries."""


@dataclass(frozen=True)
class Addresses:
    """Where the collector at ``base`` (its public address, without the ``/e``) serves each part."""

    base: str

    @property
    def issuer(self) -> str:
        return f"{self.base}/issuer"

    @property
    def jwks(self) -> str:
        return f"{self.base}/.well-known/jwks.json"

    @property
    def status_list(self) -> str:
        return f"{self.base}/issuer/status/{STATUS_PURPOSE}"

    def key(self, key_id: str) -> str:
        """The ``kid`` of a signing key: the address of its JWK."""
        return f"{self.base}/issuer/keys/{quote(key_id, safe='')}"

    def method(self, key_id: str) -> str:
        """The ``verificationMethod`` of an Ed25519 key's Data Integrity proofs: the address of its Multikey."""
        return f"{self.base}/issuer/methods/{quote(key_id, safe='')}"

    def credential(self, certificate: str) -> str:
        return f"{self.base}/credentials/{quote(certificate, safe='')}/credential.jwt"

    def badge(self, certificate: str) -> str:
        return f"{self.base}/credentials/{quote(certificate, safe='')}/badge.svg"


def issuer_profile(config: SiteConfig, addresses: Addresses) -> dict[str, Any]:
    """The vendor as an Open Badges ``Profile``."""
    profile: dict[str, Any] = {"id": addresses.issuer, "type": ["Profile"], "name": config.vendor}
    url = config.vendor_url or config.site_url
    if url:
        profile["url"] = url
    if config.vendor_email:
        profile["email"] = config.vendor_email
    return profile


def holder_id(addresses: Addresses, certificate: str) -> str:
    """The ``credentialSubject.id`` (and JWT ``sub``) of a certificate's credentials: a name-based UUID
    (version 5) of the issuer's address and the certificate id. Stable across renewals of the
    certificate, different for each certificate, and it says nothing about the person."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{addresses.issuer}/holders/{certificate}"))


def identity_hash(email: str, salt: str) -> str:
    """``sha256$<hex>`` of the e-mail address (trimmed, lower case) followed by the salt, UTF-8."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def counted_tiers(key: ExamKey, config: SiteConfig) -> list[str]:
    """Names of the partner tiers a certificate of this exam counts towards: those requiring its role at
    its level or a lower one."""
    levels = config.certification.levels
    if key.level not in levels:
        return []
    return [tier.name for tier in config.certification.tiers
            if any(need.role == key.role and need.level in levels and levels.index(need.level) <= levels.index(key.level)
                   for need in tier.requires)]


def achievement(key: ExamKey, config: SiteConfig, addresses: Addresses) -> dict[str, Any]:
    """The exam as an Open Badges ``Achievement`` (a certification)."""
    role = next((role.name for role in config.roles if role.id == key.role), key.role)
    description = key.summary or f"{config.vendor} certification for the {role} role" + (
        f" at the {key.level} level." if key.level else ".")
    rules = [f"Pass the {key.title} exam, graded by {config.vendor}: at least {key.pass_mark} % of the points on "
             f"{key.draw} questions drawn from a pool of {len(key.questions)}"
             + (f", within {key.time_limit_minutes} minutes." if key.time_limit_minutes else ".")]
    rules.append(f"Certifies the {role} role" + (f" at the {key.level} level" if key.level else "")
                 + f", for {key.validity_days} days; when a later release changes the exam materially, holders pass it again.")
    tiers = counted_tiers(key, config)
    if tiers:
        rules.append(f"Counts towards the partner tiers: {', '.join(tiers)}.")
    tags = [value for value in (role, key.level) if value]
    data: dict[str, Any] = {
        "id": "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{addresses.issuer}/achievements/{key.id}")),
        "type": ["Achievement"], "achievementType": "Certification", "name": key.title, "description": description,
        "criteria": {"narrative": " ".join(rules)}, "creator": issuer_profile(config, addresses),
    }
    if tags:
        data["tag"] = tags
    return data


def _moment(day: date, end: bool = False) -> str:
    return datetime.combine(day, time(23, 59, 59) if end else time(0, 0), timezone.utc).isoformat().replace("+00:00", "Z")


def status_entry(index: int, addresses: Addresses) -> dict[str, Any]:
    """A credential's ``credentialStatus``: its place in the revocation list."""
    return {"id": f"{addresses.status_list}#{index}", "type": "BitstringStatusListEntry", "statusPurpose": STATUS_PURPOSE,
            "statusListIndex": str(index), "statusListCredential": addresses.status_list}


def open_badge_credential(certificate: Certificate, key: ExamKey, config: SiteConfig, addresses: Addresses,
                          email: str, salt: str, status_index: int, credential_id: str) -> dict[str, Any]:
    """The certificate as an ``OpenBadgeCredential`` (unsigned). ``email``: the holder's address on the
    roster (hashed with ``salt``; the certificate's partner/rep id when the roster has none)."""
    identity = {"type": "IdentityObject", "identityHash": identity_hash(email, salt),
                "identityType": "emailAddress" if "@" in email else "sourcedId", "hashed": True, "salt": salt}
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT, SCHEMA_VALIDATOR_TERM],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": key.title,
        "issuer": issuer_profile(config, addresses),
        "validFrom": _moment(certificate.issued),
        "validUntil": _moment(certificate.valid_until, end=True),
        "credentialSubject": {"id": holder_id(addresses, certificate.id), "type": ["AchievementSubject"], "identifier": [identity],
                              "achievement": achievement(key, config, addresses)},
        "credentialStatus": status_entry(status_index, addresses),
        "credentialSchema": [{"id": OB_SCHEMA, "type": SCHEMA_VALIDATOR}],
    }


def encode_status_list(revoked: set[int], size: int = STATUS_LIST_SIZE) -> str:
    """The Bitstring Status List ``encodedList``: bit ``i`` (from the left of the first byte) set for each
    revoked index, GZIP-compressed, multibase base64url (``u`` prefix, no padding)."""
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def status_list_credential(config: SiteConfig, addresses: Addresses, revoked: set[int], now: datetime) -> dict[str, Any]:
    """The revocation list as a ``BitstringStatusListCredential`` (unsigned), valid for
    :data:`STATUS_LIST_HOURS` (an old copy cannot be passed off as current for long)."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],  # the issuer is an Open Badges Profile
        "id": addresses.status_list,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_profile(config, addresses),
        "validFrom": _stamp(now),
        "validUntil": _stamp(now + timedelta(hours=STATUS_LIST_HOURS)),
        "credentialSubject": {"id": f"{addresses.status_list}#list", "type": "BitstringStatusList",
                              "statusPurpose": STATUS_PURPOSE, "encodedList": encode_status_list(revoked)},
    }


def _seconds(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def sign(credential: dict[str, Any], kid: str, key: SigningKey) -> str:
    """The credential as a VC-JWT (Open Badges 3.0 §8.2): header ``alg``, ``kid`` and ``typ`` only;
    payload the credential plus ``iss`` (the issuer's id), ``sub`` (the subject's id), ``nbf``
    (``validFrom``), ``exp`` (``validUntil``, when it has one) and ``jti`` (its id)."""
    issuer = credential["issuer"]
    claims = {**credential, "iss": issuer["id"] if isinstance(issuer, dict) else issuer,
              "sub": credential["credentialSubject"]["id"], "nbf": _seconds(credential["validFrom"])}
    if "validUntil" in credential:
        claims["exp"] = _seconds(credential["validUntil"])
    claims["jti"] = credential["id"]
    header = {"alg": algorithm(key), "kid": kid, "typ": JWT_TYPE}
    return jwt.encode(header, claims, joserfc_key(key), algorithms=[algorithm(key)])


LEVEL_RINGS = {"bronze": "#b0713a", "silver": "#aeb6bf", "gold": "#e6a800", "platinum": "#7f97ad"}
"""The badge's ring by certification level: the metal it names (any other level gets a white ring)."""
BADGE_FALLBACK_FILL = "#263238"
"""The badge's disc where the site's primary colour is too light for white text on it."""


def badge_fill(primary: str) -> str:
    """The badge's disc in the site's palette: the primary colour (or its darker shade, as links use it)
    where white text reads on it at 4.5:1, else a dark neutral."""
    from generator.model.palette import LINK_SHADES, MATERIAL_PRIMARY, MINIMUM_CONTRAST, contrast

    colour = LINK_SHADES.get(primary) or MATERIAL_PRIMARY.get(primary, BADGE_FALLBACK_FILL)
    return colour if contrast(colour) >= MINIMUM_CONTRAST else BADGE_FALLBACK_FILL


def _title_lines(title: str, width: int = 18, most: int = 3) -> list[str]:
    """The title in lines of about ``width`` characters that fit inside the disc (the last cut with "…")."""
    import textwrap

    lines = textwrap.wrap(title[:80], width) or [""]
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def badge_svg(title: str, level: str, vendor: str, valid_until: date, signed: str, fill: str = BADGE_FALLBACK_FILL) -> str:
    """A badge image baked with the signed credential (an ``<openbadges:credential verify="…">``
    element, as Open Badges 3.0 bakes a JWT into an SVG): a disc in ``fill`` (the site's palette, see
    :func:`badge_fill`) with a ring in the level's metal, the title wrapped to stay clear of the rim."""
    ring = LEVEL_RINGS.get(level.lower(), "#ffffff")
    title_lines = _title_lines(title)
    rows = [(15, 700, line) for line in title_lines]
    if level:
        rows.append((13, 400, level.capitalize()))
    rows.append((11, 400, vendor[:28]))
    top = 120 - (len(rows) - 1) * 9
    texts = "".join(
        f'<text x="120" y="{top + index * 19}" text-anchor="middle" dominant-baseline="middle" font-family="sans-serif"'
        f' font-size="{size}" font-weight="{weight}" fill="#fff">{escape(text)}</text>'
        for index, (size, weight, text) in enumerate(rows))
    label = escape(f"{title}, {vendor}, valid until {valid_until.isoformat()}", quote=True)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{BADGE_NAMESPACE}" width="240" height="240"'
        f' viewBox="0 0 240 240" role="img" aria-label="{label}">\n'
        f'<openbadges:credential verify="{escape(signed, quote=True)}"/>\n'
        f"<title>{label}</title>\n"
        f'<circle cx="120" cy="120" r="112" fill="{escape(fill, quote=True)}" stroke="{ring}" stroke-width="10"/>\n'
        f'<circle cx="120" cy="120" r="98" fill="none" stroke="{ring}" stroke-width="1.5" stroke-opacity="0.8"/>\n'
        f"{texts}\n</svg>\n"
    )


def linkedin_url(name: str, organization: str, issued: date, expires: date, certificate: str, verify_url: str) -> str:
    """LinkedIn's add-to-profile address for a certification, filled in: name, issuing organization,
    issue and expiry year and month, the certificate id and the verify page's link to it."""
    return "https://www.linkedin.com/profile/add?" + urlencode({
        "startTask": "CERTIFICATION_NAME", "name": name, "organizationName": organization,
        "issueYear": issued.year, "issueMonth": issued.month, "expirationYear": expires.year,
        "expirationMonth": expires.month, "certUrl": verify_url, "certId": certificate})
