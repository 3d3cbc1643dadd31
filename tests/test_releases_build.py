"""Versioned builds from a real git repository: layout, versions.json, redirects, what's new, the cache."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.commands.build import build
from generator.errors import ContentErrors, PartnerkitError

VERSIONS = """\
versions:
  - version: "2"
    title: 2 (Nov 2026)
    ref: v2
    aliases: [latest]
  - version: "1"
    ref: v1
  - version: dev
    hidden: true
default: latest
"""


def git(root: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-C", str(root), *arguments],
        check=True, capture_output=True, text=True,
    ).stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def repo(minimal: Path) -> Path:
    """Releases 1 and 2 tagged in git; the working tree (dev) has one more change and the versions list."""
    (minimal / ".gitignore").write_text("site/\n.partnerkit-cache/\n")
    git(minimal, "init", "-q", "-b", "main")
    git(minimal, "add", "-A")
    git(minimal, "commit", "-q", "-m", "release 1")
    git(minimal, "tag", "v1")
    edit(minimal / "content/modules.yml", "minutes: 20", "minutes: 25")
    edit(minimal / "content/other.yml", "owner: {enterprise: vendor, mid-market: shared", "owner: {enterprise: shared, mid-market: shared")
    git(minimal, "commit", "-q", "-am", "release 2")
    git(minimal, "tag", "v2")
    edit(minimal / "content/modules.yml", "title: Product basics", "title: Product basics, revised")
    with (minimal / "site_config.yml").open("a") as config:
        config.write(VERSIONS)
    return minimal


def test_every_release_in_its_folder_with_mike_compatible_metadata(repo: Path) -> None:
    status_before = git(repo, "status", "--porcelain")
    outcomes = build(repo, repo / "site")
    assert outcomes == {"dev": "built", "2": "built", "1": "built"}
    site = repo / "site"
    assert sorted(path.name for path in site.iterdir()) == ["1", "2", "404.html", "dev", "index.html", "latest", "versions.json"]
    assert json.loads((site / "versions.json").read_text()) == [
        {"version": "dev", "title": "dev", "aliases": [], "properties": {"hidden": True}},
        {"version": "2", "title": "2 (Nov 2026)", "aliases": ["latest"]},
        {"version": "1", "title": "1", "aliases": []},
    ]
    assert 'location.replace("latest/" + location.search + location.hash)' in (site / "index.html").read_text()
    alias_page = (site / "latest/modules/pricing/index.html").read_text()
    assert 'location.replace("../../../2/modules/pricing/" + location.search + location.hash)' in alias_page
    assert not any(path.is_symlink() for path in site.rglob("*"))

    release_2 = (site / "2/modules/pricing/index.html").read_text()
    assert '<meta name="partnerkit:version" content="2">' in release_2
    assert '<meta name="partnerkit:content-id" content="module:pricing">' in release_2
    assert "25 min" in release_2
    release_1 = (site / "1/modules/pricing/index.html").read_text()
    assert "20 min" in release_1
    assert '<link rel="canonical" href="https://partners.example.com/latest/modules/pricing/">' in release_1
    assert "Product basics, revised" in (site / "dev/modules/product-basics/index.html").read_text()
    assert "Product basics, revised" not in (site / "2/modules/product-basics/index.html").read_text()

    whats_new_2 = (site / "2/whats-new/index.html").read_text()
    assert "Changes since 1." in whats_new_2
    # In the pages' words: the field's label, the vendor's name, the segment's name.
    assert "Estimated time: 20 → 25 min" in whats_new_2
    assert "Step 2 · Owner (Enterprise): Northwind → Shared" in whats_new_2
    assert "minutes:" not in whats_new_2 and "vendor →" not in whats_new_2
    assert "everything is new" in (site / "1/whats-new/index.html").read_text()
    assert "Title: Product basics → Product basics, revised" in (site / "dev/whats-new/index.html").read_text()
    assert '<a href="whats-new/">What\'s new in 2 (Nov 2026)</a>' in (site / "2/index.html").read_text()
    assert git(repo, "status", "--porcelain") == status_before


def test_unchanged_releases_are_never_rebuilt(repo: Path) -> None:
    assert set(build(repo, repo / "site").values()) == {"built"}
    assert build(repo, repo / "site") == {"dev": "cached", "2": "cached", "1": "cached"}
    edit(repo / "content/modules.yml", "Plans, discounts", "Plans, rebates")
    assert build(repo, repo / "site") == {"dev": "built", "2": "cached", "1": "cached"}
    assert "Plans, rebates" in (repo / "site/dev/modules/pricing/index.html").read_text()
    assert build(repo, repo / "site", only="1") == {"dev": "cached", "2": "cached", "1": "built"}
    assert len([entry for entry in (repo / ".partnerkit-cache/releases").iterdir() if not entry.name.startswith(".")]) == 3


def test_each_release_settings_file_is_read_once(repo: Path, monkeypatch) -> None:
    """The working tree's site_config.yml is read by the command and handed on through the pipeline; a
    tagged release's own file is read once, from its inputs, though it is also the previous release of another."""
    import generator.load.config

    reads: list[str] = []
    read = generator.load.config.read_project_text
    monkeypatch.setattr(generator.load.config, "read_project_text",
                        lambda path, root: reads.append(path.parent.name) or read(path, root))
    assert set(build(repo, repo / "site").values()) == {"built"}
    assert sorted(reads) == sorted([repo.name, "inputs-2", "inputs-1"])


