"""``partnerkit worklists [--date D]``: run every procedure on every customer as of a day.

Reads the content's procedures, the customer export (``customers.file``) and the roster; records the
day's cases in the store (:mod:`generator.store.worklists`: new cases open, the others keep
their ids, ticks and notes, cases whose trigger ended close); writes, per partner, the open cases as
``private/worklists/<day>/<partner>.csv`` and ``<partner>.html`` (for e-mailing), and the vendor's
list (vendor-owned and shared steps of every partner) as ``@vendor.csv`` and ``@vendor.html`` (``@``
is in no partner id)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from generator.store import worklists as records
from generator.csvfile import write_csv
from generator.roster import read_roster
from generator.errors import PartnerkitError
from generator.load.content import load_project
from generator.load.customers import load_customers
from generator.model.config import SiteConfig
from generator.model.content import Procedure
from generator.model.urls import Urls
from generator.model.worklists import triggered
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


def owner_label(config: SiteConfig, owner: str) -> str:
    return {"vendor": config.vendor, "partner": "Partner", "shared": "Shared", "tech-touch": "Tech-touch"}.get(owner, owner)


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
    for partner in served:
        mine = [row for row in open_cases if row.partner == partner]
        run.files += _write(folder, partner, f"Worklist of {partners.get(partner, partner)}", mine, steps, config, titles,
                            names, today, lambda step: True)
    run.files += _write(folder, VENDOR_FILE, f"{config.vendor}'s worklist", open_cases, steps, config, titles, names, today,
                        lambda step: step.owner in records.VENDOR_OWNERS, partners)
    return run


def _write(folder: Path, name: str, title: str, cases: list[records.CaseRow], steps: dict[str, list[records.StepRow]],
           config: SiteConfig, titles: dict[str, str], names: dict[str, str], today: date, wanted,
           partners: dict[str, str] | None = None) -> list[Path]:
    segments = {segment.id: segment.name for segment in config.segments}
    rows, blocks = [], []
    for case in cases:
        shown = [step for step in steps.get(case.id, []) if wanted(step)]
        if not shown:
            continue
        procedure = titles.get(case.procedure, case.procedure)
        for step in shown:
            rows.append((case.id, case.customer_name, segments.get(case.segment, case.segment), procedure, case.trigger_day,
                         step.step + 1, step.action, step.when_text, step.due or "", owner_label(config, step.owner),
                         names.get(step.ticked_by or "", step.ticked_by or ""), step.ticked_at or "", case.url))
        items = "".join(
            f"<li class=\"{'done' if step.ticked_at else ('overdue' if step.due and step.due < today.isoformat() else 'open')}\">"
            f"<strong>{html.escape(step.due or step.when_text)}</strong> · {html.escape(owner_label(config, step.owner))}: "
            f"{html.escape(step.action)}"
            + (f" <em>(done by {html.escape(names.get(step.ticked_by or '', step.ticked_by or ''))})</em>" if step.ticked_at else "")
            + "</li>" for step in shown)
        partner = f" · {html.escape(partners.get(case.partner, case.partner))}" if partners is not None else ""
        link = f' <a href="{html.escape(case.url)}">procedure</a>' if case.url.startswith(("https://", "http://", "/")) else ""
        blocks.append(f"<section><h2>{html.escape(case.customer_name)}{partner}</h2><p>{html.escape(procedure)} ·"
                      f" {html.escape(segments.get(case.segment, case.segment))} · since {html.escape(case.trigger_day)}{link}</p>"
                      f"<ul>{items}</ul></section>")
    csv_path = write_csv(folder / f"{name}.csv", CSV_HEADER, rows)
    page = (f"<!DOCTYPE html><html lang=\"{html.escape(config.language)}\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)} · {today.isoformat()}</title><style>body{{font-family:sans-serif;max-width:48em;margin:auto}}"
            ".overdue strong{color:#b00020}.done{color:#555;text-decoration:line-through}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><p>{today.isoformat()} · {len(blocks)} open cases</p>"
            + ("".join(blocks) or "<p>Nothing to do today.</p>") + "</body></html>\n")
    html_path = folder / f"{name}.html"
    html_path.write_text(page, encoding="utf-8")
    return [csv_path, html_path]


def worklist_service(root: Path, store, config: SiteConfig, titles: dict[str, str], roster=None):
    """The collector's worklist rules for the project at ``root`` (``titles``: page titles by content id,
    from the content index; ``roster``: a watched :class:`Roster`, else one is made)."""
    from generator.identity import Roster
    from generator.collector.worklists import WorklistService

    watched = roster or Roster(root, root / ROSTER_FILE)
    return WorklistService(
        store, watched.entries,
        titles={ident.split(":", 1)[1]: title for ident, title in titles.items() if ident.startswith("procedure:")},
        segments={segment.id: segment.name for segment in config.segments},
        owners={owner: owner_label(config, owner) for owner in ("vendor", "partner", "shared", "tech-touch")},
        own_accounts_only=config.customers.own_accounts_only, note_max_chars=config.customers.note_max_chars,
        notes_per_case=config.customers.notes_per_case)
