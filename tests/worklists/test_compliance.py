"""Compliance figures against a hand count."""

from __future__ import annotations

import pytest

from datetime import date

from generator.report.compliance import Tally, activities, compliance
from generator.store.worklists import CaseRow, NoteRow, StepRow
from generator.load.content import load_project
from tests.worklists.conftest import EXAMPLE

pytestmark = pytest.mark.unit


def case(ident: str, partner: str, procedure: str, segment: str, closed_on: str | None = None, reason: str | None = None) -> CaseRow:
    return CaseRow(ident, f"cust-{ident}", f"Customer {ident}", partner, segment, "", procedure, "2027-11-01", "", "2027-11-01",
                   closed_on, reason)


def step(case_id: str, index: int, due: str | None, ticked: str | None = None) -> StepRow:
    return StepRow(case_id, index, "Do it", "-60d", due, "partner", (), "ana" if ticked else None, "acme" if ticked else None,
                   f"{ticked}T10:00:00+00:00" if ticked else None)


A = case("a", "acme", "renewal-90-60-30", "smb")
B = case("b", "acme", "at-risk-health", "enterprise", "2028-01-12", "ended")
C = case("c", "globex", "renewal-90-60-30", "smb")
ROWS = [
    (A, step("a", 0, "2028-01-10", "2028-01-09")),  # on time
    (A, step("a", 1, "2028-01-15", "2028-01-20")),  # late
    (A, step("a", 2, "2028-01-20")),                # open overdue
    (A, step("a", 3, "2028-02-05")),                # February: overdue there
    (A, step("a", 4, None)),                        # undated: never counted
    (B, step("b", 0, "2028-01-11")),                # open overdue
    (B, step("b", 1, "2028-01-25")),                # due after the case ended: not counted
    (C, step("c", 0, "2028-01-31")),                # open overdue by the report's day
    (C, step("c", 1, "2027-12-15", "2027-12-14")),  # December, on time
]
ACTIVITY = {"renewal-90-60-30": "Renewal", "at-risk-health": "Adoption"}


def test_figures_match_a_hand_count() -> None:
    notes = [NoteRow("a", "acme", "ana", "2028-01-05T09:00:00+00:00", "Champion left"),
             NoteRow("a", "acme", "ana", "2027-03-01T09:00:00+00:00", "Too old for the report")]
    result = compliance(ROWS, "2028-01", date(2028, 2, 10), ACTIVITY, notes)
    assert result.by_partner == {"acme": Tally(due=4, on_time=1, late=1, open_overdue=2),
                                 "globex": Tally(due=1, on_time=0, late=0, open_overdue=1)}
    assert result.by_procedure == {("acme", "renewal-90-60-30"): Tally(3, 1, 1, 1), ("acme", "at-risk-health"): Tally(1, 0, 0, 1),
                                   ("globex", "renewal-90-60-30"): Tally(1, 0, 0, 1)}
    assert result.by_cell == {("smb", "Renewal"): Tally(4, 1, 1, 2), ("enterprise", "Adoption"): Tally(1, 0, 0, 1)}
    assert result.by_partner["acme"].on_time_rate == 0.25
    assert result.months == ["2027-08", "2027-09", "2027-10", "2027-11", "2027-12", "2028-01"]
    assert result.trend == {"acme": {"2027-08": None, "2027-09": None, "2027-10": None, "2027-11": None, "2027-12": None, "2028-01": 0.25},
                            "globex": {"2027-08": None, "2027-09": None, "2027-10": None, "2027-11": None, "2027-12": 1.0, "2028-01": 0.0}}
    assert [note.text for note in result.notes] == ["Champion left"]


def test_a_step_due_today_is_not_overdue_yet() -> None:
    result = compliance(ROWS, "2028-01", date(2028, 1, 31), ACTIVITY)
    assert "globex" not in result.by_partner


def test_procedures_map_to_the_matrix_activities_by_phase() -> None:
    catalog = load_project(EXAMPLE)
    mapped = activities(catalog.documents["procedure"].values(), catalog.documents["responsibilities"].values())
    assert mapped == {"at-risk-health": "Adoption", "expansion-seat-usage": "Expansion",
                      "new-customer-onboarding": "Onboarding", "renewal-90-60-30": "Renewal"}
