"""Progress in a real browser: mark a module done, follow an instant-navigation link, see the bar move."""

from __future__ import annotations

from pathlib import Path

from generator.commands.build import build
from tests.conftest import configure


def test_mark_done_moves_the_path_progress_bar_and_survives_reload(minimal: Path, site_server, page) -> None:
    configure(minimal, site_url=site_server.url)
    build(minimal, site_server.folder)
    base = site_server.url
    page.goto(base + "modules/product-basics/")
    button = page.locator(".pk-done button")
    assert button.inner_text() == "Mark as done"
    assert button.is_enabled()
    button.click()
    assert button.inner_text() == "Done ✓"
    assert button.get_attribute("aria-pressed") == "true"

    page.evaluate("window.__samePageLoad = true")
    page.locator("article a", has_text="Sales starter path").click()
    page.wait_for_url(base + "paths/sales-start/")
    page.wait_for_function("document.querySelector('.pk-path-progress progress') !== null")
    assert page.evaluate("window.__samePageLoad") is True, "navigation was not instant"
    assert page.locator(".pk-path-progress progress").get_attribute("value") is not None
    page.wait_for_function("document.querySelector('.pk-path-progress progress').value === 1")
    assert page.locator(".pk-path-progress__label").inner_text() == "1 of 2 modules done"
    assert page.locator('.pk-module-state[data-pk-module="product-basics"]').inner_text() == "✓"

    page.reload()
    page.wait_for_function("document.querySelector('.pk-path-progress progress').value === 1")
    assert page.evaluate("window.__samePageLoad") is None
    assert page.locator(".pk-path-progress__label").inner_text() == "1 of 2 modules done"
    keys = page.evaluate("Object.keys(localStorage)")
    assert keys == ["partnerkit:done:product-basics"]


def test_unmarking_a_module_lowers_the_progress(minimal: Path, site_server, page) -> None:
    build(minimal, site_server.folder)
    base = site_server.url
    page.goto(base + "modules/pricing/")
    page.locator(".pk-done button").click()
    page.locator(".pk-done button").click()
    assert page.locator(".pk-done button").inner_text() == "Mark as done"
    page.goto(base + "paths/sales-start/")
    assert page.locator(".pk-path-progress__label").inner_text() == "0 of 2 modules done"