@pytest.mark.slow
def test_a_changed_release_compares_with_the_cached_catalog_of_the_one_before(repo: Path, monkeypatch) -> None:
    """What's new of a rebuilt release reads the previous release's catalog from the cache (its inputs
    are not taken out of git and loaded again) and says the same as a build from an empty cache."""
    import generator.releases.build as releases

    build(repo, repo / "site")
    edit(repo / "content/modules.yml", "Plans, discounts", "Plans, rebates")
    loaded: list[str] = []
    original = releases.release_inputs
    monkeypatch.setattr(releases, "release_inputs", lambda release, *args: loaded.append(release.version) or original(release, *args))
    assert build(repo, repo / "site") == {"dev": "built", "2": "cached", "1": "cached"}
    assert loaded == ["dev"], "release 2's catalog came from the cache"
    from_cache = (repo / "site/dev/whats-new/index.html").read_text()
    assert "Title: Product basics → Product basics, revised" in from_cache

    for snapshot in (repo / ".partnerkit-cache/releases/.catalogs").iterdir():
        snapshot.write_text('{"config": {"site_name": 1}}')  # damaged: the release is loaded instead
    edit(repo / "content/modules.yml", "Plans, rebates", "Plans, discounts")
    edit(repo / "content/modules.yml", "Plans, discounts", "Plans, rebates")  # the same inputs, forced below
    loaded.clear()
    assert build(repo, repo / "site", only="dev") == {"dev": "built", "2": "cached", "1": "cached"}
    assert loaded == ["dev", "2"]
    assert (repo / "site/dev/whats-new/index.html").read_text() == from_cache

    shutil.rmtree(repo / ".partnerkit-cache")
    loaded.clear()
    assert set(build(repo, repo / "site").values()) == {"built"}
    assert (repo / "site/dev/whats-new/index.html").read_text() == from_cache


