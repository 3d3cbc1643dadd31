"""The beacon in a real browser against a real collector: views counted the way reps read."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

from generator.collector.app import CollectorSettings
from generator.events import ContentIndex, read_content_index
from generator.identity import Rep, sign
from generator.commands.build import build
from tests.analytics.conftest import KEYS, free_port, running_collector
from tests.conftest import configure


def wait_for(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    return check()


def setup_site(minimal: Path, site_server, port: int) -> ContentIndex:
    configure(minimal, site_url=site_server.url, analytics={"endpoint": f"http://127.0.0.1:{port}/e"})
    build(minimal, site_server.folder)
    return read_content_index(minimal)


REP_BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
"""A rep's everyday browser: headless Chromium calls itself HeadlessChrome, which the bot filter refuses."""


def test_headless_browsers_are_refused_as_bots(minimal: Path, site_server, page, tmp_path: Path) -> None:
    port = free_port()
    content = setup_site(minimal, site_server, port)
    with running_collector(CollectorSettings(content, [site_server.url.rstrip("/")], KEYS), tmp_path / "e.sqlite", port) as collector:
        page.goto(site_server.url)
        assert wait_for(lambda: collector.rejected().get("bot")) == 1
        assert collector.stored() == []


def test_first_load_and_instant_navigation_count_anchors_and_scrolling_do_not(minimal: Path, site_server, browser, tmp_path: Path) -> None:
    context = browser.new_context(user_agent=REP_BROWSER, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    port = free_port()
    content = setup_site(minimal, site_server, port)
    origin = site_server.url.rstrip("/")
    token = sign(Rep("acme", "rep-7", date.today() - timedelta(days=30)), KEYS)
    with running_collector(CollectorSettings(content, [origin], KEYS), tmp_path / "e.sqlite", port) as collector:
        page.goto(site_server.url + f"?pk={token}")
        assert "pk=" not in page.url
        page.locator("article a", has_text="Product basics").first.click()
        page.wait_for_url(site_server.url + "modules/product-basics/")
        anchors = page.locator(".md-sidebar--secondary a.md-nav__link:visible").all()[:2]
        assert len(anchors) == 2
        for anchor in anchors:
            anchor.click()
        page.mouse.wheel(0, 2000)
        page.evaluate("history.replaceState(history.state, '', location.pathname + '#scrolled')")
        page.wait_for_timeout(1200)
        page.locator("article a", has_text="Sales starter path").first.click()
        page.wait_for_url(site_server.url + "paths/sales-start/")

        def views():
            return collector.store.query("SELECT content, partner, rep FROM events WHERE type = 'view' ORDER BY id")

        assert wait_for(lambda: len(views()) >= 3), (views(), collector.rejected(), collector.stored())
        time.sleep(0.5)
        assert views() == [
            ("home:index", "acme", "rep-7"),
            ("module:product-basics", "acme", "rep-7"),
            ("path:sales-start", "acme", "rep-7"),
        ]
        leaves = collector.store.query("SELECT content, engaged_ms, scroll FROM events WHERE type = 'leave' ORDER BY id")
        module_leave = [row for row in leaves if row[0] == "module:product-basics"]
        assert module_leave and module_leave[0][1] > 0, leaves
        assert collector.rejected() == {}
    context.close()


def test_do_not_track_sends_nothing(minimal: Path, site_server, browser, tmp_path: Path) -> None:
    port = free_port()
    content = setup_site(minimal, site_server, port)
    context = browser.new_context(user_agent=REP_BROWSER)
    context.add_init_script("Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => '1'})")
    page = context.new_page()
    with running_collector(CollectorSettings(content, [site_server.url.rstrip("/")], KEYS), tmp_path / "e.sqlite", port) as collector:
        page.goto(site_server.url)
        page.locator("article a", has_text="Product basics").first.click()
        page.wait_for_url(site_server.url + "modules/product-basics/")
        page.wait_for_timeout(1500)
        assert collector.stored() == []
    context.close()


def test_with_consent_nothing_is_sent_until_the_rep_accepts(minimal: Path, site_server, browser, tmp_path: Path) -> None:
    port = free_port()
    configure(minimal, site_url=site_server.url, analytics={"endpoint": f"http://127.0.0.1:{port}/e", "consent": True})
    build(minimal, site_server.folder)
    content = read_content_index(minimal)
    context = browser.new_context(user_agent=REP_BROWSER)
    page = context.new_page()
    with running_collector(CollectorSettings(content, [site_server.url.rstrip("/")], KEYS), tmp_path / "e.sqlite", port) as collector:
        page.goto(site_server.url + "modules/pricing/")
        banner = page.locator("[data-md-component=consent]")
        accept = banner.locator("button", has_text="Accept")
        accept.wait_for(state="visible")
        assert "View statistics" in banner.inner_text()
        page.wait_for_timeout(1000)
        assert collector.stored() == []
        accept.click()
        page.wait_for_load_state("load")
        assert wait_for(lambda: collector.stored()) == [("view", "module:pricing", "", "", "", 0, 0)]
    context.close()


def test_the_personal_link_is_remembered_without_cookies(minimal: Path, site_server, browser, tmp_path: Path) -> None:
    port = free_port()
    index = setup_site(minimal, site_server, port)
    context = browser.new_context(user_agent=REP_BROWSER)
    page = context.new_page()
    token = sign(Rep("acme", "rep-7", date.today() - timedelta(days=30)), KEYS)
    with running_collector(CollectorSettings(index, [site_server.url.rstrip("/")], KEYS), tmp_path / "e.sqlite", port) as collector:
        page.goto(site_server.url + f"modules/pricing/?pk={token}#price-list")
        assert page.url == site_server.url + "modules/pricing/#price-list"
        page.goto(site_server.url + "paths/sales-start/")  # a later visit: a full load, no ?pk=

        def views():
            return collector.store.query("SELECT content, partner, rep FROM events WHERE type = 'view' ORDER BY id")

        assert wait_for(lambda: len(views()) >= 2)
        assert views() == [("module:pricing", "acme", "rep-7"), ("path:sales-start", "acme", "rep-7")]
        assert context.cookies() == []
    context.close()


def test_the_beacon_stays_under_one_kilobyte_gzipped() -> None:
    import gzip

    from generator.render.site import PACKAGE_ASSETS_DIR, minified

    served = minified("beacon.js", (PACKAGE_ASSETS_DIR / "partnerkit" / "beacon.js").read_text(encoding="utf-8"))
    assert len(gzip.compress(served.encode(), 9)) <= 1024, "as the site serves it (minified)"
