"""Writing the report: ``report.html``, one page per partner, a CSV per table and ``report.json``
(the tables: ``report.py``; the charts: ``report_charts.py``)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from generator.jinja_environment import sandboxed_environment

from generator.report.compliance import Compliance, table_rows as compliance_rows
from generator.csvfile import write_dicts
from generator.report.deals import deal_signals_section
from generator.store.signals import HelpRequest, RaisedRow
from generator.report.funnel import STAGE_NAMES, STAGES, FunnelRow
from generator.report.tables import (METRICS, QUADRANTS, active_rates, bands, content_reads, month_of,
                                        months_until, next_tier_needs, not_after, page_name, quadrants,
                                        quiz_results, rep_activity, weeks_until)
from generator.report.charts import charts, funnel_chart
from generator.store.views import DailyTotal, QuizTotal
from generator.certification.certificates import Certificate
from generator.certification.tiers import (Reminder, TierOutlook, certification_table, expiry_reminders,
                                           tiers_now_and_at_risk)
from generator.roster import RosterEntry
from generator.model.config import CertificationSettings
from generator.model.versions import version_key


@dataclass(frozen=True)
class ReportData:
    """What the report is made from."""

    totals: list[DailyTotal]
    roster: list[RosterEntry]
    sales: dict[tuple[str, str], float]
    """Sales amount by (rep id, month)."""
    content_ids: set[str]
    """Every page events may name (pages never opened are listed)."""
    quiz_totals: Sequence[QuizTotal] = ()
    certificates: Sequence[Certificate] = ()
    titles: dict[str, str] = field(default_factory=dict)
    """Page titles by content id, from the content index."""
    compliance: Compliance | None = None
    """How partners follow the procedures on their worklists (None: no worklist cases yet)."""
    signals_raised: Sequence[RaisedRow] = ()
    """Deal signals raised (``store_signals.raised``)."""
    help_requests: Sequence[HelpRequest] = ()
    """Requests for help (``store_signals.help_requests``)."""
    funnel: Sequence[FunnelRow] = ()
    """The learning funnel per partner and path (``funnel.py``)."""
    note_cases: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Worklist case id → (customer name, procedure id): what reps' notes are about."""


@dataclass(frozen=True)
class ReportOptions:
    """How the report is cut."""

    by: str = "views"
    """Activity measure of the key-person quadrants: ``views`` or ``minutes``."""
    activity_threshold: float | None = None
    """Where activity counts as high (default: the median)."""
    sales_threshold: float | None = None
    """Where sales count as high (default: the median)."""
    months_back: int = 6
    weeks_back: int = 8
    certification: CertificationSettings = field(default_factory=CertificationSettings)
    today: date | None = None
    """The day tiers, certificates and reminders are as of, and after which no period is shown (default: the UTC day)."""
    role_names: dict[str, str] = field(default_factory=dict)
    """Role id → the name people read (``roles`` in site_config.yml); an id without one is shown as is."""
    segment_names: dict[str, str] = field(default_factory=dict)
    """Segment id → name (``segments`` in site_config.yml)."""


QUADRANT_WORDS = {"key person 1": "Key person 1: reads a lot and sells", "key person 2": "Key person 2: reads a lot, no sales yet",
                  "results without views": "Sells without reading the site", "neither": "Neither reads nor sells yet"}
"""The key-person quadrants in plain words, as the report's cards head them."""


def active_periods(labels: list[str], by_partner: dict[str, dict[str, float]]) -> list[str]:
    """``labels`` from the first period in which some partner's rep opened a page (earlier ones say nothing)."""
    for index, label in enumerate(labels):
        if any(by_period.get(label) for by_period in by_partner.values()):
            return labels[index:]
    return []


TIER_HORIZON_DAYS = 90
"""How far ahead the report looks for partner tiers at risk."""


def _tier_rows(outlooks: list[TierOutlook]) -> list[dict[str, object]]:
    """The ``tiers`` table: tier ids, days as ISO text, causes as ``rep:exam``."""
    return [{"partner": o.partner, "partner_name": o.partner_name, "tier_now": o.now.id if o.now else "",
             f"tier_in_{TIER_HORIZON_DAYS}_days": o.at_horizon.id if o.at_horizon else "",
             "drop_on": o.drops_on.isoformat() if o.drops_on else "", "drop_to": o.drops_to.id if o.drops_to else "",
             "causes": " ".join(f"{c.rep}:{c.exam}" for c in o.causes)} for o in outlooks]


def _reminder_rows(reminders: list[Reminder]) -> list[dict[str, object]]:
    """The ``reminders`` table, soonest first."""
    return [{"bucket": r.bucket, "days_left": r.days_left, "kind": r.kind, "partner": r.certificate.partner,
             "partner_name": r.partner_name, "rep": r.certificate.rep, "name": r.holder, "exam": r.certificate.exam,
             "title": r.certificate.title, "level": r.certificate.level, "valid_until": r.certificate.valid_until.isoformat()}
            for r in reminders]


