"""Signed one-click unsubscribe tokens: ``<payload>.<key id>.<signature>`` like personal links, signed
with the same keys (``PARTNERKIT_TOKEN_KEYS``), but with a payload of their own
(``unsubscribe|partner|rep|kind|issued ms``) so neither kind of token passes for the other."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timezone

PURPOSE = "unsubscribe"
MAX_TOKEN_CHARS = 400
"""Longer tokens are refused unread."""


@dataclass(frozen=True)
class Unsubscribe:
    partner: str
    rep: str
    kind: str
    issued: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _signature(payload: str, key_id: str, secret: bytes) -> str:
    return _b64(hmac.new(secret, f"{PURPOSE}.{payload}.{key_id}".encode("ascii"), hashlib.sha256).digest()[:16])


def sign_unsubscribe(partner: str, rep: str, kind: str, issued: datetime, keys: dict[str, bytes]) -> str:
    key_id, secret = next(iter(keys.items()))
    millis = int(issued.timestamp() * 1000)
    payload = _b64(f"{PURPOSE}|{partner}|{rep}|{kind}|{millis}".encode("utf-8"))
    return f"{payload}.{key_id}.{_signature(payload, key_id, secret)}"


def verify_unsubscribe(token: str, keys: dict[str, bytes]) -> Unsubscribe | None:
    """What a token asks, or None if it is malformed, too long, signed by an unknown key or tampered with."""
    parts = token.split(".")
    if len(token) > MAX_TOKEN_CHARS or len(parts) != 3 or parts[1] not in keys:
        return None
    payload, key_id, signature = parts
    if not hmac.compare_digest(signature, _signature(payload, key_id, keys[key_id])):
        return None
    try:
        purpose, partner, rep, kind, millis = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode().split("|")
        if purpose != PURPOSE or not millis.isdigit() or len(millis) > 15:
            return None
        return Unsubscribe(partner, rep, kind, datetime.fromtimestamp(int(millis) / 1000, timezone.utc))
    except (ValueError, UnicodeDecodeError, OverflowError, OSError):
        return None
