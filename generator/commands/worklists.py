"""``partnerkit worklists [--date D]``: run every procedure on every customer as of a day.

Reads the content's procedures, the customer export (``customers.file``) and the roster; records the
day's cases in the store (:mod:`generator.store.worklists`: new cases open, the others keep
their ids, ticks and notes, cases whose trigger ended close); writes, per partner, the open cases as
``private/worklists/<day>/<partner>.csv`` and ``<partner>.html`` (for e-mailing), and the vendor's
list (vendor-owned and shared steps of every partner) as ``@vendor.csv`` and ``@vendor.html`` (``@``
is in no partner id)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import jinja2

from generator.store import worklists as records
from generator.csvfile import write_csv
from generator.roster import read_roster
from generator.errors import PartnerkitError
from generator.jinja_environment import sandboxed_environment
from generator.load.content import load_project
from generator.load.customers import load_customers
from generator.model.config import SiteConfig
from generator.model.content import Procedure
from generator.model.urls import Urls
from generator.model.worklists import owner_label, triggered
from generator.store.database import open_project_store
from generator.layout import ROSTER_FILE, WORKLISTS_DIR

VENDOR_FILE = "@vendor"
"""File name (without extension) of the vendor's list."""
CSV_HEADER = ("case", "customer", "segment", "procedure", "trigger_day", "step", "action", "when", "due", "owner",
              "done_by", "done_at", "procedure_page")


@dataclass
class WorklistRun:
    day: date
    summary: records.RunSummary
    files: list[Path] = field(default_factory=list)
    open_cases: int = 0
    notes: list[str] = field(default_factory=list)
    """How the export was read, when the user should know (an encoding detected, footer lines skipped)."""


def procedure_url(config: SiteConfig, procedure: str, release: str | None) -> str:
    """The address of a procedure's page in ``release`` (when the site has releases and it is one of
    them; else the one the site's root leads to)."""
    return Urls.of(config).document("procedure", procedure, release)


def worklists(root: Path, day: date | None, db: str | None, roster_path: Path = Path(ROSTER_FILE), data: Path | None = None,
              replay_days: int = 0, config: SiteConfig | None = None) -> WorklistRun:
    """Run the procedures as of ``day`` (default: today, UTC). ``data`` holds the ``private/`` folder
    read and written (default: the project's; the demo's folder); ``replay_days`` runs the days before
    first, as if the command had run each morning (the demo); ``config`` replaces the project's."""
    catalog = load_project(root)
    config = config or catalog.config
    data = data or root
    procedures: list[Procedure] = list(catalog.documents.get("procedure", {}).values())  # type: ignore[arg-type]
    if not (data / roster_path).is_file():
        raise PartnerkitError(f"{roster_path} not found: customers' partners are checked against the roster")
    roster = read_roster(data / roster_path, data, config.inputs)
    notes: list[str] = []
    customers = load_customers(data, config, roster, notes=notes)
    served = sorted({customer.partner for customer in customers})
    today = day or datetime.now(timezone.utc).date()
    store = open_project_store(data, db)

    def operation(on: date):
        def run_day(transaction):
            cases, held = triggered(procedures, customers, on, records.held_since(transaction))
            wanted = {case.customer for case in cases}
            infos = {customer.id: records.CustomerInfo(customer.name, customer.partner, customer.segment, customer.rep)
                     for customer in customers if customer.id in wanted}
            releases = records.partner_releases(transaction)
            urls = {(partner, procedure.id): procedure_url(config, procedure.id, releases.get(partner))
                    for partner in served for procedure in procedures}
            summary = records.record_run(transaction, on, cases, held, infos, urls)
            open_cases = records.cases(transaction)
            return summary, open_cases, records.steps(transaction, [row.id for row in open_cases])

        return run_day

    try:
        for back in range(replay_days, 0, -1):
            store.run(operation(today - timedelta(days=back))).result()
        summary, open_cases, steps = store.run(operation(today)).result()
    finally:
        store.close()
    run = WorklistRun(today, summary, open_cases=len(open_cases), notes=notes)
    folder = data / WORKLISTS_DIR / today.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    titles = {procedure.id: procedure.title for procedure in procedures}
    partners = {entry.partner_id: entry.partner_name for entry in roster}
    names = {entry.rep_id: entry.name for entry in roster}
    customers.clear()  # the cases are stored: the files are written from the store, the export's memory is free
    files = WorklistFiles(folder, config, today, steps, titles, names,
                          templates=root / config.templates if config.templates else None)
    for partner in served:
        mine = [row for row in open_cases if row.partner == partner]
        run.files += files.write(partner, f"Worklist of {partners.get(partner, partner)}", mine, lambda step: True)
    run.files += files.write(VENDOR_FILE, f"{config.vendor}'s worklist", open_cases,
                             lambda step: step.owner in records.VENDOR_OWNERS, partners)
    return run


