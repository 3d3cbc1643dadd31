"""The partner-enablement report: who the key people are, how engagement spreads, what is read.

Pure functions turn daily totals, the roster and sales into tables; ``write_report`` renders them as
one self-contained HTML page (charts as inline SVG) plus a CSV per table and a JSON of everything."""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import jinja2

from generator.analytics.identity import RosterEntry
from generator.errors import ContentError, ContentErrors

QUADRANTS = ("key person 1", "key person 2", "results without views", "neither")
"""Many views and results; many views, no results yet (support them first); results without
views; neither."""


@dataclass(frozen=True)
class DailyTotal:
    day: str
    content: str
    version: str
    partner: str
    rep: str
    views: int
    engaged_ms: int


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


def _month_bounds(month: str) -> tuple[date, date]:
    year, number = (int(part) for part in month.split("-"))
    start = date(year, number, 1)
    end = date(year + (number == 12), number % 12 + 1, 1)
    return start, end


def rostered(roster: list[RosterEntry], month: str) -> list[RosterEntry]:
    """Reps on the roster at some point during ``month``."""
    start, end = _month_bounds(month)
    return [entry for entry in roster if entry.joined < end and (entry.left is None or entry.left >= start)]


def read_sales(path: Path, root: Path) -> dict[tuple[str, str], float]:
    """``rep_id,month,amount`` rows → amount by (rep, month); located errors for bad rows."""
    from generator.load.files import read_text, relative_name

    text, error = read_text(path, root)
    if error:
        raise ContentErrors([error])
    name = relative_name(path, root)
    rows = list(csv.reader(text.splitlines()))
    if not rows or [cell.strip() for cell in rows[0]] != ["rep_id", "month", "amount"]:
        raise ContentErrors([ContentError(name, 1, 1, "", "the header must be: rep_id,month,amount")])
    sales: dict[tuple[str, str], float] = defaultdict(float)
    errors = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            rep, month, amount = (cell.strip() for cell in row)
            _month_bounds(month)
            sales[(rep, month)] += float(amount)
        except ValueError:
            errors.append(ContentError(name, line, 1, "", "expected rep_id, a month as YYYY-MM and an amount"))
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
        for entry in rostered(roster, month)
    ]


def quadrants(activity: list[RepActivity], view_threshold: float | None = None,
              sales_threshold: float | None = None) -> tuple[float, float, list[RepActivity]]:
    """Split reps at the thresholds (default: the medians); more than the threshold counts as many."""
    views_at = statistics.median([rep.views for rep in activity]) if view_threshold is None and activity else (view_threshold or 0)
    sales_at = statistics.median([rep.sales for rep in activity]) if sales_threshold is None and activity else (sales_threshold or 0)
    placed = []
    for rep in activity:
        many, results = rep.views > views_at, rep.sales > sales_at
        label = QUADRANTS[0] if many and results else QUADRANTS[1] if many else QUADRANTS[2] if results else QUADRANTS[3]
        placed.append(RepActivity(**{**asdict(rep), "quadrant": label}))
    return views_at, sales_at, placed


def bands(activity: list[RepActivity]) -> dict[str, dict[str, object]]:
    """Per partner, the 2:6:2 split by engaged minutes, and the share of reps active at all."""
    by_partner: dict[str, list[RepActivity]] = defaultdict(list)
    for rep in activity:
        by_partner[rep.partner].append(rep)
    result = {}
    for partner, reps in sorted(by_partner.items()):
        ranked = sorted(reps, key=lambda rep: (-rep.engaged_minutes, -rep.views, rep.rep))
        top = max(1, round(len(ranked) * 0.2)) if ranked else 0
        bottom = max(1, round(len(ranked) * 0.2)) if len(ranked) > 1 else 0
        result[partner] = {
            "top": [rep.rep for rep in ranked[:top]],
            "middle": [rep.rep for rep in ranked[top:len(ranked) - bottom]],
            "bottom": [rep.rep for rep in ranked[len(ranked) - bottom:]] if bottom else [],
            "active_share": round(sum(rep.views > 0 for rep in reps) / len(reps), 3) if reps else 0.0,
        }
    return result


def active_rates(totals: list[DailyTotal], roster: list[RosterEntry], months: list[str]) -> dict[str, dict[str, float]]:
    """Per partner and month: the share of its rostered reps with at least one view."""
    viewed: dict[str, set[str]] = defaultdict(set)
    for total in totals:
        if total.rep and total.views > 0:
            viewed[month_of(total.day)].add(total.rep)
    rates: dict[str, dict[str, float]] = defaultdict(dict)
    for month in months:
        by_partner: dict[str, list[str]] = defaultdict(list)
        for entry in rostered(roster, month):
            by_partner[entry.partner_id].append(entry.rep_id)
        for partner, reps in by_partner.items():
            rates[partner][month] = round(sum(rep in viewed[month] for rep in reps) / len(reps), 3)
    return dict(rates)


