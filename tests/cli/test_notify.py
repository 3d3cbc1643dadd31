"""``partnerkit notify`` as users run it: from inside a project copy, against a real SMTP server
(aiosmtpd on 127.0.0.1), with certificates, tiers and activity in the store."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller

from generator.collector.app import CollectorSettings, create_app
from generator.events import ContentIndex
from generator.identity import link_keys
from generator.store.database import open_store
from generator.collector.notifications import NotificationService, notification_routes
from generator.store.exams import CERTIFICATE_COLUMNS
from tests.analytics.conftest import free_port
from tests.cli.conftest import PARTNERKIT, TOKEN_KEYS, copy_example, partnerkit, user_environment

DAY = "2026-12-01"
ROSTER = """partner_id,partner_name,rep_id,name,email,role,joined,left
acme,Acme Resellers,ann,Ann Berg,ann@acme.example,sales,2026-01-10,
acme,Acme Resellers,bo,Bo Chen,bo@acme.example,cs,2026-01-10,
acme,Acme Resellers,cy,Cy Dahl,cy@acme.example,sales,2026-01-10,2026-11-20
acme,Acme Resellers,di,Di Eng,di@acme.example,sales,2026-01-10,
acme,Acme Resellers,mia,Mia Fox,mia@acme.example,manager,2026-01-10,
beta,Beta Partners,eve,Eve Gray,eve@beta.example,sales,2026-01-10,
beta,Beta Partners,max,Max Hill,max@beta.example,manager,2026-01-10,
"""
NOTIFICATIONS = """
versions:
  - version: "2.5"
    title: "2.5 (Nov 2026)"
    released: 2026-11-25
notifications:
  host: 127.0.0.1
  port: {port}
  security: none
  from_address: academy@ostrova.example
  reply_to: partner-success@ostrova.example
  vendor_contacts:
    - {{name: Pat Ito, email: pat@ostrova.example}}
"""
CERTIFICATES = [  # id, partner, rep, exam, title, role, level, version, issued, expires, recertify_by
    ("c-ann", "acme", "ann", "sales-exam", "Sales certification", "sales", "gold", "2.5", "2025-12-31", "2026-12-25", None),
    ("c-bo", "acme", "bo", "cs-exam", "CS certification", "cs", "silver", "2.5", "2026-01-30", "2027-01-20", None),
    ("c-cy", "acme", "cy", "sales-exam", "Sales certification", "sales", "gold", "2.5", "2026-01-30", "2026-12-20", None),
    ("c-di", "acme", "di", "sales-exam", "Sales certification", "sales", "bronze", "2.5", "2026-01-30", "2026-12-15", None),
    ("c-eve", "beta", "eve", "sales-exam", "Sales certification", "sales", "gold", "2.5", "2026-06-30", "2027-06-30", None),
]
DAILY = [("2026-11-28", "module:pricing", "2.5", "beta", "eve", 20, 600000),
         ("2026-11-29", "module:pricing", "2.5", "acme", "ann", 5, 60000)]
EXPECTED = sorted([
    ("ann@acme.example", "Your Sales certification certificate ends in 24 days"),
    ("bo@acme.example", "Your CS certification certificate ends in 50 days"),
    ("ann@acme.example", "What's new in Ostrova Pulse 2.5 (Nov 2026)"),
    ("eve@beta.example", "What's new in Ostrova Pulse 2.5 (Nov 2026)"),
    ("mia@acme.example", "Acme Resellers: Registered partner is at risk from 26 December 2026"),
    ("mia@acme.example", "Acme Resellers: 3 certificates ending soon"),
    ("pat@ostrova.example", "Call first this week: motivated reps at 2 partners"),
    ("pat@ostrova.example", "1 partner tier at risk"),
])


class Inbox:
    """aiosmtpd handler: keeps every message it accepted, parsed, after an optional pause."""

    def __init__(self, delay: float = 0.0):
        self.delay, self.messages = delay, []
        self.refuse: dict[str, str] = {}
        """Recipient address -> the answer to its RCPT command."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def received(self) -> list[tuple[str, str]]:
        return sorted((parseaddr(m["To"])[1], m["Subject"]) for m in self.messages)


