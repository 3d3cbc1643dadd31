"""``versions.json`` in mike's format and order, and the redirect pages aliases and the root use."""

from __future__ import annotations

import html
import json
from typing import Any

from generator.render.escape import theme_text
from generator.structure.config import Release
from generator.structure.versions import version_key


def ordered(releases: list[Release]) -> list[Release]:
    """Non-numeric versions first, then numeric ones newest first (as mike lists them)."""
    return sorted(releases, key=lambda release: version_key(release.version), reverse=True)


def versions_json(releases: list[Release]) -> str:
    """The file Material's version selector reads; ``properties`` only where set, as mike writes it."""
    entries = []
    for release in ordered(releases):
        entry: dict[str, Any] = {
            "version": release.version,
            "title": theme_text(release.title or release.version),  # the selector inserts it as HTML
            "aliases": list(release.aliases),
        }
        if release.hidden:
            entry["properties"] = {"hidden": True}
        entries.append(entry)
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"


def default_release(releases: list[Release], default: str | None) -> tuple[Release, str]:
    """The release the site root leads to, and the name (version or alias) used in URLs."""
    for release in releases:
        if default is None and not release.hidden:
            return release, release.aliases[0] if release.aliases else release.version
        if default == release.version or (default is not None and default in release.aliases):
            return release, default
    return releases[0], releases[0].version


def redirect_page(target: str) -> str:
    """A page that sends the browser to ``target`` (relative), keeping the query string and the hash."""
    quoted = html.escape(target, quote=True)
    script_target = json.dumps(target)
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting</title>\n"
        f"<noscript><meta http-equiv=\"refresh\" content=\"0; url={quoted}\"></noscript>\n"
        f"<script>location.replace({script_target} + location.search + location.hash);</script>\n"
        f"</head>\n<body>\n<a href=\"{quoted}\">Go to {quoted}</a>\n</body>\n</html>\n"
    )