def test_the_replaced_site_is_deleted_while_the_next_build_runs(repo: Path) -> None:
    """A build moves the site it replaces into the cache's trash at once; the next build deletes it, so
    at most one earlier site is ever kept there. A build with nothing changed replaces nothing."""
    trash = repo / ".partnerkit-cache/releases/.trash"
    build(repo, repo / "site")
    build(repo, repo / "site")
    assert not trash.exists() or not any(trash.iterdir()), "no site replaced yet"
    first = (repo / "site/dev/index.html").stat().st_ino
    unchanged_folder = (repo / "site/2").stat().st_ino
    edit(repo / "content/modules.yml", "Plans, discounts", "Plans, rebates")
    build(repo, repo / "site")
    put_aside = {path.name: path for path in trash.iterdir()}
    assert len(put_aside) == 2, "the site replaced and the dev release no longer cached"
    (replaced,) = [path for path in put_aside.values() if (path / "versions.json").is_file()]
    assert (replaced / "dev/index.html").stat().st_ino == first, "the replaced site itself, not a copy"
    assert sorted(path.name for path in replaced.iterdir() if path.is_dir()) == ["dev", "latest"], \
        "the unchanged releases were moved over to the new site"
    assert (repo / "site/2").stat().st_ino == unchanged_folder
    assert "25 min" in (repo / "site/2/modules/pricing/index.html").read_text()
    edit(repo / "content/modules.yml", "Plans, rebates", "Plans, refunds")
    build(repo, repo / "site")
    assert not any(path.exists() for path in put_aside.values())
    assert len(list(trash.iterdir())) == 2
    assert "Plans, refunds" in (repo / "site/dev/modules/pricing/index.html").read_text()


def test_errors_in_an_old_release_name_its_ref(repo: Path) -> None:
    edit(repo / "site_config.yml", "ref: v1", "ref: v1-typo")
    with pytest.raises(PartnerkitError) as caught:
        build(repo, repo / "site")
    assert str(caught.value) == f"release 1: git ref 'v1-typo' not found in {repo}"
    edit(repo / "site_config.yml", "ref: v1-typo", "ref: v1")
    git(repo, "stash", "-q")  # the versions list goes with the stash; put back only a broken v1
    git(repo, "checkout", "-q", "v1")
    edit(repo / "content/modules.yml", "minutes: 20", "minutes: many")
    git(repo, "commit", "-q", "-am", "broken")
    git(repo, "tag", "-f", "v1")
    git(repo, "checkout", "-q", "main")
    git(repo, "stash", "pop", "-q")
    with pytest.raises(ContentErrors) as caught:
        build(repo, repo / "site")
    assert [str(error) for error in caught.value.errors] == [
        "v1:content/modules.yml:27:10: minutes: expected a whole number, got 'many'"
    ]
    assert not (repo / "site").exists()


def test_only_names_a_declared_release(repo: Path) -> None:
    with pytest.raises(PartnerkitError) as caught:
        build(repo, repo / "site", only="dve")
    assert str(caught.value) == "--only dve: no such release (did you mean 'dev'?)"


def test_release_command_tags_and_declares_and_moves_the_alias(repo: Path) -> None:
    with (repo / "site_config.yml").open("a") as config:
        config.write("# a comment after the versions\ncopyright: Example\n")
    git(repo, "commit", "-q", "-am", "release 3 content")
    before = (repo / "site_config.yml").read_text()
    result = subprocess.run(
        [sys.executable, "-m", "generator", "release", "3", "--alias", "latest", "--title", "3 (Feb 2027)", "-p", str(repo)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Release 3, latest declared from git ref v3; run partnerkit build to publish it.\n"
    assert git(repo, "rev-parse", "v3") == git(repo, "rev-parse", "HEAD")
    after = (repo / "site_config.yml").read_text()
    head = before.split("versions:")[0]
    assert after.startswith(head)
    assert after.endswith("default: latest\n# a comment after the versions\ncopyright: Example\n")
    assert after[len(head):].startswith(
        "versions:\n"
        "  - version: '3'\n"
        "    title: 3 (Feb 2027)\n"
        "    ref: v3\n"
        "    aliases:\n"
        "      - latest\n"
        "  - version: '2'\n"
        "    title: 2 (Nov 2026)\n"
        "    ref: v2\n"
        "  - version: '1'\n"
        "    ref: v1\n"
        "  - version: dev\n"
        "    hidden: true\n"
    )
    assert build(repo, repo / "site") == {"dev": "built", "3": "built", "2": "built", "1": "built"}
    assert 'location.replace("../3/" + location.search + location.hash)' in (repo / "site/latest/index.html").read_text()


def test_release_refuses_uncommitted_content(repo: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "release", "3", "-p", str(repo)], capture_output=True, text=True,
    )
    assert result.returncode == 1
    assert result.stderr == "Error: content/ or transcripts/ has uncommitted changes: commit them first, so the tag holds them\n"
