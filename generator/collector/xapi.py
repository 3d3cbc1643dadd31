"""xAPI statements about what reps do, as the collector records it, for the vendor's Learning Record Store.

The vocabulary (xAPI 1.0.3):

- actor: the rep as an ``account``: ``homePage`` the site's address (``site_url``), ``name`` the rep id
  from the roster; never a name or an e-mail address;
- a stretch of reading a page: verb ``http://adlnet.gov/expapi/verbs/experienced``, object the page
  (``http://activitystrea.ms/schema/1.0/page``), ``result.duration`` the engaged time credited;
- a practice quiz and an exam attempt: verb ``http://adlnet.gov/expapi/verbs/passed`` or
  ``…/failed``, object the quiz or exam (``http://adlnet.gov/expapi/activities/assessment``),
  ``result.score`` (``scaled`` 0–1, ``raw`` the percentage, ``min`` 0, ``max`` 100), ``success``;
- a certificate: verb ``http://id.tincanapi.com/verb/earned``, object the certification
  (``https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement``), result extensions the credential id
  (the Open Badges credential's ``urn:uuid:``) and the certificate id;
- context: ``platform`` "partnerkit", extensions the partner id and the release.

Activity and extension ids are addresses under the site (``<site_url>/xapi/…``). Each statement's id is a
version-5 UUID of what it records (a view and the time its browser sent the event, an exam attempt, a
certificate's credential), so recording or sending it twice is harmless: the LRS keeps one."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from generator.store.core import StoredEvent, Transaction
from generator.store.lrs import record_statement

XAPI_VERSION = "1.0.3"
VERBS = {
    "experienced": "http://adlnet.gov/expapi/verbs/experienced",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "earned": "http://id.tincanapi.com/verb/earned",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
}
PAGE = "http://activitystrea.ms/schema/1.0/page"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
ACHIEVEMENT = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement"
MODULE = "http://adlnet.gov/expapi/activities/module"


def duration(milliseconds: int) -> str:
    """An ISO 8601 duration, to the hundredth of a second (as xAPI asks)."""
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds = f"{rest / 1000:.2f}".rstrip("0").rstrip(".")
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{seconds}S"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Vocabulary:
    """Statements about one site's reps (``home``: the site's address, without a trailing slash)."""

    home: str
    titles: dict[str, str]
    """Page, quiz and exam titles by id (the activity's name in the LRS)."""

    def _id(self, *parts: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join((self.home, "xapi", *parts))))

    def activity(self, kind: str, ident: str, activity_type: str) -> dict[str, Any]:
        definition: dict[str, Any] = {"type": activity_type}
        title = self.titles.get(ident)
        if title:
            definition["name"] = {"en": title}
        return {"objectType": "Activity", "id": f"{self.home}/xapi/activities/{kind}/{uuid_safe(ident)}", "definition": definition}

    def statement(self, ident: str, rep: str, partner: str, verb: str, activity: dict[str, Any], when: datetime,
                  result: dict[str, Any], release: str) -> dict[str, Any]:
        extensions = {f"{self.home}/xapi/extensions/partner": partner}
        if release:
            extensions[f"{self.home}/xapi/extensions/release"] = release
        return {
            "id": ident, "version": XAPI_VERSION, "timestamp": _stamp(when),
            "actor": {"objectType": "Agent", "account": {"homePage": self.home, "name": rep}},
            "verb": {"id": VERBS[verb], "display": {"en": verb}},
            "object": activity, "result": result,
            "context": {"platform": "partnerkit", "extensions": extensions},
        }

    def page_read(self, event: StoredEvent, credited: int) -> dict[str, Any]:
        ident = self._id("page", event.view, str(event.sent_at if event.sent_at is not None else event.received))
        when = datetime.fromtimestamp(event.received / 1000, timezone.utc)
        return self.statement(ident, event.rep, event.partner, "experienced", self.activity("page", event.content, PAGE),
                              when, {"duration": duration(credited)}, event.version)

    def graded(self, kind: str, ident: str, of: str, rep: str, partner: str, score: int, passed: bool, when: datetime,
               release: str) -> dict[str, Any]:
        result = {"score": {"scaled": round(score / 100, 4), "raw": score, "min": 0, "max": 100}, "success": passed,
                  "completion": True}
        return self.statement(self._id(kind, ident), rep, partner, "passed" if passed else "failed",
                              self.activity(kind, of, ASSESSMENT), when, result, release)

    def quiz(self, event: StoredEvent) -> dict[str, Any]:
        when = datetime.fromtimestamp(event.received / 1000, timezone.utc)
        sent = str(event.sent_at if event.sent_at is not None else event.received)
        return self.graded("quiz", f"{event.view}/{event.quiz}/{sent}", event.quiz, event.rep, event.partner,
                           max(0, min(100, event.score)), event.passed, when, event.version)

    def completed(self, module: str, rep: str, partner: str, at_ms: int, release: str) -> dict[str, Any]:
        """A module the rep marked done (``module``: its id), at ``at_ms`` by the rep's clock."""
        when = datetime.fromtimestamp(at_ms / 1000, timezone.utc)
        activity = self.activity("module", module, MODULE)
        title = self.titles.get(f"module:{module}")
        if title:
            activity["definition"]["name"] = {"en": title}
        return self.statement(self._id("module", partner, rep, module, str(at_ms)), rep, partner, "completed",
                              activity, when, {"completion": True}, release)

    def earned(self, exam: str, certificate: str, credential: str | None, rep: str, partner: str, when: datetime,
               release: str) -> dict[str, Any]:
        extensions = {f"{self.home}/xapi/extensions/certificate": certificate}
        if credential:
            extensions[f"{self.home}/xapi/extensions/credential"] = credential
        ident = self._id("certificate", credential or f"{certificate}/{_stamp(when)}")
        return self.statement(ident, rep, partner, "earned", self.activity("certification", exam, ACHIEVEMENT), when,
                              {"completion": True, "success": True, "extensions": extensions}, release)


