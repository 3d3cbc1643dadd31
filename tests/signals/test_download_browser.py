"""A rep clicks a resource download in Chromium: the collector stores it as an event of the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.identity import Rep, sign
from generator.collector.app import CollectorSettings
from tests.analytics.conftest import KEYS, free_port, running_collector
from tests.browser.test_beacon import REP_BROWSER, setup_site, wait_for
from tests.signals.conftest import ISSUED

pytestmark = pytest.mark.browser


def test_clicking_a_resource_download_is_stored(minimal: Path, site_server, browser, tmp_path: Path) -> None:
    context = browser.new_context(user_agent=REP_BROWSER, accept_downloads=True)
    page = context.new_page()
    port = free_port()
    content = setup_site(minimal, site_server, port)
    roi = next(ident for ident, resource in content.resources["module:product-basics"].items() if resource.title == "ROI calculator")
    token = sign(Rep("acme", "rep-7", ISSUED), KEYS)
    with running_collector(CollectorSettings(content, [site_server.url.rstrip("/")], KEYS), tmp_path / "e.sqlite", port) as collector:
        page.goto(site_server.url + f"modules/product-basics/?pk={token}")
        link = page.get_by_role("link", name="ROI calculator")
        assert link.is_visible()
        with page.expect_download():
            link.click()

        def downloads():
            return collector.store.query("SELECT content, target, partner, rep FROM events WHERE type = 'download'")

        assert wait_for(downloads) == [("module:product-basics", roi, "acme", "rep-7")], collector.rejected()
    context.close()