@dataclass(frozen=True)
class WorklistStep:
    """A step as a worklist shows it."""

    state: str
    """``done``, ``overdue`` or ``open`` (the page's style)."""
    when: str
    owner: str
    action: str
    done_by: str | None


@dataclass(frozen=True)
class WorklistCase:
    """A case as a worklist shows it: its customer, procedure and the steps of the list's owner."""

    customer: str
    partner: str | None
    """The partner's name, in the vendor's list only."""
    procedure: str
    segment: str
    since: str
    link: str | None
    """The procedure page's address, where it is one a page may link to (https://, http:// or /)."""
    steps: list[WorklistStep]


@dataclass(frozen=True)
class WorklistFiles:
    """Where and how a day's worklists are written: one ``<name>.csv`` and ``<name>.html`` per list, from
    the open cases and their steps, with the names the lists show."""

    folder: Path
    config: SiteConfig
    day: date
    steps: dict[str, list[records.StepRow]]
    titles: dict[str, str]
    """Procedure titles by id."""
    names: dict[str, str]
    """Reps' names by id (who ticked a step)."""
    templates: Path | None = None
    """The vendor's template folder (``templates:``): a ``worklist.html.j2`` there replaces partnerkit's."""

    def write(self, name: str, title: str, cases: list[records.CaseRow], wanted: Callable[[records.StepRow], bool],
              partners: dict[str, str] | None = None) -> list[Path]:
        """The list ``name`` titled ``title``: the ``wanted`` steps of ``cases``; ``partners`` (names by id)
        shows each case's partner (the vendor's list)."""
        config = self.config
        segments = {segment.id: segment.name for segment in config.segments}
        rows, shown_cases = [], []
        for case in cases:
            shown = [step for step in self.steps.get(case.id, []) if wanted(step)]
            if not shown:
                continue
            procedure = self.titles.get(case.procedure, case.procedure)
            segment = segments.get(case.segment, case.segment)
            for step in shown:
                rows.append((case.id, case.customer_name, segment, procedure, case.trigger_day, step.step + 1, step.action,
                             step.when_text, step.due or "", owner_label(config, step.owner),
                             self._name(step.ticked_by), step.ticked_at or "", case.url))
            shown_cases.append(WorklistCase(
                customer=case.customer_name,
                partner=partners.get(case.partner, case.partner) if partners is not None else None,
                procedure=procedure, segment=segment, since=case.trigger_day,
                link=case.url if case.url.startswith(("https://", "http://", "/")) else None,
                steps=[WorklistStep(self._state(step), step.due or step.when_text, owner_label(config, step.owner),
                                    step.action, self._name(step.ticked_by) if step.ticked_at else None)
                       for step in shown]))
        csv_path = write_csv(self.folder / f"{name}.csv", CSV_HEADER, rows)
        try:
            page = _worklist_template(self.templates, config.templates or "templates").render(
                language=config.language, title=title, day=self.day.isoformat(), cases=shown_cases)
        except jinja2.TemplateError as exc:
            vendors = self.templates is not None and (self.templates / WORKLIST_TEMPLATE).is_file()
            where = f"{(config.templates or 'templates').rstrip('/')}/{WORKLIST_TEMPLATE}" if vendors else WORKLIST_TEMPLATE
            line = f":{exc.lineno}" if isinstance(exc, jinja2.TemplateSyntaxError) and exc.lineno else ""
            raise PartnerkitError(f"{where}{line}: {exc.message or type(exc).__name__}") from None
        html_path = self.folder / f"{name}.html"
        html_path.write_text(page, encoding="utf-8")
        return [csv_path, html_path]

    def _name(self, rep: str | None) -> str:
        return self.names.get(rep or "", rep or "")

    def _state(self, step: records.StepRow) -> str:
        if step.ticked_at:
            return "done"
        return "overdue" if step.due and step.due < self.day.isoformat() else "open"


WORKLIST_TEMPLATE = "worklist.html.j2"
"""The template of a worklist's HTML (every value HTML-escaped): the vendor's in their ``templates:``
folder if there is one, else partnerkit's."""


def _worklist_template(templates: Path | None, shown: str) -> jinja2.Template:
    return _worklist_environment(templates, shown).get_template(WORKLIST_TEMPLATE)  # (reloaded if its file changed)


@functools.lru_cache(maxsize=4)
def _worklist_environment(templates: Path | None, shown: str) -> jinja2.Environment:
    return sandboxed_environment(templates, shown, autoescape=True, keep_trailing_newline=True)
