"""The collector's features, mounted from one list (Datasette's list of default plugins is the model).

Each :class:`Feature` of :data:`FEATURES` says what it adds to the collector: its routes, the services
later features use (the exams' service, the worklists', the xAPI statement recorder) and what runs
while the collector serves (the LRS sender). ``partnerkit collect`` and the demo's collector both
mount this list through :func:`mount_collector`; no feature is wired anywhere else."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from generator.identity import Roster
from generator.store.core import BatchingStore
from generator.collector.app import CORE_PATHS, CollectorSettings, create_app
from generator.errors import PartnerkitError
from generator.layout import ROSTER_FILE
from generator.model.config import SiteConfig
from generator.model.urls import Urls
from generator.reporter import NullReporter, Reporter

if TYPE_CHECKING:
    from generator.certification.signing_keys import SigningKey
    from generator.collector.exams import ExamService
    from generator.collector.worklists import WorklistService
    from generator.collector.xapi import StatementRecorder


@dataclass
class CollectorSetup:
    """What the features mount on, and the services earlier features of the list provide to later ones."""

    root: Path
    """The folder holding ``private/`` (the project's, or the demo's)."""
    config: SiteConfig
    settings: CollectorSettings
    store: BatchingStore
    link_keys: dict[str, bytes]
    """``PARTNERKIT_TOKEN_KEYS``: the keys of the links in e-mails (unsubscribe, mark answered)."""
    signing_keys: dict[str, SigningKey]
    """Credential signing keys by id (``PARTNERKIT_CREDENTIAL_KEYS``); empty: no credentials."""
    reporter: Reporter = NullReporter()
    exams: ExamService | None = None
    """Provided by ``exams``."""
    worklists: WorklistService | None = None
    """Provided by ``worklists``."""
    statements: StatementRecorder | None = None
    """Provided by ``lrs`` (with ``lrs.endpoint`` set)."""

    @functools.cached_property
    def roster(self) -> Roster:
        """The collector's roster, else one watched here (its file re-read when it changes)."""
        return self.settings.roster or Roster(self.root, self.root / ROSTER_FILE)

    @functools.cached_property
    def urls(self) -> Urls:
        return Urls.of(self.config)


@dataclass
class Mounted:
    """What one feature adds to the collector."""

    routes: list[BaseRoute] = field(default_factory=list)
    start: list[Callable[[], None]] = field(default_factory=list)
    """Run once the collector is about to serve."""
    stop: list[Callable[[], None]] = field(default_factory=list)
    """Run when it has stopped serving (before its store closes)."""
    core_paths: tuple[str, ...] = ()
    """Paths :func:`create_app` serves itself for this feature (the events')."""

    @property
    def paths(self) -> list[str]:
        """Every path this feature serves."""
        return [*self.core_paths, *(getattr(route, "path", "") for route in self.routes)]


@dataclass(frozen=True)
class Feature:
    name: str
    mount: Callable[[CollectorSetup], Mounted]
    needs: tuple[str, ...] = ()
    """Features whose services this one uses: they come before it in the list."""


@dataclass
class MountedCollector:
    """The collector's app with its features mounted; :meth:`start` before serving, :meth:`stop` after."""

    app: Starlette
    features: dict[str, Mounted]

    def start(self) -> None:
        for mounted in self.features.values():
            for task in mounted.start:
                task()

    def stop(self) -> None:
        for mounted in self.features.values():
            for task in mounted.stop:
                task()


def _events(setup: CollectorSetup) -> Mounted:
    """The beacon's events, ``/health`` and ``/ready``: served by every collector (:func:`create_app`)."""
    return Mounted(core_paths=CORE_PATHS)


def _exams(setup: CollectorSetup) -> Mounted:
    """Exam keys from ``private/exams/`` and names from the roster (a damaged roster stops the start,
    located); certificates of exams a later release changed are marked for recertification."""
    from generator.certification.answer_key_files import EXAM_KEYS_DIR, read_exam_keys
    from generator.collector.exams import ExamService, exam_routes
    from generator.roster import read_roster

    if (setup.root / ROSTER_FILE).is_file():
        read_roster(setup.root / ROSTER_FILE, setup.root)
    exams = ExamService(read_exam_keys(setup.root), setup.store, setup.roster)
    exams.apply_recertification()
    if exams.answer_keys:
        setup.reporter.step(f"Grading {len({exam for _, exam in exams.answer_keys})} exams from {EXAM_KEYS_DIR}/")
    setup.exams = exams
    return Mounted(exam_routes(setup.settings, exams))


