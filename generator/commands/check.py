"""``partnerkit check``: validate everything and render in memory, without running the engine."""

from __future__ import annotations

from pathlib import Path

from generator.commands.build import render_project
from generator.structure.catalog import Catalog


def check(root: Path) -> Catalog:
    """Raise ContentErrors if the project at ``root`` would not build; return its catalog otherwise."""
    catalog, _ = render_project(root)
    return catalog
