"""A credential's embedded proof: a W3C Data Integrity proof with the ``eddsa-rdfc-2022`` cryptosuite
(VC Data Integrity EdDSA Cryptosuites v1.0, §3.2), the form wallets built on Data Integrity check
(e.g. the Digital Credentials Consortium's Learner Credential Wallet).

Signing: the proof's options (the credential's ``@context``, ``type: DataIntegrityProof``,
``cryptosuite``, ``created``, ``verificationMethod``, ``proofPurpose: assertionMethod``) and the
credential without its proof are each turned into canonical N-Quads with the RDF Dataset
Canonicalization algorithm (RDFC-1.0, which PyLD runs as ``URDNA2015``), each hashed with SHA-256; the
Ed25519 signature over the two hashes (options first) is the ``proofValue``, multibase base58btc.

JSON-LD contexts are read from the files bundled in this package (``contexts/``, see its NOTICE) by
:func:`document_loader`, which never fetches: a credential naming any other context cannot be signed."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

from generator.certification.signing_keys import base58btc
from generator.errors import PartnerkitError

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
PROOF_PURPOSE = "assertionMethod"
BUNDLED_CONTEXTS = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-context-3.0.3.json",
}
"""The JSON-LD contexts a credential may name, by address, and the bundled file that holds each."""


@cache
def _context(name: str) -> dict[str, Any]:
    return json.loads(resources.files("generator.certification").joinpath("contexts", name).read_text(encoding="utf-8"))


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """PyLD's document loader over the bundled contexts: never reaches the network."""
    name = BUNDLED_CONTEXTS.get(url)
    if name is None:
        raise PartnerkitError(f"JSON-LD context {url} is not bundled with partnerkit (nothing is fetched)")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": _context(name)}


def canonical(document: dict[str, Any]) -> str:
    """The document as canonical N-Quads (RDFC-1.0)."""
    return jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                       "documentLoader": document_loader})


def _hash_data(credential: dict[str, Any], options: dict[str, Any]) -> bytes:
    unsecured = {name: value for name, value in credential.items() if name != "proof"}
    return (hashlib.sha256(canonical({"@context": credential["@context"], **options}).encode("utf-8")).digest()
            + hashlib.sha256(canonical(unsecured).encode("utf-8")).digest())


def proof_options(verification_method: str, created: str) -> dict[str, Any]:
    return {"type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE, "created": created,
            "verificationMethod": verification_method, "proofPurpose": PROOF_PURPOSE}


def with_proof(credential: dict[str, Any], verification_method: str, key: Ed25519PrivateKey, created: str) -> dict[str, Any]:
    """The credential with an embedded ``eddsa-rdfc-2022`` proof by ``key`` (whose Multikey document is
    at ``verification_method``), made at ``created`` (an XML Schema dateTime)."""
    options = proof_options(verification_method, created)
    signature = key.sign(_hash_data(credential, options))
    return {**credential, "proof": {**options, "proofValue": "z" + base58btc(signature)}}


_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _unbase58(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _BASE58.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def proof_holds(secured: dict[str, Any], key: Ed25519PublicKey) -> bool:
    """Whether the credential's embedded proof is an ``eddsa-rdfc-2022`` signature by ``key`` over it."""
    proof = secured.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != CRYPTOSUITE or not str(proof.get("proofValue", "")).startswith("z"):
        return False
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    try:
        key.verify(_unbase58(proof["proofValue"][1:]), _hash_data(secured, options))
    except Exception:  # noqa: BLE001 - a bad signature, an unreadable value: the proof does not hold
        return False
    return True
