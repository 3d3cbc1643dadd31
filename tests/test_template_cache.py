"""Compiled templates are kept in the project's .partnerkit-cache/templates/ between runs: the pages
are the same with or without them, a damaged cache is ignored, and the cache never lies outside the
project (a symlinked .partnerkit-cache) nor is written where it was not asked for."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.pipeline import render_project
from generator.commands.check import check
from generator.layout import template_cache
from generator.render.site import template_environment

pytestmark = pytest.mark.unit


def fresh_process() -> None:
    """As a new process starts: no template compiled in memory."""
    template_environment.cache_clear()


def test_kept_templates_render_the_same_pages(minimal: Path) -> None:
    fresh_process()
    _, uncached = render_project(minimal)
    assert not (minimal / ".partnerkit-cache").exists()
    check(minimal, keep_compiled=True)
    kept = list((minimal / ".partnerkit-cache/templates").glob("*.cache"))
    assert kept
    fresh_process()
    _, cached = render_project(minimal, compiled_templates=template_cache(minimal))
    assert cached.pages == uncached.pages and cached.mkdocs_config == uncached.mkdocs_config


def test_a_damaged_cache_is_ignored(minimal: Path) -> None:
    check(minimal, keep_compiled=True)
    fresh_process()
    _, expected = render_project(minimal)
    for kept in (minimal / ".partnerkit-cache/templates").glob("*.cache"):
        kept.write_bytes(b"j2\x00not a compiled template")
    fresh_process()
    _, rendered = render_project(minimal, compiled_templates=template_cache(minimal))
    assert rendered.pages == expected.pages


def test_a_cache_symlinked_out_of_the_project_is_not_used(minimal: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (minimal / ".partnerkit-cache").symlink_to(outside)
    assert template_cache(minimal) is None
    fresh_process()
    check(minimal, keep_compiled=True)
    assert list(outside.iterdir()) == []