@pytest.fixture
def inbox():
    handler = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks its server is up by connecting to it)
        probe.bind(("127.0.0.1", 0))
        handler.port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


def make_project(root: Path, port: int) -> Path:
    project = copy_example(root / "ostrova")
    with (project / "site_config.yml").open("a", encoding="utf-8") as config:
        config.write(NOTIFICATIONS.format(port=port))
    (project / "private").mkdir()
    (project / "private/roster.csv").write_text(ROSTER)
    (project / "private/revoked.csv").write_text("rep_id,revoked_at\ndi,2026-11-30T10:00:00.000Z\n")
    store = open_store(str(project / "private/events.sqlite"))
    try:
        def fill(tx):
            for row in CERTIFICATES:
                tx.execute(f"INSERT INTO certificates ({CERTIFICATE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            for row in DAILY:
                tx.execute("INSERT INTO daily (day, content, version, partner, rep, views, engaged_ms) VALUES (?, ?, ?, ?, ?, ?, ?)", row)
        store.run(fill).result()
    finally:
        store.close()
    return project


ENV = user_environment(PARTNERKIT_TOKEN_KEYS=TOKEN_KEYS)


@pytest.fixture
def project(tmp_path: Path, inbox: Inbox) -> Path:
    return make_project(tmp_path, inbox.port)


def test_send_reaches_exactly_the_expected_people_once(project: Path, inbox: Inbox) -> None:
    result = partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV)
    assert result.returncode == 0, result.stderr
    assert inbox.received() == EXPECTED
    assert result.stdout.startswith("Sent 8 of 8 messages (certificate-expiry 2, whats-new 2, partner-tier 1,"
                                    " partner-certificates 1, key-people 1, tiers-at-risk 1)")
    again = partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV)
    assert again.returncode == 0, again.stderr
    assert again.stdout == "Sent 0 of 0 messages (nothing due); 8 sent before, 0 unsubscribed\n"
    assert len(inbox.messages) == 8
    by_recipient = {parseaddr(m["To"])[1]: m for m in inbox.messages if m["X-Partnerkit-Kind"] == "partner-certificates"}
    text = by_recipient["mia@acme.example"].get_body(("plain",)).get_content()
    assert "Ann Berg" in text and "Di Eng" in text and "Eve Gray" not in text  # their own partner only
    assert "acme" not in text.replace("@acme", "")  # names, not ids


def test_left_and_revoked_reps_get_nothing(project: Path, inbox: Inbox) -> None:
    assert partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV).returncode == 0
    recipients = {parseaddr(m["To"])[1] for m in inbox.messages}
    assert "cy@acme.example" not in recipients and "di@acme.example" not in recipients


def test_outbox_files_are_valid_rfc_5322(project: Path, inbox: Inbox) -> None:
    result = partnerkit("notify", "--date", DAY, cwd=project, env=ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"8 messages written to private/outbox/{DAY} (")
    files = sorted((project / "private/outbox" / DAY).glob("*.eml"))
    assert len(files) == 8 and inbox.messages == []
    subjects = []
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert message.defects == []
        for header in ("Date", "Message-ID", "From", "To", "Subject"):
            assert len(message.get_all(header)) == 1, header
        parsedate_to_datetime(message["Date"])
        assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@ostrova.example>")
        assert parseaddr(message["From"]) == ("Ostrova Partner Academy", "academy@ostrova.example")
        assert message["Reply-To"] == "partner-success@ostrova.example"
        assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
        if not parseaddr(message["To"])[1].endswith("@ostrova.example"):
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert message["List-Unsubscribe"].startswith("<https://collect.partners.ostrova.example/unsubscribe?t=")
        subjects.append((parseaddr(message["To"])[1], message["Subject"]))
    assert sorted(subjects) == EXPECTED
    # the outbox is a preview: sending afterwards still sends everything
    assert partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV).returncode == 0
    assert inbox.received() == EXPECTED


