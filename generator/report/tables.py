"""The partner-enablement report: who the key people are, how engagement spreads, what is read.

Pure functions here turn daily totals, the roster and sales into tables; ``report_charts.py`` draws
the charts (inline SVG); ``report_output.write_report`` writes one self-contained HTML page plus a CSV
per table and a JSON of everything."""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from generator.store.views import DailyTotal, QuizTotal
from generator.certification.certificates import Certificate
from generator.certification.tiers import _satisfies, counts_on
from generator.errors import ContentErrors, PartnerkitError
from generator.roster import RosterEntry
from generator.model.config import CertificationSettings, InputSettings, Tier

QUADRANTS = ("key person 1", "key person 2", "results without views", "neither")
"""Many views and results; many views, no results yet (support them first); results without
views; neither."""


@dataclass(frozen=True)
class RepActivity:
    partner: str
    rep: str
    name: str
    views: int
    engaged_minutes: float
    sales: float
    quadrant: str = ""


def month_of(day: str) -> str:
    return day[:7]


def parse_month(text: str) -> str:
    """``YYYY-MM`` as given, checked; ValueError otherwise."""
    if not re.fullmatch(r"\d{4}-\d{2}", text):
        raise ValueError(text)
    _month_bounds(text)
    return text


def _month_bounds(month: str) -> tuple[date, date]:
    year, number = (int(part) for part in month.split("-"))
    start = date(year, number, 1)
    end = date(year + (number == 12), number % 12 + 1, 1)
    return start, end


def on_roster(roster: list[RosterEntry], start: date, end: date) -> list[RosterEntry]:
    """Reps on the roster at some point from ``start`` up to, not including, ``end``."""
    return [entry for entry in roster if entry.joined < end and (entry.left is None or entry.left >= start)]


SALES_COLUMNS = ("rep_id", "month", "amount")


def read_sales(path: Path, root: Path, limits: InputSettings | None = None) -> dict[tuple[str, str], float]:
    """``rep_id,month,amount`` rows → amount by (rep, month); located errors for bad rows."""
    from generator.inputs import read_csv

    locate, rows = read_csv(path, root, SALES_COLUMNS, limits)
    sales: dict[tuple[str, str], float] = defaultdict(float)
    errors = []
    for line, row in rows:
        try:
            rep, month, amount = row
            value = float(amount)
            if not math.isfinite(value):
                raise ValueError(amount)
            sales[(rep, parse_month(month))] += value
        except ValueError:
            errors.append(locate(line, 1, "", "expected rep_id, a month as YYYY-MM and an amount"))
    if errors:
        raise ContentErrors(errors)
    return dict(sales)


def rep_activity(totals: list[DailyTotal], roster: list[RosterEntry], sales: dict[tuple[str, str], float], month: str) -> list[RepActivity]:
    views: dict[str, int] = defaultdict(int)
    engaged: dict[str, int] = defaultdict(int)
    for total in totals:
        if month_of(total.day) == month and total.rep:
            views[total.rep] += total.views
            engaged[total.rep] += total.engaged_ms
    return [
        RepActivity(entry.partner_id, entry.rep_id, entry.name, views[entry.rep_id],
                    round(engaged[entry.rep_id] / 60000, 1), sales.get((entry.rep_id, month), 0.0))
        for entry in on_roster(roster, *_month_bounds(month))
    ]


METRICS = {"views": "page views", "minutes": "engaged minutes"}
"""What "many views" is measured in for the key-person quadrants."""


def quadrants(activity: list[RepActivity], by: str = "views", activity_threshold: float | None = None,
              sales_threshold: float | None = None) -> tuple[float, float, list[RepActivity]]:
    """Split reps at the thresholds (default: the medians); more than a threshold counts as many.

    ``by`` is ``views`` or ``minutes`` (engaged minutes)."""
    def measure(rep: RepActivity) -> float:
        return rep.views if by == "views" else rep.engaged_minutes

    if by not in METRICS:
        raise PartnerkitError(f"by {by}: expected one of {', '.join(METRICS)}")
    activity_at = activity_threshold if activity_threshold is not None else (
        statistics.median(map(measure, activity)) if activity else 0)
    sales_at = sales_threshold if sales_threshold is not None else (
        statistics.median(rep.sales for rep in activity) if activity else 0)
    placed = []
    for rep in activity:
        many, results = measure(rep) > activity_at, rep.sales > sales_at
        label = QUADRANTS[0] if many and results else QUADRANTS[1] if many else QUADRANTS[2] if results else QUADRANTS[3]
        placed.append(RepActivity(**{**asdict(rep), "quadrant": label}))
    return activity_at, sales_at, placed


