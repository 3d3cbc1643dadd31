"""Who a view belongs to: signed rep tokens in personal links, the roster they come from, invites.

A token is ``<payload>.<key id>.<signature>``: the payload names the partner, the rep and the issue
date; the signature is an HMAC-SHA256 with a secret key from the environment. Several keys may be
accepted at once (rotation); the first signs new tokens."""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from generator.errors import ContentError, PartnerkitError

KEYS_VARIABLE = "PARTNERKIT_TOKEN_KEYS"
"""``key-id:secret,older-id:older-secret``: the first key signs, every listed key verifies."""
ROSTER_COLUMNS = ("partner_id", "partner_name", "rep_id", "name", "email", "role", "joined", "left")
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""Partner and rep ids: letters, digits, "-" and "_"."""


@dataclass(frozen=True)
class Rep:
    partner: str
    rep: str
    issued: date


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signing_keys(environment: dict[str, str] | None = None) -> dict[str, bytes]:
    """Keys by id, in order (the first signs), from ``PARTNERKIT_TOKEN_KEYS``."""
    text = (environment if environment is not None else os.environ).get(KEYS_VARIABLE, "").strip()
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key_id, _, secret = item.partition(":")
        if not ID_PATTERN.fullmatch(key_id) or len(secret) < 16:
            raise PartnerkitError(f"{KEYS_VARIABLE}: each key is 'id:secret' with a secret of 16 characters or more")
        keys[key_id] = secret.encode("utf-8")
    if not keys:
        raise PartnerkitError(f"{KEYS_VARIABLE} is not set: give at least one 'id:secret' key")
    return keys


def _signature(payload: str, key_id: str, secret: bytes) -> str:
    return _b64(hmac.new(secret, f"{payload}.{key_id}".encode("ascii"), hashlib.sha256).digest()[:16])


def sign(rep: Rep, keys: dict[str, bytes]) -> str:
    key_id, secret = next(iter(keys.items()))
    payload = _b64(f"{rep.partner}|{rep.rep}|{rep.issued.isoformat()}".encode("utf-8"))
    return f"{payload}.{key_id}.{_signature(payload, key_id, secret)}"


def verify(token: str, keys: dict[str, bytes]) -> Rep | None:
    """The rep a token names, or None if it is malformed, signed by an unknown key or tampered with."""
    parts = token.split(".")
    if len(parts) != 3 or parts[1] not in keys:
        return None
    payload, key_id, signature = parts
    if not hmac.compare_digest(signature, _signature(payload, key_id, keys[key_id])):
        return None
    try:
        partner, rep, issued = _unb64(payload).decode("utf-8").split("|")
        return Rep(partner, rep, date.fromisoformat(issued))
    except (ValueError, UnicodeDecodeError):
        return None


@dataclass(frozen=True)
class RosterEntry:
    partner_id: str
    partner_name: str
    rep_id: str
    name: str
    email: str
    role: str
    joined: date
    left: date | None


def read_roster(path: Path, root: Path) -> list[RosterEntry]:
    """The roster CSV, every row checked; raises ContentErrors with row and column positions."""
    from generator.errors import ContentErrors
    from generator.load.files import read_text, relative_name

    text, error = read_text(path, root)
    if error:
        raise ContentErrors([error])
    name = relative_name(path, root)
    rows = list(csv.reader(text.splitlines()))
    if not rows or tuple(cell.strip() for cell in rows[0]) != ROSTER_COLUMNS:
        raise ContentErrors([ContentError(name, 1, 1, "", f"the header must be: {','.join(ROSTER_COLUMNS)}")])
    entries, errors, seen = [], [], set()
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(ROSTER_COLUMNS):
            errors.append(ContentError(name, line, 1, "", f"expected {len(ROSTER_COLUMNS)} columns, got {len(row)}"))
            continue
        values = dict(zip(ROSTER_COLUMNS, (cell.strip() for cell in row)))
        problems = [column for column in ("partner_id", "rep_id") if not ID_PATTERN.fullmatch(values[column])]
        for column in problems:
            errors.append(ContentError(name, line, ROSTER_COLUMNS.index(column) + 1, column,
                                       f"'{values[column]}' is not an id: letters, digits, '-' and '_'"))
        try:
            joined = date.fromisoformat(values["joined"])
            left = date.fromisoformat(values["left"]) if values["left"] else None
        except ValueError:
            errors.append(ContentError(name, line, 7, "joined", "dates are written YYYY-MM-DD"))
            continue
        if values["rep_id"] in seen:
            errors.append(ContentError(name, line, 3, "rep_id", f"duplicate rep '{values['rep_id']}'"))
        seen.add(values["rep_id"])
        if not problems:
            entries.append(RosterEntry(values["partner_id"], values["partner_name"], values["rep_id"], values["name"],
                                       values["email"], values["role"], joined, left))
    if errors:
        raise ContentErrors(errors)
    return entries


def invite_links(roster: list[RosterEntry], site_url: str, keys: dict[str, bytes], today: date) -> list[tuple[RosterEntry, str]]:
    """One personal link per current rep: the site address with ``?pk=<token>``."""
    base = site_url if site_url.endswith("/") else site_url + "/"
    return [
        (entry, f"{base}?pk={sign(Rep(entry.partner_id, entry.rep_id, today), keys)}")
        for entry in roster if entry.left is None or entry.left > today
    ]
