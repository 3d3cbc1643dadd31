"""``partnerkit check``: validate everything and render in memory, without running the engine; warn
about a palette whose primary colour is hard to read as text on white."""

from __future__ import annotations

from pathlib import Path

from generator.layout import template_cache
from generator.pipeline import render_project
from generator.reporter import NullReporter, Reporter
from generator.model.catalog import Catalog
from generator.model.palette import LINK_SHADES, MATERIAL_PRIMARY, MINIMUM_CONTRAST, contrast


def palette_warnings(catalog: Catalog) -> list[str]:
    """A warning when the configured primary colour, as text on white, reads below 4.5:1."""
    name = catalog.config.palette.primary
    colour = MATERIAL_PRIMARY[name]
    ratio = contrast(colour)
    if ratio >= MINIMUM_CONTRAST:
        return []
    shade = LINK_SHADES.get(name)
    fix = (f"partnerkit shows links, buttons and the header in the darker {shade} ({contrast(shade):.2f}:1) instead"
           if shade else "links and buttons in it are hard to read")
    return [f"site_config.yml: palette.primary: {name} ({colour}) reads {ratio:.2f}:1 against white, below "
            f"{MINIMUM_CONTRAST}:1 for links and buttons; {fix}. A primary such as indigo "
            f"({contrast(MATERIAL_PRIMARY['indigo']):.2f}:1) keeps the colour as configured"]


def check(root: Path, reporter: Reporter = NullReporter(), keep_compiled: bool = False) -> Catalog:
    """Raise ContentErrors if the project at ``root`` would not build; return its catalog otherwise.
    Recordings are not transcribed (that is slow); ones without a transcript are reported as warnings,
    as is a palette whose primary colour reads below 4.5:1 on white. ``keep_compiled``: the compiled
    templates are kept in ``.partnerkit-cache/`` (as the build keeps them) for the next run."""
    catalog, _ = render_project(root, reporter, compiled_templates=template_cache(root) if keep_compiled else None)
    for warning in palette_warnings(catalog):
        reporter.warning(warning)
    return catalog
