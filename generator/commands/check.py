"""``partnerkit check``: validate everything and render in memory, without running the engine."""

from __future__ import annotations

from pathlib import Path

from generator.commands.build import render_project
from generator.reporter import NullReporter, Reporter
from generator.structure.catalog import Catalog


def check(root: Path, reporter: Reporter = NullReporter()) -> Catalog:
    """Raise ContentErrors if the project at ``root`` would not build; return its catalog otherwise.
    Recordings are not transcribed (that is slow); ones without a transcript are reported as warnings."""
    catalog, _ = render_project(root, reporter)
    return catalog
