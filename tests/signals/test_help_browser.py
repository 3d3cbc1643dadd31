""""Ask for help" from Chromium: a signed-in rep on a deal-stage page sends the form, sees it
acknowledged, and the request reaches the vendor contact's next digest; anonymous readers see no form."""

from __future__ import annotations

import email
import email.policy
from datetime import date, timedelta
from pathlib import Path

import pytest

from generator.identity import Rep, sign
from generator.collector.app import CollectorSettings
from generator.collector.help import HelpService, help_routes
from generator.commands.notify import notify
from generator.model.config import HelpSettings
from tests.analytics.conftest import KEYS, free_port, running_collector
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_beacon import REP_BROWSER, setup_site, wait_for
from tests.conftest import configure
from tests.signals.conftest import ISSUED

pytestmark = pytest.mark.browser

ROSTER = """partner_id,partner_name,rep_id,name,email,role,joined,left
acme,Acme Resellers,rep-7,Ana Ng,ana@acme.example,sales,2026-01-10,
"""


def test_ask_for_help_reaches_the_digest(minimal: Path, site_server, browser, tmp_path: Path, monkeypatch) -> None:
    modules = minimal / "content/modules.yml"
    modules.write_text(modules.read_text(encoding="utf-8").replace("minutes: 20\n", "minutes: 20\nstage: pricing\n"), encoding="utf-8")
    port = free_port()
    configure(minimal, notifications={"from_address": "academy@northwind.example",
                                      "vendor_contacts": [{"name": "Pat Ito", "email": "pat@northwind.example"}]})
    content = setup_site(minimal, site_server, port)
    (minimal / "private/roster.csv").write_text(ROSTER, encoding="utf-8")
    settings = CollectorSettings(content, [site_server.url.rstrip("/")], KEYS)
    token = sign(Rep("acme", "rep-7", ISSUED), KEYS)
    context = browser.new_context(user_agent=REP_BROWSER)
    page = context.new_page()
    with _collector(settings, minimal, port) as collector:
        page.goto(site_server.url + "modules/pricing/")
        page.wait_for_timeout(500)
        assert not page.get_by_text("Need help with this deal?").is_visible(), "anonymous readers see no form"
        page.goto(site_server.url + f"modules/pricing/?pk={token}")
        heading = page.get_by_role("heading", name="Need help with this deal?")
        heading.wait_for()
        assert heading.is_visible()
        assert serious_violations(page) == [], "the form itself passes axe-core"
        page.get_by_label("What is the deal about?").fill("A 40-seat renewal <b>at a retailer</b>")
        page.get_by_role("button", name="Ask for help").click()
        sent = page.get_by_text("Sent. Northwind's partner team will get back to you.")
        sent.wait_for()
        assert sent.is_visible()
        assert wait_for(lambda: collector.store.query("SELECT rep, text FROM help_requests")) == [
            ("rep-7", "A 40-seat renewal <b>at a retailer</b>")]
        page.goto(site_server.url + f"modules/product-basics/?pk={token}")
        page.wait_for_timeout(500)
        assert not page.get_by_text("Need help with this deal?").is_visible(), "pages without a deal stage have no form"
    context.close()
    monkeypatch.setenv("PARTNERKIT_TOKEN_KEYS", "k1:0123456789abcdef0123")
    result = notify(minimal, date.today() + timedelta(days=1), tmp_path / "outbox", False, False, None)
    (digest,) = [path for path in result.written if "deal-signals" in path.name]
    message = email.message_from_bytes(digest.read_bytes(), policy=email.policy.default)
    assert message["To"] == "Pat Ito <pat@northwind.example>"
    assert 'Ana Ng asks for help (Pricing | plans): "A 40-seat renewal <b>at a retailer</b>"' in message.get_body(("plain",)).get_content()
    assert "A 40-seat renewal &lt;b&gt;at a retailer&lt;/b&gt;" in message.get_body(("html",)).get_content()


def _collector(settings: CollectorSettings, root: Path, port: int):
    from generator.store.database import SqliteStore

    store = SqliteStore(root / "private/events.sqlite")
    return running_collector(settings, store, port, routes=help_routes(settings, HelpService(store, HelpSettings(), KEYS)))
