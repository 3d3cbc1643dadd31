"""``partnerkit revoke`` and ``forget``: cutting off one rep's links, and deleting everything about a rep."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from generator.layout import REPORTS_DIR, WORKLISTS_DIR
from generator.identity import (
    REVOKED_FILE,
    read_revocations,
    revoke as revoke_links,
    write_revocations,
)
from generator.store.lrs import HeldByLrs, held_by_lrs
from generator.store.credentials import revoke_rep
from generator.store.worklists import ticks_of
from generator.roster import RosterEntry, read_roster
from generator.store.database import open_project_store
from generator.commands.collect import DEFAULT_ROSTER


def revoke(root: Path, rep: str, roster: Path = DEFAULT_ROSTER) -> RosterEntry:
    """Refuse every link issued to ``rep`` until now, at once (running collectors re-read the list when
    it changes); links ``invite`` makes afterwards work. Returns the rep's roster entry."""
    return revoke_links(root, root / roster, rep, datetime.now(timezone.utc))


@dataclass
class Forgotten:
    """What ``forget`` removed."""

    rows: dict[str, int]
    """Rows deleted per table of the database."""
    reports: list[str] = field(default_factory=list)
    """Report folders (or files) under ``private/reports/`` that named the rep, deleted."""
    worklists: list[str] = field(default_factory=list)
    """Worklist files under ``private/worklists/`` that showed a step the rep ticked, deleted (each CSV
    with its HTML twin, named by the CSV)."""
    on_roster: bool = False
    """The rep is still on the roster (the vendor's file: ``forget`` leaves it alone)."""
    lrs: HeldByLrs | None = None
    """xAPI statements about the rep the LRS took before (and those no longer sent)."""

    def summary(self, rep: str) -> str:
        """One line: the rows removed per table that held any, then the tables that held none."""
        removed = ", ".join(f"{table} {count}" for table, count in self.rows.items() if count)
        empty = ", ".join(table for table, count in self.rows.items() if not count)
        return (f"Removed {sum(self.rows.values())} rows about rep {rep}: {removed or 'none'}"
                + (f"; nothing in {empty}" if empty else ""))


def _reports_naming(root: Path, rep: str) -> list[Path]:
    """Month folders (or loose files) under ``private/reports/`` holding a file that contains the rep id."""
    reports = root / REPORTS_DIR
    if not reports.is_dir():
        return []
    needle = rep.encode("utf-8")
    found: list[Path] = []
    for path in sorted(reports.rglob("*")):
        top = reports / path.relative_to(reports).parts[0]
        if top not in found and path.is_file() and not path.is_symlink() and needle in path.read_bytes():
            found.append(top)
    return found


def _worklists_naming(root: Path, rep: str, ticks: list[tuple[str, int, str]]) -> list[Path]:
    """Worklist CSVs under ``private/worklists/`` with a row done by the rep: one of their ticks (the
    case, step and time) or their id in ``done_by`` (a rep no longer on the roster is shown by id)."""
    folder = root / WORKLISTS_DIR
    if not folder.is_dir():
        return []
    ticked = {(case, str(step + 1), at) for case, step, at in ticks}
    found: list[Path] = []
    for path in sorted(folder.rglob("*.csv")):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open(encoding="utf-8", newline="") as file:
            for row in csv.DictReader(file):
                done_by = (row.get("done_by") or "").removeprefix("'")
                if done_by == rep or (row.get("case"), row.get("step"), row.get("done_at")) in ticked:
                    found.append(path)
                    break
    return found


def _drop_revocations(root: Path, rep: str) -> None:
    """Remove the rep from ``private/revoked.csv`` (only once they are off the roster: their links are
    refused anyway then)."""
    path = root / REVOKED_FILE
    revoked = read_revocations(path, root)
    if revoked.pop(rep, None) is not None:
        write_revocations(path, revoked)


def forget(root: Path, rep: str, db: str | None, roster: Path = DEFAULT_ROSTER) -> Forgotten:
    """Delete every row about ``rep`` (no copy left in SQLite's files), every report that names them and
    every worklist file that shows a step they ticked;
    the status entries of their certificates' credentials are revoked first, and keep no link to them."""
    store = open_project_store(root, db)
    try:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        store.run(lambda transaction: revoke_rep(transaction, rep, now)).result()  # credentials handed out stay revoked
        ticks = store.run(lambda transaction: ticks_of(transaction, rep)).result()  # what worklist files show of them
        sent = held_by_lrs(store, rep)  # what the LRS already holds stays there: say so
        rows = store.forget(rep)
    finally:
        store.close()
    forgotten = Forgotten(rows, lrs=sent)
    for report in _reports_naming(root, rep):
        folder = report.is_dir()
        shutil.rmtree(report) if folder else report.unlink()
        forgotten.reports.append(report.relative_to(root).as_posix() + ("/" if folder else ""))
    for worklist in _worklists_naming(root, rep, ticks):
        worklist.with_suffix(".html").unlink(missing_ok=True)
        worklist.unlink()
        forgotten.worklists.append(worklist.relative_to(root).as_posix())
    if (root / roster).is_file():
        forgotten.on_roster = any(entry.rep_id == rep for entry in read_roster(root / roster, root))
    if not forgotten.on_roster:
        _drop_revocations(root, rep)
    return forgotten