REPORT_TEMPLATE = "report.html.j2"
"""partnerkit's template of the report (in ``generator/templates/``; every value HTML-escaped)."""
PARTNERS_FOLDER = "partners"
"""Under the report folder: one HTML page per partner (``partners/<partner id>.html``) to forward to it."""


def write_report(folder: Path, month: str, data: ReportData, options: ReportOptions = ReportOptions()) -> Path:
    """Write ``report.html``, one page per partner under ``partners/``, one CSV per table and
    ``report.json`` into ``folder``; return the HTML path.

    Pages are named by their ``titles`` (content id → title, from the content index), partners and reps
    by the roster. Weeks and months that begin after ``today`` are left out. Partner tiers,
    certificates and reminders are as of ``today`` (default: the UTC day), whatever the month."""
    totals, roster, sales, content_ids, quiz_totals, titles = (data.totals, data.roster, data.sales, data.content_ids,
                                                               data.quiz_totals, data.titles)
    by, activity_threshold, sales_threshold = options.by, options.activity_threshold, options.sales_threshold
    months_back, weeks_back, certification = options.months_back, options.weeks_back, options.certification
    today = options.today or datetime.now(timezone.utc).date()
    activity_at, sales_at, placed = quadrants(rep_activity(totals, roster, sales, month), by,
                                              activity_threshold, sales_threshold)
    split = bands(placed)
    periods = {"monthly": not_after(months_until(month, months_back), today),
               "weekly": not_after(weeks_until(month, weeks_back, today), today)}
    rates = {kind: active_rates(totals, roster, of_kind) for kind, of_kind in periods.items()}
    labels = {kind: [period.label for period in of_kind] for kind, of_kind in periods.items()}
    reads, never = content_reads(totals, content_ids, month)
    for row in reads:
        row["title"] = page_name(str(row["content"]), titles)
    quizzes = quiz_results(list(quiz_totals), month)
    for row in quizzes:
        row["title"] = page_name(f"quiz:{row['quiz']}", titles)
    certificates = list(data.certificates)
    outlooks = tiers_now_and_at_risk(certificates, roster, certification, today, TIER_HORIZON_DAYS)
    reminders = expiry_reminders(certificates, roster, certification, today)
    partner_names = {entry.partner_id: entry.partner_name or entry.partner_id for entry in roster}
    names = {rep.rep: rep.name for rep in placed}
    events_this_month = any(month_of(total.day) == month for total in totals) or any(
        month_of(total.day) == month for total in quiz_totals)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "reps": [{**asdict(rep), "partner_name": partner_names.get(rep.partner, "")} for rep in placed],
        "bands": [{"partner": partner, "partner_name": partner_names.get(partner, ""),
                   **{k: (" ".join(v) if isinstance(v, list) else v) for k, v in row.items()}}
                  for partner, row in split.items()],
        **{f"active_rates_{kind}": [{"partner": partner, "partner_name": partner_names.get(partner, ""), "period": label,
                                     "active_rate": rate}
                                    for partner, by_period in by_partner.items() for label, rate in by_period.items()]
           for kind, by_partner in rates.items()},
        "content": [{"content": row["content"], "title": row["title"], **{k: v for k, v in row.items() if k not in ("content", "title")}}
                    for row in reads],
        "never_opened": [{"content": content, "title": page_name(content, titles)} for content in never],
        "quizzes": quizzes,
        "tiers": _tier_rows(outlooks),
        "certificates": certification_table(certificates, roster, today),
        "reminders": _reminder_rows(reminders),
        "funnel": [asdict(row) for row in data.funnel],
    }
    compliance = data.compliance if data.compliance is not None and data.compliance.trend else None
    if compliance is not None:
        tables.update(compliance_rows(compliance, partner_names))
        holders = {(entry.partner_id, entry.rep_id): entry.name for entry in roster}
        tables["notes"] = [
            {"written_at": note.written_at, "partner": note.partner, "partner_name": partner_names.get(note.partner, ""),
             "rep": note.rep, "name": holders.get((note.partner, note.rep), ""),
             "customer": data.note_cases.get(note.case_id, ("", ""))[0], "procedure": data.note_cases.get(note.case_id, ("", ""))[1],
             "procedure_title": compliance.titles.get(data.note_cases.get(note.case_id, ("", ""))[1], ""), "text": note.text}
            for note in compliance.notes]
    deals = deal_signals_section(list(data.signals_raised), list(data.help_requests), roster, sales, month, months_back)
    if deals is not None:
        holder_names = {(e.partner_id, e.rep_id): e.name for e in roster}
        tables["deal_signals"] = deals.rows(partner_names)
        tables["help_requests"] = [{"day": r.day, "partner": r.partner, "rep": r.rep, "name": holder_names.get((r.partner, r.rep), ""),
                                    "page": page_name(r.content, titles), "text": r.text, "answered": r.answered_at or ""}
                                   for r in deals.requests]
    for name, rows in tables.items():
        write_dicts(folder / f"{name}.csv", rows)
    summary = {"month": month, "today": today.isoformat(), "by": by, "activity_threshold": activity_at,
               "sales_threshold": sales_at, "events_this_month": events_this_month}
    (folder / "report.json").write_text(json.dumps({**summary, **tables}, indent=1, ensure_ascii=False), encoding="utf-8")
    releases: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in reads:
        releases[str(row["version"])].append(row)
    partners = []
    for outlook in outlooks:
        target, needs = next_tier_needs(certificates, roster, certification, outlook.partner, outlook.now, today)
        partners.append({
            "id": outlook.partner, "name": partner_names.get(outlook.partner) or outlook.partner,
            "reps": [rep for rep in placed if rep.partner == outlook.partner], "bands": split.get(outlook.partner),
            "rates": {kind: by_partner.get(outlook.partner, {}) for kind, by_partner in rates.items()},
            "outlook": outlook, "next_tier": target, "needs": needs,
            "reminders": [r for r in reminders if r.certificate.partner == outlook.partner],
            "glance": {"certified": len({c.rep for c in certificates if c.partner == outlook.partner and c.status(today) != "expired"}),
                       "overdue": compliance.by_partner[outlook.partner].open_overdue
                       if compliance is not None and outlook.partner in compliance.by_partner else None,
                       "funnel": [row for row in data.funnel if row.partner == outlook.partner]},
        })
    lead = lead_summary(month, rates, placed, outlooks, certificates, roster, compliance, today, partner_names)
    drawn = charts(placed, by, activity_at, sales_at, rates, labels, partner_names)
    if data.funnel:
        drawn["funnel"] = funnel_chart(data.funnel)
    template = sandboxed_environment(autoescape=True, keep_trailing_newline=True, strict=False).get_template(REPORT_TEMPLATE)
    common = dict(month=month, today=today, horizon=TIER_HORIZON_DAYS, names=names, labels=labels,
                  events_this_month=events_this_month, partner_names=partner_names,
                  holders={(e.partner_id, e.rep_id): e.name for e in roster},
                  buckets=sorted(certification.reminder_days, reverse=True), tiers=certification.tiers,
                  compliance=compliance, funnel=list(data.funnel), stages=list(zip(STAGES, STAGE_NAMES)), lead=lead,
                  roles=options.role_names, segments=options.segment_names, notes=tables.get("notes", []))
    html = template.render(**common, single=None, partners=partners, metric=METRICS[by], activity_at=activity_at,
                           sales_at=sales_at, thresholds_given=(activity_threshold, sales_threshold) != (None, None),
                           placed=placed, quadrants=QUADRANTS, quadrant_words=QUADRANT_WORDS, bands=split, rates=rates,
                           active_labels={kind: active_periods(labels[kind], by_partner) for kind, by_partner in rates.items()},
                           releases=dict(sorted(releases.items(), key=lambda item: version_key(item[0]), reverse=True)),
                           never=[page_name(content, titles) for content in never], quizzes=quizzes, outlooks=outlooks,
                           certificates=tables["certificates"], reminders=reminders, deals=deals,
                           help_rows=tables.get("help_requests", []),
                           charts=drawn)
    (folder / PARTNERS_FOLDER).mkdir(exist_ok=True)
    for partner in partners:
        (folder / PARTNERS_FOLDER / f"{partner['id']}.html").write_text(
            template.render(**common, single=partner, partners=[partner]), encoding="utf-8")
    path = folder / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


