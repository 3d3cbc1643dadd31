"""Partner tiers, tiers at risk, reminders and the certification table on a known roster."""

from __future__ import annotations

import pytest

from datetime import date, timedelta
from pathlib import Path

from generator.roster import read_roster
from generator.certification.certificates import Certificate
from generator.certification.tiers import (
    certification_table,
    expiry_reminders,
    partner_tier,
    tiers_now_and_at_risk,
)
from generator.model.config import CertificationSettings

pytestmark = pytest.mark.unit

SETTINGS = CertificationSettings.model_validate({"tiers": [
    {"id": "gold", "name": "Gold partner", "requires": [{"role": "sales", "level": "gold", "reps": 3},
                                                         {"role": "cs", "level": "silver"}]},
    {"id": "silver", "name": "Silver partner", "requires": [{"role": "sales", "level": "silver", "reps": 2}]},
]})
TODAY = date(2026, 11, 1)
"""The 90-day horizon ends on 2027-01-30."""
ROSTER = """partner_id,partner_name,rep_id,name,email,role,joined,left
acme,Acme,a1,Ana,a1@acme.example,sales,2026-01-01,
acme,Acme,a2,Ben,a2@acme.example,sales,2026-01-01,
acme,Acme,a3,Cai,a3@acme.example,sales,2026-01-01,
acme,Acme,a4,Dan,a4@acme.example,sales,2026-01-01,
acme,Acme,a5,Eve,a5@acme.example,cs,2026-01-01,
acme,Acme,a6,Fay,a6@acme.example,sales,2026-01-01,2026-10-01
beta,Beta,b1,Gus,b1@beta.example,sales,2026-01-01,
beta,Beta,b2,Hal,b2@beta.example,sales,2026-01-01,
beta,Beta,b3,Ida,b3@beta.example,sales,2026-01-01,
beta,Beta,b4,Jon,b4@beta.example,cs,2026-01-01,
gamma,Gamma,g1,Kim,g1@gamma.example,sales,2026-01-01,
gamma,Gamma,g2,Lea,g2@gamma.example,sales,2026-01-01,2026-12-01
delta,Delta,d1,Max,d1@delta.example,sales,2026-01-01,
"""


def cert(partner: str, rep: str, role: str, level: str, expires: str, recertify_by: str | None = None,
         issued: str = "2026-02-01", exam: str = "") -> Certificate:
    exam = exam or f"{role}-{level}"
    return Certificate(f"{rep}-{exam}", partner, rep, exam, exam.title(), role, level, "2.4", date.fromisoformat(issued),
                       date.fromisoformat(expires), date.fromisoformat(recertify_by) if recertify_by else None)


CERTIFICATES = [
    cert("acme", "a1", "sales", "gold", "2027-06-30"),
    cert("acme", "a2", "sales", "gold", "2026-12-15"),
    cert("acme", "a3", "sales", "gold", "2027-06-30"),
    cert("acme", "a4", "sales", "silver", "2027-06-30"),
    cert("acme", "a5", "cs", "gold", "2027-06-30"),  # gold counts where cs silver is required
    cert("acme", "a6", "sales", "gold", "2027-06-30"),  # Fay left on 2026-10-01
    cert("beta", "b1", "sales", "gold", "2027-06-30"),
    cert("beta", "b2", "sales", "gold", "2027-05-01", recertify_by="2026-11-30"),
    cert("beta", "b3", "sales", "gold", "2027-06-30"),
    cert("beta", "b4", "cs", "silver", "2027-06-30"),
    cert("gamma", "g1", "sales", "silver", "2027-06-30"),
    cert("gamma", "g2", "sales", "bronze", "2027-06-30"),
    cert("gamma", "g2", "sales", "silver", "2027-06-30", exam="sales-silver-emea"),
]


def roster(tmp_path: Path):
    (tmp_path / "roster.csv").write_text(ROSTER)
    return read_roster(tmp_path / "roster.csv", tmp_path)


def of(partner: str) -> list[Certificate]:
    return [certificate for certificate in CERTIFICATES if certificate.partner == partner]


def tier_id(certificates: list[Certificate], on: date, entries=()) -> str | None:
    tier = partner_tier(certificates, SETTINGS, on, entries)
    return tier.id if tier else None


def test_tier_needs_every_requirement_and_counts_higher_levels(tmp_path: Path) -> None:
    assert tier_id(of("acme"), TODAY, roster(tmp_path)) == "gold"
    assert tier_id([c for c in of("acme") if c.rep != "a5"], TODAY, roster(tmp_path)) == "silver", "no cs certificate"
    two_gold = [c for c in of("acme") if c.rep in ("a1", "a3")]
    assert tier_id(two_gold, TODAY) == "silver", "gold counts where silver is required"
    assert tier_id([c for c in of("gamma") if c.level == "bronze"] + of("acme")[:1], TODAY) is None, "bronze is too low"
    assert tier_id([], TODAY) is None


def test_a_rep_counts_once_per_requirement() -> None:
    same_rep = [cert("x", "r1", "sales", "silver", "2027-06-30"),
                cert("x", "r1", "sales", "gold", "2027-06-30", exam="sales-gold-advanced")]
    assert tier_id(same_rep, TODAY) is None
    assert tier_id([*same_rep, cert("x", "r2", "sales", "silver", "2027-06-30")], TODAY) == "silver"


