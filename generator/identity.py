"""Who a view belongs to: signed rep tokens in personal links, the roster they come from, invites,
revocations.

A token is ``<payload>.<key id>.<signature>``: the payload names the partner, the rep and the issue
time (milliseconds since 1970, UTC; links made before that carried the issue day); the signature is an
HMAC-SHA256 with a secret key from the environment. Several keys may be accepted at once (rotation);
the first signs new tokens.

A signed token is not enough to be counted: :class:`Roster` holds the roster and the revocation list
as their files are now (re-read whenever a file changes) and says why a token must be refused: its rep
is not on the roster, has left, had their links revoked after it was issued, or it is too old."""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from generator.layout import REVOKED_FILE
from generator.errors import PartnerkitError
from generator.roster import ID_PATTERN, RosterEntry, read_roster

KEYS_VARIABLE = "PARTNERKIT_TOKEN_KEYS"
"""``key-id:secret,older-id:older-secret``: the first key signs, every listed key verifies."""
REVOKED_COLUMNS = ("rep_id", "revoked_at")


@dataclass(frozen=True)
class Rep:
    partner: str
    rep: str
    issued: date | datetime
    """When the link was made: a UTC time (a day on links made before tokens carried the time)."""

    @property
    def issued_at(self) -> datetime:
        """The issue time as an aware UTC datetime (midnight UTC for a day)."""
        if isinstance(self.issued, datetime):
            return self.issued
        return datetime(self.issued.year, self.issued.month, self.issued.day, tzinfo=timezone.utc)


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def link_keys(environment: dict[str, str] | None = None) -> dict[str, bytes]:
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


MAX_TOKEN_CHARS = 400
"""Longer tokens are refused unread."""
TOKEN_PATTERN = re.compile(r"([A-Za-z0-9_-]{1,%d})\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{22})" % MAX_TOKEN_CHARS)
"""A signed token: ``<payload>.<key id>.<signature>``, each part in the URL-safe base64 alphabet (ASCII
letters, digits, ``-``, ``_``), the signature 16 bytes."""


def _signature(purpose: str, payload: str, key_id: str, secret: bytes) -> str:
    return _b64(hmac.new(secret, f"{purpose}{payload}.{key_id}".encode("ascii"), hashlib.sha256).digest()[:16])


def seal(text: str, keys: dict[str, bytes], purpose: str = "") -> str:
    """``text`` as a signed token (the first key signs); ``purpose`` is signed too, so a token made for
    one purpose (personal links: ``""``, unsubscribe links) passes for no other."""
    key_id, secret = next(iter(keys.items()))
    payload = _b64(text.encode("utf-8"))
    return f"{payload}.{key_id}.{_signature(purpose, payload, key_id, secret)}"