def test_dry_run_summarises_and_changes_nothing(project: Path, inbox: Inbox) -> None:
    result = partnerkit("notify", "--dry-run", "--date", DAY, cwd=project, env=ENV)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ("8 messages due: certificate-expiry 2, whats-new 2, partner-tier 1, partner-certificates 1,"
                        " key-people 1, tiers-at-risk 1")
    assert "  partner-tier: Mia Fox <mia@acme.example>" in lines
    assert not (project / "private/outbox").exists() and inbox.messages == []


def test_killed_mid_run_and_rerun_sends_no_duplicates(project: Path, inbox: Inbox) -> None:
    inbox.delay = 0.3
    process = subprocess.Popen([str(PARTNERKIT), "notify", "--send", "--date", DAY], cwd=project, env=ENV,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while len(inbox.messages) < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    first = len(inbox.messages)
    assert 3 <= first < 8
    inbox.delay = 0
    rerun = partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV)
    assert rerun.returncode == 0, rerun.stderr
    received = Counter(inbox.received())
    assert all(count == 1 for count in received.values()), received
    unconfirmed = [line for line in rerun.stderr.splitlines() if line.startswith("Unconfirmed: ")]
    # each message arrived once, or is reported (the one being sent when the run was killed may have
    # arrived too: the server had accepted it, the run had not recorded that yet); none arrived twice
    assert len(unconfirmed) <= 1 and len(received) + len(unconfirmed) >= 8
    assert set(received) <= set(EXPECTED)


@contextlib.contextmanager
def unsubscribe_collector(project: Path):
    """The collector's routes (events, exams, unsubscribe) served by uvicorn on 127.0.0.1 in a thread,
    on the project's store, signing keys as in ``ENV``."""
    store = open_store(str(project / "private/events.sqlite"))
    settings = CollectorSettings(ContentIndex(content={"module:pricing"}, versions={"2.5"}),
                                 ["https://partners.ostrova.example"], link_keys({"PARTNERKIT_TOKEN_KEYS": TOKEN_KEYS}))
    service = NotificationService(store, settings.link_keys, "https://collect.partners.ostrova.example")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, store, notification_routes(settings, service)),
                                           host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", store
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()


def unsubscribe_link(project: Path, kind: str, address: str) -> str:
    for path in (project / "private/outbox" / DAY).glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["X-Partnerkit-Kind"] == kind and parseaddr(message["To"])[1] == address:
            return message["List-Unsubscribe"].strip("<>")
    raise AssertionError(f"no {kind} message to {address}")


ONE_CLICK = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "mail-provider"}


def test_one_click_unsubscribe_is_respected_and_attacks_change_nothing(project: Path, inbox: Inbox) -> None:
    assert partnerkit("notify", "--date", DAY, cwd=project, env=ENV).returncode == 0
    link = unsubscribe_link(project, "certificate-expiry", "ann@acme.example")
    with unsubscribe_collector(project) as (base, store):
        local = link.replace("https://collect.partners.ostrova.example", base)
        page = httpx.get(local)
        assert page.status_code == 200 and "<button" in page.text and "Stop e-mails about certificate reminders?" in page.text
        token = local.split("?t=", 1)[1]
        forged = local.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
        attacks = [
            httpx.post(forged, content=b"List-Unsubscribe=One-Click", headers=ONE_CLICK),
            httpx.post(local, content=b"List-Unsubscribe=One-Click" + b" " * 300, headers=ONE_CLICK),
            httpx.post(local, content=b"unsubscribe=everything", headers=ONE_CLICK),
            httpx.post(local, content=b"List-Unsubscribe=One-Click", headers={**ONE_CLICK, "Origin": "https://evil.example"}),
        ]
        assert [response.status_code for response in attacks] == [403, 413, 400, 403]
        assert store.query("SELECT COUNT(*) FROM notifications_unsubscribed") == [(0,)]
        done = httpx.post(local, content=b"List-Unsubscribe=One-Click", headers=ONE_CLICK)
        assert done.status_code == 200 and "You will get no more e-mails about certificate reminders." in done.text
        replay = httpx.post(local, content=b"List-Unsubscribe=One-Click", headers=ONE_CLICK)
        assert replay.status_code == 409
        assert store.query("SELECT rep, kind, partner FROM notifications_unsubscribed") == [("ann", "certificate-expiry", "acme")]
        assert dict(store.query("SELECT reason, SUM(count) FROM rejected GROUP BY reason")) == {
            "forged token": 1, "too large": 1, "not one-click": 1, "foreign origin": 1, "replayed token": 1}
    result = partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("; 0 sent before, 1 unsubscribed\n")
    expected = [entry for entry in EXPECTED if entry[0] != "ann@acme.example" or entry[1].startswith("What's new")]
    assert inbox.received() == expected
    forgotten = partnerkit("forget", "ann", cwd=project, env=ENV)
    assert forgotten.returncode == 0, forgotten.stderr
    assert "notifications_sent 1, notifications_unsubscribed 1; nothing in " in forgotten.stdout


