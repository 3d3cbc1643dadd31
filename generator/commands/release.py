"""``partnerkit release``: tag the current content in git and declare the release in site_config.yml."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from generator.errors import PartnerkitError
from generator.load.config import CONFIG_FILE, load_config
from generator.load.yaml_source import parse_yaml
from generator.structure.config import Release

TRACKED_INPUTS = ("content", "transcripts", CONFIG_FILE)


def _git(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", "-C", str(root), *arguments], capture_output=True, text=True)
    except FileNotFoundError:
        raise PartnerkitError("git is not installed: releases are tagged with git") from None


def release(root: Path, version: str, aliases: list[str], title: str | None = None, ref: str | None = None) -> Release:
    """Tag HEAD as ``ref`` (default ``v<version>``) and add the release first in ``versions:``, moving
    its aliases from older releases. Raises PartnerkitError (or ContentErrors for a bad result)."""
    config = load_config(root)
    if any(existing.version == version for existing in config.versions):
        raise PartnerkitError(f"release {version} is already declared in {CONFIG_FILE}")
    ref = ref or f"v{version}"
    if _git(root, "rev-parse", "--git-dir").returncode != 0:
        raise PartnerkitError(f"{root} is not a git repository: releases are built from git tags")
    changed = _git(root, "status", "--porcelain", "--", "content", "transcripts").stdout.strip()
    if changed:
        raise PartnerkitError("content/ or transcripts/ has uncommitted changes: commit them first, so the tag holds them")
    if _git(root, "rev-parse", "--verify", "--quiet", f"refs/tags/{ref}").returncode != 0:
        tagged = _git(root, "tag", ref)
        if tagged.returncode != 0:
            raise PartnerkitError(f"git tag {ref} failed: {tagged.stderr.strip()}")
    new = Release(version=version, title=title, ref=ref, aliases=aliases)
    others = [
        existing.model_copy(update={"aliases": [alias for alias in existing.aliases if alias not in aliases]})
        for existing in config.versions
    ]
    _write_versions(root / CONFIG_FILE, [new, *others])
    load_config(root)  # the result must validate; raises ContentErrors otherwise
    return new


class _IndentedDumper(yaml.SafeDumper):
    """Indents list items under their key, as people write YAML by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _release_entry(release: Release) -> dict[str, object]:
    entry = release.model_dump(exclude_defaults=True)
    entry["version"] = release.version
    return {key: entry[key] for key in ("version", "title", "ref", "path", "aliases", "hidden") if key in entry}


def _write_versions(path: Path, releases: list[Release]) -> None:
    """Replace the ``versions:`` block (or append one), leaving every other line as it was."""
    text = path.read_text(encoding="utf-8")
    block = yaml.dump(
        {"versions": [_release_entry(item) for item in releases]},
        Dumper=_IndentedDumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
    )
    lines = text.splitlines(keepends=True)
    documents, _ = parse_yaml(CONFIG_FILE, text)
    keys = documents[0].keys if documents else {}
    start = keys.get(("versions",))
    if start is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        path.write_text("".join(lines) + block, encoding="utf-8")
        return
    following = sorted(position.line for loc, position in keys.items() if len(loc) == 1 and position.line > start.line)
    end = following[0] - 1 if following else len(lines)
    while end > start.line and lines[end - 1].lstrip().startswith("#"):
        end -= 1  # a comment right above the next key belongs to that key
    path.write_text("".join(lines[: start.line - 1]) + block + "".join(lines[end:]), encoding="utf-8")
