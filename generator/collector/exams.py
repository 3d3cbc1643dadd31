"""Exams in the collector: starting an attempt, grading it, issuing certificates, verifying them.

Routes (behind the collector's CORS, origin and bot checks):

- ``POST /exams/<exam>/attempts`` ``{"version", "token"}``: start an attempt (or resume the open one):
  the questions drawn (ids, and as the rep reads them: prompt and choices in this attempt's order,
  from the exam key: the published page holds none of them), the deadline and the attempts left.
  Refused: anonymous (403), unknown exam (404), no attempts left (409), before the retry delay is
  over (429, with ``retry_at``).
- ``POST /exams/<exam>/attempts/<attempt>`` ``{"token", "answers"}``: grade it; on a pass, issue or
  renew the rep's certificate (same id). Refused: not the rep's attempt (404), already graded (409),
  after the time limit (410, recorded as failed).
- ``GET /certificates/<id>[?page=<verify page address>]``: what the records say about a certificate, for
  the verification page; with the address of a verify page of the site, also that page's link to the
  certificate and its QR code (SVG data URI, for the printed certificate).

Every rule is checked inside the store's writer transaction, holding a lock on the rep and exam
(:meth:`Transaction.lock`: an advisory lock on PostgreSQL, the write lock on SQLite), so two tabs, or
two collector processes sharing one PostgreSQL database, cannot race past a limit."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, Protocol
from urllib.parse import quote, urlsplit

import segno
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from generator.collector.app import (CollectorSettings, Refused, check_request, count_refusal, load_json, path_id,
                                     read_body, known_rep, stored_answer, validated)
from generator.roster import ID_PATTERN, RosterEntry
from generator.identity import Roster
from generator.store.core import BatchingStore, Transaction
from generator.store import exams as store_exams
from generator.certification.certificates import Certificate
from generator.certification.grading import grade_attempt
from generator.model.answer_keys import ExamKey

if TYPE_CHECKING:
    from generator.collector.xapi import StatementRecorder

GRACE_SECONDS = 30
"""Answers arriving this long after the deadline still count (network and clock slack)."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class StartRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    version: str | None = Field(default=None, max_length=50)
    token: str | None = Field(default=None, max_length=200)


class SubmitRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    token: str | None = Field(default=None, max_length=200)
    answers: dict[str, str | list[str]] = Field(max_length=500)


@dataclass(frozen=True)
class Rejection:
    """An expected refusal decided inside a transaction (operations return it rather than raise)."""

    status: int
    reason: str
    details: dict[str, Any] = field(default_factory=dict)


class CertificateCredentials(Protocol):
    """What the credentials feature adds to the certificates exams issue (registered with
    :meth:`ExamService.register_credentials`; :class:`generator.collector.credentials.CredentialService`)."""

    def issue(self, db: Transaction, key: ExamKey, certificate_id: str) -> str | None:
        """Sign the certificate's credential in the writer's transaction; the signed credential, or None."""
        ...

    def links(self, certificate: Certificate, shown: dict[str, Any]) -> dict[str, Any]:
        """What the verification of ``certificate`` adds to the fields ``shown``."""
        ...