def lead_summary(month: str, rates, placed, outlooks, certificates, roster, compliance, today: date,
                 partner_names: dict[str, str]) -> dict[str, object]:
    """The figures a partner-success lead acts on, for the top of the report: the month's active rate
    (all partners), reps holding a valid certificate, tiers that drop within the horizon, open overdue
    procedure steps, and the partners that need a call (key person 2 reps, a tier at risk, procedures
    followed below half)."""
    current = [entry for entry in roster if entry.left is None or entry.left > today]
    active = sum(1 for rep in placed if rep.views > 0)
    certified = {(c.partner, c.rep) for c in certificates if c.status(today) != "expired"}
    drops = [o for o in outlooks if o.drops_on]
    overdue = sum(t.open_overdue for t in compliance.by_partner.values()) if compliance else 0
    calls: dict[str, list[str]] = {}
    for rep in placed:
        if rep.quadrant == QUADRANTS[1]:
            calls.setdefault(rep.partner, []).append("key person 2")
    for o in drops:
        calls.setdefault(o.partner, []).append("tier at risk")
    if compliance:
        for partner, t in compliance.by_partner.items():
            if t.due and t.on_time / t.due < 0.5:
                calls.setdefault(partner, []).append("procedures followed below 50 %")
    return {"active": active, "rostered": len(placed) or len(current), "certified": len(certified), "tier_changes": len(drops),
            "overdue": overdue,
            "calls": [(partner_names.get(p) or p, sorted(set(why)), why.count("key person 2")) for p, why in sorted(calls.items())]}