def test_japanese_site_writes_japanese_messages(project: Path, inbox: Inbox) -> None:
    config = project / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: en", "language: ja"), encoding="utf-8")
    assert partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV).returncode == 0
    subjects = dict((kind, m["Subject"]) for m in inbox.messages for kind in [m["X-Partnerkit-Kind"]])
    assert subjects["certificate-expiry"].endswith("の認定はあと50日で失効します") or subjects["certificate-expiry"].endswith(
        "の認定はあと24日で失効します")
    assert subjects["partner-tier"] == "Acme Resellers: Registered partner は 2026年12月26日 に失われる見込みです"


def test_vendor_templates_replace_the_built_in_ones_and_html_is_escaped(project: Path, inbox: Inbox) -> None:
    (project / "mail-templates/notify").mkdir(parents=True)
    (project / "mail-templates/notify/whats_new.j2").write_text(
        "{% block subject %}New: {{ release }}{% endblock %}{% block text %}Hi {{ name }}{% endblock %}"
        "{% block html %}<b>{{ name }}</b>{% endblock %}", encoding="utf-8")
    with (project / "site_config.yml").open("a", encoding="utf-8") as config:
        config.write("templates: mail-templates\n")
    roster = project / "private/roster.csv"
    roster.write_text(roster.read_text().replace("Eve Gray", "Eve <script>alert(1)</script>"))
    assert partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV).returncode == 0
    news = [m for m in inbox.messages if m["X-Partnerkit-Kind"] == "whats-new"]
    assert sorted(m["Subject"] for m in news) == ["New: 2.5 (Nov 2026)"] * 2
    eve = next(m for m in news if parseaddr(m["To"])[1] == "eve@beta.example")
    assert eve.get_body(("plain",)).get_content().strip() == "Hi Eve <script>alert(1)</script>"
    assert "<b>Eve &lt;script&gt;alert(1)&lt;/script&gt;</b>" in eve.get_body(("html",)).get_content()


def test_refused_recipients_are_reported_and_only_temporary_refusals_are_tried_again(project: Path, inbox: Inbox) -> None:
    inbox.refuse = {"bo@acme.example": "550 5.1.1 no such mailbox", "mia@acme.example": "451 4.3.0 try again later"}
    first = partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV)
    assert first.returncode == 1
    assert first.stderr.splitlines() == [
        "Refused: certificate-expiry to bo@acme.example: 550 5.1.1 no such mailbox",
        "Refused: partner-tier to mia@acme.example: 451 4.3.0 try again later",
        "Refused: partner-certificates to mia@acme.example: 451 4.3.0 try again later",
    ]
    assert first.stdout.startswith("Sent 5 of 8 messages")
    inbox.refuse = {}
    second = partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV)
    assert second.returncode == 0, second.stderr
    assert second.stdout == "Sent 2 of 2 messages (partner-tier 1, partner-certificates 1); 6 sent before, 0 unsubscribed\n"
    assert inbox.received() == [entry for entry in EXPECTED if entry[0] != "bo@acme.example"]


