"""The navigation's shape: every page listed up to ``nav_section_limit`` pages a section, then only the
section's index (its pages still built, listed there and on learning paths, declared ``not_in_nav``)."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from generator.commands.build import build
from generator.pipeline import render_project
from tests.conftest import content_errors


def _limit(root: Path, limit: int) -> None:
    with (root / "site_config.yml").open("a") as config:
        config.write(f"nav_section_limit: {limit}\n")


def _section(nav: list, title: str) -> list:
    return next(entry[title] for entry in nav if title in entry)


def _primary_nav_links(page: Path) -> set[str]:
    tree = lxml.html.fromstring(page.read_text(encoding="utf-8"))
    return {link.get("href") for link in tree.xpath(
        "//nav[contains(@class, 'md-nav--primary')]//a[contains(@class, 'md-nav__link')]")}


def test_a_small_site_lists_every_page(minimal: Path) -> None:
    _, rendered = render_project(minimal)
    config = rendered.mkdocs_config
    assert _section(config["nav"], "Modules") == [
        "modules/index.md", {"Product basics": "modules/product-basics.md"}, {"Pricing | plans": "modules/pricing.md"},
    ]
    assert "not_in_nav" not in config


def test_a_section_above_the_limit_shows_its_index_only(minimal: Path) -> None:
    _limit(minimal, 1)
    _, rendered = render_project(minimal)
    config = rendered.mkdocs_config
    assert [next(iter(entry)) for entry in config["nav"]] == [
        "Home", "Learning paths", "Modules", "Customer-success procedures", "Who does what", "Campaigns",
        "Quizzes and certification",
    ]
    assert _section(config["nav"], "Modules") == ["modules/index.md"]
    assert _section(config["nav"], "Learning paths") == ["paths/index.md", {"Sales starter path": "paths/sales-start.md"}]
    assert config["not_in_nav"] == "/modules/*"
    assert {"docs/modules/product-basics.md", "docs/modules/pricing.md"} <= set(rendered.pages)


def test_pages_left_out_of_the_nav_are_built_and_reachable(minimal: Path) -> None:
    _limit(minimal, 1)
    build(minimal, minimal / "site")  # --strict: a page outside the nav is no warning
    site = minimal / "site"
    module_page = site / "modules/pricing/index.html"
    assert module_page.is_file()
    links = _primary_nav_links(module_page)
    assert "../" in links and "../../paths/sales-start/" in links
    assert not any("product-basics" in link or "pricing" in link for link in links)
    index = lxml.html.fromstring((site / "modules/index.html").read_text(encoding="utf-8"))
    assert {"product-basics/", "pricing/"} <= set(index.xpath("//article//a/@href"))
    path = lxml.html.fromstring((site / "paths/sales-start/index.html").read_text(encoding="utf-8"))
    assert "../../modules/pricing/" in set(path.xpath("//article//a/@href"))
    assert (site / "search/search_index.json").read_text(encoding="utf-8").count('"location":"modules/pricing/') >= 1


def test_the_limit_is_a_whole_number_from_zero(minimal: Path) -> None:
    _limit(minimal, -1)
    assert content_errors(minimal) == [
        "site_config.yml:6:20: nav_section_limit: must be at least 0, got the number -1",
    ]


@pytest.mark.parametrize("limit", [0, 2])
def test_the_limit_counts_pages_per_section(minimal: Path, limit: int) -> None:
    _limit(minimal, limit)
    _, rendered = render_project(minimal)
    assert (_section(rendered.mkdocs_config["nav"], "Modules") == ["modules/index.md"]) == (limit < 2)
