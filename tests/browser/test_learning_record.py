"""The learner record as reps use it in Chromium: one personal link on two devices (two browser
contexts) converges; with the collector stopped, marking done still works without a console error
and reaches the collector when it is back; another rep's link sees none of it; an anonymous reader's
pages are what they were."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from generator.analytics.events import read_content_index
from generator.analytics.identity import Rep, Roster, sign
from generator.analytics.store import SqliteStore
from generator.collector.app import CollectorSettings
from generator.collector.learning import LearningService, learning_routes
from generator.commands.build import build
from tests.analytics.conftest import KEYS, free_port, running_collector
from tests.browser.test_beacon import REP_BROWSER
from tests.conftest import configure

pytestmark = pytest.mark.browser

ROSTER = ("partner_id,partner_name,rep_id,name,email,role,joined,left\n"
          "acme,Acme Resellers,rep-7,Aiko Tanaka,aiko@acme.example,sales,2026-01-05,\n"
          "acme,Acme Resellers,rep-8,Ben Ito,ben@acme.example,sales,2026-01-05,\n")
ISSUED = datetime.now(timezone.utc) - timedelta(days=1)


def link(rep: str) -> str:
    return sign(Rep("acme", rep, ISSUED), KEYS)


def serve(minimal: Path, site_server, port: int):
    """The collector with the learner record, on ``port``, storing in the project's events file."""
    roster = Roster(minimal, minimal / "private/roster.csv")
    settings = CollectorSettings(read_content_index(minimal), [site_server.url.rstrip("/")], KEYS, roster=roster)
    store = SqliteStore(minimal / "private/events.sqlite")
    return running_collector(settings, store, port, routes=learning_routes(settings, LearningService(store, roster.entries)))


@pytest.fixture
def site(minimal: Path, site_server):
    port = free_port()
    configure(minimal, site_url=site_server.url, analytics={"endpoint": f"http://127.0.0.1:{port}/e"})
    (minimal / "private").mkdir(exist_ok=True)
    (minimal / "private/roster.csv").write_text(ROSTER)
    build(minimal, site_server.folder)
    return minimal, site_server, port


def progress_label(page) -> str:
    return page.locator(".pk-path-progress__label").first.inner_text()


def synced(page) -> None:
    """Wait until no change is waiting to be sent."""
    page.wait_for_function("(() => { const p = JSON.parse(localStorage.getItem('partnerkit:pending') || 'null');"
                           " return p && Object.keys(p.modules).length === 0; })()")


def test_two_devices_with_one_link_converge_and_other_readers_see_nothing(site, browser) -> None:
    minimal, site_server, port = site
    base = site_server.url
    with serve(minimal, site_server, port):
        laptop = browser.new_context(user_agent=REP_BROWSER).new_page()
        laptop.goto(base + f"modules/product-basics/?pk={link('rep-7')}")
        laptop.get_by_role("button", name="Mark as done").click()
        assert laptop.get_by_role("button", name="Done ✓").is_visible()
        next_step = laptop.locator(".pk-next-step")
        assert next_step.inner_text() == "Next: Pricing | plans" and next_step.get_by_role("link").is_visible()
        synced(laptop)

        phone = browser.new_context(user_agent=REP_BROWSER, viewport={"width": 390, "height": 844}).new_page()
        phone.goto(base + f"paths/sales-start/?pk={link('rep-7')}")
        phone.wait_for_function("document.querySelector('.pk-path-progress__label').textContent.startsWith('1 of 2')")
        assert progress_label(phone) == "1 of 2 modules done"
        # the phone un-marks it; the laptop, reloaded, follows
        phone.goto(base + "modules/product-basics/")
        phone.get_by_role("button", name="Done ✓").click()
        synced(phone)
        laptop.goto(base + "paths/sales-start/")
        laptop.wait_for_function("document.querySelector('.pk-path-progress__label').textContent.startsWith('0 of 2')")

        other = browser.new_context(user_agent=REP_BROWSER).new_page()
        other.goto(base + f"modules/pricing/?pk={link('rep-8')}")
        other.get_by_role("button", name="Mark as done").click()
        synced(other)
        laptop.reload()
        laptop.wait_for_timeout(500)
        assert progress_label(laptop) == "0 of 2 modules done", "another rep's progress is theirs"

        anonymous = browser.new_context(user_agent=REP_BROWSER).new_page()
        anonymous.goto(base)
        assert progress_label(anonymous) == "0 of 2 modules done"
        assert anonymous.evaluate("Object.keys(localStorage)") == []
        anonymous.goto(base + "modules/pricing/")
        anonymous.get_by_role("button", name="Mark as done").click()
        assert anonymous.evaluate("Object.keys(localStorage)") == ["partnerkit:done:pricing"], "browser-only, as before"
    rows = SqliteStore(minimal / "private/events.sqlite")
    try:
        assert rows.query("SELECT rep, module, done FROM learning_modules ORDER BY rep, module") == [
            ("rep-7", "product-basics", 0), ("rep-8", "pricing", 1)]
    finally:
        rows.close()


def test_marking_done_with_the_collector_stopped_works_and_syncs_when_it_returns(site, browser) -> None:
    minimal, site_server, port = site
    base = site_server.url
    page = browser.new_context(user_agent=REP_BROWSER).new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + f"modules/product-basics/?pk={link('rep-7')}")  # no collector listening
    page.get_by_role("button", name="Mark as done").click()
    assert page.get_by_role("button", name="Done ✓").is_visible()
    page.goto(base + "paths/sales-start/")
    assert progress_label(page) == "1 of 2 modules done"
    page.wait_for_timeout(500)
    # Chromium logs each refused connection itself ("Failed to load resource"); no script error, nothing else
    script_errors = [error for error in errors if "net::ERR_CONNECTION_REFUSED" not in error]
    assert script_errors == []
    with serve(minimal, site_server, port) as collector:
        page.reload()
        synced(page)
        assert collector.store.query("SELECT rep, module, done FROM learning_modules") == [("rep-7", "product-basics", 1)]
    assert progress_label(page) == "1 of 2 modules done"