class Passwords:
    """aiosmtpd authenticator: one user and password."""

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        return AuthResult(success=(auth_data.login, auth_data.password) == (b"academy", b"s3cret-pass"))


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_with_the_password_from_the_named_variable(tmp_path: Path) -> None:
    handler = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port, authenticator=Passwords(), auth_required=True,
                            auth_require_tls=False)
    controller.start()
    try:
        project = make_project(tmp_path, port)
        with (project / "site_config.yml").open("a", encoding="utf-8") as config:
            config.write("  user: academy\n  password_variable: ACADEMY_SMTP_PASSWORD\n")
        missing = partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV)
        assert (missing.returncode, missing.stderr) == (
            1, "Error: ACADEMY_SMTP_PASSWORD is not set: it holds the SMTP password of academy\n")
        assert handler.messages == []
        right = partnerkit("notify", "--send", "--date", DAY, cwd=project, env={**ENV, "ACADEMY_SMTP_PASSWORD": "s3cret-pass"})
        assert right.returncode == 0, right.stderr
        assert handler.received() == EXPECTED
    finally:
        controller.stop()


def test_starttls_is_required_when_asked_for(project: Path, inbox: Inbox) -> None:
    config = project / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("security: none", "security: starttls"), encoding="utf-8")
    result = partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV)
    assert result.returncode == 1
    assert result.stderr == (f"Error: cannot connect to the SMTP server 127.0.0.1:{inbox.port}:"
                             " STARTTLS extension not supported by server.\n")
    assert inbox.messages == []


def test_settings_errors_are_located_and_nothing_is_sent(project: Path, inbox: Inbox) -> None:
    config = project / "site_config.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("security: none", "security: ssl"), encoding="utf-8")
    result = partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV)
    line = text.splitlines().index("  security: none") + 1
    assert (result.returncode, result.stderr) == (1, (
        f"site_config.yml:{line}:13: notifications.security: expected one of [none, starttls, tls], got 'ssl'\n"
        "Aborted with 1 error\n"))
    config.write_text(text.replace("  from_address: academy@ostrova.example\n", ""), encoding="utf-8")
    result = partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV)
    assert (result.returncode, result.stderr) == (
        1, "Error: notifications.from_address is not set in site_config.yml: messages need a sender\n")
    both = partnerkit("notify", "--send", "--outbox", "out", cwd=project, env=ENV)
    assert (both.returncode, both.stderr) == (2, "Error: give --outbox or --send, not both\n")
    assert inbox.messages == []


# Worklist cases for steps-due and compliance (DAY is a Tuesday: its ISO week is 30 November to 6
# December; the last complete month is November 2026, the one before it October).
WORKLIST_CUSTOMERS = {  # customer id -> name, partner, segment, the rep owning the account
    "nw": ("Northwind Traders", "acme", "enterprise", "ann"),
    "co": ("Contoso Ltd", "acme", "smb", ""),
    "fa": ("Fabrikam Inc", "acme", "smb", "bo"),
    "gl": ("Globex Beta Customer", "beta", "smb", "eve"),
}
WORKLIST_CASES = {  # case id -> customer, procedure, steps (action, due, owner, ticked on)
    "case-nw": ("nw", "renewal-90-60-30", [("Call Northwind about renewal", "2026-12-02", "partner", None),
                                           ("Vendor sends the usage report", "2026-12-03", "vendor", None),
                                           ("Joint plan for Northwind", "2026-12-10", "shared", None),
                                           ("Health check for Northwind", "2026-11-10", "partner", None)]),
    "case-co": ("co", "at-risk-health", [("Review Contoso usage together", "2026-12-04", "shared", None),
                                         ("Note the Contoso score", "2026-12-01", "partner", "2026-11-30"),
                                         ("Call Contoso's admin", "2026-11-05", "partner", "2026-11-04"),
                                         ("Contoso October check", "2026-10-15", "partner", "2026-10-14")]),
    "case-fa": ("fa", "expansion-seat-usage", [("Offer Fabrikam more seats", "2026-12-05", "partner", None)]),
    "case-gl": ("gl", "renewal-90-60-30", [("Call Globex about renewal", "2026-12-03", "partner", None),
                                           ("Globex November check", "2026-11-12", "partner", "2026-11-10")]),
}
STEPS_DUE = "3 steps due this week on your accounts"
EXPECTED_WORKLISTS = sorted(EXPECTED + [
    ("ann@acme.example", STEPS_DUE), ("bo@acme.example", STEPS_DUE), ("mia@acme.example", STEPS_DUE),
    ("eve@beta.example", "1 step due this week on your accounts"),
    ("max@beta.example", "1 step due this week on your accounts"),
    ("mia@acme.example", "Acme Resellers: 50% of steps on time in November 2026"),
    ("pat@ostrova.example", "1 partner below 80% of steps on time"),
])


