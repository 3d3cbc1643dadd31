"""The keys that sign certificates' verifiable credentials: Ed25519, kept like the token keys.

``PARTNERKIT_CREDENTIAL_KEYS`` holds ``key-id:private-key,older-id:older-private-key``: each private key
is the 32-byte Ed25519 seed, base64url without padding (``partnerkit credential-key`` makes one). The
first key signs new credentials; every listed key is published (as a JWK, in the collector's JWKS), so
credentials signed by an older key still verify while it stays listed. Rotation: put a new key first,
keep the old one after it until the credentials it signed have expired, then drop it."""

from __future__ import annotations

import base64
import os
import secrets

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from joserfc.jwk import OKPKey

from generator.roster import ID_PATTERN
from generator.errors import PartnerkitError

CREDENTIAL_KEYS_VARIABLE = "PARTNERKIT_CREDENTIAL_KEYS"
"""``key-id:seed,older-id:older-seed``: the first key signs credentials, every listed key is published."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def credential_keys(environment: dict[str, str] | None = None) -> dict[str, Ed25519PrivateKey]:
    """Signing keys by key id, in order (the first signs), from ``PARTNERKIT_CREDENTIAL_KEYS``; empty
    when it is not set (the collector then issues no credentials)."""
    text = (environment if environment is not None else os.environ).get(CREDENTIAL_KEYS_VARIABLE, "").strip()
    keys: dict[str, Ed25519PrivateKey] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key_id, _, seed = item.partition(":")
        try:
            raw = _unb64(seed)
        except ValueError:
            raw = b""
        if not ID_PATTERN.fullmatch(key_id) or len(raw) != 32:
            raise PartnerkitError(f"{CREDENTIAL_KEYS_VARIABLE}: each key is 'id:seed' with a 32-byte Ed25519 seed in"
                                  " base64url (make one with partnerkit credential-key)")
        if key_id in keys:
            raise PartnerkitError(f"{CREDENTIAL_KEYS_VARIABLE}: key id '{key_id}' is listed twice")
        keys[key_id] = Ed25519PrivateKey.from_private_bytes(raw)
    return keys


def new_key_entry(key_id: str) -> str:
    """A fresh ``key-id:seed`` entry for ``PARTNERKIT_CREDENTIAL_KEYS`` (the seed from the system's randomness)."""
    if not ID_PATTERN.fullmatch(key_id):
        raise PartnerkitError(f"'{key_id}' is not a key id: letters, digits, '-' and '_'")
    return f"{key_id}:{_b64(secrets.token_bytes(32))}"


def public_x(key: Ed25519PrivateKey) -> str:
    """The public key as a JWK's ``x``: its 32 raw bytes, base64url."""
    return _b64(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def public_jwk(kid: str, key: Ed25519PrivateKey) -> dict[str, str]:
    """The public JWK of one key (RFC 8037), named ``kid``."""
    return {"kty": "OKP", "crv": "Ed25519", "x": public_x(key), "kid": kid, "alg": "EdDSA", "use": "sig"}


def joserfc_key(key: Ed25519PrivateKey) -> OKPKey:
    """The key as joserfc signs with it."""
    return OKPKey.import_key(key)
