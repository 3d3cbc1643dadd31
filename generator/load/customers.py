"""Loading the vendor's customer export (``customers.file``, default ``private/customers.csv``).

Every row is checked before any is used: the required fields are there, dates and numbers read in the
configured format, the partner is on the roster (``private/roster.csv``), the owning rep is a rep of
that partner, the segment is one of ``segments`` (its id or its name), customer ids are unique. Each
problem is a located error (``private/customers.csv:17:4: renewal_date: expected a date like 2026-12-31,
got '31/12'``: line, then the column's position); with any error, no customer is loaded. The column
position counts from 1 in the CSV's header order."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from generator.roster import RosterEntry
from generator.storable import unstorable
from generator.errors import ContentError, ContentErrors, PartnerkitError
from generator.files import relative_name
from generator.inputs import Table, as_text, read_table
from generator.load.triggers import trigger_columns
from generator.load.validation import did_you_mean
from generator.model.config import CustomerSettings, SiteConfig
from generator.model.triggers import CustomerValues

REQUIRED = ("customer_id", "name", "partner_id", "segment")
"""Fields every row needs."""
OPTIONAL = ("renewal_date", "contract_start", "health_score", "seats", "seats_used", "rep_id")
"""Fields a CRM export may leave out (the column, or a row's cell)."""


@dataclass(frozen=True, slots=True)
class Customer:
    """One customer as worklists see it."""

    id: str
    name: str
    partner: str
    segment: str
    """Segment id from ``site_config.yml``."""
    rep: str = ""
    """The rep owning the account (empty: none named)."""
    values: CustomerValues = field(default_factory=dict)
    """Every field a trigger may name (dates, numbers; None where the cell is empty), ``seat_usage`` too."""
    line: int = 0
    """Line of the CSV the row starts on."""


def example_date(settings: CustomerSettings) -> str:
    return " or ".join(date(2026, 12, 31).strftime(form) for form in settings.all_date_formats)


CURRENCY = "$€£¥￥₩₹"
NUMBER_PATTERNS = {
    "en": re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?"),
    "de": re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?"),
    "fr": re.compile(r"[+-]?(\d{1,3}([ \u00a0\u202f]\d{3})+|\d+)(,\d+)?"),
}
"""Numbers as people write them in each ``number_locale`` (thousands grouped by three, or not)."""


def read_number(cell: str, locale: str) -> float:
    """``1,200`` → 1200, ``78%`` → 78, ``€250,000`` → 250000 (``number_locale`` says which mark groups
    thousands and which one starts decimals); ValueError otherwise."""
    text = cell.strip().removesuffix("%").strip().strip(CURRENCY).strip()
    if text.startswith("-") and text[1:2] in CURRENCY:
        text = "-" + text[2:].strip()
    if not NUMBER_PATTERNS[locale].fullmatch(text):
        return _plain(text)
    if locale == "en":
        return float(text.replace(",", ""))
    return float(text.replace(".", "").replace(" ", "").replace("\u00a0", "").replace("\u202f", "").replace(",", "."))


def _plain(text: str) -> float:
    value = float(text)  # 1e3, 0.5: what Python reads, nothing else
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def read_date(cell: str, formats: list[str]) -> date:
    """The day ``cell`` names in one of ``formats``; ValueError if none reads it, or two read it as
    different days (its message then says which)."""
    found: dict[date, str] = {}
    for form in formats:
        try:
            found.setdefault(datetime.strptime(cell, form).date(), form)
        except ValueError:
            continue
    if len(found) > 1:
        readings = ", ".join(f"{day.isoformat()} with {form}" for day, form in found.items())
        raise ValueError(f"ambiguous date '{cell}': {readings}; keep one of them in customers.date_formats")
    if not found:
        raise ValueError("")
    return next(iter(found))


def load_customers(root: Path, config: SiteConfig, roster: list[RosterEntry], path: Path | None = None,
                   notes: list[str] | None = None) -> list[Customer]:
    """Every customer of the export, or ContentErrors listing every bad row (then none is loaded).
    ``notes`` gets what the user should know about how the file was read (an encoding detected…)."""
    settings = config.customers
    path = path or root / settings.file
    if not path.is_file():
        raise PartnerkitError(f"{relative_name(path, root)} not found: export customers from the CRM there"
                              " (customers.file in site_config.yml)")
    with read_table(path, root, config.inputs, settings.encoding, "customers.encoding", settings.sheet,
                    "customers.sheet") as table:
        customers = _customers(table, config, roster)
    if notes is not None:
        notes.extend(table.notes)
    return customers


def _customers(table: Table, config: SiteConfig, roster: list[RosterEntry]) -> list[Customer]:
    settings, header = config.customers, table.header
    columns = settings.columns.model_dump()
    types = trigger_columns(settings)
    fields = {**columns, **{extra.field: extra.column for extra in settings.extra}}
    where: dict[str, int] = {}
    errors: list[ContentError] = []
    for field_name, column in fields.items():
        if column in header:
            where[field_name] = header.index(column)
        elif field_name in REQUIRED or field_name not in columns:
            errors.append(table.error(1, 1, "", f"no column '{column}' for {field_name}: the header has "
                                       + ", ".join(f"'{cell}'" for cell in header) + table.garbled_hint("customers.encoding")))
    if errors:
        raise ContentErrors(errors)
    partners = {entry.partner_id: entry.partner_id for entry in roster}  # one string per partner, however many rows
    reps = {entry.rep_id: entry.partner_id for entry in roster}
    segments = {segment.id: segment.id for segment in config.segments}
    segments.update({segment.name.casefold(): segment.id for segment in config.segments})
    segments.update({segment.id.casefold(): segment.id for segment in config.segments})
    customers: list[Customer] = []
    seen: dict[str, int] = {}
    formats = settings.all_date_formats
    shared: dict = {}  # one object per distinct day or number: exports repeat them row after row
    for line, row in table.rows:
        if len(row) != len(header):
            errors.append(table.error(line, 1, "", f"expected {len(header)} columns, got {len(row)}"))
            continue
        row_errors: list[ContentError] = []

        def bad(field_name: str, message: str) -> None:
            row_errors.append(table.error(line, where[field_name] + 1, field_name, message))

        typed = {field_name: row[index] for field_name, index in where.items()}
        cells = {field_name: as_text(cell) for field_name, cell in typed.items() if field_name not in types}
        for field_name, cell in typed.items():
            if isinstance(cell, str) and unstorable(cell):
                bad(field_name, f"{unstorable(cell)}: remove it from the CRM export")
        for field_name in REQUIRED:
            if not cells[field_name]:
                bad(field_name, "required, but empty")
        values: CustomerValues = {}
        for field_name, kind in types.items():
            if field_name == "seat_usage":
                continue
            cell = typed.get(field_name, "")
            if cell == "":
                values[field_name] = None
            elif kind == "date" and isinstance(cell, date):
                values[field_name] = cell
            elif kind == "date" and isinstance(cell, float):
                bad(field_name, f"expected a date, got the number {as_text(cell)}: format the column as dates in the workbook")
            elif kind != "date" and isinstance(cell, float):
                values[field_name] = cell
            elif kind != "date" and isinstance(cell, date):
                bad(field_name, f"expected a number, got the day {cell.isoformat()}: format the column as numbers in the workbook")
            elif kind == "date":
                try:
                    values[field_name] = read_date(cell, formats)
                except ValueError as exc:
                    bad(field_name, str(exc) or f"expected a date like {example_date(settings)}, got '{cell}'")
            else:
                try:
                    values[field_name] = read_number(cell, settings.number_locale)
                except ValueError:
                    bad(field_name, f"expected a number, got '{cell}'")
        values = {key: value if value is None else shared.setdefault(value, value) for key, value in values.items()}
        seats, used = values.get("seats"), values.get("seats_used")
        values["seat_usage"] = used / seats if isinstance(seats, float) and isinstance(used, float) and seats else None
        partner, segment, rep, ident = cells["partner_id"], cells["segment"], cells.get("rep_id", ""), cells["customer_id"]
        if partner and partner not in partners:
            bad("partner_id", f"unknown partner '{partner}': not on private/roster.csv")
        if segment and segment.casefold() not in segments:
            bad("segment", f"unknown segment '{segment}'{did_you_mean(segment, [s.id for s in config.segments])}")
        if rep and reps.get(rep) != partner:
            bad("rep_id", f"unknown rep '{rep}'" if rep not in reps else f"rep '{rep}' is not a rep of partner '{partner}'")
        if ident in seen:
            bad("customer_id", f"duplicate customer '{ident}' (first on line {seen[ident]})")
        seen.setdefault(ident, line)
        errors.extend(row_errors)
        if not row_errors:
            customers.append(Customer(ident, cells["name"], partners[partner], segments[segment.casefold()], rep, values, line))
    if errors:
        raise ContentErrors(errors)
    return customers
