"""Building with the real engine in strict mode, and what a failed build leaves behind."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from generator.commands.build import build
from generator.engine import EngineError
from generator.errors import ContentErrors
from tests.conftest import require_tool


def test_build_writes_every_page(minimal: Path) -> None:
    build(minimal, minimal / "site")
    site = minimal / "site"
    for page in (
        "index.html", "modules/product-basics/index.html", "modules/pricing/index.html",
        "paths/sales-start/index.html", "procedures/renewal/index.html",
        "who-does-what/index.html", "campaigns/release-sprint/index.html",
        "resources/files/roi.csv", "assets/partnerkit/progress.js", "search/search_index.json",
    ):
        assert (site / page).is_file(), page
    html = (site / "modules/pricing/index.html").read_text()
    assert '<meta name="partnerkit:content-id" content="module:pricing">' in html
    assert 'data-pk-module="pricing"' in html
    assert sorted(path.name for path in minimal.iterdir()) == [".partnerkit-cache", "content", "site", "site_config.yml"]
    assert sorted(path.name for path in (minimal / ".partnerkit-cache").iterdir()) == ["releases", "templates"], "the build cache only"


def _break_a_link(root: Path) -> None:
    overrides = root / "my-templates"
    overrides.mkdir()
    (overrides / "campaign.md.j2").write_text("# {{ document.title }}\n\nSee [the missing page](../nowhere.md).\n")
    with (root / "site_config.yml").open("a") as config:
        config.write("templates: my-templates\n")


def test_failed_engine_run_keeps_the_previous_site(minimal: Path) -> None:
    build(minimal, minimal / "site")
    before = {path.relative_to(minimal).as_posix(): path.read_bytes() for path in (minimal / "site").rglob("*") if path.is_file()}
    _break_a_link(minimal)
    with pytest.raises(EngineError) as caught:
        build(minimal, minimal / "site")
    assert "nowhere.md" in str(caught.value)
    after = {path.relative_to(minimal).as_posix(): path.read_bytes() for path in (minimal / "site").rglob("*") if path.is_file()}
    assert after == before
    assert sorted(path.name for path in minimal.iterdir()) == [".partnerkit-cache", "content", "my-templates", "site",
                                                                "site_config.yml"]
    leftovers = [path.name for path in (minimal / ".partnerkit-cache/releases").iterdir() if path.name.startswith((".build", ".inputs"))]
    assert leftovers == [], "a failed engine run leaves no work folder in the cache"


def test_content_errors_stop_before_the_engine(minimal: Path) -> None:
    (minimal / "content/bad.yml").write_text("kind: modul\n")
    with pytest.raises(ContentErrors):
        build(minimal, minimal / "site")
    assert not (minimal / "site").exists()


def test_vendor_template_override_is_used(minimal: Path) -> None:
    overrides = minimal / "my-templates"
    overrides.mkdir()
    (overrides / "campaign.md.j2").write_text("# {{ document.title }}\n\nOur own campaign layout.\n")
    with (minimal / "site_config.yml").open("a") as config:
        config.write("templates: my-templates\n")
    build(minimal, minimal / "site")
    assert "Our own campaign layout." in (minimal / "site/campaigns/release-sprint/index.html").read_text()


def test_properdocs_is_a_one_key_switch(minimal: Path) -> None:
    require_tool(importlib.util.find_spec("properdocs") is not None, "ProperDocs", 'pip install -e ".[test]"')
    with (minimal / "site_config.yml").open("a") as config:
        config.write("engine: properdocs\n")
    build(minimal, minimal / "site")
    assert '<meta name="partnerkit:content-id" content="path:sales-start">' in (
        minimal / "site/paths/sales-start/index.html"
    ).read_text()


def test_content_index_for_the_collector_only_with_analytics(minimal: Path) -> None:
    from generator.events import read_content_index

    build(minimal, minimal / "site")
    assert not (minimal / "private").exists()
    with (minimal / "site_config.yml").open("a") as config:
        config.write("analytics:\n  endpoint: https://collect.example.com/e\n")
    build(minimal, minimal / "site")
    index = read_content_index(minimal)
    assert {"home:index", "module:pricing", "path:sales-start", "procedure:renewal", "campaign:release-sprint",
            "responsibilities:who-does-what", "module:index"} <= index.content
    assert index.versions == frozenset()
    assert not (minimal / "site" / "private").exists()
