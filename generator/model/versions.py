"""The one order of release names, mike's: newest first, numbers compared as numbers (``2.10`` after
``2.9``), names not starting with a digit (``dev``) before every numbered one; and :class:`Releases`,
the declared releases with their default."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.model.config import Release, SiteConfig


def version_key(name: str) -> tuple[int, list[tuple[int, Any]]]:
    """Sort key, oldest first (sort with ``reverse=True`` for mike's order)."""
    parts = [(1, int(part)) if part.isdigit() else (0, part) for part in re.findall(r"\d+|[A-Za-z]+", name)]
    return (0 if re.match(r"v?\d", name) else 1, parts)


def newest_first(names: list[str]) -> list[str]:
    """Release names in mike's order."""
    return sorted(names, key=version_key, reverse=True)


@dataclass(frozen=True)
class Releases:
    """The site's releases, defined once (mike's ``versions.py``): their order, aliases, which is hidden,
    which one the site's root leads to and under which name, and their ``versions.json`` entries. Every
    link to "the current release" (the root, pages' canonical address, mails, worklists) comes from here."""

    declared: tuple[Release, ...] = ()
    """The releases as ``versions:`` lists them; empty on a site without releases."""
    default_setting: str | None = None
    """``default:`` of site_config.yml (a version or an alias), if set."""

    @classmethod
    def of(cls, config: SiteConfig) -> Releases:
        return cls(tuple(config.versions), config.default)

    @property
    def versioned(self) -> bool:
        return bool(self.declared)

    @property
    def ordered(self) -> list[Release]:
        """Newest first, in mike's order (:func:`version_key`)."""
        return sorted(self.declared, key=lambda release: version_key(release.version), reverse=True)

    @property
    def names(self) -> list[str]:
        """Every release's version, as declared."""
        return [release.version for release in self.declared]

    @property
    def hidden(self) -> list[Release]:
        """Releases built and reachable by address, left out of the version selector."""
        return [release for release in self.declared if release.hidden]

    def find(self, name: str) -> Release | None:
        """The release whose version or one of whose aliases is ``name``."""
        return next((release for release in self.declared if name == release.version or name in release.aliases), None)

    def _default(self) -> tuple[Release, str] | None:
        if not self.declared:
            return None
        wanted = self.default_setting
        for release in self.declared:
            if wanted is None and not release.hidden:  # the first declared release the selector shows
                return release, release.aliases[0] if release.aliases else release.version
            if wanted is not None and (wanted == release.version or wanted in release.aliases):
                return release, wanted
        return self.declared[0], self.declared[0].version

    @property
    def default(self) -> Release | None:
        """The release the site's root leads to: ``default:``, else the first declared one that is not
        hidden; None on a site without releases."""
        found = self._default()
        return found[0] if found else None

    @property
    def default_name(self) -> str:
        """The name (version or alias) the root's redirect and every "current release" link use; ``""``
        on a site without releases."""
        found = self._default()
        return found[1] if found else ""

    def url_name(self, release: str | None = None) -> str:
        """The name a link to ``release`` uses: ``release`` itself when it is a declared version, else
        :attr:`default_name` (``""`` on a site without releases)."""
        return release if release is not None and release in self.names else self.default_name

    def json_entries(self, title: Callable[[str], str] = str) -> list[dict[str, Any]]:
        """``versions.json`` as mike writes it, newest first: ``properties`` only where set. ``title``
        escapes a release's title (Material's selector inserts it as HTML)."""
        entries = []
        for release in self.ordered:
            entry: dict[str, Any] = {"version": release.version, "title": title(release.title or release.version),
                                     "aliases": list(release.aliases)}
            if release.hidden:
                entry["properties"] = {"hidden": True}
            entries.append(entry)
        return entries
