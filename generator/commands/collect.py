"""``partnerkit collect``, ``invite`` and ``report``: the collector server, personal links and reports
(``revoke`` and ``forget`` are in :mod:`generator.commands.reps`)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from generator.layout import EVENTS_DB, REPORTS_DIR, ROSTER_FILE, SALES_FILE
from generator.collector.app import CollectorSettings, RateLimits, create_app
from generator.analytics.events import CONTENT_INDEX, ContentIndex, read_content_index
from generator.analytics.identity import REVOKED_FILE, Roster, invite_links, read_revocations, signing_keys
from generator.roster import read_roster
from generator.analytics.store import BatchingStore, daily_totals, open_project_store, quiz_totals
from generator.analytics.store_credentials import revoked_certificates
from generator.analytics.store_exams import all_certificates
from generator.collector.exams import ExamService, exam_routes
from generator.certification.keyfiles import EXAM_KEYS_DIR, read_exam_keys
from generator.certification.credential_keys import CREDENTIAL_KEYS_VARIABLE, credential_keys
from generator.certification.credentials import Addresses
from generator.collector.credentials import CredentialService, credential_routes
from generator.errors import PartnerkitError
from generator.load.config import load_config
from generator.reporter import NullReporter, Reporter
from generator.structure.config import AnalyticsSettings, SiteConfig

DEFAULT_DB = EVENTS_DB
DEFAULT_ROSTER = Path(ROSTER_FILE)
DEFAULT_SALES = Path(SALES_FILE)


def collect(root: Path, db: str | None, host: str, port: int, reporter: Reporter = NullReporter()) -> None:
    import uvicorn

    config = load_config(root)
    index = read_content_index(root)
    keys = signing_keys() if config.analytics.identity == "token" else {}
    store = open_project_store(root, db, config.analytics.retention_days)
    reporter.step(f"Raw events are kept {config.analytics.retention_days} days (analytics.retention_days), daily totals for good")
    analytics = config.analytics
    roster = None
    if analytics.identity == "token":
        read_revocations(root / REVOKED_FILE, root)  # a damaged list stops the start, located
        roster = Roster(root, root / DEFAULT_ROSTER)
        if not (root / DEFAULT_ROSTER).is_file():
            reporter.warning(f"{DEFAULT_ROSTER} not found: every personal link is refused until it exists")
    settings = collector_settings(analytics, index, config.collector_origins, keys, roster)
    reporter.step(f"Links older than {analytics.token_max_age_days} days are refused; at most {analytics.rate_limit_per_rep}"
                  f" events a minute per rep and {analytics.rate_limit_per_address} per address")
    exams = exam_service(root, store)
    if exams.keys:
        reporter.step(f"Grading {len({exam for _, exam in exams.keys})} exams from {EXAM_KEYS_DIR}/")
    credentials = credential_service(config, exams)
    if exams.keys:
        reporter.step(f"Certificates come with verifiable credentials: {credentials.addresses.jwks} lists the keys"
                      if credentials.enabled and credentials.addresses else
                      f"No verifiable credentials: set {CREDENTIAL_KEYS_VARIABLE} and analytics.endpoint to issue them")
    reporter.step(f"Collecting on http://{host}:{port}/e for {', '.join(settings.origins) or 'no origin'}")
    try:
        from generator.collector.notifications import NotificationService, collector_origin, notification_routes
        from generator.collector.worklists import worklist_routes
        from generator.commands.worklists import worklist_service

        worklists = worklist_service(root, store, config, dict(index.titles), roster)
        unsubscribe = NotificationService(store, keys or _optional_keys(), collector_origin(analytics.endpoint), config.language)
        app = create_app(settings, store, [*exam_routes(settings, exams), *credential_routes(settings, credentials),
                                           *worklist_routes(settings, worklists), *notification_routes(settings, unsubscribe)])
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=True,
                    forwarded_allow_ips=analytics.trusted_proxies)
    finally:
        store.close()


def _optional_keys() -> dict[str, bytes]:
    """``PARTNERKIT_TOKEN_KEYS`` if set (with ``identity: header`` only unsubscribe links need them)."""
    try:
        return signing_keys()
    except PartnerkitError:
        return {}


def collector_settings(analytics: AnalyticsSettings, index: ContentIndex, origins: list[str], keys: dict[str, bytes],
                       roster: Roster | None) -> CollectorSettings:
    """The collector's settings from ``analytics:`` in site_config.yml (the demo's too)."""
    return CollectorSettings(index, origins, keys, analytics.identity, analytics.identity_header,
                             roster=roster, token_max_age_days=analytics.token_max_age_days,
                             rates=RateLimits(analytics.rate_limit_per_rep, analytics.rate_limit_per_address),
                             max_engaged_ms=analytics.max_engaged_minutes * 60 * 1000)


def exam_service(root: Path, store: BatchingStore, roster: Path = DEFAULT_ROSTER) -> ExamService:
    """Exam keys from ``private/exams/`` and names from the roster (if there is one); certificates of
    exams a later release changed are marked for recertification."""
    service = ExamService(read_exam_keys(root), store, read_roster(root / roster, root) if (root / roster).is_file() else [])
    service.apply_recertification()
    return service


def credential_service(config: SiteConfig, exams: ExamService) -> CredentialService:
    """Credentials beside the exams, signed with ``PARTNERKIT_CREDENTIAL_KEYS`` and served at the
    collector's address (``analytics.endpoint``); both are needed to issue any."""
    base = config.analytics.collector_base
    service = CredentialService(exams, config, Addresses(base) if base else None, credential_keys())
    exams.credentials = service
    return service