def uuid_safe(ident: str) -> str:
    """An id as a path segment of an activity's address (``module:pricing`` stays readable)."""
    from urllib.parse import quote

    return quote(ident, safe=":-_.")


@dataclass
class StatementRecorder:
    """Writes the statements ``lrs.events`` asks for into the outbox, in the transaction of what they record."""

    vocabulary: Vocabulary
    events: frozenset[str]
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
    """When a statement is recorded (and first due to be sent)."""

    def _keep(self, db: Transaction, kind: str, statement: dict[str, Any]) -> None:
        record_statement(db, statement["id"], statement["actor"]["account"]["name"], kind,
                         json.dumps(statement, ensure_ascii=False, sort_keys=True), _stamp(self.now()))

    def event_stored(self, db: Transaction, event: StoredEvent, credited: int) -> None:
        """A store event recorder: a page read (a leave event credited with engaged time) or a practice quiz."""
        if not event.rep:
            return  # anonymous views say nothing about anyone
        if event.type == "leave" and credited > 0 and "page" in self.events:
            self._keep(db, "page", self.vocabulary.page_read(event, credited))
        elif event.type == "quiz" and event.quiz and "quiz" in self.events:
            self._keep(db, "quiz", self.vocabulary.quiz(event))

    def exam_graded(self, db: Transaction, exam: str, attempt: str, rep: str, partner: str, score: int, passed: bool,
                    when: datetime, release: str) -> None:
        if "exam" in self.events:
            self._keep(db, "exam", self.vocabulary.graded("exam", attempt, exam, rep, partner, score, passed, when, release))

    def module_completed(self, db: Transaction, partner: str, rep: str, module: str, at_ms: int, release: str) -> None:
        """The learner record stored a module as done (a later change than any it held)."""
        if "module" in self.events:
            self._keep(db, "module", self.vocabulary.completed(module, rep, partner, at_ms, release))

    def certificate_earned(self, db: Transaction, exam: str, certificate: str, credential: str | None, rep: str,
                           partner: str, when: datetime, release: str) -> None:
        if "certificate" in self.events:
            self._keep(db, "certificate", self.vocabulary.earned(exam, certificate, credential, rep, partner, when, release))
