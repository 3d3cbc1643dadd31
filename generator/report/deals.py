"""The report's deal-signal section: signals and requests for help per partner and month, and, when
sales are known, how often reps with a signal sold in the next two months against reps without one.
Pure functions over the rows ``store_signals`` reads."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.report.tables import _month_bounds, months_until, on_roster
from generator.store.signals import HelpRequest, RaisedRow
from generator.roster import RosterEntry


@dataclass
class MonthCounts:
    signals: int = 0
    reps: set[str] = field(default_factory=set)
    help_requests: int = 0
    answered: int = 0


@dataclass(frozen=True)
class SoldShare:
    """Reps with and without a signal in ``month`` and how many of each sold in the ``following`` months."""

    month: str
    following: tuple[str, str]
    with_signal: int
    with_signal_sold: int
    without_signal: int
    without_signal_sold: int

    @staticmethod
    def _percent(part: int, whole: int) -> str:
        return f"{round(part / whole * 100)} %" if whole else "–"

    def sentence(self) -> str:
        """The finding in plain words, with counts, as a correlation."""
        first, second = self.following
        return (f"Of {self.with_signal} reps with a deal signal in {self.month}, {self.with_signal_sold} "
                f"({self._percent(self.with_signal_sold, self.with_signal)}) sold in {first} or {second}; of "
                f"{self.without_signal} reps without one, {self.without_signal_sold} "
                f"({self._percent(self.without_signal_sold, self.without_signal)}) did. This is a correlation, not a cause:"
                " reps who read deal material may have sold anyway.")


@dataclass(frozen=True)
class DealSignalsSection:
    months: list[str]
    by_partner: dict[str, dict[str, MonthCounts]]
    requests: list[HelpRequest]
    """Requests for help asked in the report's month."""
    sold: SoldShare | None

    def rows(self, partner_names: dict[str, str]) -> list[dict[str, object]]:
        """The ``deal_signals`` table: one row per partner and month."""
        return [{"partner": partner, "partner_name": partner_names.get(partner, ""), "month": month, "signals": counts.signals,
                 "reps_with_signal": len(counts.reps), "help_requests": counts.help_requests, "answered": counts.answered}
                for partner, by_month in sorted(self.by_partner.items()) for month, counts in by_month.items()]


def _next_month(month: str) -> str:
    _, end = _month_bounds(month)
    return f"{end.year:04d}-{end.month:02d}"


def deal_signals_section(raised: list[RaisedRow], requests: list[HelpRequest], roster: list[RosterEntry],
                         sales: dict[tuple[str, str], float], month: str, months_back: int = 6) -> DealSignalsSection | None:
    """The section for ``month`` (and the ``months_back`` months up to it); None when nothing was ever raised or asked."""
    if not raised and not requests:
        return None
    months = [period.label for period in months_until(month, months_back)]
    by_partner: dict[str, dict[str, MonthCounts]] = {}
    for row in raised:
        if row.day[:7] in months:
            counts = by_partner.setdefault(row.partner, {m: MonthCounts() for m in months})[row.day[:7]]
            counts.signals += 1
            counts.reps.add(row.rep)
    for request in requests:
        if request.day[:7] in months:
            counts = by_partner.setdefault(request.partner, {m: MonthCounts() for m in months})[request.day[:7]]
            counts.help_requests += 1
            counts.answered += request.answered_at is not None
    sold = None
    if sales:
        first = _next_month(month)
        following = (first, _next_month(first))
        start, end = _month_bounds(month)
        reps = {(entry.partner_id, entry.rep_id) for entry in on_roster(roster, start, end)}
        signalled = {(row.partner, row.rep) for row in raised if row.day[:7] == month} & reps
        sellers = {rep for rep in reps if any(sales.get((rep[1], m), 0) > 0 for m in following)}
        sold = SoldShare(month, following, len(signalled), len(signalled & sellers), len(reps - signalled),
                         len((reps - signalled) & sellers))
    return DealSignalsSection(months, by_partner, [r for r in requests if r.day[:7] == month], sold)
