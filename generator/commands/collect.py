"""``partnerkit collect`` and ``invite``: the collector server and personal links (``report`` is in
:mod:`generator.commands.report`, ``revoke`` and ``forget`` in :mod:`generator.commands.reps`)."""

from __future__ import annotations

import signal
import threading
from datetime import datetime, timezone
from pathlib import Path

from generator.layout import EVENTS_DB, ROSTER_FILE, SALES_FILE
from generator.collector.app import CollectorSettings, RateLimits, create_app
from generator.events import ContentIndex, read_content_index
from generator.identity import REVOKED_FILE, Roster, invite_links, read_revocations, signing_keys
from generator.roster import read_roster
from generator.store.core import BatchingStore
from generator.store.database import PostgresStore, open_project_store
from generator.collector.exams import ExamService, exam_routes
from generator.certification.answer_key_files import EXAM_KEYS_DIR, read_exam_keys
from generator.certification.signing_keys import CREDENTIAL_KEYS_VARIABLE, credential_keys
from generator.certification.credentials import Addresses
from generator.collector.credentials import CredentialService, credential_routes
from generator.errors import PartnerkitError
from generator.load.config import load_config
from generator.reporter import NullReporter, Reporter
from generator.model.config import AnalyticsSettings, SiteConfig

DEFAULT_DB = EVENTS_DB
DEFAULT_ROSTER = Path(ROSTER_FILE)
DEFAULT_SALES = Path(SALES_FILE)


SHUTDOWN_SECONDS = 30
"""How long a collector told to stop (SIGTERM, Ctrl-C) lets requests in flight finish before it closes them."""


def collect(root: Path, db: str | None, host: str, port: int, reporter: Reporter = NullReporter(),
            metrics: tuple[str, int] | None = None) -> None:
    """Serve the collector on ``host:port`` until SIGTERM or Ctrl-C (requests in flight finish and are
    committed first); with ``metrics``, Prometheus metrics on that address (and only there)."""
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
    shared = ""
    if isinstance(store, PostgresStore):  # every collector on this database spends from the same buckets
        from generator.store.rates import PostgresRateBuckets

        settings.rates.shared = PostgresRateBuckets(store.url, rate_secret(keys or _optional_keys()))
        shared = ", shared by every collector on this database"
    reporter.step(f"Links older than {analytics.token_max_age_days} days are refused; at most {analytics.rate_limit_per_rep}"
                  f" events a minute per rep and {analytics.rate_limit_per_address} per address{shared}")
    exams = exam_service(root, store, roster)
    if exams.keys:
        reporter.step(f"Grading {len({exam for _, exam in exams.keys})} exams from {EXAM_KEYS_DIR}/")
    credentials = credential_service(config, exams)
    if exams.keys:
        reporter.step(f"Certificates come with verifiable credentials: {credentials.addresses.jwks} lists the keys"
                      if credentials.enabled and credentials.addresses else
                      f"No verifiable credentials: set {CREDENTIAL_KEYS_VARIABLE} and analytics.endpoint to issue them")
    sender = lrs_sender(config, index, exams, store)
    stop_sending = threading.Event()
    if sender is not None:
        reporter.step(f"xAPI statements ({', '.join(config.lrs.events)}) go to {sender.statements_url}")
        sender.run_in_background(stop_sending, reporter.warning)
    reporter.step(f"Collecting on http://{host}:{port}/e for {', '.join(settings.origins) or 'no origin'}")
    try:
        from generator.collector.notifications import NotificationService, collector_origin, notification_routes
        from generator.collector.help import HelpService, help_routes
        from generator.collector.worklists import worklist_routes
        from generator.commands.worklists import worklist_service
        from generator.collector.learning import learning_routes

        worklists = worklist_service(root, store, config, dict(index.titles), roster)
        unsubscribe = NotificationService(store, keys or _optional_keys(), collector_origin(analytics.endpoint), config.language)
        app = create_app(settings, store, [*exam_routes(settings, exams), *credential_routes(settings, credentials),
                                           *worklist_routes(settings, worklists), *notification_routes(settings, unsubscribe),
                                           *help_routes(settings, HelpService(store, config.help, unsubscribe.keys, config.language)),
                                           *learning_routes(settings, learning_service(store, exams, roster, analytics, worklists))])
        if metrics:
            from prometheus_client import start_http_server

            start_http_server(metrics[1], metrics[0], registry=app.state.metrics.registry)
            reporter.step(f"Metrics on http://{metrics[0]}:{metrics[1]}/metrics")
        # uvicorn finishes the requests in flight on SIGTERM, then raises the signal again: caught here,
        # so the store writes what is queued first; then the process ends by SIGTERM all the same.
        signal.signal(signal.SIGTERM, _stop)
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=True,
                    forwarded_allow_ips=analytics.trusted_proxies, timeout_graceful_shutdown=SHUTDOWN_SECONDS)
    except _Stopped:
        stopped = True
    else:
        stopped = False
    finally:
        stop_sending.set()
        store.close()
    if stopped:  # a service manager sees a stop by SIGTERM
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.raise_signal(signal.SIGTERM)