@dataclass
class ExamService:
    """The exam rules over the store; ``now`` is injectable for tests."""

    answer_keys: dict[tuple[str, str], ExamKey]
    """Exam answer keys by (release, exam id), from ``private/exams/``."""
    store: BatchingStore
    roster: list[RosterEntry] | Roster = field(default_factory=list)
    """Names for the verification page (a certificate of a rep not on it shows ids only) and who left:
    the collector's watched :class:`Roster` (its file re-read when it changes), or a fixed list."""
    now: Callable[[], datetime] = utc_now
    credentials: CertificateCredentials | None = field(default=None, init=False)
    """Issues each certificate's verifiable credential with it and adds its links to the verification
    (see :meth:`register_credentials`); None: certificates only."""
    statements: StatementRecorder | None = None
    """Records xAPI statements of grades and certificates in their transaction; None: no LRS."""

    def register_credentials(self, credentials: CertificateCredentials) -> None:
        """Issue a credential with every certificate from now on (the credentials feature calls this)."""
        self.credentials = credentials

    def entries(self) -> list[RosterEntry]:
        """The roster as it is now."""
        return self.roster.entries() if isinstance(self.roster, Roster) else list(self.roster)

    def entry(self, partner: str, rep: str) -> RosterEntry | None:
        return next((row for row in self.entries() if (row.partner_id, row.rep_id) == (partner, rep)), None)

    def key(self, version: str | None, exam: str) -> ExamKey:
        key = self.answer_keys.get((version or "", exam))
        if key is None:
            raise Refused(404, "unknown exam")
        return key

    # Operations run by the store's writer, one at a time.

    def start(self, key: ExamKey, version: str, partner: str, rep: str) -> dict[str, Any] | Rejection:
        now = self.now()

        def operation(db: Transaction) -> dict[str, Any] | Rejection:
            db.lock("exam", partner, rep, key.id)  # other collectors wait here until this transaction ends
            since_pass: list[store_exams.Attempt] = []
            for row in store_exams.attempts_of(db, partner, rep, key.id):
                since_pass = [] if row.passed else [*since_pass, row]
            open_attempt = next((row for row in reversed(since_pass) if row.submitted_at is None
                                 and (row.deadline is None or _time(row.deadline) > now)), None)
            if open_attempt is not None:
                return {"attempt": open_attempt.id, **_shown(key, json.loads(open_attempt.questions)),
                        "deadline": open_attempt.deadline, "attempts_left": _left(key, len(since_pass))}
            if key.attempts is not None and len(since_pass) >= key.attempts:
                return Rejection(409, "no attempts left")
            if since_pass and key.retry_after_hours:
                last = since_pass[-1]
                ended = _time(last.submitted_at) if last.submitted_at else _time(last.deadline)
                retry_at = ended + timedelta(hours=key.retry_after_hours)
                if now < retry_at:
                    return Rejection(429, "too early", {"retry_at": _iso(retry_at)})
            drawn = _draw(key)
            deadline = _iso(now + timedelta(minutes=key.time_limit_minutes)) if key.time_limit_minutes else None
            attempt = secrets.token_urlsafe(16)
            store_exams.add_attempt(db, attempt, key.id, version, partner, rep, _iso(now), deadline, json.dumps(drawn))
            return {"attempt": attempt, **_shown(key, drawn), "deadline": deadline,
                    "attempts_left": _left(key, len(since_pass) + 1)}

        return operation

    def submit(self, exam: str, attempt: str, partner: str, rep: str, answers: dict[str, Any]):
        now = self.now()

        def operation(db: Transaction) -> dict[str, Any] | Rejection:
            db.lock("exam", partner, rep, exam)  # the same lock as starting: one grading per attempt
            row = store_exams.attempt_to_grade(db, attempt, partner, rep, exam)
            key = self.answer_keys.get((row.version, exam)) if row else None
            if key is None or row is None:
                return Rejection(404, "unknown attempt")
            version, deadline, questions, submitted = row.version, row.deadline, row.questions, row.submitted_at
            if submitted is not None:
                return Rejection(409, "already graded")
            asked = [key.question(ident) for ident in json.loads(questions)["questions"]]
            late = deadline is not None and now > _time(deadline) + timedelta(seconds=GRACE_SECONDS)
            grade = grade_attempt(asked, {} if late else answers, key.pass_mark)
            store_exams.record_grade(db, attempt, _iso(now), json.dumps(answers, ensure_ascii=False), grade.score,
                                     grade.passed)
            if self.statements is not None:
                self.statements.exam_graded(db, exam, attempt, rep, partner, grade.score, grade.passed, now, version)
            if late:
                return Rejection(410, "time is up")
            verdict: dict[str, Any] = {"score": grade.score, "passed": grade.passed, "pass_mark": key.pass_mark}
            if key.review == "questions":
                verdict["questions"] = {ident: share == 1 for ident, share in grade.earned.items()}
            if grade.passed:
                verdict["certificate"] = self._issue(db, key, version, partner, rep, now.date())
            return verdict

        return operation

    def standings(self, db: Transaction, version: str, partner: str, rep: str) -> dict[str, dict[str, Any]]:
        """Where the rep stands with each exam of release ``version`` (the learner record): the
        certificate (id, status, valid until, recertify by), attempts left since the last pass, when
        the next attempt opens (if later than now) and whether an attempt is open."""
        now = self.now()
        certificates = {certificate.exam: certificate for certificate in store_exams.certificates_of(db, partner, rep)}
        standings = {}
        for (release, exam), key in self.answer_keys.items():
            if release != version:
                continue
            since_pass: list[store_exams.Attempt] = []
            for row in store_exams.attempts_of(db, partner, rep, exam):
                since_pass = [] if row.passed else [*since_pass, row]
            open_attempt = any(row.submitted_at is None and (row.deadline is None or _time(row.deadline) > now)
                               for row in since_pass)
            retry_at = None
            if since_pass and key.retry_after_hours and not open_attempt:
                last = since_pass[-1]
                ended = _time(last.submitted_at) if last.submitted_at else _time(last.deadline) if last.deadline else None
                if ended is not None and ended + timedelta(hours=key.retry_after_hours) > now:
                    retry_at = _iso(ended + timedelta(hours=key.retry_after_hours))
            certificate = certificates.get(exam)
            standings[exam] = {
                "title": key.title, "attempts_left": _left(key, len(since_pass)), "retry_at": retry_at, "open": open_attempt,
                "certificate": None if certificate is None else {
                    "id": certificate.id, "status": certificate.status(now.date()), "issued": certificate.issued.isoformat(),
                    "valid_until": certificate.valid_until.isoformat(),
                    "recertify_by": certificate.recertify_by.isoformat() if certificate.recertify_by else None,
                    "version": certificate.version},
            }
        return standings

    def _issue(self, db: Transaction, key: ExamKey, version: str, partner: str, rep: str, today: date) -> str:
        """Issue the certificate, or renew the rep's existing one under the same id; return the id."""
        existing = store_exams.certificate_id(db, partner, rep, key.id)
        ident = existing if existing is not None else secrets.token_urlsafe(18)
        certificate = Certificate(ident, partner, rep, key.id, key.title, key.role, key.level, version, today,
                                  today + timedelta(days=key.validity_days))
        if existing is not None:
            store_exams.renew_certificate(db, certificate)
        else:
            store_exams.add_certificate(db, certificate)
        signed = self.credentials.issue(db, key, ident) if self.credentials is not None else None
        if self.statements is not None:
            part = signed.split(".")[1] if signed else ""
            credential = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))["jti"] if signed else None
            self.statements.certificate_earned(db, key.id, ident, credential, rep, partner, self.now(), version)
        return ident

    def apply_recertification(self) -> int:
        """Mark certificates of exams that later releases changed materially: recertify by the deadline.
        Returns how many certificates got a mark or an earlier deadline."""
        marks = [(key.id, release, key.recertify.by.isoformat()) for key in self.answer_keys.values() if key.recertify
                 for release in key.recertify.releases]

        def operation(db: Transaction) -> int:
            changed = 0
            for exam, release, by in marks:
                changed += store_exams.mark_recertification(db, exam, release, by)
            return changed

        return self.store.run(operation).result()

    def certificate(self, ident: str) -> Certificate | None:
        return store_exams.certificate(self.store, ident)

    def verification(self, certificate: Certificate) -> dict[str, Any]:
        """Every field the verification page shows. A certificate of a rep who left the partner company
        (the roster's ``left`` day) while it was valid is revoked from that day."""
        entry = self.entry(certificate.partner, certificate.rep)
        today = self.now().date()
        left = entry.left if entry else None
        revoked = left is not None and left <= today and left <= certificate.valid_until
        return {
            "id": certificate.id, "holder": entry.name if entry else certificate.rep,
            "partner": entry.partner_name if entry else certificate.partner, "certification": certificate.title,
            "role": certificate.role, "level": certificate.level, "release": certificate.version,
            "issued": certificate.issued.isoformat(), "expires": certificate.expires.isoformat(),
            "recertify_by": certificate.recertify_by.isoformat() if certificate.recertify_by else None,
            "valid_until": certificate.valid_until.isoformat(),
            "status": "revoked" if revoked else certificate.status(today),
            "revoked_on": left.isoformat() if revoked and left else None,
        }