def unseal(token: object, keys: dict[str, bytes], purpose: str = "") -> str | None:
    """The text a token signed for ``purpose`` carries, or None: the one parser of signed tokens. It
    refuses, before anything else is done with it, a token that is not a string, is longer than
    :data:`MAX_TOKEN_CHARS`, holds any character outside its alphabet (non-ASCII, NUL, spaces, padding)
    or is not three parts; then one signed by an unknown key, tampered with, or whose text is not UTF-8."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        return None
    parts = TOKEN_PATTERN.fullmatch(token)
    if parts is None or parts[2] not in keys:
        return None
    payload, key_id, signature = parts.groups()
    if not hmac.compare_digest(signature.encode("ascii"), _signature(purpose, payload, key_id, keys[key_id]).encode("ascii")):
        return None
    try:
        return _unb64(payload).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def sign(rep: Rep, keys: dict[str, bytes]) -> str:
    issued = str(_millis(rep.issued)) if isinstance(rep.issued, datetime) else rep.issued.isoformat()
    return seal(f"{rep.partner}|{rep.rep}|{issued}", keys)


def verify(token: str, keys: dict[str, bytes]) -> Rep | None:
    """The rep a token names, or None if it is malformed (see :func:`unseal`), signed by an unknown key
    or tampered with."""
    text = unseal(token, keys)
    if text is None:
        return None
    try:
        partner, rep, issued = text.split("|")
        if issued.isascii() and issued.isdigit() and len(issued) <= 15:
            return Rep(partner, rep, datetime.fromtimestamp(int(issued) / 1000, timezone.utc))
        return Rep(partner, rep, date.fromisoformat(issued))
    except (ValueError, UnicodeDecodeError, OverflowError, OSError):
        return None


def invite_links(roster: list[RosterEntry], site_url: str, keys: dict[str, bytes], now: datetime) -> list[tuple[RosterEntry, str]]:
    """One personal link per current rep: the site address with ``?pk=<token>``, issued ``now``."""
    base = site_url if site_url.endswith("/") else site_url + "/"
    issued = now.astimezone(timezone.utc).replace(microsecond=now.microsecond // 1000 * 1000)
    return [
        (entry, f"{base}?pk={sign(Rep(entry.partner_id, entry.rep_id, issued), keys)}")
        for entry in roster if entry.left is None or entry.left > now.date()
    ]


def read_revocations(path: Path, root: Path) -> dict[str, datetime]:
    """``private/revoked.csv``: the latest revocation time per rep id (none if the file is missing)."""
    from generator.errors import ContentErrors
    from generator.inputs import read_csv

    if not path.is_file():
        return {}
    locate, rows = read_csv(path, root, REVOKED_COLUMNS)
    revoked: dict[str, datetime] = {}
    errors = []
    for line, row in rows:
        try:
            rep, when = row
            moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                raise ValueError(when)
        except ValueError:
            errors.append(locate(line, 1, "", "expected rep_id and a UTC time such as 2026-12-01T09:30:00.000Z"))
            continue
        revoked[rep] = max(moment, revoked.get(rep, moment))
    if errors:
        raise ContentErrors(errors)
    return revoked


def write_revocations(path: Path, revoked: dict[str, datetime]) -> Path:
    """Write the revocation list (times in UTC, to the millisecond)."""
    from generator.csvfile import write_csv

    return write_csv(path, REVOKED_COLUMNS, [
        (rep, moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"))
        for rep, moment in sorted(revoked.items())])


def revoke(root: Path, roster_path: Path, rep_id: str, now: datetime) -> RosterEntry:
    """Record in ``private/revoked.csv`` that as of ``now``, every link issued to ``rep_id`` so far is
    refused (links made later with ``invite`` work). Returns their roster entry."""
    from generator.files import relative_name

    entry = next((row for row in read_roster(roster_path, root) if row.rep_id == rep_id), None)
    if entry is None:
        raise PartnerkitError(f"rep {rep_id} is not on {relative_name(roster_path, root)}: their links are refused already")
    path = root / REVOKED_FILE
    revoked = read_revocations(path, root)  # a damaged list is reported, not overwritten
    revoked[rep_id] = now.astimezone(timezone.utc)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_revocations(path, revoked)
    return entry


class _Watched:
    """A file read again only when its size or modification time changes, looked at (one ``stat``) at
    most every ``recheck_seconds``."""

    def __init__(self, path: Path, read, empty, recheck_seconds: float):
        self.path, self._read, self._empty, self._recheck = path, read, empty, recheck_seconds
        self._stamp: tuple | None = None
        self._looked = -math.inf
        self.value = empty

    def current(self):
        now = time.monotonic()
        if now - self._looked < self._recheck:
            return self.value
        self._looked = now
        try:
            info = self.path.stat()
            stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            try:
                self.value = self._read() if stamp is not None else self._empty
                self._stamp = stamp
            except Exception:
                pass  # half-written: keep what was read last, try again at the next look
        return self.value


RECHECK_SECONDS = 1.0
"""How often the collector looks whether the roster or the revocation list changed (a ``stat`` each)."""


class Roster:
    """The roster and the revocation list as their files are now (changes count within
    ``recheck_seconds``), and the rules a token must pass."""

    def __init__(self, root: Path, roster: Path, revoked: Path | None = None, recheck_seconds: float = RECHECK_SECONDS):
        self._roster = _Watched(roster, lambda: {e.rep_id: e for e in read_roster(roster, root)}, {}, recheck_seconds)
        revoked = revoked or root / REVOKED_FILE
        self._revoked = _Watched(revoked, lambda: read_revocations(revoked, root), {}, recheck_seconds)

    def entries(self) -> list[RosterEntry]:
        return list(self._roster.current().values())

    def refusal(self, rep: Rep, now: datetime) -> str | None:
        """Why a genuine token of ``rep`` must be refused ``now``, or None."""
        entry = self._roster.current().get(rep.rep)
        if entry is None or entry.partner_id != rep.partner:
            return "not on roster"
        if entry.left is not None and entry.left <= now.date():
            return "left roster"
        revoked = self._revoked.current().get(rep.rep)
        if revoked is not None and rep.issued_at <= revoked:
            return "revoked token"
        return None


def token_refusal(rep: Rep, now: datetime, max_age_days: int, roster: Roster | None) -> str | None:
    """Why a genuine token must be refused: too old (``max_age_days``), or what ``roster`` says."""
    if now - rep.issued_at > timedelta(days=max_age_days):
        return "expired token"
    return roster.refusal(rep, now) if roster is not None else None
