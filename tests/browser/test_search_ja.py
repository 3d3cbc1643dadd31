"""Japanese search in a real browser: Material's search with lang ja (lunr + TinySegmenter)."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.commands.build import build
from tests.conftest import FIXTURES, configure

SEARCH_WORD = "キャッシュフロー"
"""Appears in the body of one module of the Japanese fixture and on no other page."""
EXPECTED_PAGE = "modules/%E4%BE%A1%E6%A0%BC%E3%81%A8%E6%8A%95%E8%B3%87%E5%AF%BE%E5%8A%B9%E6%9E%9C/"
"""modules/価格と投資対効果/: a page whose file name is Japanese."""


def test_japanese_word_finds_its_page(tmp_path: Path, site_server, page) -> None:
    project = tmp_path / "ja"
    shutil.copytree(FIXTURES / "ja", project)
    configure(project, site_url=site_server.url)
    build(project, site_server.folder)
    page.goto(site_server.url)
    assert page.locator("html").get_attribute("lang") == "ja"
    search = page.locator(".md-search__input")
    search.click()
    search.fill(SEARCH_WORD)
    # Material reads the query on key events; Japanese text arrives through an IME, whose commit is
    # followed by key events. Playwright inserts non-ASCII text without any, so press a key as an IME would.
    search.press("End")
    meta = page.locator(".md-search-result__meta")
    page.wait_for_function("() => document.querySelector('.md-search-result__meta').innerText === '1件見つかりました'", timeout=15000)
    assert meta.inner_text() == "1件見つかりました"
    hrefs = page.locator(".md-search-result__item a").evaluate_all("links => links.map(link => link.href)")
    assert hrefs and all(href.startswith(site_server.url + EXPECTED_PAGE) for href in hrefs), hrefs
    assert SEARCH_WORD in page.locator(".md-search-result__item mark").first.inner_text()


def test_japanese_headings_break_between_phrases_and_digits_use_the_japanese_font(tmp_path: Path, site_server, browser) -> None:
    from generator.render.phrases import phrases

    project = tmp_path / "ja"
    shutil.copytree(FIXTURES / "ja", project)
    configure(project, site_url=site_server.url)
    build(project, site_server.folder)
    page = browser.new_context(viewport={"width": 390, "height": 900}).new_page()
    from urllib.parse import quote

    page.goto(site_server.url + "paths/" + quote("営業オンボーディング") + "/")
    heading = page.locator("article h1")
    text = heading.inner_text()
    assert text.startswith("営業担当者オンボーディング")
    assert heading.evaluate("h => h.querySelectorAll('wbr').length") == len(phrases("営業担当者オンボーディング")) - 1
    # Where each rendered line starts: only ever at the start of a phrase (never inside a word).
    starts = heading.evaluate("""h => {
      const text = [...h.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('');
      const starts = []; let top = null, at = 0;
      for (const node of h.childNodes) {
        if (node.nodeType !== 3) continue;
        for (let i = 0; i < node.textContent.length; i++, at++) {
          const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
          const rect = range.getClientRects()[0];
          if (rect && top !== null && rect.top > top + 2) starts.push(at);
          if (rect) top = rect.top;
        }
      }
      return starts;
    }""")
    boundaries, at = set(), 0
    for part in phrases("営業担当者オンボーディング"):
        at += len(part)
        boundaries.add(at)
    assert set(starts) <= boundaries, (starts, boundaries)
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.startswith('"Hiragino Sans"'), "digits beside kanji come from the Japanese font"
