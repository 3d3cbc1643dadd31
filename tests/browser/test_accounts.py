""""My accounts" as a rep and the vendor use it: open from the personal link, tick a step, reload:
still ticked; the vendor's view shows the tick and the note. No customer data is in the built site."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from generator.collector.app import CollectorSettings
from generator.events import read_content_index
from generator.identity import Rep, Roster, sign
from generator.store.database import SqliteStore
from generator.collector.worklists import worklist_routes
from generator.commands.build import build
from generator.collector.worklists import worklist_service
from generator.commands.worklists import worklists
from generator.load.config import load_config
from tests.analytics.conftest import KEYS, free_port, running_collector
from tests.browser.screens import keep_screenshot
from tests.browser.test_beacon import REP_BROWSER
from tests.conftest import configure

TODAY = datetime.now(timezone.utc).date()
ROSTER = ("partner_id,partner_name,rep_id,name,email,role,joined,left\n"
          "acme,Acme Resellers,rep-7,Aiko Tanaka,aiko@acme.example,sales,2026-01-05,\n"
          "vendor,Example Vendor,val,Val Vendor,val@vendor.example,vendor,2026-01-05,\n")
ISSUED = datetime.now(timezone.utc) - timedelta(days=1)


def test_a_rep_ticks_a_step_and_the_vendor_sees_the_tick_and_the_note(minimal: Path, site_server, browser) -> None:
    port = free_port()
    configure(minimal, site_url=site_server.url, analytics={"endpoint": f"http://127.0.0.1:{port}/e"})
    (minimal / "private").mkdir(exist_ok=True)
    (minimal / "private/roster.csv").write_text(ROSTER)
    renewal = (TODAY + timedelta(days=65)).isoformat()
    later = (TODAY + timedelta(days=85)).isoformat()
    (minimal / "private/customers.csv").write_text(
        "customer_id,name,partner_id,segment,renewal_date\n"
        f"c-2,Ashgrove Dairy,acme,mid-market,{later}\nc-1,Zephyrine Lumber Co,acme,mid-market,{renewal}\n")
    worklists(minimal, None, None)
    build(minimal, site_server.folder)
    for path in site_server.folder.rglob("*"):
        if path.is_file():
            assert b"Zephyrine" not in path.read_bytes(), f"customer data in {path}"

    store = SqliteStore(minimal / "private/events.sqlite")
    roster = Roster(minimal, minimal / "private/roster.csv")
    settings = CollectorSettings(read_content_index(minimal), [site_server.url.rstrip("/")], KEYS, roster=roster)
    service = worklist_service(store, load_config(minimal), {}, roster)
    rep_token = sign(Rep("acme", "rep-7", ISSUED), KEYS)
    vendor_token = sign(Rep("vendor", "val", ISSUED), KEYS)
    with running_collector(settings, store, port, routes=worklist_routes(settings, service)):
        context = browser.new_context(user_agent=REP_BROWSER, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(site_server.url + f"accounts/?pk={rep_token}")
        case = page.locator(".pk-accounts-case")
        case.first.wait_for()
        assert page.get_by_role("status").first.inner_text() == "Signed in as Aiko Tanaka."
        assert page.locator(".pk-accounts-case h2").all_inner_texts() == ["Zephyrine Lumber Co", "Ashgrove Dairy"], \
            "the case with a step due this week first"
        case = case.first
        summary = page.locator(".pk-accounts-summary")
        assert summary.inner_text() == "0 overdue, 1 due this week"
        review = case.get_by_label("Hold a value review", exact=False)
        assert review.is_visible() and not review.is_checked()
        assert case.get_by_label("Review the account's health score", exact=False).is_disabled(), "the vendor's step"
        late = (TODAY + timedelta(days=65 - 90)).isoformat()
        vendors = case.locator("li.pk-step", has_text="Review the account's health score")
        assert vendors.locator("> label").inner_text().startswith(f"Overdue since {late} · ")
        assert vendors.locator(".pk-accounts-theirs").inner_text() == "Northwind's step"
        red = "rgb(183, 28, 28)"
        tag = "node => getComputedStyle(node).backgroundColor"
        assert vendors.locator(".pk-accounts-when").evaluate(tag) != red, "the vendor's overdue step is not the rep's alarm"
        step = case.locator("li.pk-step", has_text="Hold a value review")
        assert step.locator(".pk-accounts-when").inner_text() == f"Due {(TODAY + timedelta(days=65 - 60)).isoformat()}"
        assert step.locator(".pk-accounts-when").evaluate(tag) == "rgb(255, 243, 224)", "due this week: amber"
        keep_screenshot(page, "accounts-rep-before-tick")

        review.check()
        # The step's state changes at once, no reload: its tag says done, the summary counts it out.
        step.locator(".pk-accounts-when", has_text="Done").wait_for()
        assert "Done by Aiko Tanaka" in step.inner_text()
        assert summary.inner_text() == "Nothing overdue or due this week."
        assert case.locator("li.pk-step", has_text="Hold a value review").evaluate("li => li.className") == "pk-step pk-step--done"

        # Checklist lines are tickable and keep their ticks (in this browser).
        checklist_line = vendors.get_by_label("Note the top risks")
        checklist_line.check()
        page.get_by_label("Note for", exact=False).first.fill("Champion left in November")
        page.get_by_role("button", name="Add note").first.click()
        page.locator(".pk-accounts-notes li").first.wait_for()
        assert page.locator(".pk-accounts-note-state").first.inner_text() == "Saved."
        keep_screenshot(page, "accounts-rep-after-tick")

        page.goto(site_server.url + "accounts/")  # the link's token is remembered
        page.locator(".pk-accounts-case").first.wait_for()
        zephyrine = page.locator(".pk-accounts-case", has_text="Zephyrine")
        assert page.locator(".pk-accounts-case h2").all_inner_texts() == ["Ashgrove Dairy", "Zephyrine Lumber Co"], \
            "nothing of the rep's is open at Zephyrine any more: it moves down"
        assert zephyrine.get_by_label("Hold a value review", exact=False).is_checked()
        assert zephyrine.get_by_label("Note the top risks").is_checked()
        assert not zephyrine.get_by_label("Open the health dashboard").is_checked()
        assert "Done by Aiko Tanaka" in zephyrine.locator(".pk-accounts-steps").inner_text()
        context.close()

        vendor = browser.new_context(user_agent=REP_BROWSER).new_page()
        vendor.goto(site_server.url + f"accounts/?pk={vendor_token}")
        vendor.locator(".pk-accounts-case").first.wait_for()
        assert vendor.locator("h2").all_inner_texts() == ["Zephyrine Lumber Co · Acme Resellers", "Ashgrove Dairy · Acme Resellers"]
        assert vendor.locator(".pk-accounts-summary").inner_text() == "2 overdue, 0 due this week"
        mine = vendor.locator(".pk-accounts-case").first.locator("li.pk-step", has_text="Review the account's health score")
        assert mine.locator(".pk-accounts-when").evaluate(tag) == red, "the vendor's own overdue step in red"
        shared = vendor.get_by_label("Hold a value review", exact=False).first
        assert shared.is_checked() and not shared.is_disabled()
        assert "Done by Aiko Tanaka" in vendor.locator(".pk-accounts-steps").first.inner_text()
        assert "Aiko Tanaka" in vendor.locator(".pk-accounts-notes").first.inner_text()
        assert "Champion left in November" in vendor.locator(".pk-accounts-notes").first.inner_text()

        anonymous = browser.new_context(user_agent=REP_BROWSER).new_page()
        anonymous.goto(site_server.url + "accounts/")
        anonymous.get_by_text("Open this page from your personal link to see your accounts.").wait_for()
        assert anonymous.locator(".pk-accounts-case").count() == 0
