"""The keys that sign certificates' verifiable credentials: RSA (``RS256``) or Ed25519 (``EdDSA``), kept
like the token keys.

``PARTNERKIT_CREDENTIAL_KEYS`` holds ``key-id:ALGORITHM:private-key,older-id:older-private-key``:

- ``id:RS256:<key>``: an RSA private key (PKCS#8 DER, base64url without padding, 2048 bits or more);
  RS256 is what Open Badges 3.0 requires every verifier to accept, so new keys are RSA by default;
- ``id:EdDSA:<seed>``, or ``id:<seed>`` as keys were written before RSA: the 32-byte Ed25519 seed,
  base64url without padding. An Ed25519 key is also the one that can sign a credential's embedded
  Data Integrity proof (``eddsa-rdfc-2022``).

``partnerkit credential-key [--algorithm RS256|EdDSA]`` makes one. The first key signs new credentials'
JWTs (the first Ed25519 key signs their Data Integrity proof); every listed key is published (as a JWK,
in the collector's JWKS), so credentials signed by an older key still verify while it stays listed.
Rotation: put a new key first, keep the old one after it until the credentials it signed have expired,
then drop it."""

from __future__ import annotations

import base64
import os
import secrets

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_der_private_key,
)
from joserfc.jwk import OKPKey, RSAKey

from generator.errors import PartnerkitError
from generator.roster import ID_PATTERN

CREDENTIAL_KEYS_VARIABLE = "PARTNERKIT_CREDENTIAL_KEYS"
"""``key-id:ALGORITHM:key,older-id:…``: the first key signs credentials, every listed key is published."""
RS256 = "RS256"
EDDSA = "EdDSA"
ALGORITHMS = (RS256, EDDSA)
"""The algorithms a key may have, the default (for new keys) first."""
RSA_BITS = 2048
"""Size of a new RSA key (the least RFC 7518 allows for RS256)."""

SigningKey = rsa.RSAPrivateKey | Ed25519PrivateKey
"""A credential signing key (private)."""

_FORMAT = (f"{CREDENTIAL_KEYS_VARIABLE}: each key is 'id:RS256:key' (an RSA key of at least {RSA_BITS} bits, PKCS#8"
           " DER in base64url) or 'id:EdDSA:seed' (a 32-byte Ed25519 seed in base64url; 'id:seed' also reads as one);"
           " make one with partnerkit credential-key")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def algorithm(key: SigningKey) -> str:
    """The JOSE ``alg`` a key signs with."""
    return RS256 if isinstance(key, rsa.RSAPrivateKey) else EDDSA


def _read_key(kind: str, text: str) -> SigningKey | None:
    try:
        raw = _unb64(text)
        if kind == EDDSA:
            return Ed25519PrivateKey.from_private_bytes(raw) if len(raw) == 32 else None
        key = load_der_private_key(raw, password=None)
    except ValueError:
        return None
    return key if isinstance(key, rsa.RSAPrivateKey) and key.key_size >= RSA_BITS else None


def credential_keys(environment: dict[str, str] | None = None) -> dict[str, SigningKey]:
    """Signing keys by key id, in order (the first signs), from ``PARTNERKIT_CREDENTIAL_KEYS``; empty
    when it is not set (the collector then issues no credentials)."""
    text = (environment if environment is not None else os.environ).get(CREDENTIAL_KEYS_VARIABLE, "").strip()
    keys: dict[str, SigningKey] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        parts = item.split(":")
        key_id, kind, secret = (parts[0], EDDSA, parts[1]) if len(parts) == 2 else (parts + ["", "", ""])[:3]
        key = _read_key(kind, secret) if kind in ALGORITHMS and len(parts) in (2, 3) else None
        if not ID_PATTERN.fullmatch(key_id) or key is None:
            raise PartnerkitError(_FORMAT)
        if key_id in keys:
            raise PartnerkitError(f"{CREDENTIAL_KEYS_VARIABLE}: key id '{key_id}' is listed twice")
        keys[key_id] = key
    return keys


def new_key_entry(key_id: str, kind: str = RS256) -> str:
    """A fresh ``key-id:ALGORITHM:key`` entry for ``PARTNERKIT_CREDENTIAL_KEYS`` (from the system's randomness)."""
    if not ID_PATTERN.fullmatch(key_id):
        raise PartnerkitError(f"'{key_id}' is not a key id: letters, digits, '-' and '_'")
    if kind == EDDSA:
        return f"{key_id}:{EDDSA}:{_b64(secrets.token_bytes(32))}"
    if kind != RS256:
        raise PartnerkitError(f"'{kind}' is not a credential key algorithm: {' or '.join(ALGORITHMS)}")
    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    return f"{key_id}:{RS256}:{_b64(key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()))}"


def public_x(key: Ed25519PrivateKey) -> str:
    """An Ed25519 public key as a JWK's ``x``: its 32 raw bytes, base64url."""
    return _b64(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def public_multibase(key: Ed25519PrivateKey) -> str:
    """An Ed25519 public key as a Multikey's ``publicKeyMultibase``: ``z`` + base58btc of 0xed01 + its 32 bytes."""
    return "z" + base58btc(b"\xed\x01" + key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc(data: bytes) -> str:
    """Bitcoin's base58 alphabet, leading zero bytes kept as '1'."""
    number = int.from_bytes(data, "big")
    digits = ""
    while number:
        number, rest = divmod(number, 58)
        digits = _BASE58[rest] + digits
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + digits


def public_jwk(kid: str, key: SigningKey) -> dict[str, str]:
    """The public JWK of one key (RFC 7518 for RSA, RFC 8037 for Ed25519), named ``kid``."""
    if isinstance(key, rsa.RSAPrivateKey):
        numbers = key.public_key().public_numbers()
        width = (numbers.n.bit_length() + 7) // 8
        return {"kty": "RSA", "n": _b64(numbers.n.to_bytes(width, "big")),
                "e": _b64(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")),
                "kid": kid, "alg": RS256, "use": "sig"}
    return {"kty": "OKP", "crv": "Ed25519", "x": public_x(key), "kid": kid, "alg": EDDSA, "use": "sig"}


def joserfc_key(key: SigningKey) -> OKPKey | RSAKey:
    """The key as joserfc signs with it."""
    return RSAKey.import_key(key) if isinstance(key, rsa.RSAPrivateKey) else OKPKey.import_key(key)
