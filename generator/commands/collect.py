"""``partnerkit collect`` and ``invite``: the collector server and personal links (``report`` is in
:mod:`generator.commands.report`, ``revoke`` and ``forget`` in :mod:`generator.commands.reps`)."""

from __future__ import annotations

import signal
from datetime import datetime, timezone
from pathlib import Path

from generator.layout import EVENTS_DB, ROSTER_FILE, SALES_FILE
from generator.collector.app import CollectorSettings
from generator.collector.features import CollectorSetup, mount_collector
from generator.events import read_content_index
from generator.identity import REVOKED_FILE, Roster, invite_links, read_revocations, link_keys
from generator.roster import read_roster
from generator.store.database import PostgresStore, open_project_store
from generator.certification.signing_keys import credential_keys
from generator.errors import PartnerkitError
from generator.load.config import load_config
from generator.reporter import NullReporter, Reporter
from generator.model.urls import EVENT_ROUTE

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
    analytics = config.analytics
    index = read_content_index(root)
    keys = link_keys() if analytics.identity == "token" else {}
    store = open_project_store(root, db, analytics.retention_days)
    reporter.step(f"Raw events are kept {analytics.retention_days} days (analytics.retention_days), daily totals for good")
    roster = None
    if analytics.identity == "token":
        read_revocations(root / REVOKED_FILE, root)  # a damaged list stops the start, located
        roster = Roster(root, root / DEFAULT_ROSTER)
        if not (root / DEFAULT_ROSTER).is_file():
            reporter.warning(f"{DEFAULT_ROSTER} not found: every personal link is refused until it exists")
    settings = CollectorSettings.of(analytics, index, config.collector_origins, keys, roster)
    shared = ""
    if isinstance(store, PostgresStore):  # every collector on this database spends from the same buckets
        from generator.store.rates import PostgresRateBuckets

        settings.rates.shared = PostgresRateBuckets(store.url, rate_secret(keys or _optional_keys()))
        shared = ", shared by every collector on this database"
    reporter.step(f"Links older than {analytics.token_max_age_days} days are refused; at most {analytics.rate_limit_per_rep}"
                  f" events a minute per rep and {analytics.rate_limit_per_address} per address{shared}")
    collector = None
    try:
        collector = mount_collector(CollectorSetup(root, config, settings, store, keys or _optional_keys(),
                                                   credential_keys(), reporter))
        collector.start()
        reporter.step(f"Collecting on http://{host}:{port}{EVENT_ROUTE} for {', '.join(settings.origins) or 'no origin'}")
        if metrics:
            from prometheus_client import start_http_server

            start_http_server(metrics[1], metrics[0], registry=collector.app.state.metrics.registry)
            reporter.step(f"Metrics on http://{metrics[0]}:{metrics[1]}/metrics")
        # uvicorn finishes the requests in flight on SIGTERM, then raises the signal again: caught here,
        # so the store writes what is queued first; then the process ends by SIGTERM all the same.
        signal.signal(signal.SIGTERM, _stop)
        uvicorn.run(collector.app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=True,
                    forwarded_allow_ips=analytics.trusted_proxies, timeout_graceful_shutdown=SHUTDOWN_SECONDS)
    except _Stopped:
        stopped = True
    else:
        stopped = False
    finally:
        if collector is not None:
            collector.stop()
        store.close()
    if stopped:  # a service manager sees a stop by SIGTERM
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.raise_signal(signal.SIGTERM)


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


def _optional_keys() -> dict[str, bytes]:
    """``PARTNERKIT_TOKEN_KEYS`` if set (with ``identity: header`` only unsubscribe links need them)."""
    try:
        return link_keys()
    except PartnerkitError:
        return {}


def invites(root: Path, roster: Path):
    config = load_config(root)
    if not config.site_url:
        raise PartnerkitError("site_url is not set in site_config.yml: personal links need the site's address")
    return invite_links(read_roster(root / roster, root), config.site_url, link_keys(), datetime.now(timezone.utc))