def _credentials(setup: CollectorSetup) -> Mounted:
    """Credentials beside the exams, signed with the credential keys and served at the collector's
    address (``analytics.endpoint``); both are needed to issue any."""
    from generator.certification.credentials import Addresses
    from generator.certification.signing_keys import CREDENTIAL_KEYS_VARIABLE
    from generator.collector.credentials import CredentialService, credential_routes

    assert setup.exams is not None
    collector = setup.urls.collector
    credentials = CredentialService(setup.exams, setup.config, Addresses(collector) if collector else None,
                                    setup.signing_keys)
    setup.exams.register_credentials(credentials)
    if setup.exams.answer_keys:
        setup.reporter.step(f"Certificates come with verifiable credentials: {credentials.addresses.jwks} lists the keys"
                            if credentials.enabled and credentials.addresses else
                            f"No verifiable credentials: set {CREDENTIAL_KEYS_VARIABLE} and analytics.endpoint to issue them")
    return Mounted(credential_routes(setup.settings, credentials))


def _lrs(setup: CollectorSetup) -> Mounted:
    """With ``lrs.endpoint`` set: xAPI statements recorded in the store's transactions (events, grades,
    certificates, modules done) and a sender delivering them while the collector serves."""
    from generator.collector.lrs import LrsSender, lrs_auth
    from generator.collector.xapi import StatementRecorder, Vocabulary

    config = setup.config
    if not config.lrs.endpoint:
        return Mounted()
    if not config.site_url:
        raise PartnerkitError("lrs.endpoint is set but site_url is not: statements name reps by an account on the site's address")
    assert setup.exams is not None
    authorization = lrs_auth(config.lrs)
    titles = {**setup.settings.index.titles, **{exam: key.title for (_, exam), key in setup.exams.answer_keys.items()}}
    recorder = StatementRecorder(Vocabulary(config.site_url.rstrip("/"), titles), frozenset(config.lrs.events))
    setup.store.event_recorders.append(recorder.event_stored)
    setup.exams.statements = setup.statements = recorder
    sender = LrsSender(setup.store, config.lrs, authorization)
    stop_sending = threading.Event()

    def start() -> None:
        setup.reporter.step(f"xAPI statements ({', '.join(config.lrs.events)}) go to {sender.statements_url}")
        sender.run_in_background(stop_sending, setup.reporter.warning)

    return Mounted(start=[start], stop=[stop_sending.set])


def _worklists(setup: CollectorSetup) -> Mounted:
    from generator.collector.worklists import worklist_routes, worklist_service

    setup.worklists = worklist_service(setup.store, setup.config, dict(setup.settings.index.titles), setup.roster)
    return Mounted(worklist_routes(setup.settings, setup.worklists))


def _notifications(setup: CollectorSetup) -> Mounted:
    from generator.collector.notifications import NotificationService, notification_routes

    service = NotificationService(setup.store, setup.link_keys, setup.urls.collector_origin, setup.config.language)
    return Mounted(notification_routes(setup.settings, service))


def _help(setup: CollectorSetup) -> Mounted:
    from generator.collector.help import HelpService, help_routes

    service = HelpService(setup.store, setup.config.help, setup.link_keys, setup.config.language)
    return Mounted(help_routes(setup.settings, service))


def _learning(setup: CollectorSetup) -> Mounted:
    """The learner record beside the exams and worklists (when mounted before it), with names from the roster."""
    from generator.collector.learning import LearningService, learning_routes

    roster = setup.settings.roster
    service = LearningService(setup.store, roster.entries if roster is not None else None, setup.exams, setup.worklists,
                              setup.config.analytics.learning_record_days, statements=setup.statements)
    return Mounted(learning_routes(setup.settings, service))


FEATURES: tuple[Feature, ...] = (
    Feature("events", _events),
    Feature("exams", _exams),
    Feature("credentials", _credentials, needs=("exams",)),
    Feature("lrs", _lrs, needs=("exams",)),
    Feature("worklists", _worklists),
    Feature("notifications", _notifications),
    Feature("help", _help),
    Feature("learning", _learning),
)
"""Every feature of the collector, in the order they are mounted."""


def mount_collector(setup: CollectorSetup, features: Sequence[Feature] = FEATURES) -> MountedCollector:
    """The collector's app with ``features`` mounted in their order (its routes, metrics and CORS from
    :func:`create_app`); the names of the mounted features are ``app.state.features``."""
    mounted: dict[str, Mounted] = {}
    for feature in features:
        missing = [name for name in feature.needs if name not in mounted]
        if missing:
            raise ValueError(f"collector feature {feature.name} needs {', '.join(missing)} mounted before it")
        mounted[feature.name] = feature.mount(setup)
    app = create_app(setup.settings, setup.store, [route for part in mounted.values() for route in part.routes])
    app.state.features = {name: part.paths for name, part in mounted.items()}
    return MountedCollector(app, mounted)