def test_validity_days_and_reps_who_left(tmp_path: Path) -> None:
    entries = roster(tmp_path)
    acme = [c for c in of("acme") if c.rep != "a2"]
    assert tier_id(acme, TODAY) == "gold", "without the roster Fay still counts"
    assert tier_id(acme, TODAY, entries) == "silver", "Fay left on 2026-10-01"
    assert tier_id(acme, date(2026, 9, 30), entries) == "gold", "the day before she left she counted"
    expiring = of("acme")
    assert tier_id(expiring, date(2026, 12, 15), entries) == "gold", "the last valid day counts"
    assert tier_id(expiring, date(2026, 12, 16), entries) == "silver"
    assert tier_id(expiring, date(2026, 1, 31), entries) is None, "before the certificates were issued"
    beta = of("beta")
    assert tier_id(beta, date(2026, 11, 30)) == "gold" and tier_id(beta, date(2026, 12, 1)) == "silver", \
        "the recertification deadline ends validity before the expiry"


def test_tiers_now_and_at_risk(tmp_path: Path) -> None:
    outlooks = {o.partner: o for o in tiers_now_and_at_risk(CERTIFICATES, roster(tmp_path), SETTINGS, TODAY)}
    assert list(outlooks) == ["acme", "beta", "delta", "gamma"], "every partner in the roster, by id"

    def summary(partner: str) -> tuple:
        o = outlooks[partner]
        return (o.partner_name, o.now and o.now.id, o.at_horizon and o.at_horizon.id, o.drops_on,
                o.drops_to and o.drops_to.id, [c.id for c in o.causes])

    assert summary("acme") == ("Acme", "gold", "silver", date(2026, 12, 16), "silver", ["a2-sales-gold"])
    assert summary("beta") == ("Beta", "gold", "silver", date(2026, 12, 1), "silver", ["b2-sales-gold"])
    assert summary("gamma") == ("Gamma", "silver", None, date(2026, 12, 1), None,
                                ["g2-sales-silver-emea"]), "Lea leaves; her bronze never counted for silver"
    assert summary("delta") == ("Delta", None, None, None, None, [])
    held = tiers_now_and_at_risk(CERTIFICATES, roster(tmp_path), SETTINGS, TODAY, horizon_days=29)
    assert [(o.partner, o.drops_on) for o in held if o.drops_on] == [], "nothing drops by 2026-11-30"


def test_reminder_buckets_at_their_boundaries(tmp_path: Path) -> None:
    def until(days: int, **options) -> Certificate:
        return cert("acme", "a1", "sales", "gold", (TODAY + timedelta(days=days)).isoformat(), exam=f"e{days}", **options)

    certificates = [until(days) for days in (91, 90, 89, 61, 60, 31, 30, 0, -1)]
    certificates.append(cert("acme", "a6", "sales", "gold", "2026-11-20"))  # Fay left
    certificates.append(cert("beta", "b2", "sales", "gold", "2027-05-01", recertify_by="2026-12-01"))
    reminders = expiry_reminders(certificates, roster(tmp_path), SETTINGS, TODAY)
    assert [(r.certificate.exam, r.days_left, r.bucket, r.kind, r.holder, r.partner_name) for r in reminders] == [
        ("e0", 0, 30, "expiry", "Ana", "Acme"),
        ("e30", 30, 30, "expiry", "Ana", "Acme"),
        ("sales-gold", 30, 30, "recertification", "Hal", "Beta"),
        ("e31", 31, 60, "expiry", "Ana", "Acme"),
        ("e60", 60, 60, "expiry", "Ana", "Acme"),
        ("e61", 61, 90, "expiry", "Ana", "Acme"),
        ("e89", 89, 90, "expiry", "Ana", "Acme"),
        ("e90", 90, 90, "expiry", "Ana", "Acme"),
    ]
    two = CertificationSettings(reminder_days=[14, 7])
    assert [(r.days_left, r.bucket) for r in expiry_reminders(certificates, roster(tmp_path), two, TODAY)] == [(0, 7)]


def test_certification_table(tmp_path: Path) -> None:
    rows = certification_table(of("beta") + of("acme")[-1:], roster(tmp_path), TODAY)
    assert [(r["partner"], r["rep"], r["name"], r["level"], r["valid_until"], r["status"]) for r in rows] == [
        ("acme", "a6", "Fay", "gold", "2027-06-30", "left"),
        ("beta", "b1", "Gus", "gold", "2027-06-30", "valid"),
        ("beta", "b2", "Hal", "gold", "2026-11-30", "recertify"),
        ("beta", "b3", "Ida", "gold", "2027-06-30", "valid"),
        ("beta", "b4", "Jon", "silver", "2027-06-30", "valid"),
    ]
    assert rows[2] == {"partner": "beta", "partner_name": "Beta", "rep": "b2", "name": "Hal", "exam": "sales-gold",
                       "title": "Sales-Gold", "role": "sales", "level": "gold", "release": "2.4", "issued": "2026-02-01",
                       "valid_until": "2026-11-30", "status": "recertify"}
    assert certification_table(of("beta"), roster(tmp_path), date(2026, 12, 1))[1]["status"] == "expired"
