"""Declaring releases in site_config.yml: names and aliases validated as mike does."""

from __future__ import annotations

import pytest

from pathlib import Path

from generator.load.content import load_project
from tests.conftest import content_errors

pytestmark = pytest.mark.unit


def declare(root: Path, text: str) -> None:
    with (root / "site_config.yml").open("a", encoding="utf-8") as config:
        config.write(text)


def test_valid_declaration(minimal: Path) -> None:
    declare(minimal, """\
versions:
  - version: 2.10
    title: "2.10 (Nov 2026)"
    ref: v2.10
    aliases: [latest]
  - version: dev
    hidden: true
default: latest
""")
    config = load_project(minimal).config
    assert [release.version for release in config.versions] == ["2.10", "dev"]
    assert config.versions[1].from_working_tree and config.versions[1].hidden


def test_invalid_names_and_sources(minimal: Path) -> None:
    declare(minimal, """\
versions:
  - version: ../up
    ref: v2.3
  - version: "2.2"
    ref: v2.2
    path: snapshots/2.2
""")
    assert content_errors(minimal) == [
        "site_config.yml:7:14: versions[0].version: '../up' is not a valid release name: no slashes, not '.' or '..'",
        "site_config.yml:9:5: versions[1]: give ref or path, not both",
    ]


def test_names_and_aliases_across_releases(minimal: Path) -> None:
    declare(minimal, """\
versions:
  - version: "2.4"
    ref: v2.4
    aliases: [latest, dev]
  - version: "2.4"
    ref: v2.4b
  - version: dev
  - version: nightly
  - version: "2.2"
    ref: v2.2
    aliases: [latest]
  - version: old
    path: snapshots/old
default: lates
""")
    assert content_errors(minimal) == [
        "site_config.yml:9:23: versions[0].aliases[1]: alias 'dev' is already a release name",
        "site_config.yml:10:14: versions[1].version: duplicate release '2.4'",
        "site_config.yml:13:5: versions[3]: only one release can be built from the working tree (no ref or path); 'dev' already is",
        "site_config.yml:16:15: versions[4].aliases[0]: alias 'latest' already names release '2.4'",
        "site_config.yml:18:11: versions[5].path: not found: snapshots/old/content",
        "site_config.yml:19:10: default: unknown release or alias 'lates' (did you mean 'latest'?)",
    ]
