"""``partnerkit build``: load, render and build the site atomically."""

from __future__ import annotations

from pathlib import Path

from generator.errors import PartnerkitError
from generator.load.config import load_config
from generator.reporter import NullReporter, Reporter

# The releases (the engine, git, the cache) are imported where they are used: each command pays only
# for what it runs. The load -> transcribe -> render pipeline itself is ``generator.pipeline``.


def build(
    root: Path, site_dir: Path, reporter: Reporter = NullReporter(), jobs: int | None = None, only: str | None = None
) -> dict[str, str]:
    """Build the project at ``root`` into ``site_dir``; the previous site stays if anything fails.

    With releases declared, build each into its own folder (see ``releases.build``); return each
    release's outcome (``built`` or ``cached``), or ``{}`` for an unversioned site, which is built as
    a plan of one release through the same cache (unchanged inputs: no engine run). The settings are
    read here, once, and handed on."""
    from generator.releases.build import SiteBuild, build_releases

    config = load_config(root)
    if not config.versions and only is not None:
        raise PartnerkitError("--only needs releases declared under versions: in site_config.yml")
    outcomes = build_releases(SiteBuild(root, config, site_dir, reporter, jobs, only))
    return outcomes if config.versions else {}
