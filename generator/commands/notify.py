"""``partnerkit notify``: every message due on a day, written to an outbox as ``.eml`` files (the
default, to review), summarised (``--dry-run``) or sent over SMTP (``--send``).

Sending is at most once per message: before its SMTP transaction a message is claimed in the store's
sent log (committed to disk), and marked sent once the server accepted it. A message already in the
log, whatever its state, is never sent again; one left ``sending`` by a run that was killed or lost
its connection is reported by every later run (it may or may not have reached the server), never
resent. A message the server refused for now (4xx) is released and tried again next run; one it
refused for good (5xx) is marked ``failed`` and reported."""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from generator.identity import REVOKED_FILE, invite_links, read_revocations, link_keys
from generator.roster import RosterEntry, read_roster
from generator.report.tables import read_sales
from generator.store import notifications as log
from generator.store import worklists as store_worklists
from generator.store.credentials import revoked_certificates
from generator.store.exams import all_certificates
from generator.commands.collect import DEFAULT_ROSTER, DEFAULT_SALES
from generator.commands.signals import raise_signals
from generator.store import signals as store_signals
from generator.events import CONTENT_INDEX, read_content_index
from generator.collector.help import answered_link
from generator.model.urls import Urls
from generator.model.worklists import OWNERS, owner_label
from generator.errors import PartnerkitError
from generator.layout import OUTBOX_DIR
from generator.load.config import load_config
from generator.notifications.mail import usable_address, write_email
from generator.notifications.messages import Inputs, Message, due_messages
from generator.reporter import NullReporter, Reporter
from generator.model.config import NotificationSettings
from generator.store.database import open_project_store
from generator.store.views import daily_totals


@dataclass
class NotifyResult:
    due: list[Message]
    """Messages due and not in the sent log, nor unsubscribed."""
    already: int = 0
    """Due messages the sent log holds already (not sent again)."""
    unsubscribed: int = 0
    """Due messages whose recipient unsubscribed from their kind."""
    unconfirmed: list[log.LogRow] = field(default_factory=list)
    """Messages a run claimed but never saw accepted: they may not have arrived, and are not resent."""
    failed: list[tuple[Message, str]] = field(default_factory=list)
    """Messages the server refused this run, with its answer."""
    written: list[Path] = field(default_factory=list)
    sent: int = 0
    skipped_people: list[str] = field(default_factory=list)
    """Roster rows without a usable address (named in the output)."""

    def counts(self) -> Counter:
        return Counter(message.kind for message in self.due)


def reachable(roster: list[RosterEntry], revoked: dict[str, datetime], today: date) -> tuple[list[RosterEntry], list[str]]:
    """Who may be written to: on the roster, not left by ``today``, never revoked, with an address;
    and the names of those skipped for want of an address."""
    people, skipped = [], []
    for entry in roster:
        if (entry.left is not None and entry.left <= today) or entry.rep_id in revoked:
            continue
        if usable_address(entry.email):
            people.append(entry)
        else:
            skipped.append(entry.name or entry.rep_id)
    return people, skipped


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _file_name(message: Message) -> str:
    parts = (message.kind, message.recipient.key, message.subject_key, message.period)
    return "--".join(re.sub(r"[^A-Za-z0-9_.@-]", "_", part) for part in parts)[:200] + ".eml"


