"""Worklists in the collector: a rep reads their partner's open cases, ticks and unticks steps, leaves
notes; the vendor's people read and tick the vendor-owned and shared steps of every partner.

Routes (behind the collector's CORS, origin and bot checks; identity as for exams: the signed token
in the body, or the proxy's identity header):

- ``POST /worklists`` ``{"token"}``: the open cases the caller may see. A rep: their partner's (only
  the accounts they own, or no one owns, with ``customers.own_accounts_only``), every step. A vendor
  identity (a roster row whose ``role`` is ``vendor``): every partner's cases, vendor and shared
  steps only.
- ``POST /worklists/<case>/steps/<n>`` ``{"token", "done"}``: tick (``true``) or untick a step; who and
  when is recorded. A rep ticks their partner's steps (not the vendor's), a vendor identity vendor
  and shared steps.
- ``POST /worklists/<case>/notes`` ``{"token", "text"}``: a short note (``customers.note_max_chars``), at
  most ``customers.notes_per_case`` on a case (then 409 ``notes full``).
- ``POST /worklists/<case>/notes/page`` ``{"token", "page"}``: a case's older notes, :data:`NOTES_PAGE` at
  a time (page 0: the newest, which the listing shows with ``notes_total``).

Refused: anonymous or forged (403), a case of another partner or not on the caller's list (404, the
same answer as a case that does not exist), a step the caller does not own (403), a note too long
(422). Nothing is stored on a refusal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from generator.store import worklists as records
from generator.collector.app import (CollectorSettings, Refused, check_request, count_refusal, load_json, path_id, read_body,
                                    known_rep, stored_answer, validated)
from generator.identity import Roster
from generator.roster import RosterEntry
from generator.model.config import CustomerSettings, SiteConfig
from generator.model.worklists import OWNERS, owner_label
from generator.store.core import BatchingStore, Transaction

NOTES_PAGE = 20
"""Notes per case a listing shows (the newest), and per page of older ones."""
VENDOR_ROLE = "vendor"
"""The roster role that makes a row a vendor identity."""


class ListRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    token: str | None = Field(default=None, max_length=200)


class TickRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    token: str | None = Field(default=None, max_length=200)
    done: bool


class NotesPageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    token: str | None = Field(default=None, max_length=200)
    page: int = Field(ge=0, le=10000)


class NoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    token: str | None = Field(default=None, max_length=200)
    text: str = Field(min_length=1, max_length=20000)


@dataclass
class WorklistService:
    """The worklist rules over the store."""

    store: BatchingStore
    roster: Callable[[], list[RosterEntry]]
    """The roster as it is now (names, and who is a vendor identity)."""
    titles: dict[str, str] = field(default_factory=dict)
    """Procedure titles by id."""
    segments: dict[str, str] = field(default_factory=dict)
    """Segment names by id."""
    owners: dict[str, str] = field(default_factory=dict)
    """Owner labels (``vendor`` → the vendor's name)."""
    own_accounts_only: bool = False
    note_max_chars: int = CustomerSettings.model_fields["note_max_chars"].default
    notes_per_case: int = CustomerSettings.model_fields["notes_per_case"].default
    today: Callable[[], date] = lambda: datetime.now(timezone.utc).date()

    def entry(self, partner: str, rep: str) -> RosterEntry | None:
        return next((row for row in self.roster() if (row.partner_id, row.rep_id) == (partner, rep)), None)

    def is_vendor(self, partner: str, rep: str) -> bool:
        entry = self.entry(partner, rep)
        return entry is not None and entry.role == VENDOR_ROLE

    def visible(self, row: records.CaseRow, partner: str, rep: str, vendor: bool) -> bool:
        return vendor or records.rep_sees(row, partner, rep, self.own_accounts_only)

    def may_tick(self, owner: str, vendor: bool) -> bool:
        return records.may_tick(owner, vendor)

    def listing(self, partner: str, rep: str):
        vendor = self.is_vendor(partner, rep)
        names = {row.rep_id: row.name for row in self.roster()}
        partners = {row.partner_id: row.partner_name for row in self.roster()}

        def operation(db: Transaction) -> dict[str, Any]:
            shown = [row for row in records.cases(db, None if vendor else partner) if self.visible(row, partner, rep, vendor)]
            ids = [row.id for row in shown]
            steps = records.steps(db, ids)
            notes: dict[str, list[records.NoteRow]] = {}
            for note in records.notes(db, ids):
                notes.setdefault(note.case_id, []).append(note)
            answer = []
            for row in shown:
                listed = [step for step in steps[row.id] if not vendor or step.owner in records.VENDOR_OWNERS]
                if not listed:
                    continue
                answer.append({
                    "id": row.id, "customer": row.customer_name, "partner": partners.get(row.partner, row.partner),
                    "segment": self.segments.get(row.segment, row.segment),
                    "procedure": self.titles.get(row.procedure, row.procedure), "url": row.url, "since": row.trigger_day,
                    "steps": [{"step": step.step, "action": step.action, "when": step.when_text, "due": step.due,
                               "owner": self.owners.get(step.owner, step.owner), "checklist": list(step.checklist),
                               "done": step.ticked_at is not None, "mine": self.may_tick(step.owner, vendor),
                               "done_by": names.get(step.ticked_by or "", step.ticked_by) if step.ticked_at else None,
                               "done_at": step.ticked_at} for step in listed],
                    "notes": [self.note_view(note, names) for note in notes.get(row.id, [])[-NOTES_PAGE:]],
                    "notes_total": len(notes.get(row.id, [])),
                })
            me = self.entry(partner, rep)
            return {"name": me.name if me else rep, "vendor": vendor, "cases": answer}

        return operation

    def tick(self, ident: str, step: int, partner: str, rep: str, done: bool):
        vendor = self.is_vendor(partner, rep)
        today = self.today()

        def operation(db: Transaction) -> dict[str, Any] | Refused:
            row = records.case(db, ident)
            if row is None or row.closed_reason == "ended" or not self.visible(row, partner, rep, vendor):
                return Refused(404, "unknown case")
            owners = {item.step: item.owner for item in records.steps(db, [ident])[ident]}
            if step not in owners:
                return Refused(404, "unknown step")
            if not self.may_tick(owners[step], vendor):
                return Refused(403, "not your step")
            records.tick(db, ident, step, partner, rep, done, today)
            return {"case": ident, "step": step, "done": done}

        return operation

    @staticmethod
    def note_view(note: records.NoteRow, names: dict[str, str]) -> dict[str, str]:
        return {"by": names.get(note.rep, note.rep), "at": note.written_at, "text": note.text}

    def note(self, ident: str, partner: str, rep: str, text: str):
        vendor = self.is_vendor(partner, rep)

        def operation(db: Transaction) -> dict[str, Any] | Refused:
            row = records.case(db, ident)
            if row is None or not self.visible(row, partner, rep, vendor):
                return Refused(404, "unknown case")
            db.lock("worklist-notes", ident)  # collectors sharing a database count one at a time
            if records.note_count(db, ident) >= self.notes_per_case:
                return Refused(409, "notes full", max_notes=self.notes_per_case)
            records.add_note(db, ident, partner, rep, text)
            return {"case": ident, "noted": True}

        return operation

    def notes_page(self, ident: str, partner: str, rep: str, page: int):
        vendor = self.is_vendor(partner, rep)
        names = {row.rep_id: row.name for row in self.roster()}

        def operation(db: Transaction) -> dict[str, Any] | Refused:
            row = records.case(db, ident)
            if row is None or not self.visible(row, partner, rep, vendor):
                return Refused(404, "unknown case")
            total = records.note_count(db, ident)
            shown = records.notes_page(db, ident, page, NOTES_PAGE)
            return {"case": ident, "page": page, "notes": [self.note_view(note, names) for note in shown],
                    "notes_total": total, "more": (page + 1) * NOTES_PAGE < total}

        return operation


def worklist_service(store: BatchingStore, config: SiteConfig, titles: dict[str, str], roster: Roster) -> WorklistService:
    """The worklist rules of the project's settings (``titles``: page titles by content id, from the
    content index; ``roster``: the collector's watched roster)."""
    return WorklistService(
        store, roster.entries,
        titles={ident.split(":", 1)[1]: title for ident, title in titles.items() if ident.startswith("procedure:")},
        segments={segment.id: segment.name for segment in config.segments},
        owners={owner: owner_label(config, owner) for owner in OWNERS},
        own_accounts_only=config.customers.own_accounts_only, note_max_chars=config.customers.note_max_chars,
        notes_per_case=config.customers.notes_per_case)


def worklist_routes(settings: CollectorSettings, service: WorklistService) -> list[Route]:
    """The collector's worklist routes."""
    store = service.store

    async def answer(operation) -> Response:
        return await stored_answer(store, operation, {"Cache-Control": "no-store"})

    def identify(request: Request, token: str | None) -> tuple[str, str]:
        partner, rep = known_rep(settings, request, token)
        if service.entry(partner, rep) is None:
            raise Refused(403, "not on roster")
        return partner, rep

    async def listing(request: Request) -> Response:
        try:
            check_request(settings, request)
            body = validated(ListRequest, load_json(await read_body(request)))
            partner, rep = identify(request, body.token)
        except Refused as refused:
            return await count_refusal(store, refused)
        return await answer(service.listing(partner, rep))

    async def tick(request: Request) -> Response:
        try:
            check_request(settings, request)
            body = validated(TickRequest, load_json(await read_body(request)))
            partner, rep = identify(request, body.token)
            ident = path_id(request, "case", "unknown case")
            step = request.path_params["step"]
            if not (step.isascii() and step.isdigit()) or len(step) > 4:
                raise Refused(404, "unknown step")
        except Refused as refused:
            return await count_refusal(store, refused)
        return await answer(service.tick(ident, int(step), partner, rep, body.done))

    async def note(request: Request) -> Response:
        try:
            check_request(settings, request)
            body = validated(NoteRequest, load_json(await read_body(request)))
            partner, rep = identify(request, body.token)
            ident = path_id(request, "case", "unknown case")
            text = body.text.strip()
            if not text:
                raise Refused(422, "empty note")
            if len(text) > service.note_max_chars:
                raise Refused(422, "note too long", max_chars=service.note_max_chars)
        except Refused as refused:
            return await count_refusal(store, refused)
        return await answer(service.note(ident, partner, rep, text))

    async def notes_page(request: Request) -> Response:
        try:
            check_request(settings, request)
            body = validated(NotesPageRequest, load_json(await read_body(request)))
            partner, rep = identify(request, body.token)
            ident = path_id(request, "case", "unknown case")
        except Refused as refused:
            return await count_refusal(store, refused)
        return await answer(service.notes_page(ident, partner, rep, body.page))

    return [
        Route("/worklists", listing, methods=["POST"]),
        Route("/worklists/{case}/notes/page", notes_page, methods=["POST"]),
        Route("/worklists/{case}/steps/{step}", tick, methods=["POST"]),
        Route("/worklists/{case}/notes", note, methods=["POST"]),
    ]
