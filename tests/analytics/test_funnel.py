"""The learning funnel and the time to certify against a fixture counted by hand."""

from __future__ import annotations

from datetime import date

import pytest

from generator.report.funnel import PathPlan, funnel
from generator.certification.certificates import Certificate
from generator.roster import RosterEntry

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 30)


def rep(partner: str, ident: str, role: str = "sales", left: date | None = None) -> RosterEntry:
    return RosterEntry(partner, partner.title(), ident, ident.upper(), f"{ident}@x.example", role, date(2026, 1, 1), left)


def certificate(partner: str, ident: str, issued: date, expires: date) -> Certificate:
    return Certificate(f"c-{ident}", partner, ident, "silver", "Silver", "sales", "silver", "2.4", issued, expires)


def test_a_hand_counted_funnel_and_median_days_to_certificate() -> None:
    """acme: six sales reps (a7 left: not counted) and one cs rep (another path's role).
    a1 did everything and holds a valid certificate (first seen 10-01, issued 10-11: 10 days);
    a2 likewise (09-01 → 10-01: 30 days) but it expired; a3 completed the path and passed practice;
    a4 completed it without practice; a5 opened a module and passed the practice quiz without marking
    anything done; a6 did nothing. beta: one rep, nothing.
    So acme: rostered 6, started 5 (a1-a5), completed 4 (a1-a4), practice 4 (a1, a2, a3, a5), exam 2,
    valid 1, median (10 + 30) / 2 = 20."""
    roster = [rep("acme", f"a{n}") for n in range(1, 7)] + [rep("acme", "a7", left=date(2026, 6, 1)), rep("acme", "c1", "cs"),
                                                            rep("beta", "b1")]
    path = PathPlan("sales-start", "Sales start", "sales", ("m1", "m2"), ("q1",), ("silver",))
    everything = {"a1", "a2", "a3", "a4"}
    done = {("acme", who, module) for who in everything for module in ("m1", "m2")}
    opened = {("acme", "a5"): {"module:m1"}, ("acme", "a1"): {"path:sales-start"}, ("acme", "c1"): {"module:m1"}}
    first_seen = {("acme", "a1"): date(2026, 10, 1), ("acme", "a2"): date(2026, 9, 1)}
    practice = {("acme", who, "q1") for who in ("a1", "a2", "a3")} | {("acme", "a5", "q1")}
    certificates = [certificate("acme", "a1", date(2026, 10, 11), date(2027, 10, 11)),
                    certificate("acme", "a2", date(2026, 10, 1), date(2026, 11, 1))]
    rows = funnel(roster, [path], opened, first_seen, done, practice, certificates, TODAY)
    assert [(r.partner, r.rostered, r.started, r.path_completed, r.practice_passed, r.exam_passed, r.certified_valid,
             r.median_days_to_certificate) for r in rows] == [
        ("acme", 6, 5, 4, 4, 2, 1, 20), ("beta", 1, 0, 0, 0, 0, 0, None)]
