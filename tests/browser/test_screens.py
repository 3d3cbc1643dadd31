"""Every page type of a versioned site as a person sees it, at 1280 and 390 px: no console error (the
theme's outdated-release snippet included), nothing wider than a phone, no text under the sticky header
or player; each screen written as a PNG for a person to look at (``$PARTNERKIT_SCREENSHOTS`` or a folder
under pytest's temporary directory)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.example_pages import CURRENT, EARLIER, PAGE_TYPES, served_versioned_example
from tests.browser.screens import OVERLAPS, PAGE_WIDTH, wait_until_still

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
BACK_TO_TOP_GONE = """() => [...document.querySelectorAll(".md-top")].every(
  (button) => !button.checkVisibility({ opacityProperty: true, visibilityProperty: true }))"""
"""Material's back-to-top button, shown while a reader scrolls up, has faded out (at the top of the page)."""


@pytest.fixture(scope="module")
def versioned_example(tmp_path_factory):
    with served_versioned_example(tmp_path_factory.mktemp("versioned")) as url:
        yield url


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    chosen = os.environ.get("PARTNERKIT_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _opened(browser, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return context, page, problems


@pytest.mark.parametrize("release", [EARLIER, CURRENT])
def test_no_versioned_page_logs_an_error(versioned_example: str, browser, release: str) -> None:
    context, page, problems = _opened(browser, 1280)
    try:
        for page_type, address in PAGE_TYPES.items():
            page.goto(f"{versioned_example}{release}/{address}")
            page.wait_for_load_state("networkidle")
            assert problems == [], f"{page_type}: {problems}"
        banner = page.locator("[data-md-component=outdated]")
        if release == EARLIER:
            banner.wait_for(state="visible")
            words = " ".join(banner.inner_text().split())
            assert words == f"You are viewing an earlier release: {EARLIER} (Oct 2026). Go to the current release"
        else:
            assert banner.is_hidden()
        page.goto(f"{versioned_example}{release}/")
        assert page.title() == "Ostrova Partner Academy", "the home page names the site once"
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_type_fits_the_screen_with_no_text_under_sticky_parts(
        versioned_example: str, browser, screenshots: Path, width: int) -> None:
    context, page, problems = _opened(browser, width)
    found: dict[str, list[str]] = {}
    try:
        for page_type, address in PAGE_TYPES.items():
            page.goto(f"{versioned_example}{EARLIER}/{address}")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(200)
            name = page_type.replace(" ", "-")
            page.screenshot(path=str(screenshots / f"{name}-{width}.png"), full_page=True)
            wide = page.evaluate(PAGE_WIDTH)
            if wide > width:
                found.setdefault(page_type, []).append(f"{wide} px wide")
            found.setdefault(page_type, []).extend(page.evaluate(OVERLAPS, None))
            headings = page.locator("article h2[id], article h3[id]")
            if headings.count():
                target = headings.nth(headings.count() // 2).get_attribute("id")  # one the page can scroll to the top
                page.evaluate("() => window.scrollTo(0, 0)")  # a reader following a link from the top: scrolling down,
                wait_until_still(page)                           # so Material's back-to-top button is not shown ...
                page.wait_for_function(BACK_TO_TOP_GONE)
                page.evaluate("id => { location.hash = id; }", target)
                wait_until_still(page)
                # On a slow machine the theme can take the jump for two scrolls, the second a step up, and float its
                # back-to-top button in, over the text as it always floats: the question here is the sticky parts.
                found[page_type].extend(f"after #{target}: {text}" for text in page.evaluate(OVERLAPS, f"[id='{target}']")
                                        if not text.endswith(" under button.md-top.md-icon"))
            if width == WIDTHS[-1] and page_type in ("home", "talk"):
                assert page.locator(".md-header__topic").first.evaluate(
                    "topic => topic.querySelector('.md-ellipsis').scrollWidth <= topic.querySelector('.md-ellipsis').clientWidth"), \
                    "the site's name is not cut short"
        assert {page_type: issues for page_type, issues in found.items() if issues} == {}
        assert problems == []
    finally:
        context.close()
