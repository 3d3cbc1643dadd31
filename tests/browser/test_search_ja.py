"""Japanese search in a real browser: Material's search with lang ja (lunr + TinySegmenter)."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.commands.build import build
from tests.conftest import FIXTURES, configure

SEARCH_WORD = "解約率"
"""Appears in one module body of the Japanese fixture and on no other page."""
EXPECTED_PAGE = "modules/%E4%BE%A1%E6%A0%BC%E3%81%A8%E6%8A%95%E8%B3%87%E5%AF%BE%E5%8A%B9%E6%9E%9C/"


def test_japanese_word_finds_its_page(tmp_path: Path, site_server, page) -> None:
    project = tmp_path / "ja"
    shutil.copytree(FIXTURES / "ja", project)
    configure(project, site_url=site_server.url)
    build(project, site_server.folder)
    page.goto(site_server.url)
    assert page.locator("html").get_attribute("lang") == "ja"
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator(".md-search__input").fill(SEARCH_WORD)
    # Material reads the query on key events; Japanese text arrives through an IME, whose commit is
    # followed by key events. Playwright inserts non-ASCII text without any, so press a key as an IME would.
    page.locator(".md-search__input").press("End")
    # TinySegmenter splits the query into tokens and lunr matches any of them, so pages sharing one
    # character may follow; the page holding the whole word must come first.
    expected = site_server.url + EXPECTED_PAGE
    page.wait_for_function(
        "expected => { const first = document.querySelector('.md-search-result__item a');"
        " return first !== null && first.href.startsWith(expected); }",
        arg=expected, timeout=15000,
    )
    first = page.locator(".md-search-result__item").first
    assert "価格と投資対効果" in first.inner_text()
