"""``partnerkit revoke-certificate`` and ``credential-key``: revoking one certificate's verifiable
credentials, and making a signing key for them."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from generator.store.credentials import revoke_certificate as revoke_entry
from generator.certification.signing_keys import new_key_entry
from generator.certification.credentials import STATUS_LIST_SIZE
from generator.errors import PartnerkitError
from generator.store.database import open_project_store


def revoke_certificate(root: Path, certificate: str, db: str | None) -> str:
    """Revoke the certificate: the verify page says so and its entry in the revocation list is set, at
    once (running collectors read both from the database). Returns when it was revoked (the first time,
    if it already was)."""
    store = open_project_store(root, db)
    try:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        revoked = store.run(lambda transaction: revoke_entry(transaction, certificate, now, STATUS_LIST_SIZE)).result()
    finally:
        store.close()
    if revoked is None:
        raise PartnerkitError(f"no certificate has the id {certificate}")
    return revoked


def credential_key(key_id: str, algorithm: str) -> str:
    """A new ``id:ALGORITHM:key`` entry for ``PARTNERKIT_CREDENTIAL_KEYS``."""
    return new_key_entry(key_id, algorithm)
