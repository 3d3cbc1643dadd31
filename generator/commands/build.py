"""``partnerkit build``: load, render and build the site atomically."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

from generator.errors import PartnerkitError
from generator.load.config import load_config
from generator.load.content import load_project
from generator.render import RenderedSite, render_site
from generator.layout import template_cache
from generator.reporter import NullReporter, Reporter
from generator.model.catalog import Catalog
from generator.model.config import SiteConfig

# The releases (the engine, git, the cache) and transcription are imported where they are used:
# ``partnerkit check`` and ``serve`` render without them, and each command pays only for what it runs.


def render_project(
    root: Path, reporter: Reporter = NullReporter(), transcribe: bool = False,
    configure: Callable[[SiteConfig], SiteConfig] | None = None, keep_compiled: bool = False,
) -> tuple[Catalog, RenderedSite]:
    """Load and render the project at ``root`` (raises ContentErrors); ``transcribe`` turns new
    recordings into transcripts first; ``configure`` adjusts the settings in memory (the demo preview);
    ``keep_compiled`` keeps the compiled templates in the project's ``.partnerkit-cache/`` for the next run."""
    if transcribe:
        from generator.transcripts.step import transcribe_project
    catalog = load_project(root, reporter, transcribe_project(root, reporter) if transcribe else None)
    if configure is not None:
        catalog = dataclasses.replace(catalog, config=configure(catalog.config))
    templates = root / catalog.config.templates if catalog.config.templates else None
    return catalog, render_site(catalog, templates, bytecode_dir=template_cache(root) if keep_compiled else None)


def build(
    root: Path, site_dir: Path, reporter: Reporter = NullReporter(), jobs: int | None = None, only: str | None = None
) -> dict[str, str]:
    """Build the project at ``root`` into ``site_dir``; the previous site stays if anything fails.

    With releases declared, build each into its own folder (see ``releases.build``); return each
    release's outcome (``built`` or ``cached``), or ``{}`` for an unversioned site, which is built as
    a plan of one release through the same cache (unchanged inputs: no engine run)."""
    from generator.releases.build import build_releases

    config = load_config(root)
    if not config.versions and only is not None:
        raise PartnerkitError("--only needs releases declared under versions: in site_config.yml")
    outcomes = build_releases(root, site_dir, reporter, jobs, only, config)
    return outcomes if config.versions else {}
