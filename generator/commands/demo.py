"""``partnerkit serve --demo`` and ``partnerkit report --demo``: the whole journey on one machine.

The preview gets its own collector on 127.0.0.1 (the same Starlette app and SQLite store as
``partnerkit collect``), a token key, a roster of fictional reps with their personal links and some
fictional sales, so a newcomer can read, take the quiz and the exam, open the certificate and then
find themselves in the report. Everything the demo writes is kept in ``.partnerkit-cache/demo/``,
laid out like a project's ``private/`` folder (``private/roster.csv``, ``private/events.sqlite``,
``private/exams/``, ``private/content-index.json``); the project's own ``private/`` folder and its
``site_config.yml`` are never touched: the analytics endpoint and the site address are replaced in
memory, for the preview only.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import socket
import threading
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from generator.layout import CACHE_DIR, CUSTOMERS_FILE, PRIVATE_DIR
from generator.collector.app import CollectorSettings
from generator.collector.features import CollectorSetup, MountedCollector, mount_collector
from generator.events import read_content_index, write_content_index
from generator.identity import Roster, invite_links
from generator.roster import RosterEntry, read_roster
from generator.certification.signing_keys import CREDENTIAL_KEYS_VARIABLE, credential_keys, new_key_entry
from generator.model.answer_keys import exam_keys_of
from generator.certification.answer_key_files import read_exam_keys, replace_exam_keys
from generator.commands.collect import DEFAULT_DB, DEFAULT_ROSTER, DEFAULT_SALES
from generator.errors import PartnerkitError
from generator.load.config import load_config
from generator.render import RenderedSite
from generator.reporter import NullReporter, Reporter
from generator.model.catalog import Catalog
from generator.model.config import LrsSettings, SiteConfig
from generator.model.urls import collector_endpoint
from generator.store.database import open_project_store

DEMO_DIR = f"{CACHE_DIR}/demo"
"""Everything the demo keeps, under the project root."""
KEYS_FILE = "token-keys"
"""The demo's token key (``id:secret``, as in ``PARTNERKIT_TOKEN_KEYS``), made once and kept."""

DEMO_PARTNERS = {"harbor": "Harbor Consulting (demo)", "lumen": "Lumen Partners (demo)"}
DEMO_REPS = [
    # partner, rep id, name, role (index into the site's roles), sales last month, sales this month
    ("harbor", "mia-chen", "Mia Chen", 0, 42000, 18000),
    ("harbor", "jonas-berg", "Jonas Berg", 0, 0, 6000),
    ("harbor", "ada-okafor", "Ada Okafor", 1, 12000, 0),
    ("lumen", "rui-tanaka", "Rui Tanaka", 0, 9000, 24000),
    ("lumen", "lena-weiss", "Lena Weiss", 2, 0, 0),
]
"""Fictional reps of two fictional partners; the first rep is the one a newcomer plays."""


def demo_folder(root: Path) -> Path:
    return root / DEMO_DIR


@dataclasses.dataclass
class Demo:
    """A prepared demo: where it lives, the preview's address and each fictional rep's personal link."""

    root: Path
    folder: Path
    site_url: str
    keys: dict[str, bytes]
    links: list[tuple[RosterEntry, str]]
    config: SiteConfig
    """The project's settings, read once when the demo is prepared (the preview's first render uses them)."""


def _keys(folder: Path) -> dict[str, bytes]:
    path = folder / KEYS_FILE
    if not path.is_file():
        path.write_text(f"demo:{secrets.token_urlsafe(24)}\n", encoding="utf-8")
        os.chmod(path, 0o600)
    key_id, _, secret = path.read_text(encoding="utf-8").strip().partition(":")
    return {key_id: secret.encode("utf-8")}


CREDENTIAL_KEY_FILE = "credential-key"
"""The demo's credential signing key (``id:seed``, as in ``PARTNERKIT_CREDENTIAL_KEYS``), made once and kept."""


def _credential_keys(folder: Path):
    path = folder / CREDENTIAL_KEY_FILE
    if not path.is_file():
        path.write_text(new_key_entry("demo") + "\n", encoding="utf-8")
        os.chmod(path, 0o600)
    return credential_keys({CREDENTIAL_KEYS_VARIABLE: path.read_text(encoding="utf-8").strip()})


def prepare_demo(root: Path, address: str, today: date | None = None) -> Demo:
    """Write the demo's key (once), roster and sales under ``.partnerkit-cache/demo/``; return the
    personal links of its reps for a preview served at ``address`` (``host:port``)."""
    host, _, port = address.rpartition(":")
    if host not in ("127.0.0.1", "localhost") or not port.isdigit():
        raise PartnerkitError(f"-a {address}: the demo runs on this computer only; give -a 127.0.0.1:PORT")
    config = load_config(root)
    today = today or date.today()
    folder = demo_folder(root)
    (folder / PRIVATE_DIR).mkdir(parents=True, exist_ok=True)
    keys = _keys(folder)
    roles = config.role_ids or ["sales"]
    joined = (today - timedelta(days=120)).isoformat()
    roster_lines = ["partner_id,partner_name,rep_id,name,email,role,joined,left"]
    this_month = today.strftime("%Y-%m")
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    sales_lines = ["rep_id,month,amount"]
    for partner, rep, name, role, before, now in DEMO_REPS:
        email = f"{name.split()[0].lower()}@{partner}.example"
        roster_lines.append(f"{partner},{DEMO_PARTNERS[partner]},{rep},{name},{email},{roles[role % len(roles)]},{joined},")
        sales_lines += [f"{rep},{last_month},{before}", f"{rep},{this_month},{now}"]
    (folder / DEFAULT_ROSTER).write_text("\n".join(roster_lines) + "\n", encoding="utf-8")
    (folder / DEFAULT_SALES).write_text("\n".join(sales_lines) + "\n", encoding="utf-8")
    copy_example_customers(root, folder, today)
    site_url = f"http://{address}/"
    links = invite_links(read_roster(folder / DEFAULT_ROSTER, folder), site_url, keys, datetime.now(timezone.utc))
    return Demo(root, folder, site_url, keys, links, config)