def notify(root: Path, day: date | None, outbox: Path | None, send: bool, dry_run: bool, db: str | None,
           reporter: Reporter = NullReporter(), now: datetime | None = None) -> NotifyResult:
    """Build every message due on ``day`` (default: today, UTC) and write, summarise or send it."""
    from generator.collector.exams import ExamService
    from generator.certification.answer_key_files import read_exam_keys

    now = now or datetime.now(timezone.utc)
    today = day or now.date()
    config = load_config(root)
    settings = config.notifications
    roster = read_roster(root / DEFAULT_ROSTER, root)
    people, skipped = reachable(roster, read_revocations(root / REVOKED_FILE, root), today)
    keys = link_keys()
    if not config.site_url:
        raise PartnerkitError("site_url is not set in site_config.yml: messages link to the site")
    sales = read_sales(root / DEFAULT_SALES, root) if (root / DEFAULT_SALES).is_file() else {}
    since = min(today - timedelta(days=settings.activity_days), (today - timedelta(days=7)).replace(day=1)).isoformat()
    store = open_project_store(root, db)
    try:
        ExamService(read_exam_keys(root), store).apply_recertification()
        revoked = revoked_certificates(store)  # partnerkit revoke-certificate: no reminders for them
        certificates = [certificate for certificate in all_certificates(store) if certificate.id not in revoked]
        daily = daily_totals(store, since, today.isoformat())
        links = {entry.rep_id: link for entry, link in invite_links(people, config.site_url, keys, now)}
        monday = today - timedelta(days=today.weekday())
        due, steps = store.run(lambda db: (store_worklists.steps_due(db, monday, monday + timedelta(days=6)),
                                           store_worklists.all_steps(db))).result()
        run = raise_signals(root, config, store, today - timedelta(days=1), record=not dry_run)
        asked = store.run(lambda tx: store_signals.help_requests(tx, (today - timedelta(days=1)).isoformat(),
                                                                 (today - timedelta(days=1)).isoformat())).result()
        urls = Urls.of(config)
        help_requests = [(request, answered_link(urls, request, keys, now) or "") for request in asked]
        titles = dict(read_content_index(root).titles) if (root / CONTENT_INDEX).is_file() else {}
        inputs = Inputs(today, config, roster, people, certificates, daily, sales, links, due, steps,
                        _procedure_titles(root) if steps else {},
                        {owner: owner_label(config, owner) for owner in OWNERS},
                        [*run.already, *run.new], help_requests, titles)
        logged = store.run(log.logged).result()
        unsubscribed = store.run(log.unsubscriptions).result()
        keys_logged = {row.key for row in logged}
        result = NotifyResult([], skipped_people=skipped,
                              unconfirmed=[row for row in logged if row.state == log.SENDING])
        for message in due_messages(inputs):
            if message.key in keys_logged:
                result.already += 1
            elif message.recipient.rep and (message.recipient.rep, message.kind) in unsubscribed:
                result.unsubscribed += 1
            else:
                result.due.append(message)
        if dry_run:
            return result
        emails = [(message, write_email(message, config, root, keys, now)) for message in result.due]
        if not send:
            folder = outbox or root / OUTBOX_DIR / today.isoformat()
            folder.mkdir(parents=True, exist_ok=True)
            for message, email in emails:
                path = folder / _file_name(message)
                path.write_bytes(email.as_bytes())
                result.written.append(path)
            return result
        _send(store, settings, emails, result, reporter)
        return result
    finally:
        store.close()


def _procedure_titles(root: Path) -> dict[str, str]:
    """Procedure titles by id (the worklist messages name procedures as their pages do)."""
    from generator.load.content import load_project

    return {ident: procedure.title for ident, procedure in load_project(root).documents.get("procedure", {}).items()}


def _connect(settings: NotificationSettings) -> smtplib.SMTP:
    """An SMTP connection as ``notifications:`` says: TLS from the start, STARTTLS, or plain; logged in
    when a user is given (the password from the environment variable named in the settings)."""
    context = ssl.create_default_context()
    try:
        if settings.security == "tls":
            connection = smtplib.SMTP_SSL(settings.host, settings.port, timeout=60, context=context)
        else:
            connection = smtplib.SMTP(settings.host, settings.port, timeout=60)
            if settings.security == "starttls":
                connection.starttls(context=context)
        if settings.user:
            password = os.environ.get(settings.password_variable)
            if password is None:
                connection.close()
                raise PartnerkitError(f"{settings.password_variable} is not set: it holds the SMTP password of {settings.user}")
            connection.login(settings.user, password)
    except (OSError, smtplib.SMTPException) as exc:
        raise PartnerkitError(f"cannot connect to the SMTP server {settings.host}:{settings.port}: {exc}") from None
    return connection


def _refusal(exc: smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused) -> tuple[int, str]:
    """The server's code and answer to a refused message (for a refused recipient, its answer)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
    else:
        code, text = exc.smtp_code, exc.smtp_error
    return code, f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"


def _send(store, settings: NotificationSettings, emails, result: NotifyResult, reporter: Reporter) -> None:
    if not emails:
        return
    connection = _connect(settings)
    try:
        for number, (message, email) in enumerate(emails, start=1):
            key, rep = message.key, message.recipient.rep
            if not store.run(lambda tx: log.claim(tx, key, rep, _utc(datetime.now(timezone.utc)))).result():
                result.already += 1  # another run sent it meanwhile
                continue
            try:
                connection.send_message(email)
            except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
                code, answer = _refusal(exc)
                if 400 <= code < 500:  # not now: released, tried again next run
                    store.run(lambda tx: log.release(tx, key)).result()
                else:
                    store.run(lambda tx: log.settle(tx, key, log.FAILED, _utc(datetime.now(timezone.utc)))).result()
                result.failed.append((message, answer))
                continue
            except (smtplib.SMTPNotSupportedError, UnicodeError) as exc:  # this address only (SMTPUTF8): the rest go
                store.run(lambda tx: log.settle(tx, key, log.FAILED, _utc(datetime.now(timezone.utc)))).result()
                result.failed.append((message, f"not sent: {exc}"))
                continue
            except (OSError, smtplib.SMTPException) as exc:
                raise PartnerkitError(
                    f"the SMTP server {settings.host} stopped answering after {result.sent} messages ({exc}); the one it was"
                    f" sending is reported as unconfirmed and not resent; run notify --send again for the rest") from None
            store.run(lambda tx: log.settle(tx, key, log.SENT, _utc(datetime.now(timezone.utc)))).result()
            result.sent += 1
            reporter.progress("Sending", number, len(emails), "messages")
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
