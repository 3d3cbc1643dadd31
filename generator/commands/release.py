"""``partnerkit release``: tag the current content in git and declare the release in site_config.yml."""

from __future__ import annotations

from pathlib import Path

from generator import git_utils
from generator.layout import INPUT_FOLDERS
from generator.errors import PartnerkitError
from generator.load.config import CONFIG_FILE, load_config
from generator.load.yaml_edit import replace_top_level
from generator.model.config import Release



def release(root: Path, version: str, aliases: list[str], title: str | None = None, ref: str | None = None) -> Release:
    """Tag HEAD as ``ref`` (default ``v<version>``) and add the release first in ``versions:``, moving
    its aliases from older releases. Raises PartnerkitError (or ContentErrors for a bad result)."""
    config = load_config(root)
    if any(existing.version == version for existing in config.versions):
        raise PartnerkitError(f"release {version} is already declared in {CONFIG_FILE}")
    ref = ref or f"v{version}"
    if not git_utils.is_repository(root):
        raise PartnerkitError(f"{root} is not a git repository: releases are built from git tags")
    if git_utils.changed(root, INPUT_FOLDERS):
        raise PartnerkitError("content/ or transcripts/ has uncommitted changes: commit them first, so the tag holds them")
    if not git_utils.has_tag(root, ref):
        git_utils.tag(root, ref)
    new = Release(version=version, title=title, ref=ref, aliases=aliases)
    others = [
        existing.model_copy(update={"aliases": [alias for alias in existing.aliases if alias not in aliases]})
        for existing in config.versions
    ]
    replace_top_level(root / CONFIG_FILE, "versions", [_release_entry(item) for item in [new, *others]])
    load_config(root)  # the result must validate; raises ContentErrors otherwise
    return new


def _release_entry(release: Release) -> dict[str, object]:
    entry = release.model_dump(exclude_defaults=True)
    entry["version"] = release.version
    return {key: entry[key] for key in ("version", "title", "ref", "path", "aliases", "hidden") if key in entry}
