"""``partnerkit report``: the partner-enablement report of one month, read from the store (key people,
engagement, what is read, certification, the learning funnel, compliance with procedures, deal signals)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path

from generator.certification.answer_key_files import read_exam_keys
from generator.collector.exams import ExamService
from generator.errors import PartnerkitError
from generator.events import CONTENT_INDEX, read_content_index
from generator.layout import CONTENT_DIR, REPORTS_DIR
from generator.load.config import load_config
from generator.model.catalog import Catalog
from generator.report.output import ReportData, ReportOptions, write_report
from generator.report.tables import latest_month, parse_month, read_sales
from generator.roster import read_roster
from generator.store import learning as store_learning
from generator.store import signals as store_signals
from generator.store import worklists as store_worklists
from generator.store.credentials import revoked_certificates
from generator.store.database import open_project_store
from generator.store.exams import all_certificates
from generator.store.views import daily_totals, quiz_totals


@dataclass(frozen=True)
class ReportRequest:
    """What ``partnerkit report`` was asked for (paths relative to the project, or absolute)."""

    sales_file: Path
    """Sales per rep and month (``rep_id,month,amount``)."""
    roster: Path
    month: str | None = None
    """``YYYY-MM``; default: the latest month that has events, else this month."""
    output: Path | None = None
    """The folder written; default: ``private/reports/<month>/`` of ``data``."""
    db: str | None = None
    """``--db`` (default: the project's SQLite file)."""
    data: Path | None = None
    """The folder whose ``private/`` files are read and written (default: the project's; the demo's folder)."""
    options: ReportOptions = field(default_factory=ReportOptions)
    """How the report is cut (the project's certification settings and names are added here)."""


def report(root: Path, request: ReportRequest) -> Path:
    """Write the partner-enablement report the request asks for; return its HTML path."""
    data = request.data or root
    month = request.month
    today = datetime.now(timezone.utc).date()
    if month is not None:
        try:
            parse_month(month)
        except ValueError:
            raise PartnerkitError(f"--month {month}: expected a month as YYYY-MM, e.g. 2026-10") from None
    index = read_content_index(data) if (data / CONTENT_INDEX).is_file() else None
    content_ids = set(index.content) if index else set()
    config = load_config(root)
    reps = read_roster(root / request.roster, root, config.inputs)
    sales = read_sales(root / request.sales_file, root, config.inputs)
    store = open_project_store(root, request.db)
    try:
        # releases built since the collector started may ask holders to recertify: count that in
        ExamService(read_exam_keys(data), store).apply_recertification()
        totals = daily_totals(store)
        quizzes = quiz_totals(store)
        revoked = revoked_certificates(store)  # partnerkit revoke-certificate: no longer counted
        certificates = [certificate for certificate in all_certificates(store) if certificate.id not in revoked]
        worklist_steps, worklist_notes, worklist_cases = store.run(lambda db: (
            store_worklists.all_steps(db), store_worklists.notes(db), store_worklists.cases(db, open_only=False))).result()
        raised, asked = store.run(lambda db: (store_signals.raised(db), store_signals.help_requests(db))).result()
        records, record_quizzes = store_learning.all_modules(store), store_learning.all_quizzes(store)
    finally:
        store.close()
    if month is None:
        month = latest_month([total.day for total in totals] + [total.day for total in quizzes]) or today.strftime("%Y-%m")
    folder = request.output or data / REPORTS_DIR / month
    catalog = _catalog(root, needed=bool(worklist_steps))
    report_data = ReportData(totals, reps, sales, content_ids, quizzes, certificates, dict(index.titles) if index else {},
                             compliance=_compliance(catalog, month, today, worklist_steps, worklist_notes),
                             signals_raised=raised, help_requests=asked,
                             funnel=_funnel(catalog, reps, totals, records, record_quizzes, certificates, today),
                             note_cases={case.id: (case.customer_name, case.procedure) for case in worklist_cases})
    options = replace(request.options, certification=config.certification, today=today,
                      role_names={role.id: role.name for role in config.roles},
                      segment_names={segment.id: segment.name for segment in config.segments})
    return write_report(folder, month, report_data, options)


def _catalog(root: Path, needed: bool) -> Catalog | None:
    """The project's content, loaded once for the funnel's paths and the procedures' titles and activities
    (None in a report-only project, which has no content folder, unless worklist cases need it)."""
    from generator.load.content import load_project

    return load_project(root) if needed or (root / CONTENT_DIR).is_dir() else None


def _funnel(catalog: Catalog | None, reps, totals, records, quizzes, certificates, today: date):
    """The learning funnel per partner and path, from the project's paths and the learner record."""
    from generator.report.funnel import funnel, funnel_inputs, path_plans

    if catalog is None:  # a report-only project: no paths to follow
        return ()
    return funnel(reps, path_plans(catalog), *funnel_inputs(totals, records, quizzes), certificates, today)


def _compliance(catalog: Catalog | None, month: str, today: date, steps, notes):
    """How partners follow the procedures (None without worklist cases)."""
    if not steps or catalog is None:
        return None
    from generator.report.compliance import activities, compliance

    procedures = catalog.documents.get("procedure", {})
    return compliance(steps, month, today, activities(procedures.values(), catalog.documents.get("responsibilities", {}).values()),
                      notes, titles={ident: procedure.title for ident, procedure in procedures.items()})
