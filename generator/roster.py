"""The roster: ``private/roster.csv``, one row per partner rep (partner, rep id, name, email, role,
joined and left days). Read by the collector (who may be counted), certification (tiers) and reports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from generator.errors import ContentErrors
from generator.inputs import read_csv
from generator.model.config import InputSettings

ROSTER_COLUMNS = ("partner_id", "partner_name", "rep_id", "name", "email", "role", "joined", "left")
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""A partner or rep id: letters, digits, ``-`` and ``_``."""


@dataclass(frozen=True)
class RosterEntry:
    partner_id: str
    partner_name: str
    rep_id: str
    name: str
    email: str
    role: str
    joined: date
    left: date | None


def read_roster(path: Path, root: Path, limits: InputSettings | None = None) -> list[RosterEntry]:
    """The roster CSV, every row checked; raises ContentErrors with row and column positions."""
    locate, rows = read_csv(path, root, ROSTER_COLUMNS, limits)
    entries, errors, seen = [], [], set()
    for line, row in rows:
        if len(row) != len(ROSTER_COLUMNS):
            errors.append(locate(line, 1, "", f"expected {len(ROSTER_COLUMNS)} columns, got {len(row)}"))
            continue
        values = dict(zip(ROSTER_COLUMNS, row))
        problems = [column for column in ("partner_id", "rep_id") if not ID_PATTERN.fullmatch(values[column])]
        for column in problems:
            errors.append(locate(line, ROSTER_COLUMNS.index(column) + 1, column,
                                       f"'{values[column]}' is not an id: letters, digits, '-' and '_'"))
        try:
            joined = date.fromisoformat(values["joined"])
            left = date.fromisoformat(values["left"]) if values["left"] else None
        except ValueError:
            errors.append(locate(line, 7, "joined", "dates are written YYYY-MM-DD"))
            continue
        if values["rep_id"] in seen:
            errors.append(locate(line, 3, "rep_id", f"duplicate rep '{values['rep_id']}'"))
        seen.add(values["rep_id"])
        if not problems:
            entries.append(RosterEntry(values["partner_id"], values["partner_name"], values["rep_id"], values["name"],
                                       values["email"], values["role"], joined, left))
    if errors:
        raise ContentErrors(errors)
    return entries
