"""Whether partners follow the procedures: steps due, done on time, done late and open overdue.

A step counts in the month its due day falls in, as things stand on the report's day, once its due day
has passed (or once it is ticked, if earlier): **on time** when ticked on or before its due day, **late** when ticked after it, **open
overdue** when not ticked and the due day is past. Steps without a due day are not counted, nor are
the steps of a case whose trigger ended (the customer renewed early, the score recovered) that fell
due after it ended. The on-time rate is on time ÷ due.

Figures come per partner, per partner and procedure, per who-does-what cell (the customer's segment ×
the procedure's activity: the matrix's activity named like the procedure's phase, e.g. ``Renewal``,
else the phase), and as a trend over the six months up to the report's month."""

from __future__ import annotations

from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from generator.store.worklists import CaseRow, NoteRow, StepRow


@dataclass
class Tally:
    due: int = 0
    on_time: int = 0
    late: int = 0
    open_overdue: int = 0

    def add(self, state: str) -> None:
        self.due += 1
        setattr(self, state, getattr(self, state) + 1)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


@dataclass
class Compliance:
    month: str
    by_partner: dict[str, Tally] = field(default_factory=dict)
    by_procedure: dict[tuple[str, str], Tally] = field(default_factory=dict)
    """By (partner, procedure)."""
    by_cell: dict[tuple[str, str], Tally] = field(default_factory=dict)
    """By (segment, activity), every partner together."""
    by_partner_cell: dict[tuple[str, str, str], Tally] = field(default_factory=dict)
    """By (partner, segment, activity)."""
    trend: dict[str, dict[str, float | None]] = field(default_factory=dict)
    """Per partner, the on-time rate per month (oldest first)."""
    months: list[str] = field(default_factory=list)
    notes: list[NoteRow] = field(default_factory=list)
    """Reps' notes written since the first month of the trend, oldest first."""
    titles: dict[str, str] = field(default_factory=dict)
    """Procedure titles by id."""


def month_end(month: str) -> date:
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, monthrange(year, number)[1])


def step_state(case: CaseRow, step: StepRow, as_of: date) -> str | None:
    """``on_time``, ``late``, ``open_overdue``, or None when the step does not count (yet)."""
    if step.due is None:
        return None
    due = date.fromisoformat(step.due)
    ticked = date.fromisoformat(step.ticked_at[:10]) if step.ticked_at else None
    if ticked is not None and ticked <= as_of:
        return "on_time" if ticked <= due else "late"
    if case.closed_reason == "ended" and case.closed_on is not None and due > date.fromisoformat(case.closed_on):
        return None
    return "open_overdue" if due < as_of else None


def _months_until(month: str, count: int) -> list[str]:
    year, number = (int(part) for part in month.split("-"))
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{number:02d}")
        number -= 1
        if number == 0:
            year, number = year - 1, 12
    return found[::-1]


def compliance(rows: list[tuple[CaseRow, StepRow]], month: str, today: date, activity_of: dict[str, str],
               notes: list[NoteRow] = (), months_back: int = 6, titles: dict[str, str] | None = None) -> Compliance:
    """The figures for the steps due in ``month`` as they stand ``today``, and the trend up to it.
    ``activity_of`` gives each procedure's who-does-what activity."""
    result = Compliance(month, months=_months_until(month, months_back), titles=dict(titles or {}))
    trend: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    for label in result.months:
        for case, step in rows:
            if step.due is None or not step.due.startswith(label):
                continue
            state = step_state(case, step, today)
            if state is None:
                continue
            trend[case.partner][label].add(state)
            if label != month:
                continue
            activity = activity_of.get(case.procedure, case.procedure)
            for table, key in ((result.by_partner, case.partner), (result.by_procedure, (case.partner, case.procedure)),
                               (result.by_cell, (case.segment, activity)),
                               (result.by_partner_cell, (case.partner, case.segment, activity))):
                table.setdefault(key, Tally()).add(state)  # type: ignore[attr-defined]
    result.trend = {partner: {label: by_month[label].on_time_rate if label in by_month else None for label in result.months}
                    for partner, by_month in sorted(trend.items())}
    first = result.months[0]
    result.notes = [note for note in notes if first <= note.written_at[:7]]
    return result


def activities(procedures, matrix) -> dict[str, str]:
    """Each procedure's who-does-what activity: the matrix's activity named like its phase (case
    aside), else the phase with a capital."""
    names = {activity.activity.casefold(): activity.activity for document in matrix for plan in document.segments
             for activity in plan.activities}
    return {procedure.id: names.get(procedure.phase.casefold(), procedure.phase.capitalize()) for procedure in procedures}


def _tally(tally: Tally) -> dict[str, object]:
    rate = tally.on_time_rate
    return {"due": tally.due, "on_time": tally.on_time, "late": tally.late, "open_overdue": tally.open_overdue,
            "on_time_rate": round(rate, 4) if rate is not None else ""}


def table_rows(result: Compliance, partner_names: dict[str, str]) -> dict[str, list[dict[str, object]]]:
    """The report's compliance tables (CSV and JSON), partners by name too."""
    name = lambda partner: partner_names.get(partner, partner)  # noqa: E731
    return {
        "compliance_partners": [{"partner": partner, "partner_name": name(partner), **_tally(tally)}
                                for partner, tally in sorted(result.by_partner.items())],
        "compliance_procedures": [{"partner": partner, "partner_name": name(partner), "procedure": procedure, **_tally(tally)}
                                  for (partner, procedure), tally in sorted(result.by_procedure.items())],
        "compliance_cells": [{"segment": segment, "activity": activity, **_tally(tally)}
                             for (segment, activity), tally in sorted(result.by_cell.items())],
        "compliance_trend": [{"partner": partner, "partner_name": name(partner), "month": month,
                              "on_time_rate": round(rate, 4) if rate is not None else ""}
                             for partner, by_month in result.trend.items() for month, rate in by_month.items()],
    }
