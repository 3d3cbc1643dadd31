"""Signed one-click unsubscribe tokens: ``<payload>.<key id>.<signature>`` like personal links, signed
with the same keys (``PARTNERKIT_TOKEN_KEYS``), but with a payload of their own
(``unsubscribe|partner|rep|kind|issued ms``) so neither kind of token passes for the other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from generator.identity import seal, unseal

PURPOSE = "unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    partner: str
    rep: str
    kind: str
    issued: datetime


def sign_unsubscribe(partner: str, rep: str, kind: str, issued: datetime, keys: dict[str, bytes]) -> str:
    millis = int(issued.timestamp() * 1000)
    return seal(f"{PURPOSE}|{partner}|{rep}|{kind}|{millis}", keys, f"{PURPOSE}.")


def verify_unsubscribe(token: str, keys: dict[str, bytes]) -> Unsubscribe | None:
    """What a token asks, or None if it is malformed (see :func:`generator.identity.unseal`),
    signed by an unknown key or tampered with."""
    text = unseal(token, keys, f"{PURPOSE}.")
    if text is None:
        return None
    try:
        purpose, partner, rep, kind, millis = text.split("|")
        if purpose != PURPOSE or not (millis.isascii() and millis.isdigit()) or len(millis) > 15:
            return None
        return Unsubscribe(partner, rep, kind, datetime.fromtimestamp(int(millis) / 1000, timezone.utc))
    except (ValueError, OverflowError, OSError):
        return None
