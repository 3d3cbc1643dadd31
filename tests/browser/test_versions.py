"""Material's own version selector against partnerkit's versioned output, in a real browser (built by
MkDocs and by Zensical, whose theme carries the same selector)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from generator.commands.build import build
from tests.conftest import configure, require_tool
from tests.test_releases_build import repo  # noqa: F401  (fixture)


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_selector_outdated_banner_and_root_redirect(repo: Path, site_server, page, engine: str) -> None:  # noqa: F811
    require_tool(importlib.util.find_spec(engine) is not None, engine.capitalize(), 'pip install -e ".[test]"')
    configure(repo, site_url=site_server.url, engine=engine)
    build(repo, site_server.folder)
    base = site_server.url

    page.goto(base + "2/modules/pricing/")
    assert page.locator(".md-version__current").inner_text() == "2 (Nov 2026)"
    assert page.locator("[data-md-component=outdated]").is_hidden()
    listed = page.locator(".md-version__list .md-version__link").all_inner_texts()
    assert [text.split("\n")[0] for text in listed] == ["2 (Nov 2026)", "1"], "hidden releases stay out of the selector"
    page.locator(".md-version").hover()
    page.locator(".md-version__list .md-version__link", has_text="1").first.click()
    page.wait_for_url(base + "1/modules/pricing/")
    assert "20 min" in page.locator("article").inner_text()

    banner = page.locator("[data-md-component=outdated]")
    banner.wait_for(state="visible")
    assert "You are viewing an earlier release: 1." in banner.inner_text()
    banner.locator("a").click()
    page.wait_for_url(base + "2/")

    page.goto(base + "?utm_source=mail#learning-paths")
    page.wait_for_url(base + "2/?utm_source=mail#learning-paths")
