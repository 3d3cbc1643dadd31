"""The store's worklist tables: every SQL statement about cases, steps, ticks and notes, and their rows.

What is stored, and why (schema: ``FEATURE`` below):

- ``worklist_cases``: one row per case: its id, the customer's CRM id and name, partner id, segment,
  the id of the rep owning the account (from the CRM export, replaced at every run), procedure id,
  trigger day, the link to the procedure page, the day it opened, the last day a run saw it, and
  when and why it closed (``done``: every step ticked; ``ended``: the trigger no longer holds).
  Customer data in it is what the worklist shows: no contact names, e-mail addresses or scores.
- ``worklist_steps``: per case and step: the action, ``when:`` as written, due day and owner.
- ``worklist_ticks``: per ticked step: the partner and rep (or vendor identity) who ticked it and
  when (UTC); unticking deletes the row.
- ``worklist_notes``: short notes reps leave on a case: who, when, the text.
- ``worklist_held``: per customer and procedure whose condition holds: since which day (``for N days``).

Retention: cases, steps and ticks are kept for the compliance report (the evidence of who did what
when); ``partnerkit forget REP`` deletes that rep's ticks and notes (``FORGOTTEN_TABLES``). Customer
rows are removed by deleting the cases (a customer who leaves the CRM export stops opening cases; its
open cases close as ``ended``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timezone

from generator.store.core import Transaction
from generator.model.worklists import Case
from generator.store.feature import Migration, StoreFeature


FEATURE = StoreFeature(
    name="worklists",
    migrations=(
        Migration(5, """
    CREATE TABLE worklist_cases (
        id TEXT PRIMARY KEY,
        customer TEXT NOT NULL,
        customer_name TEXT NOT NULL,
        partner TEXT NOT NULL,
        segment TEXT NOT NULL,
        account_rep TEXT NOT NULL,
        procedure TEXT NOT NULL,
        trigger_day TEXT NOT NULL,
        url TEXT NOT NULL,
        opened_on TEXT NOT NULL,
        seen_on TEXT NOT NULL,
        closed_on TEXT,
        closed_reason TEXT
    );
    CREATE INDEX worklist_cases_by_partner ON worklist_cases (partner, closed_on);
    CREATE TABLE worklist_steps (
        case_id TEXT NOT NULL,
        step INTEGER NOT NULL,
        action TEXT NOT NULL,
        when_text TEXT NOT NULL,
        due TEXT,
        owner TEXT NOT NULL,
        checklist TEXT NOT NULL,
        PRIMARY KEY (case_id, step)
    );
    CREATE TABLE worklist_ticks (
        case_id TEXT NOT NULL,
        step INTEGER NOT NULL,
        partner TEXT NOT NULL,
        rep TEXT NOT NULL,
        ticked_at TEXT NOT NULL,
        PRIMARY KEY (case_id, step)
    );
    CREATE TABLE worklist_notes (
        id {serial},
        case_id TEXT NOT NULL,
        partner TEXT NOT NULL,
        rep TEXT NOT NULL,
        written_at TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE INDEX worklist_notes_by_case ON worklist_notes (case_id);
    CREATE TABLE worklist_held (
        customer TEXT NOT NULL,
        procedure TEXT NOT NULL,
        since TEXT NOT NULL,
        PRIMARY KEY (customer, procedure)
    );
    """),
    ),
    forgotten_tables=("worklist_ticks", "worklist_notes"),
)
"""This feature's migrations (steps of the one numbered list) and the tables ``forget`` empties of a rep."""

FORGOTTEN = ("worklist_ticks", "worklist_notes")
"""Worklist tables with a ``rep`` column about the rep who wrote the row (``forget`` empties them of a rep)."""

VENDOR_OWNERS = ("vendor", "shared")
"""Steps on the vendor's list."""


def rep_sees(row: "CaseRow", partner: str, rep: str, own_accounts_only: bool) -> bool:
    """Whether a rep of ``partner`` sees a case on My accounts: their partner's, and with
    ``customers.own_accounts_only`` only the accounts they own or no one owns."""
    if row.partner != partner:
        return False
    return not own_accounts_only or row.account_rep in ("", rep)


def may_tick(owner: str, vendor: bool) -> bool:
    """Whether a vendor identity (``vendor``) or a partner's rep may tick a step of this owner."""
    return owner in VENDOR_OWNERS if vendor else owner != "vendor"


REP_STEP_OWNERS = ("partner", "shared")
"""Steps a partner's rep is reminded of (``steps-due``): theirs and the shared ones."""


@dataclass(frozen=True)
class CaseRow:
    id: str
    customer: str
    customer_name: str
    partner: str
    segment: str
    account_rep: str
    procedure: str
    trigger_day: str
    url: str
    opened_on: str
    closed_on: str | None
    closed_reason: str | None


CASE_COLUMNS = ("id, customer, customer_name, partner, segment, account_rep, procedure, trigger_day, url, opened_on,"
                " closed_on, closed_reason")


@dataclass(frozen=True)
class StepRow:
    case_id: str
    step: int
    action: str
    when_text: str
    due: str | None
    owner: str
    checklist: tuple[str, ...]
    ticked_by: str | None
    ticked_partner: str | None
    ticked_at: str | None


@dataclass(frozen=True)
class NoteRow:
    case_id: str
    partner: str
    rep: str
    written_at: str
    text: str


@dataclass(frozen=True)
class CustomerInfo:
    """What a case shows about its customer (from the export of the day)."""

    name: str
    partner: str
    segment: str
    rep: str


@dataclass(frozen=True)
class RunSummary:
    opened: int
    kept: int
    closed: int


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def record_run(db: Transaction, today: date, cases: list[Case], held: dict[tuple[str, str], date],
               customers: dict[str, CustomerInfo], urls: dict[tuple[str, str], str]) -> RunSummary:
    """Store one day's cases: new ones open, existing ones keep their id, ticks and notes (a case the
    trigger ended earlier opens again), open cases not triggered today close as ``ended``; remember
    the "held since" days. ``urls`` by (partner, procedure)."""
    day = today.isoformat()
    db.execute("DELETE FROM worklist_held")
    for (customer, procedure), since in sorted(held.items()):
        db.execute("INSERT INTO worklist_held (customer, procedure, since) VALUES (?, ?, ?)", (customer, procedure, since.isoformat()))
    opened = kept = 0
    today_ids = set()
    for case in cases:
        info = customers[case.customer]
        url = urls.get((info.partner, case.procedure), "")
        today_ids.add(case.id)
        existing = db.rows("SELECT closed_reason FROM worklist_cases WHERE id = ?", (case.id,))
        if existing:
            kept += 1
            db.execute("UPDATE worklist_cases SET customer_name = ?, partner = ?, segment = ?, account_rep = ?, url = ?, seen_on = ?"
                       " WHERE id = ?", (info.name, info.partner, info.segment, info.rep, url, day, case.id))
            if existing[0][0] == "ended":
                db.execute("UPDATE worklist_cases SET closed_on = NULL, closed_reason = NULL WHERE id = ?", (case.id,))
        else:
            opened += 1
            db.execute(f"INSERT INTO worklist_cases ({CASE_COLUMNS}, seen_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)",
                       (case.id, case.customer, info.name, info.partner, info.segment, info.rep, case.procedure,
                        case.trigger_day.isoformat(), url, day, day))
        for step in case.steps:
            db.execute("INSERT INTO worklist_steps (case_id, step, action, when_text, due, owner, checklist)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, step) DO UPDATE SET action = excluded.action,"
                       " when_text = excluded.when_text, due = excluded.due, owner = excluded.owner, checklist = excluded.checklist",
                       (case.id, step.index, step.action, step.when, step.due.isoformat() if step.due else None, step.owner,
                        json.dumps(list(step.checklist), ensure_ascii=False)))
    closed = 0
    for (ident,) in db.rows("SELECT id FROM worklist_cases WHERE closed_on IS NULL"):
        if ident not in today_ids:
            db.execute("UPDATE worklist_cases SET closed_on = ?, closed_reason = 'ended' WHERE id = ?", (day, ident))
            closed += 1
    return RunSummary(opened, kept, closed)


def held_since(db: Transaction) -> dict[tuple[str, str], date]:
    return {(customer, procedure): date.fromisoformat(since)
            for customer, procedure, since in db.rows("SELECT customer, procedure, since FROM worklist_held")}


def partner_releases(db: Transaction) -> dict[str, str]:
    """The release each partner's reps viewed last (from the daily view totals)."""
    latest: dict[str, tuple[str, int, str]] = {}
    for partner, day, version, views in db.rows(
            "SELECT partner, day, version, SUM(views) FROM daily WHERE partner <> '' GROUP BY partner, day, version"):
        if partner not in latest or (day, views) > latest[partner][:2]:
            latest[partner] = (day, views, version)
    return {partner: value[2] for partner, value in latest.items()}


def _case(row: tuple) -> CaseRow:
    return CaseRow(*row)


def cases(db: Transaction, partner: str | None = None, open_only: bool = True) -> list[CaseRow]:
    """Cases, of one partner or all, open ones only unless told, oldest trigger first."""
    where, parameters = [], []
    if partner is not None:
        where.append("partner = ?")
        parameters.append(partner)
    if open_only:
        where.append("closed_on IS NULL")
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return [_case(row) for row in db.rows(f"SELECT {CASE_COLUMNS} FROM worklist_cases{clause} ORDER BY trigger_day, customer_name, id",
                                          tuple(parameters))]


def case(db: Transaction, ident: str) -> CaseRow | None:
    rows = db.rows(f"SELECT {CASE_COLUMNS} FROM worklist_cases WHERE id = ?", (ident,))
    return _case(rows[0]) if rows else None


def steps(db: Transaction, case_ids: list[str]) -> dict[str, list[StepRow]]:
    """Each case's steps in order, with who ticked them and when."""
    found: dict[str, list[StepRow]] = {ident: [] for ident in case_ids}
    shared: dict = {}  # one object per distinct text or checklist: thousands of cases repeat a procedure's steps
    one = lambda value: shared.setdefault(value, value)  # noqa: E731
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in db.rows(
                "SELECT s.case_id, s.step, s.action, s.when_text, s.due, s.owner, s.checklist, t.rep, t.partner, t.ticked_at"
                " FROM worklist_steps s LEFT JOIN worklist_ticks t ON t.case_id = s.case_id AND t.step = s.step"
                f" WHERE s.case_id IN ({marks}) ORDER BY s.case_id, s.step", tuple(chunk)):
            found[row[0]].append(StepRow(row[0], row[1], one(row[2]), one(row[3]), one(row[4]), one(row[5]),
                                         one(tuple(json.loads(row[6]))), row[7], row[8], row[9]))
    return found


def notes(db: Transaction, case_ids: list[str] | None = None) -> list[NoteRow]:
    """Notes on the given cases (or all), oldest first."""
    if case_ids is None:
        return [NoteRow(*row) for row in db.rows("SELECT case_id, partner, rep, written_at, text FROM worklist_notes ORDER BY id")]
    found = []
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        found += db.rows(f"SELECT id, case_id, partner, rep, written_at, text FROM worklist_notes WHERE case_id IN ({marks})",
                         tuple(chunk))
    return [NoteRow(*row[1:]) for row in sorted(found)]


def note_count(db: Transaction, ident: str) -> int:
    (count,), = db.rows("SELECT COUNT(*) FROM worklist_notes WHERE case_id = ?", (ident,))
    return int(count)


def notes_page(db: Transaction, ident: str, page: int, size: int) -> list[NoteRow]:
    """One page of a case's notes: page 0 the newest ``size``, page 1 the ``size`` before them...; oldest first."""
    rows = db.rows("SELECT case_id, partner, rep, written_at, text FROM worklist_notes WHERE case_id = ?"
                   " ORDER BY id DESC LIMIT ? OFFSET ?", (ident, size, page * size))
    return [NoteRow(*row) for row in reversed(rows)]


def tick(db: Transaction, ident: str, step: int, partner: str, rep: str, done: bool, today: date) -> bool:
    """Tick (or untick) one step of a case; close the case as ``done`` when every step is ticked, open
    it again when a step of a done case is unticked. False if the case has no such step."""
    if not db.rows("SELECT 1 FROM worklist_steps WHERE case_id = ? AND step = ?", (ident, step)):
        return False
    if done:
        db.execute("INSERT INTO worklist_ticks (case_id, step, partner, rep, ticked_at) VALUES (?, ?, ?, ?, ?)"
                   " ON CONFLICT (case_id, step) DO NOTHING", (ident, step, partner, rep, now_iso()))
    else:
        db.execute("DELETE FROM worklist_ticks WHERE case_id = ? AND step = ?", (ident, step))
    (total, ticked), = db.rows("SELECT COUNT(*), COUNT(t.step) FROM worklist_steps s LEFT JOIN worklist_ticks t"
                               " ON t.case_id = s.case_id AND t.step = s.step WHERE s.case_id = ?", (ident,))
    if ticked == total:
        db.execute("UPDATE worklist_cases SET closed_on = ?, closed_reason = 'done' WHERE id = ? AND closed_on IS NULL",
                   (today.isoformat(), ident))
    else:
        db.execute("UPDATE worklist_cases SET closed_on = NULL, closed_reason = NULL WHERE id = ? AND closed_reason = 'done'",
                   (ident,))
    return True


def ticks_of(db: Transaction, rep: str) -> list[tuple[str, int, str]]:
    """The steps ``rep`` ticked: case id, step (from 0) and when, as the worklist files show them."""
    return [(row[0], row[1], row[2]) for row in db.rows(
        "SELECT case_id, step, ticked_at FROM worklist_ticks WHERE rep = ? ORDER BY case_id, step", (rep,))]


def add_note(db: Transaction, ident: str, partner: str, rep: str, text: str) -> None:
    db.execute("INSERT INTO worklist_notes (case_id, partner, rep, written_at, text) VALUES (?, ?, ?, ?, ?)",
               (ident, partner, rep, now_iso(), text))


def all_steps(db: Transaction) -> list[tuple[CaseRow, StepRow]]:
    """Every case's every step (the compliance report)."""
    every = cases(db, open_only=False)
    by_case = steps(db, [row.id for row in every])
    return [(row, step) for row in every for step in by_case[row.id]]


def steps_due(db: Transaction, first: date, last: date) -> list[tuple[CaseRow, StepRow]]:
    """Steps of open cases, owned by the partner or shared, due from ``first`` to ``last`` (days
    included) and not ticked, by due day, customer and step (``partnerkit notify``'s steps due)."""
    owners = ", ".join("?" for _ in REP_STEP_OWNERS)
    found = db.rows(
        "SELECT s.case_id, s.step FROM worklist_steps s JOIN worklist_cases c ON c.id = s.case_id"
        " LEFT JOIN worklist_ticks t ON t.case_id = s.case_id AND t.step = s.step"
        f" WHERE c.closed_on IS NULL AND t.step IS NULL AND s.due BETWEEN ? AND ? AND s.owner IN ({owners})",
        (first.isoformat(), last.isoformat(), *REP_STEP_OWNERS))
    wanted = {(ident, step) for ident, step in found}
    ids = sorted({ident for ident, _ in wanted})
    by_case = {row.id: row for row in cases(db)}
    by_step = steps(db, ids)
    rows = [(by_case[ident], step) for ident in ids for step in by_step[ident] if (ident, step.step) in wanted]
    return sorted(rows, key=lambda pair: (pair[1].due or "", pair[0].customer_name, pair[0].id, pair[1].step))
