"""Partner tiers from certificates: the tier held on a day, tiers at risk, expiry reminders and a
table of who holds what. Pure functions over certificates, the roster and the certification settings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from generator.roster import RosterEntry
from generator.certification.certificates import Certificate
from generator.model.config import CertificationSettings, Tier, TierRequirement


def _departures(roster: Iterable[RosterEntry]) -> dict[tuple[str, str], date]:
    """The day each (partner, rep) left, for reps who left."""
    return {(entry.partner_id, entry.rep_id): entry.left for entry in roster if entry.left is not None}


def counts_on(certificate: Certificate, day: date, departures: dict[tuple[str, str], date] | None = None) -> bool:
    """Whether the certificate counts on ``day``: issued by then, still valid, and its holder has not left."""
    left = (departures or {}).get((certificate.partner, certificate.rep))
    return certificate.issued <= day <= certificate.valid_until and (left is None or day < left)


def _satisfies(certificate: Certificate, requirement: TierRequirement, levels: list[str]) -> bool:
    """Same role, and the requirement's level or a higher one (levels unknown to the settings never count)."""
    return (certificate.role == requirement.role and certificate.level in levels
            and levels.index(certificate.level) >= levels.index(requirement.level))


def partner_tier(certificates: Iterable[Certificate], settings: CertificationSettings, on: date,
                 roster: Iterable[RosterEntry] = ()) -> Tier | None:
    """The highest tier whose every requirement is met on ``on`` by one partner's certificates.

    A requirement of ``reps`` reps at a role and level is met by that many distinct reps holding a
    certificate of the role at that level or higher that counts on the day (see :func:`counts_on`;
    reps who left per ``roster`` do not count). A rep may count towards several requirements."""
    departures = _departures(roster)
    valid = [certificate for certificate in certificates if counts_on(certificate, on, departures)]
    for tier in settings.tiers:
        if all(len({c.rep for c in valid if _satisfies(c, requirement, settings.levels)}) >= requirement.reps
               for requirement in tier.requires):
            return tier
    return None


@dataclass(frozen=True)
class TierOutlook:
    """A partner's tier today and over the horizon."""

    partner: str
    partner_name: str
    now: Tier | None
    at_horizon: Tier | None
    """Tier on the horizon's last day."""
    drops_on: date | None
    """First day within the horizon on which the tier is lower than today's; None if it holds."""
    drops_to: Tier | None
    """Tier from ``drops_on`` (None: no tier at all, or no drop)."""
    causes: tuple[Certificate, ...]
    """Certificates of today's tier's roles and levels that stop counting on ``drops_on``."""


def _rank(tier: Tier | None, settings: CertificationSettings) -> int:
    """Higher is better; no tier is lowest."""
    return -1 if tier is None else len(settings.tiers) - settings.tiers.index(tier)


def tiers_now_and_at_risk(certificates: Iterable[Certificate], roster: Sequence[RosterEntry],
                          settings: CertificationSettings, today: date, horizon_days: int = 90) -> list[TierOutlook]:
    """Per partner in the roster (by id): the tier today and in ``horizon_days``, and the first day within
    that the tier would drop, with the certificates that cause it.

    Certificates are checked on the days just after one stops counting: the day after its
    ``valid_until`` or the day its holder leaves per the roster."""
    horizon = today + timedelta(days=horizon_days)
    departures = _departures(roster)
    names = {entry.partner_id: entry.partner_name for entry in roster}
    by_partner: dict[str, list[Certificate]] = {partner: [] for partner in names}
    for certificate in certificates:
        by_partner.setdefault(certificate.partner, []).append(certificate)
    outlooks = []
    for partner in sorted(names):
        held = by_partner[partner]
        now = partner_tier(held, settings, today, roster)
        drops_on, drops_to, causes = None, None, ()
        ends = {c.valid_until + timedelta(days=1) for c in held} | {
            left for (of, _), left in departures.items() if of == partner}
        for day in sorted(day for day in ends if today < day <= horizon):
            tier = partner_tier(held, settings, day, roster)
            if _rank(tier, settings) < _rank(now, settings):
                before = day - timedelta(days=1)
                requires = now.requires if now else []
                drops_on, drops_to = day, tier
                causes = tuple(sorted(
                    (c for c in held if counts_on(c, before, departures) and not counts_on(c, day, departures)
                     and any(_satisfies(c, requirement, settings.levels) for requirement in requires)),
                    key=lambda c: (c.rep, c.exam)))
                break
        outlooks.append(TierOutlook(partner, names[partner], now, partner_tier(held, settings, horizon, roster),
                                    drops_on, drops_to, causes))
    return outlooks


@dataclass(frozen=True)
class Reminder:
    """A certificate to remind its holder about."""

    certificate: Certificate
    days_left: int
    """Days from today to its last valid day (0: today is the last)."""
    bucket: int
    """The smallest of ``reminder_days`` that is at least ``days_left``."""
    kind: str
    """``expiry``, or ``recertification`` when the recertification deadline comes first."""
    holder: str
    partner_name: str


def expiry_reminders(certificates: Iterable[Certificate], roster: Sequence[RosterEntry],
                     settings: CertificationSettings, today: date) -> list[Reminder]:
    """Certificates whose last valid day is today or within the largest of ``reminder_days``, soonest
    first; certificates already expired or held by reps who have left are left out."""
    if not settings.reminder_days:
        return []
    entries = {(entry.partner_id, entry.rep_id): entry for entry in roster}
    partner_names = {entry.partner_id: entry.partner_name for entry in roster}
    departures = _departures(roster)
    buckets = sorted(settings.reminder_days)
    reminders = []
    for certificate in certificates:
        days_left = (certificate.valid_until - today).days
        if not 0 <= days_left <= buckets[-1] or not counts_on(certificate, today, departures):
            continue
        entry = entries.get((certificate.partner, certificate.rep))
        kind = ("recertification" if certificate.recertify_by and certificate.recertify_by <= certificate.expires
                else "expiry")
        reminders.append(Reminder(certificate, days_left, next(days for days in buckets if days >= days_left), kind,
                                  entry.name if entry else "", partner_names.get(certificate.partner, "")))
    return sorted(reminders, key=lambda r: (r.days_left, r.certificate.partner, r.certificate.rep, r.certificate.exam))


def certification_table(certificates: Iterable[Certificate], roster: Sequence[RosterEntry], today: date) -> list[dict[str, str]]:
    """One row per certificate, by partner then rep: holder, exam, role, level, release, issue day,
    last valid day and status today (``valid``, ``recertify``, ``expired``, or ``left`` once the rep left)."""
    entries = {(entry.partner_id, entry.rep_id): entry for entry in roster}
    partner_names = {entry.partner_id: entry.partner_name for entry in roster}
    rows = []
    for c in sorted(certificates, key=lambda c: (c.partner, c.rep, c.role, c.exam)):
        entry = entries.get((c.partner, c.rep))
        left = entry is not None and entry.left is not None and entry.left <= today
        rows.append({
            "partner": c.partner, "partner_name": partner_names.get(c.partner, ""), "rep": c.rep,
            "name": entry.name if entry else "", "exam": c.exam, "title": c.title, "role": c.role, "level": c.level,
            "release": c.version, "issued": c.issued.isoformat(), "valid_until": c.valid_until.isoformat(),
            "status": "left" if left else c.status(today),
        })
    return rows
