"""The deal_signals digest over a real SMTP server (aiosmtpd on 127.0.0.1): evaluated inside notify,
to each vendor contact (of the partner) and, when asked, the partner's managers; once; in English and Japanese."""

from __future__ import annotations

from datetime import date
from email.utils import parseaddr
from pathlib import Path

import pytest

from generator.store.database import SqliteStore
from generator.commands.notify import notify
from tests.cli.test_notify import Inbox, inbox  # noqa: F401  (the real SMTP server fixture)
from tests.conftest import configure
from tests.signals.test_known_answers import ROI, SALES, histories
from generator.events import write_content_index

pytestmark = pytest.mark.integration

ROSTER = """partner_id,partner_name,rep_id,name,email,role,joined,left
acme,Acme Resellers,ana,Ana Ng,ana@acme.example,sales,2026-01-10,
acme,Acme Resellers,ben,Ben Oh,ben@acme.example,sales,2026-01-10,
acme,Acme Resellers,eve,Eve Gray,eve@acme.example,sales,2026-01-10,
acme,Acme Resellers,mia,Mia Fox,mia@acme.example,manager,2026-01-10,
bolt,Bolt Partners,cai,Cai Dahl,cai@bolt.example,sales,2026-01-10,
bolt,Bolt Partners,dee,Dee Eng,dee@bolt.example,sales,2026-01-10,
"""


@pytest.fixture
def project(minimal: Path, inbox: Inbox, monkeypatch) -> Path:  # noqa: F811
    monkeypatch.setenv("PARTNERKIT_TOKEN_KEYS", "k1:0123456789abcdef0123")
    configure(minimal, analytics={"endpoint": "https://collect.partners.test/e"}, notifications={
        "host": "127.0.0.1", "port": inbox.port, "security": "none", "from_address": "academy@northwind.example",
        "deal_signals_to_managers": True,
        "vendor_contacts": [{"name": "Pat Ito", "email": "pat@northwind.example"},
                            {"name": "Kim Lee", "email": "kim@northwind.example", "partners": ["bolt"]}]})
    write_content_index(minimal, {"module:pricing": "Pricing", "module:rivals": "Rivals", "module:proposal": "Proposals",
                                  "module:basics": "Basics"}, [],
                        stages={"module:pricing": ["pricing"], "module:rivals": ["competition"], "module:proposal": ["proposal"]},
                        resources={"module:pricing": {ROI: {"title": "ROI calculator", "stage": "pricing"}}})
    (minimal / "private/sales.csv").write_text(SALES, encoding="utf-8")
    (minimal / "private/roster.csv").write_text(ROSTER, encoding="utf-8")
    store = SqliteStore(minimal / "private/events.sqlite")
    store.write(histories()).result()
    store.close()
    return minimal


def signals_mail(inbox: Inbox) -> list[tuple[str, str]]:  # noqa: F811
    return sorted((parseaddr(m["To"])[1], m["Subject"]) for m in inbox.messages if m["X-Partnerkit-Kind"] == "deal-signals")


def test_the_digest_reaches_each_contact_once_with_what_was_read(project: Path, inbox: Inbox) -> None:  # noqa: F811
    notify(project, date(2026, 11, 2), None, True, False, None)
    assert signals_mail(inbox) == [("kim@northwind.example", "Deal signals: 2 to act on from 1 November 2026"),
                                   ("pat@northwind.example", "Deal signals: 2 to act on from 1 November 2026")]
    inbox.messages.clear()
    notify(project, date(2026, 11, 2), None, True, False, None)
    assert signals_mail(inbox) == [], "sent once"
    notify(project, date(2026, 11, 5), None, True, False, None)
    assert signals_mail(inbox) == [("mia@acme.example", "Deal signals: 1 to act on from 4 November 2026"),
                                   ("pat@northwind.example", "Deal signals: 1 to act on from 4 November 2026")]
    pat = next(m for m in inbox.messages if parseaddr(m["To"])[1] == "pat@northwind.example" and m["X-Partnerkit-Kind"] == "deal-signals")
    text = pat.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Acme Resellers\n- Ana Ng read Rivals (3 November 2026), Pricing (4 November 2026), ROI calculator (4 November 2026)" in text
    assert "Suggested: Call the rep today and offer help with the deal" in text
    assert "List-Unsubscribe" not in pat, "vendor contacts are configured, not on the roster"
    mia = next(m for m in inbox.messages if parseaddr(m["To"])[1] == "mia@acme.example" and m["X-Partnerkit-Kind"] == "deal-signals")
    assert mia["List-Unsubscribe"].startswith("<https://collect.partners.test/unsubscribe?t=")
    assert "Bolt" not in mia.get_body(("plain",)).get_content(), "a manager hears only of their own partner"


def test_a_dry_run_records_no_signal(project: Path, inbox: Inbox) -> None:  # noqa: F811
    result = notify(project, date(2026, 11, 2), None, False, True, None)
    assert [message.kind for message in result.due].count("deal-signals") == 2
    store = SqliteStore(project / "private/events.sqlite")
    assert store.query("SELECT COUNT(*) FROM signals_raised") == [(0,)]
    store.close()


def test_japanese_digest(project: Path, inbox: Inbox) -> None:  # noqa: F811
    configure(project, language="ja")
    notify(project, date(2026, 11, 7), None, True, False, None)  # 6 November: Ben came back to pricing
    (pat,) = [m for m in inbox.messages if parseaddr(m["To"])[1] == "pat@northwind.example" and m["X-Partnerkit-Kind"] == "deal-signals"]
    assert pat["Subject"] == "商談の兆し: 1 件（2026年11月6日）"
    text = pat.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Ben Oh: Pricing（2026年11月6日）（前回は 2026年10月10日）" in text
    assert "提案: 価格の見直しの相談を申し出てください。" in text


def test_requests_for_help_reach_the_partners_contact_escaped(project: Path, inbox: Inbox) -> None:  # noqa: F811
    from generator.store import signals as store_signals

    store = SqliteStore(project / "private/events.sqlite")
    request = store_signals.HelpRequest("h1", "bolt", "cai", "module:pricing", "", "2026-11-09", "2026-11-09T10:00:00.000+00:00",
                                        "<script>alert(1)</script> 40 seats", None)
    store.run(lambda tx: store_signals.ask_for_help(tx, request, 3)).result()
    store.close()
    notify(project, date(2026, 11, 10), None, True, False, None)
    assert signals_mail(inbox) == [("kim@northwind.example", "Deal signals: 1 to act on from 9 November 2026"),
                                   ("pat@northwind.example", "Deal signals: 1 to act on from 9 November 2026")]
    kim = next(m for m in inbox.messages if parseaddr(m["To"])[1] == "kim@northwind.example" and m["X-Partnerkit-Kind"] == "deal-signals")
    text = kim.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert '- Cai Dahl asks for help (Pricing): "<script>alert(1)</script> 40 seats"\n  Once answered: https://collect.partners.test/help/answered?t=' in text
    html = kim.get_body(("html",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 40 seats" in html and "<script>" not in html