def lrs_sender(config: SiteConfig, index: ContentIndex, exams: ExamService, store: BatchingStore):
    """With ``lrs.endpoint`` set: record xAPI statements in the store's transactions (events, grades,
    certificates) and return the sender that delivers them; else None."""
    from generator.collector.lrs import LrsSender, lrs_auth
    from generator.collector.xapi import StatementRecorder, Vocabulary

    if not config.lrs.endpoint:
        return None
    if not config.site_url:
        raise PartnerkitError("lrs.endpoint is set but site_url is not: statements name reps by an account on the site's address")
    authorization = lrs_auth(config.lrs)
    titles = {**index.titles, **{exam: key.title for (_, exam), key in exams.keys.items()}}
    recorder = StatementRecorder(Vocabulary(config.site_url.rstrip("/"), titles), frozenset(config.lrs.events))
    store.event_recorders.append(recorder.event_stored)
    exams.statements = recorder
    return LrsSender(store, config.lrs, authorization)


def lrs_send(root: Path, db: str | None):
    """One round of delivering the xAPI outbox (``partnerkit lrs-send``), then what is still waiting."""
    from generator.store.lrs import outbox_counts
    from generator.collector.lrs import LrsSender, lrs_auth

    config = load_config(root)
    if not config.lrs.endpoint:
        raise PartnerkitError("lrs.endpoint is not set in site_config.yml: there is no LRS to send statements to")
    store = open_project_store(root, db)
    try:
        sender = LrsSender(store, config.lrs, lrs_auth(config.lrs))
        done = sender.send_due()
        return sender.statements_url, done, outbox_counts(store)
    finally:
        store.close()


class _Stopped(BaseException):
    """SIGTERM, once uvicorn has finished the requests in flight."""


def _stop(signal_number: int, frame: object) -> None:
    raise _Stopped


def rate_secret(keys: dict[str, bytes]) -> bytes:
    """The key that hashes the names of shared rate buckets (rep ids, client addresses): derived from
    the token keys, the same in every collector of one deployment."""
    import hashlib

    return hashlib.sha256(b"partnerkit rate buckets\0" + b"\0".join(keys[name] for name in sorted(keys))).digest()


def learning_service(store: BatchingStore, exams: ExamService, roster: Roster | None, analytics: AnalyticsSettings,
                     worklists=None):
    """The learner record beside the exams and worklists, with names from the roster (the demo's too)."""
    from generator.collector.learning import LearningService

    return LearningService(store, roster.entries if roster is not None else None, exams, worklists,
                           analytics.learning_record_days, statements=exams.statements)


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


def exam_service(root: Path, store: BatchingStore, roster: Roster | None = None) -> ExamService:
    """Exam keys from ``private/exams/`` and names from the roster (``roster``, or one watched here: its
    file is re-read when it changes, so a rep's ``left`` day revokes their certificate at once);
    certificates of exams a later release changed are marked for recertification."""
    if (root / DEFAULT_ROSTER).is_file():
        read_roster(root / DEFAULT_ROSTER, root)  # a damaged roster stops the start, located
    service = ExamService(read_exam_keys(root), store, roster or Roster(root, root / DEFAULT_ROSTER))
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
