"""The learner record in the collector: what a rep has done, on every device.

Route (behind the collector's CORS, origin and bot checks; identity as for exams and worklists: the
signed token in the body, or the proxy's identity header):

- ``POST /learning`` ``{"token", "version", "modules": [{"module", "done", "at"}], "quizzes":
  [{"quiz", "score", "passed", "at"}]}``: store the rep's changes (none: just read) and answer the
  whole record: who the rep is (name, partner, role), every module's state, each practice quiz's best
  score, and each exam of the release: passed, certificate, attempts left, when the next attempt opens.

The merge rule: per module, the latest change wins (``at``: the time on the rep's device when they
pressed "Mark as done"); an older change, such as a phone syncing a day late or a replayed request,
is ignored. A practice quiz keeps its best score.

Refused, counted, nothing stored: anonymous or forged (403), not on the roster (403), a release the
site does not have, a module or quiz id not in the release (422), a change dated in the future or
older than the record keeps (422), more than :data:`MAX_CHANGES` changes in one request or the same
module twice (422), more changes a minute than :data:`CHANGES_PER_MINUTE` (429), a body over the
collector's limit (413)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from generator.store import learning as store_learning
from generator.events import MAX_CLOCK_SKEW_MS
from generator.store.core import BatchingStore, Transaction
from generator.collector.app import (ANALYTICS, CollectorSettings, RateLimits, Refused, check_request, count_refusal, known_rep,
                                     load_json, read_body, stored_answer, validated)
from generator.roster import RosterEntry

if TYPE_CHECKING:
    from generator.collector.exams import ExamService
    from generator.collector.worklists import WorklistService
    from generator.collector.xapi import StatementRecorder

MAX_CHANGES = 100
"""Module changes one request may carry (the page sends more in several requests)."""
MAX_QUIZ_RESULTS = 20
CHANGES_PER_MINUTE = 120
"""Module changes and quiz results one rep may send a minute (a minute's worth at once); more: 429."""

_ID = r"^[A-Za-z0-9_-]{1,64}$"


class ModuleChange(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    module: str = Field(pattern=_ID)
    done: bool
    at: int = Field(ge=0)


class QuizResult(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    quiz: str = Field(pattern=_ID)
    score: int = Field(ge=0, le=100)
    passed: bool
    at: int = Field(ge=0)


class SyncRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    token: str | None = Field(default=None, max_length=200)
    version: str | None = Field(default=None, max_length=50)
    modules: list[ModuleChange] = Field(default_factory=list, max_length=MAX_CHANGES)
    quizzes: list[QuizResult] = Field(default_factory=list, max_length=MAX_QUIZ_RESULTS)


@dataclass
class LearningService:
    """The learner record's rules over the store."""

    store: BatchingStore
    roster: Callable[[], list[RosterEntry]] | None = None
    """The roster as it is now (names, partner names, roles); None: ids only, anyone with a valid token."""
    exams: ExamService | None = None
    """The exam service whose exams the record reports; None: no exams."""
    worklists: WorklistService | None = None
    """The worklist service whose steps due this week the record
    lists (``due``); None: no worklists."""
    record_days: int = ANALYTICS.learning_record_days
    """Rows not changed for this many days are deleted (``analytics.learning_record_days``)."""
    statements: StatementRecorder | None = None
    """Records a module marked done as an xAPI
    ``completed`` statement in the same transaction (``lrs.endpoint`` set); None: no statements."""
    rates: RateLimits = field(default_factory=lambda: RateLimits(CHANGES_PER_MINUTE, CHANGES_PER_MINUTE * 5))
    clock: Callable[[], float] = time.time
    _pruned_on: date | None = None

    def entry(self, partner: str, rep: str) -> RosterEntry | None:
        if self.roster is None:
            return None
        return next((row for row in self.roster() if (row.partner_id, row.rep_id) == (partner, rep)), None)

    def sync(self, partner: str, rep: str, version: str, body: SyncRequest):
        now = datetime.fromtimestamp(self.clock(), timezone.utc)
        entry = self.entry(partner, rep)
        prune_before = None
        if self._pruned_on != now.date():
            self._pruned_on = now.date()
            prune_before = int((self.clock() - self.record_days * 86400) * 1000)

        def operation(db: Transaction) -> dict[str, Any]:
            if prune_before is not None:
                store_learning.prune(db, prune_before)
            for change in body.modules:
                stored = store_learning.set_module(db, partner, rep, change.module, change.done, change.at, version)
                if stored and change.done and self.statements is not None:
                    self.statements.module_completed(db, partner, rep, change.module, change.at, version)
            for result in body.quizzes:
                store_learning.set_quiz(db, partner, rep, result.quiz, result.score, result.passed, result.at)
            return {
                "rep": {"name": entry.name if entry else rep, "partner": entry.partner_name if entry else partner,
                        "role": entry.role if entry else ""},
                "modules": {row.module: {"done": row.done, "at": row.changed_at, "version": row.version}
                            for row in store_learning.modules_of(db, partner, rep)},
                "quizzes": {row.quiz: {"best": row.best_score, "passed": row.passed_at is not None}
                            for row in store_learning.quizzes_of(db, partner, rep)},
                "exams": self.exams.standings(db, version, partner, rep) if self.exams is not None else {},
                **({"due": self.due(db, partner, rep, now.date())} if self.worklists is not None else {}),
            }

        return operation


    def due(self, db: Transaction, partner: str, rep: str, today: date) -> list[dict[str, Any]]:
        """The rep's worklist steps not done and due by Sunday (or overdue), as My accounts lists them."""
        sunday = (today + timedelta(days=6 - today.weekday())).isoformat()
        listing = self.worklists.listing(partner, rep)(db)
        return sorted(({"customer": case["customer"], "action": step["action"], "due": step["due"],
                        "overdue": step["due"] < today.isoformat()}
                       for case in listing["cases"] for step in case["steps"]
                       if step["mine"] and not step["done"] and step["due"] and step["due"] <= sunday),
                      key=lambda item: (item["due"], item["customer"]))


def refusal(settings: CollectorSettings, service: LearningService, body: SyncRequest) -> Refused | None:
    """Why a request's content must be refused: a release, module or quiz the site does not have, a
    repeated module, a change from the future or older than the record keeps."""
    index = settings.index
    if not ((body.version in index.versions) if index.versions else body.version is None):
        return Refused(422, "unknown release")
    modules = [change.module for change in body.modules]
    if len(set(modules)) != len(modules):
        return Refused(422, "repeated module")
    if any(not index.in_release(f"module:{module}", body.version) for module in modules):
        return Refused(422, "unknown module")
    if any(result.quiz not in index.quizzes or not index.in_release(f"quiz:{result.quiz}", body.version)
           for result in body.quizzes):
        return Refused(422, "unknown quiz")
    now = settings.clock() * 1000
    oldest = now - service.record_days * 86400 * 1000
    if any(item.at > now + MAX_CLOCK_SKEW_MS or item.at < oldest for item in [*body.modules, *body.quizzes]):
        return Refused(422, "clock skew")
    return None


def learning_routes(settings: CollectorSettings, service: LearningService) -> list[Route]:
    """The collector's learner-record route."""
    store = service.store

    async def sync(request: Request) -> Response:
        try:
            check_request(settings, request)
            body = validated(SyncRequest, load_json(await read_body(request)))
            refused = refusal(settings, service, body)
            if refused is not None:
                raise refused
            partner, rep = known_rep(settings, request, body.token)
            if service.roster is not None and service.entry(partner, rep) is None:
                raise Refused(403, "not on roster")
            changes = len(body.modules) + len(body.quizzes)
            address = request.client.host if request.client else ""
            if changes and not service.rates.take(f"{partner}/{rep}", address, changes):
                raise Refused(429, "rate limit")
        except Refused as refused:
            return await count_refusal(store, refused)
        return await stored_answer(store, service.sync(partner, rep, body.version or "", body), {"Cache-Control": "no-store"})

    return [Route("/learning", sync, methods=["POST"])]