def bands(activity: list[RepActivity]) -> dict[str, dict[str, object]]:
    """Per partner, the 2:6:2 split by engaged minutes (then views) of the reps who opened at least one
    page this month; reps who opened none are listed apart (``inactive``), never in a band. Of ``n``
    active reps the top and bottom bands hold 20 % each (at least one rep; no bottom band for a single
    rep), the middle the rest. ``active_share`` is the share of all rostered reps who were active."""
    by_partner: dict[str, list[RepActivity]] = defaultdict(list)
    for rep in activity:
        by_partner[rep.partner].append(rep)
    result = {}
    for partner, reps in sorted(by_partner.items()):
        ranked = sorted((rep for rep in reps if rep.views > 0), key=lambda rep: (-rep.engaged_minutes, -rep.views, rep.rep))
        top = max(1, round(len(ranked) * 0.2)) if ranked else 0
        bottom = max(1, round(len(ranked) * 0.2)) if len(ranked) > 1 else 0
        result[partner] = {
            "top": [rep.rep for rep in ranked[:top]],
            "middle": [rep.rep for rep in ranked[top:len(ranked) - bottom]],
            "bottom": [rep.rep for rep in ranked[len(ranked) - bottom:]] if bottom else [],
            "inactive": sorted(rep.rep for rep in reps if rep.views == 0),
            "active_share": round(len(ranked) / len(reps), 3) if reps else 0.0,
        }
    return result


@dataclass(frozen=True)
class Period:
    """A month or an ISO week: ``label`` and the days from ``start`` up to, not including, ``end``."""

    label: str
    start: date
    end: date

    def holds(self, day: str) -> bool:
        return self.start.isoformat() <= day < self.end.isoformat()


def months_until(month: str, count: int) -> list[Period]:
    """``count`` months, oldest first, ending with ``month``."""
    periods = []
    start, _ = _month_bounds(month)
    for _ in range(count):
        label = f"{start.year:04d}-{start.month:02d}"
        periods.insert(0, Period(label, *_month_bounds(label)))
        start = (start - timedelta(days=1)).replace(day=1)
    return periods


def weeks_until(month: str, count: int, today: date | None = None) -> list[Period]:
    """``count`` ISO weeks (Monday to Sunday), oldest first, ending with the week of ``month``'s last day
    (or of ``today``, if that comes first)."""
    _, end = _month_bounds(month)
    last = min(end - timedelta(days=1), today or end)
    monday = last - timedelta(days=last.weekday())
    periods = []
    for back in range(count - 1, -1, -1):
        start = monday - timedelta(weeks=back)
        year, week, _ = start.isocalendar()
        periods.append(Period(f"{year}-W{week:02d}", start, start + timedelta(weeks=1)))
    return periods


def not_after(periods: list[Period], today: date) -> list[Period]:
    """The periods that have begun by ``today``: no future week or month is reported as 0 %."""
    return [period for period in periods if period.start <= today]


def latest_month(days: Sequence[str]) -> str | None:
    """The month of the latest day that has events, or None when there are none."""
    return month_of(max(days)) if days else None


def page_name(content: str, titles: dict[str, str]) -> str:
    """A page's title from the content index; for pages built before titles were kept, the id in words
    (``path:sales-onboarding`` → "Sales onboarding (path)")."""
    if titles.get(content):
        return titles[content]
    kind, _, rest = content.partition(":")
    if kind == "home":
        return "Home page"
    if kind == "whats-new" and rest != "index":
        return f"What's new in {rest}"
    if rest == "index":
        return f"{kind.replace('-', ' ').capitalize()} index"
    return f"{rest.replace('-', ' ').capitalize()} ({kind.replace('-', ' ')})"