def invites(root: Path, roster: Path):
    config = load_config(root)
    if not config.site_url:
        raise PartnerkitError("site_url is not set in site_config.yml: personal links need the site's address")
    return invite_links(read_roster(root / roster, root), config.site_url, signing_keys(), datetime.now(timezone.utc))


def report(root: Path, sales_file: Path, month: str | None, output: Path | None, roster: Path, db: str | None,
           by: str = "views", activity_threshold: float | None = None, sales_threshold: float | None = None,
           data: Path | None = None) -> Path:
    """Write the partner-enablement report for ``month`` (default: the latest month that has events,
    else this month); return its HTML path. ``data`` holds the ``private/`` folder read and written
    (default: the project's; the demo's folder)."""
    from generator.analytics.report import latest_month, parse_month, read_sales
    from generator.analytics.report_output import ReportData, ReportOptions, write_report

    data = data or root

    today = datetime.now(timezone.utc).date()
    if month is not None:
        try:
            parse_month(month)
        except ValueError:
            raise PartnerkitError(f"--month {month}: expected a month as YYYY-MM, e.g. 2026-10") from None
    index = read_content_index(data) if (data / CONTENT_INDEX).is_file() else None
    content_ids = set(index.content) if index else set()
    config = load_config(root)
    reps, sales = read_roster(root / roster, root), read_sales(root / sales_file, root)
    store = open_project_store(root, db)
    try:
        # releases built since the collector started may ask holders to recertify: count that in
        ExamService(read_exam_keys(data), store).apply_recertification()
        totals = daily_totals(store)
        quizzes = quiz_totals(store)
        revoked = revoked_certificates(store)  # partnerkit revoke-certificate: no longer counted
        certificates = [certificate for certificate in all_certificates(store) if certificate.id not in revoked]
        from generator.analytics import store_worklists

        worklist_steps, worklist_notes, worklist_cases = store.run(lambda db: (
            store_worklists.all_steps(db), store_worklists.notes(db), store_worklists.cases(db, open_only=False))).result()
    finally:
        store.close()
    if month is None:
        month = latest_month([total.day for total in totals] + [total.day for total in quizzes]) or today.strftime("%Y-%m")
    folder = output or data / REPORTS_DIR / month
    data = ReportData(totals, reps, sales, content_ids, quizzes, certificates, dict(index.titles) if index else {},
                      compliance=_compliance(root, month, today, worklist_steps, worklist_notes),
                      note_cases={case.id: (case.customer_name, case.procedure) for case in worklist_cases})
    return write_report(folder, month, data, ReportOptions(by, activity_threshold, sales_threshold,
                                                           certification=config.certification, today=today,
                                                           role_names={role.id: role.name for role in config.roles},
                                                           segment_names={segment.id: segment.name for segment in config.segments}))


def _compliance(root: Path, month: str, today, steps, notes):
    """How partners follow the procedures (None without worklist cases)."""
    if not steps:
        return None
    from generator.analytics.compliance import activities, compliance
    from generator.load.content import load_project

    catalog = load_project(root)
    procedures = catalog.documents.get("procedure", {})
    return compliance(steps, month, today, activities(procedures.values(), catalog.documents.get("responsibilities", {}).values()),
                      notes, titles={ident: procedure.title for ident, procedure in procedures.items()})
