"""Loading the vendor's customer export (``customers.file``, default ``private/customers.csv``).

Every row is checked before any is used: the required fields are there, dates and numbers read in the
configured format, the partner is on the roster (``private/roster.csv``), the owning rep is a rep of
that partner, the segment is one of ``segments`` (its id or its name), customer ids are unique. Each
problem is a located error (``private/customers.csv:17:4: renewal_date: expected a date like 2026-12-31,
got '31/12'``: line, then the column's position); with any error, no customer is loaded. The column
position counts from 1 in the CSV's header order."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from generator.roster import RosterEntry
from generator.storable import unstorable
from generator.errors import ContentError, ContentErrors, PartnerkitError
from generator.files import read_text, relative_name
from generator.load.triggers import trigger_columns
from generator.load.validation import did_you_mean
from generator.structure.config import CustomerSettings, SiteConfig
from generator.structure.triggers import CustomerValues

REQUIRED = ("customer_id", "name", "partner_id", "segment")
"""Fields every row needs."""
OPTIONAL = ("renewal_date", "contract_start", "health_score", "seats", "seats_used", "rep_id")
"""Fields a CRM export may leave out (the column, or a row's cell)."""
MAX_ROWS = 1_000_000
"""More rows than this are refused (a wrong file, most likely)."""


@dataclass(frozen=True)
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
    return date(2026, 12, 31).strftime(settings.date_format)


def load_customers(root: Path, config: SiteConfig, roster: list[RosterEntry], path: Path | None = None) -> list[Customer]:
    """Every customer of the export, or ContentErrors listing every bad row (then none is loaded)."""
    settings = config.customers
    path = path or root / settings.file
    if not path.is_file():
        raise PartnerkitError(f"{relative_name(path, root)} not found: export customers from the CRM there"
                              " (customers.file in site_config.yml)")
    text, error = read_text(path, root)
    if error:
        raise ContentErrors([error])
    name = relative_name(path, root)
    reader = csv.reader(io.StringIO(text))
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise ContentErrors([ContentError(name, 1, 1, "", "empty file: the first line names the columns")]) from None
    except csv.Error as exc:
        raise ContentErrors([ContentError(name, 1, 1, "", f"not CSV: {exc}")]) from None
    columns = settings.columns.model_dump()
    types = trigger_columns(settings)
    fields = {**columns, **{extra.field: extra.column for extra in settings.extra}}
    where: dict[str, int] = {}
    errors: list[ContentError] = []
    for field_name, column in fields.items():
        if column in header:
            where[field_name] = header.index(column)
        elif field_name in REQUIRED or field_name not in columns:
            errors.append(ContentError(name, 1, 1, "", f"no column '{column}' for {field_name}: the header has "
                                       + ", ".join(f"'{cell}'" for cell in header)))
    if errors:
        raise ContentErrors(errors)
    partners = {entry.partner_id for entry in roster}
    reps = {entry.rep_id: entry.partner_id for entry in roster}
    segments = {segment.id: segment.id for segment in config.segments}
    segments.update({segment.name.casefold(): segment.id for segment in config.segments})
    segments.update({segment.id.casefold(): segment.id for segment in config.segments})
    customers: list[Customer] = []
    seen: dict[str, int] = {}
    start = 2
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(customers) + len(errors) >= MAX_ROWS:
                raise ContentErrors([ContentError(name, line, 1, "", f"more than {MAX_ROWS} rows")])
            if len(row) != len(header):
                errors.append(ContentError(name, line, 1, "", f"expected {len(header)} columns, got {len(row)}"))
                continue
            row_errors: list[ContentError] = []

            def bad(field_name: str, message: str) -> None:
                row_errors.append(ContentError(name, line, where[field_name] + 1, field_name, message))

            cells = {field_name: row[index].strip() for field_name, index in where.items()}
            for field_name, cell in cells.items():
                if unstorable(cell):
                    bad(field_name, f"{unstorable(cell)}: remove it from the CRM export")
            for field_name in REQUIRED:
                if not cells[field_name]:
                    bad(field_name, "required, but empty")
            values: CustomerValues = {}
            for field_name, kind in types.items():
                if field_name == "seat_usage":
                    continue
                cell = cells.get(field_name, "")
                if not cell:
                    values[field_name] = None
                elif kind == "date":
                    try:
                        values[field_name] = datetime.strptime(cell, settings.date_format).date()
                    except ValueError:
                        bad(field_name, f"expected a date like {example_date(settings)}, got '{cell}'")
                else:
                    try:
                        values[field_name] = float(cell)
                    except ValueError:
                        bad(field_name, f"expected a number, got '{cell}'")
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
                customers.append(Customer(ident, cells["name"], partner, segments[segment.casefold()], rep, values, line))
    except csv.Error as exc:
        errors.append(ContentError(name, reader.line_num, 1, "", f"not CSV: {exc}"))
    if errors:
        raise ContentErrors(errors)
    return customers