def verify_link(origins: list[str], page: str, ident: str) -> str | None:
    """The address of a certificate on the verify page ``page`` (``…/verify/``, at one of the site's
    origins), or None for any other address: the collector draws QR codes of its own site's links only."""
    parts = urlsplit(page)
    if (len(page) > 500 or f"{parts.scheme}://{parts.netloc}" not in origins or not parts.path.endswith("/verify/")
            or parts.query or parts.fragment or parts.username or parts.password):
        return None
    return f"{page}?id={quote(ident, safe='')}"


def qr_code(text: str) -> str:
    """``text`` as a QR code (segno), an SVG ``data:`` URI for an ``<img>``."""
    return segno.make(text, error="m").svg_data_uri(scale=4, border=4, dark="#000", light="#fff")


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _draw(key: ExamKey) -> dict[str, Any]:
    """The questions of one attempt and each one's choice order, drawn with the system's randomness."""
    chance = secrets.SystemRandom()
    pool = [question.id for question in key.questions]
    picked = set(chance.sample(pool, key.draw))
    questions = [ident for ident in pool if ident in picked]
    if key.shuffle_questions:
        chance.shuffle(questions)
    order = {}
    for ident in questions:
        question = key.question(ident)
        choices = list(question.choices)
        if key.shuffle_choices or question.type == "ordering":
            chance.shuffle(choices)
        if choices:
            order[ident] = choices
    return {"questions": questions, "order": order}


