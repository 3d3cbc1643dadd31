"""Certificates as the collector issues them, and what follows from them: their status (the store's
rows and SQL: ``store/exams.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Certificate:
    """A rep's certification for one exam. Its id never changes: passing again renews the same one."""

    id: str
    """Unguessable id used in the verification link."""
    partner: str
    rep: str
    exam: str
    """Id of the exam quiz."""
    title: str
    """The exam's title when it was last passed."""
    role: str
    level: str
    version: str
    """Release whose exam was passed (empty on an unversioned site)."""
    issued: date
    """Day the exam was last passed."""
    expires: date
    """Last day the certificate is valid."""
    recertify_by: date | None = None
    """Set when a later release changed the exam materially: the holder must pass it again by then."""

    @property
    def valid_until(self) -> date:
        """Last day the certificate counts: its expiry, or the recertification deadline if earlier."""
        return min(self.expires, self.recertify_by) if self.recertify_by else self.expires

    def status(self, today: date) -> str:
        """``valid``, ``recertify`` (valid, but the holder must pass the changed exam) or ``expired``."""
        if today > self.valid_until:
            return "expired"
        return "recertify" if self.recertify_by else "valid"