def active_rates(totals: list[DailyTotal], roster: list[RosterEntry], periods: list[Period]) -> dict[str, dict[str, float]]:
    """Per partner and period: the share of the reps on its roster then who opened at least one page."""
    days_by_rep: dict[str, set[str]] = defaultdict(set)
    for total in totals:
        if total.rep and total.views > 0:
            days_by_rep[total.rep].add(total.day)
    rates: dict[str, dict[str, float]] = defaultdict(dict)
    for period in periods:
        by_partner: dict[str, list[str]] = defaultdict(list)
        for entry in on_roster(roster, period.start, period.end):
            by_partner[entry.partner_id].append(entry.rep_id)
        for partner, reps in sorted(by_partner.items()):
            active = sum(any(period.holds(day) for day in days_by_rep[rep]) for rep in reps)
            rates[partner][period.label] = round(active / len(reps), 3)
    return dict(rates)


def content_reads(totals: list[DailyTotal], content_ids: set[str], month: str) -> tuple[list[dict[str, object]], list[str]]:
    """Views, engaged minutes and distinct readers per content id and release; ids never opened."""
    table: dict[tuple[str, str], dict[str, object]] = {}
    readers: dict[tuple[str, str], set[str]] = defaultdict(set)
    engaged: dict[tuple[str, str], int] = defaultdict(int)
    for total in totals:
        if month_of(total.day) != month:
            continue
        key = (total.content, total.version)
        row = table.setdefault(key, {"content": total.content, "version": total.version, "views": 0, "engaged_minutes": 0.0})
        row["views"] += total.views
        engaged[key] += total.engaged_ms
        if total.rep and total.views:
            readers[key].add(total.rep)
    rows = sorted(table.values(), key=lambda row: (-row["views"], row["content"], row["version"]))
    for row in rows:
        key = (row["content"], row["version"])
        row["engaged_minutes"] = round(engaged[key] / 60000, 1)  # rounded once: rows of 40 s add up to 1.3, not 1.4
        row["readers"] = len(readers[key])
    opened = {row["content"] for row in rows if row["views"]}
    return rows, sorted(content_ids - opened)


def quiz_results(totals: list[QuizTotal], month: str) -> list[dict[str, object]]:
    """Per quiz and release: attempts, the share that passed, and how many reps tried and passed."""
    table: dict[tuple[str, str], dict[str, object]] = {}
    tried: dict[tuple[str, str], set[str]] = defaultdict(set)
    passed: dict[tuple[str, str], set[str]] = defaultdict(set)
    for total in totals:
        if month_of(total.day) != month:
            continue
        key = (total.quiz, total.version)
        row = table.setdefault(key, {"quiz": total.quiz, "version": total.version, "attempts": 0, "passes": 0})
        row["attempts"] += total.attempts
        row["passes"] += total.passes
        if total.rep:
            tried[key].add(total.rep)
            if total.passes:
                passed[key].add(total.rep)
    rows = sorted(table.values(), key=lambda row: (-row["attempts"], row["quiz"], row["version"]))
    for row in rows:
        key = (row["quiz"], row["version"])
        row["pass_rate"] = round(row["passes"] / row["attempts"], 3)
        row["reps_tried"], row["reps_passed"] = len(tried[key]), len(passed[key])
    return rows


def next_tier_needs(certificates: Sequence[Certificate], roster: Sequence[RosterEntry], settings: CertificationSettings,
                    partner: str, now: Tier | None, today: date) -> tuple[Tier | None, list[dict[str, object]]]:
    """The tier above ``now`` (the lowest tier when the partner holds none) and, per requirement, how
    many reps it needs, how many hold a counting certificate today, and how many more are needed."""
    tiers = settings.tiers
    if not tiers or (now is not None and tiers.index(now) == 0):
        return None, []
    target = tiers[-1] if now is None else tiers[tiers.index(now) - 1]
    departures = {(e.partner_id, e.rep_id): e.left for e in roster if e.left is not None}
    valid = [c for c in certificates if c.partner == partner and counts_on(c, today, departures)]
    needs = []
    for requirement in target.requires:
        have = len({c.rep for c in valid if _satisfies(c, requirement, settings.levels)})
        needs.append({"role": requirement.role, "level": requirement.level, "reps": requirement.reps, "have": have,
                      "missing": max(0, requirement.reps - have)})
    return target, needs