def content_reads(totals: list[DailyTotal], content_ids: set[str], month: str) -> tuple[list[dict[str, object]], list[str]]:
    """Views, engaged minutes and distinct readers per content id and release; ids never opened."""
    table: dict[tuple[str, str], dict[str, object]] = {}
    readers: dict[tuple[str, str], set[str]] = defaultdict(set)
    for total in totals:
        if month_of(total.day) != month:
            continue
        key = (total.content, total.version)
        row = table.setdefault(key, {"content": total.content, "version": total.version, "views": 0, "engaged_minutes": 0.0})
        row["views"] += total.views
        row["engaged_minutes"] = round(row["engaged_minutes"] + total.engaged_ms / 60000, 1)
        if total.rep and total.views:
            readers[key].add(total.rep)
    rows = sorted(table.values(), key=lambda row: (-row["views"], row["content"], row["version"]))
    for row in rows:
        row["readers"] = len(readers[(row["content"], row["version"])])
    opened = {row["content"] for row in rows if row["views"]}
    return rows, sorted(content_ids - opened)


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # inline: no XML declaration or DOCTYPE


def _charts(placed: list[RepActivity], views_at: float, sales_at: float, rates: dict[str, dict[str, float]]) -> dict[str, str]:
    import matplotlib

    matplotlib.use("svg")
    from matplotlib import pyplot

    colours = dict(zip(QUADRANTS, ("#2e7d32", "#ef6c00", "#1565c0", "#9e9e9e")))
    figure, axes = pyplot.subplots(figsize=(6.5, 4.2))
    for label in QUADRANTS:
        reps = [rep for rep in placed if rep.quadrant == label]
        axes.scatter([rep.views for rep in reps], [rep.sales for rep in reps], label=label, color=colours[label], s=36)
    axes.axvline(views_at, color="#616161", linestyle="--", linewidth=1)
    axes.axhline(sales_at, color="#616161", linestyle="--", linewidth=1)
    axes.set_xlabel("page views this month")
    axes.set_ylabel("sales this month")
    axes.legend(loc="upper left", fontsize=8, frameon=False)
    scatter = _svg(figure)
    pyplot.close(figure)
    figure, axes = pyplot.subplots(figsize=(6.5, 3.4))
    for partner, by_month in sorted(rates.items()):
        months = sorted(by_month)
        axes.plot(months, [by_month[month] * 100 for month in months], marker="o", label=partner)
    axes.set_ylabel("active reps, %")
    axes.set_ylim(0, 100)
    axes.legend(fontsize=8, frameon=False)
    trend = _svg(figure)
    pyplot.close(figure)
    return {"scatter": scatter, "trend": trend}


REPORT_TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "report.html.j2"


def write_report(folder: Path, month: str, totals: list[DailyTotal], roster: list[RosterEntry],
                 sales: dict[tuple[str, str], float], content_ids: set[str], months_back: int = 6) -> Path:
    """Write ``report.html``, one CSV per table and ``report.json`` into ``folder``; return the HTML path."""
    start, _ = _month_bounds(month)
    months = []
    year, number = start.year, start.month
    for _ in range(months_back):
        months.insert(0, f"{year:04d}-{number:02d}")
        year, number = (year - 1, 12) if number == 1 else (year, number - 1)
    views_at, sales_at, placed = quadrants(rep_activity(totals, roster, sales, month))
    split = bands(placed)
    rates = active_rates(totals, roster, months)
    reads, never = content_reads(totals, content_ids, month)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "reps": [asdict(rep) for rep in placed],
        "bands": [{"partner": partner, **{k: (" ".join(v) if isinstance(v, list) else v) for k, v in row.items()}}
                  for partner, row in split.items()],
        "active_rates": [{"partner": partner, "month": m, "active_rate": rate} for partner, by in rates.items() for m, rate in sorted(by.items())],
        "content": reads,
        "never_opened": [{"content": content} for content in never],
    }
    for name, rows in tables.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as stream:
            if rows:
                writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
    (folder / "report.json").write_text(json.dumps({"month": month, "view_threshold": views_at, "sales_threshold": sales_at, **tables}, indent=1, ensure_ascii=False))
    template = jinja2.Environment(autoescape=True).from_string(REPORT_TEMPLATE.read_text(encoding="utf-8"))
    html = template.render(month=month, views_at=views_at, sales_at=sales_at, placed=placed, quadrants=QUADRANTS,
                           bands=split, rates=rates, months=months, reads=reads, never=never,
                           charts=_charts(placed, views_at, sales_at, rates))
    path = folder / "report.html"
    path.write_text(html, encoding="utf-8")
    return path