EXAMPLE_CUSTOMERS = "customers.example.csv"
"""A project's fictional customer export (partnerkit's column names), dated as of :data:`EXAMPLE_DAY`."""
EXAMPLE_DAY = date(2026, 12, 1)
"""The day the example customers' dates are written for; the demo moves them to today."""


def copy_example_customers(root: Path, folder: Path, today: date) -> None:
    """Copy ``customers.example.csv`` (if the project has one) into the demo's ``private/customers.csv``,
    every date moved by the days from :data:`EXAMPLE_DAY` to ``today``."""
    import csv
    import io

    source = root / EXAMPLE_CUSTOMERS
    if not source.is_file():
        return
    shift = today - EXAMPLE_DAY
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8"))))
    moved = []
    for row in rows:
        cells = []
        for cell in row:
            try:
                cells.append((date.fromisoformat(cell) + shift).isoformat() if len(cell) == 10 else cell)
            except ValueError:
                cells.append(cell)
        moved.append(cells)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(moved)
    (folder / CUSTOMERS_FILE).write_text(buffer.getvalue(), encoding="utf-8")


class DemoCollector:
    """The demo's collector on 127.0.0.1: its port is taken when created, so the pages can name it
    before it starts; ``publish`` hands it the content ids and exam keys of every render."""

    def __init__(self, demo: Demo):
        self.demo = demo
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.origin = demo.site_url.rstrip("/")
        self.setup: CollectorSetup | None = None
        """What the collector's features are mounted on (once started): its settings and services."""
        self.server = None
        self.thread: threading.Thread | None = None

    def configure(self, config: SiteConfig) -> SiteConfig:
        """The site's settings with this preview's address and this collector as the analytics endpoint."""
        analytics = config.analytics.model_copy(update={"endpoint": collector_endpoint(self.url), "origins": [self.origin],
                                                        "identity": "token"})
        return config.model_copy(update={"site_url": self.demo.site_url, "analytics": analytics})

    def publish(self, catalog: Catalog, rendered: RenderedSite) -> None:
        """Write the render's content index and exam keys into the demo folder; a running collector
        takes them at once."""
        folder = self.demo.folder
        write_content_index(folder, rendered.content_ids, [], rendered.practice_quizzes, rendered.deal_stages,
                            rendered.resources)
        replace_exam_keys(folder, {"": exam_keys_of(catalog)})
        if self.setup is not None:
            self.setup.settings.index = read_content_index(folder)
            assert self.setup.exams is not None
            self.setup.exams.answer_keys = read_exam_keys(folder)

    def mount(self, reporter: Reporter = NullReporter()) -> MountedCollector:
        """The demo's collector, mounted from the same list of features as ``partnerkit collect``'s, on the
        demo folder, with the demo's keys and this preview's settings (never the project's LRS)."""
        folder = self.demo.folder
        config = self.configure(load_config(self.demo.root)).model_copy(update={"lrs": LrsSettings()})
        store = open_project_store(folder, None, config.analytics.retention_days)
        settings = CollectorSettings.of(config.analytics, read_content_index(folder), config.collector_origins,
                                        self.demo.keys, Roster(folder, folder / DEFAULT_ROSTER))
        self.store = store
        try:
            self._replay_worklists(config, reporter)
            self.setup = CollectorSetup(folder, config, settings, store, self.demo.keys, _credential_keys(folder))
            return mount_collector(self.setup)
        except BaseException:
            store.close()
            raise

    def start(self, reporter: Reporter = NullReporter()) -> None:
        import uvicorn

        collector = self.mount(reporter)
        self.server = uvicorn.Server(uvicorn.Config(collector.app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started and self.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        if not self.server.started:
            self.stop()
            raise PartnerkitError("the demo collector did not start")
        reporter.step(f"Demo collector on {self.setup.config.analytics.endpoint}, storing in {DEMO_DIR}/{DEFAULT_DB}")

    def _replay_worklists(self, config: SiteConfig, reporter: Reporter) -> None:
        """With the example customers copied in: the last two weeks of worklists replayed (the demo's
        reps see them in My accounts)."""
        from generator.commands.worklists import worklists
        from generator.errors import ContentErrors

        folder = self.demo.folder
        if not (folder / CUSTOMERS_FILE).is_file():
            return
        demo_config = config.model_copy(update={"customers": config.customers.model_copy(update={"file": CUSTOMERS_FILE})})
        try:
            run = worklists(self.demo.root, None, None, data=folder, replay_days=14, config=demo_config)
        except (ContentErrors, PartnerkitError) as exc:
            reporter.warning(f"demo worklists not made from {EXAMPLE_CUSTOMERS}: {exc}")
            return
        reporter.step(f"Demo worklists: {run.open_cases} open cases from {EXAMPLE_CUSTOMERS} (My accounts)")

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
            if self.thread is not None:
                self.thread.join(timeout=10)
            self.store.close()
            self.server = None
        self.socket.close()


def demo_report_paths(root: Path) -> Path:
    """The demo folder that ``partnerkit report --demo`` reads; PartnerkitError if there is none yet."""
    folder = demo_folder(root)
    if not (folder / DEFAULT_DB).is_file():
        raise PartnerkitError(f"no demo data in {DEMO_DIR}/ yet: run partnerkit serve --demo first")
    return folder