def seed_worklists(project: Path) -> None:
    """The cases above, stored as ``partnerkit worklists`` stores them, and their ticks on the given days."""
    from datetime import date

    from generator.store import worklists as records
    from generator.model.worklists import Case, CaseStep

    customers = {ident: records.CustomerInfo(name, partner, segment, rep)
                 for ident, (name, partner, segment, rep) in WORKLIST_CUSTOMERS.items()}
    cases = [Case(ident, customer, procedure, date(2026, 9, 1),
                  tuple(CaseStep(n, action, "-90d", date.fromisoformat(due), owner) for n, (action, due, owner, _) in enumerate(steps)))
             for ident, (customer, procedure, steps) in WORKLIST_CASES.items()]
    store = open_store(str(project / "private/events.sqlite"))
    try:
        def fill(tx):
            records.record_run(tx, date(2026, 9, 1), cases, {}, customers, {})
            for ident, (customer, _, steps) in WORKLIST_CASES.items():
                for n, (_, _, _, ticked) in enumerate(steps):
                    if ticked:
                        tx.execute("INSERT INTO worklist_ticks (case_id, step, partner, rep, ticked_at) VALUES (?, ?, ?, ?, ?)",
                                   (ident, n, WORKLIST_CUSTOMERS[customer][1], "bo", f"{ticked}T09:00:00+00:00"))
        store.run(fill).result()
    finally:
        store.close()


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_steps_due_and_compliance_reach_the_right_people_once(project: Path, inbox: Inbox) -> None:
    seed_worklists(project)
    result = partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV)
    assert result.returncode == 0, result.stderr
    assert inbox.received() == EXPECTED_WORKLISTS
    assert result.stdout.startswith("Sent 15 of 15 messages (certificate-expiry 2, whats-new 2, partner-tier 1,"
                                    " partner-certificates 1, key-people 1, tiers-at-risk 1, steps-due 5,"
                                    " partner-compliance 1, compliance-dropped 1)")
    again = partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV)
    assert again.returncode == 0, again.stderr
    assert again.stdout == "Sent 0 of 0 messages (nothing due); 15 sent before, 0 unsubscribed\n"
    later = partnerkit("notify", "--send", "--date", "2026-12-06", cwd=project, env=ENV)  # the same ISO week
    assert later.returncode == 0, later.stderr
    assert not [m for m in inbox.messages[15:] if m["X-Partnerkit-Kind"] in ("steps-due", "partner-compliance", "compliance-dropped")]
    steps = {parseaddr(m["To"])[1]: plain(m) for m in inbox.messages if m["X-Partnerkit-Kind"] == "steps-due"}
    ann = steps["ann@acme.example"]
    for seen in ("Call Northwind about renewal", "Review Contoso usage together", "Offer Fabrikam more seats", "Northwind Traders",
                 "2 December 2026 · Northwind Traders · Call Northwind about renewal (Partner, Renewal at 90, 60 and 30 days)",
                 "4 December 2026 · Contoso Ltd · Review Contoso usage together (Shared, At-risk account (health score below 60))",
                 "Tick them on My accounts: https://partners.ostrova.example/2.5/accounts/?pk="):
        assert seen in ann, seen
    for unseen in ("usage report", "Joint plan", "Health check", "Note the Contoso score", "Globex"):
        assert unseen not in ann, unseen  # the vendor's, next week's, last month's and ticked steps; another partner's
    token = ann.split("/2.5/accounts/?pk=", 1)[1].split()[0]
    assert f"Your personal link: https://partners.ostrova.example/?pk={token}" in ann
    for address, text in steps.items():  # nothing about another partner's customers
        own = {name for name, partner, _, _ in WORKLIST_CUSTOMERS.values() if partner == address.split("@")[1].split(".")[0]}
        other = {name for name, *_ in WORKLIST_CUSTOMERS.values()} - own
        assert all(name not in text for name in other), address
        assert any(name in text for name in own), address
    manager = next(plain(m) for m in inbox.messages if m["X-Partnerkit-Kind"] == "partner-compliance")
    assert "Of the 2 procedure steps Acme Resellers had due in November 2026, 1 were done on time (50%), below the 80% expected." in manager
    assert "- Renewal at 90, 60 and 30 days: 1 overdue of 1 due" in manager
    assert "At-risk account" not in manager and "Globex" not in manager
    vendor = next(plain(m) for m in inbox.messages if m["X-Partnerkit-Kind"] == "compliance-dropped")
    assert "- Acme Resellers: 50% (the month before: 100%)" in vendor and "Beta Partners" not in vendor


