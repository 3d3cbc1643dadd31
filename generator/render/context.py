"""What a page needs to know about the release it is built for (``ReleaseContext``), shared by the
page renderer and the ``mkdocs.yml`` builder."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # named only: a site without releases never loads the comparison of releases
    from generator.model.changes import ReleaseChanges


@dataclass(frozen=True)
class ReleaseContext:
    """What a page needs to know about the release it is built for."""

    version: str
    title: str
    site_url: str | None
    """This release's own address, ``<site_url>/<version>/``."""
    default_name: str
    """The version or alias old releases point at (e.g. ``latest``)."""
    canonical_base: str | None
    """Address of the default release, so search engines index the current pages."""
    changes: ReleaseChanges
    working_tree: bool = False
    """Built from the working tree: draft talks are shown (marked as drafts)."""
    recertify_by: dict[str, str] = field(default_factory=dict)
    """Exams this release changed materially, by id: the day holders of earlier certificates must pass again."""

    whats_new_page = "whats-new.md"