def _shown(key: ExamKey, drawn: dict[str, Any]) -> dict[str, Any]:
    """An attempt's draw with the questions as the rep reads them, choices in the drawn order."""
    asked = []
    for ident in drawn["questions"]:
        question = key.question(ident)
        view: dict[str, Any] = {"id": ident, "type": question.type, "prompt": question.prompt, "points": question.points}
        if ident in drawn["order"]:
            view["items" if question.type == "ordering" else "choices"] = [
                {"id": element, "text": question.texts.get(element, "")} for element in drawn["order"][ident]]
        asked.append(view)
    return {**drawn, "asked": asked}


def _left(key: ExamKey, used: int) -> int | None:
    """Attempts the rep has left after ``used`` since their last pass; None when unlimited."""
    return None if key.attempts is None else max(0, key.attempts - used)


HOLDER_TOKEN_MAX_CHARS = 512
HOLDER_ONLY = ("credential_url", "badge_url", "linkedin_url")
"""What the verification answer gives the certificate's holder alone (their buttons); anyone may still
fetch a valid certificate's credential from its address."""


def is_holder(settings: CollectorSettings, token: str, certificate: Certificate) -> bool:
    """Whether the personal-link token a verification request carries (``?pk=``) is the certificate
    holder's: only the holder is offered the credential, badge and LinkedIn buttons."""
    if not token or len(token) > HOLDER_TOKEN_MAX_CHARS:
        return False
    rep = settings.verify(token)
    return rep is not None and (rep.partner, rep.rep) == (certificate.partner, certificate.rep)


def exam_routes(settings: CollectorSettings, service: ExamService) -> list[Route]:
    """The collector's exam and certificate routes."""
    store = service.store

    async def answer(operation) -> Response:
        def refusing(db: Transaction) -> Any:
            result = operation(db)
            return Refused(result.status, result.reason, **result.details) if isinstance(result, Rejection) else result

        return await stored_answer(store, refusing)

    async def start(request: Request) -> Response:
        try:
            check_request(settings, request)
            body = validated(StartRequest, load_json(await read_body(request)))
            key = service.key(body.version, request.path_params["exam"])
            partner, rep = known_rep(settings, request, body.token)
        except Refused as refused:
            return await count_refusal(store, refused)
        return await answer(service.start(key, body.version or "", partner, rep))

    async def submit(request: Request) -> Response:
        try:
            check_request(settings, request)
            body = validated(SubmitRequest, load_json(await read_body(request)))
            partner, rep = known_rep(settings, request, body.token)
            exam, attempt = path_id(request, "exam", "unknown exam"), path_id(request, "attempt", "unknown attempt")
        except Refused as refused:
            return await count_refusal(store, refused)
        return await answer(service.submit(exam, attempt, partner, rep, body.answers))

    async def verify(request: Request) -> Response:
        ident = request.path_params["id"]
        certificate = await asyncio.to_thread(service.certificate, ident) if ID_PATTERN.fullmatch(ident) else None
        if certificate is None:
            return JSONResponse({"error": "unknown certificate"}, status_code=404)
        answer = service.verification(certificate)
        link = verify_link(settings.origins, request.query_params.get("page", ""), certificate.id)
        if link is not None:
            answer.update({"verify_url": link, "qr": qr_code(link)})
        if service.credentials is not None:
            answer.update(await asyncio.to_thread(service.credentials.links, certificate, answer))
        if is_holder(settings, request.query_params.get("pk", ""), certificate):
            answer["yours"] = True
        else:
            for name in HOLDER_ONLY:
                answer.pop(name, None)
        return JSONResponse(answer, headers={"Cache-Control": "no-store"})

    return [
        Route("/exams/{exam}/attempts", start, methods=["POST"]),
        Route("/exams/{exam}/attempts/{attempt}", submit, methods=["POST"]),
        Route("/certificates/{id}", verify, methods=["GET"]),
    ]