def test_own_accounts_only_and_the_threshold_are_followed(project: Path, inbox: Inbox) -> None:
    seed_worklists(project)
    config = project / "site_config.yml"
    text = config.read_text(encoding="utf-8").replace("  vendor_contacts:", "  compliance_below: 50\n  vendor_contacts:")
    config.write_text(text + "customers:\n  own_accounts_only: true\n", encoding="utf-8")
    result = partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV)
    assert result.returncode == 0, result.stderr
    steps = {parseaddr(m["To"])[1]: (m["Subject"], plain(m)) for m in inbox.messages if m["X-Partnerkit-Kind"] == "steps-due"}
    assert {address: subject.split(" ")[0] for address, (subject, _) in steps.items()} == {
        "ann@acme.example": "2", "bo@acme.example": "2", "mia@acme.example": "1", "eve@beta.example": "1"}  # Max owns no account
    assert "Fabrikam" not in steps["ann@acme.example"][1] and "Northwind" not in steps["bo@acme.example"][1]
    assert "Contoso" in steps["mia@acme.example"][1]  # no one owns it
    # 50 % is not below 50 %: no compliance messages
    assert not [m for m in inbox.messages if m["X-Partnerkit-Kind"] in ("partner-compliance", "compliance-dropped")]


def test_unsubscribing_from_steps_due_stops_only_that_kind(project: Path, inbox: Inbox) -> None:
    seed_worklists(project)
    assert partnerkit("notify", "--date", DAY, cwd=project, env=ENV).returncode == 0
    link = unsubscribe_link(project, "steps-due", "ann@acme.example")
    with unsubscribe_collector(project) as (base, _):
        local = link.replace("https://collect.partners.ostrova.example", base)
        assert "Stop e-mails about worklist steps due this week?" in httpx.get(local).text
        done = httpx.post(local, content=b"List-Unsubscribe=One-Click", headers=ONE_CLICK)
        assert done.status_code == 200, done.text
    result = partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("; 0 sent before, 1 unsubscribed\n")
    assert inbox.received() == [entry for entry in EXPECTED_WORKLISTS if entry != ("ann@acme.example", STEPS_DUE)]


def test_worklist_messages_in_japanese(project: Path, inbox: Inbox) -> None:
    seed_worklists(project)
    config = project / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: en", "language: ja"), encoding="utf-8")
    assert partnerkit("notify", "--send", "--date", DAY, cwd=project, env=ENV).returncode == 0
    received = {(m["X-Partnerkit-Kind"], parseaddr(m["To"])[1]): m for m in inbox.messages}
    ann = received[("steps-due", "ann@acme.example")]
    assert ann["Subject"] == "今週期限の手順が 3 件あります"
    assert "2026年12月2日 · Northwind Traders · Call Northwind about renewal（Partner、Renewal at 90, 60 and 30 days）" in plain(ann)
    assert received[("partner-compliance", "mia@acme.example")]["Subject"] == "Acme Resellers: 2026年11月の期限内実施率 50%"
    vendor = received[("compliance-dropped", "pat@ostrova.example")]
    assert vendor["Subject"] == "期限内実施率が 80% を下回ったパートナー 1 社"
    assert "- Acme Resellers: 50%（前月 100%）" in plain(vendor)
