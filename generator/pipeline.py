"""The one pipeline from a project's inputs to its pages: load (with its settings read once), transcribe
new recordings, render ``{path: text}``. ``partnerkit build`` runs it per release, ``check`` without
the engine, ``serve`` (and ``serve --demo``) before the engine's development server: each hands the
settings it already holds on as an object, none reads ``site_config.yml`` again (mkdocs'
``commands/build.build(config, serve_url=…)`` is the model)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

from generator.load.config import read_config
from generator.load.content import load_content
from generator.model.catalog import Catalog
from generator.model.config import SiteConfig
from generator.render import RenderedSite, render_site
from generator.render.context import ReleaseContext
from generator.reporter import NullReporter, Reporter

# Transcription is imported where it is used: ``partnerkit check`` does not transcribe, and pays nothing for it.


def load_catalog(
    project: Path, reporter: Reporter = NullReporter(), *, config: SiteConfig | None = None, transcribe: bool = False,
    configure: Callable[[SiteConfig], SiteConfig] | None = None,
) -> Catalog:
    """The load half: the catalog of the project folder ``project`` (raises ContentErrors listing every
    problem). ``config``: its settings, already loaded by the caller; read here once otherwise (a
    broken ``site_config.yml`` is then listed with the content's errors). ``transcribe``: recordings
    without an up-to-date transcript are transcribed first, with the settings' ``transcription``.
    ``configure``: adjusts the settings in memory after the load (the demo's preview)."""
    errors = []
    if config is None:
        config, errors = read_config(project)
    run = None
    if transcribe and config is not None:
        from generator.transcripts.step import transcribe_talks

        run = transcribe_talks(project, config.transcription, reporter)
    catalog = load_content(project, config, errors, reporter, run)
    if configure is not None:
        catalog = dataclasses.replace(catalog, config=configure(catalog.config))
    return catalog


def render_catalog(
    catalog: Catalog, project: Path, context: ReleaseContext | None = None, compiled_templates: Path | None = None,
) -> RenderedSite:
    """The render half: every page of ``catalog``, with the vendor's templates of ``project`` (its
    ``templates:`` folder); ``context``: the release it is one of (a versioned site); ``compiled_templates``:
    where compiled templates are kept between runs (``generator.layout.template_cache``)."""
    templates = project / catalog.config.templates if catalog.config.templates else None
    return render_site(catalog, templates, context, compiled_templates)


def render_project(
    project: Path, reporter: Reporter = NullReporter(), *, config: SiteConfig | None = None, transcribe: bool = False,
    configure: Callable[[SiteConfig], SiteConfig] | None = None, compiled_templates: Path | None = None,
) -> tuple[Catalog, RenderedSite]:
    """Load and render the project folder ``project``: :func:`load_catalog` then :func:`render_catalog`
    (``check``, ``serve`` and the demo; ``build`` runs the two halves per release, as a release's
    what's-new page needs the catalog of the release before it)."""
    catalog = load_catalog(project, reporter, config=config, transcribe=transcribe, configure=configure)
    return catalog, render_catalog(catalog, project, compiled_templates=compiled_templates)
