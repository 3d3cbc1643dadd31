"""Hostile files and YAML through the real CLI: ``partnerkit build`` exits 1 with located errors and
``Aborted with N errors``, no traceback, the previous site/ untouched and no private byte published."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.publish_check import PrivateBytesError, check_no_private_bytes
from tests.conftest import FIXTURES
from tests.test_yaml_rules import BOMB, VTT

PARTNERKIT = Path(sys.executable).parent / "partnerkit"
SECRET = b'{"exam": "certified-admin", "answers": {"q1": "secret-answer-7f3a"}}\n'
ROSTER = b"partner_id,partner_name,rep_id,name,email,role,joined,left\np1,Acme,r-secret-1,Aiko,aiko@example.com,sales,2026-01-01,\n"


def partnerkit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PARTNERKIT), *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal project, built once, with an exam key and a roster under private/."""
    root = tmp_path_factory.mktemp("built") / "project"
    shutil.copytree(FIXTURES / "minimal", root)
    result = partnerkit("build", "-q", "-p", str(root))
    assert result.returncode == 0, result.stderr
    (root / "private/exams").mkdir(parents=True, exist_ok=True)
    (root / "private/exams/site.json").write_bytes(SECRET)
    (root / "private/roster.csv").write_bytes(ROSTER)
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(built, target, symlinks=True)
    return target


def snapshot(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def refused(root: Path, *expected: str) -> None:
    """Build ``root`` with the CLI: exit 1, exactly these errors, site/ as it was, no private bytes in it."""
    before = snapshot(root / "site")
    result = partnerkit("build", "-q", "-p", str(root))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    count = len(expected)
    assert result.stderr.splitlines() == [*expected, f"Aborted with {count} error{'s' if count != 1 else ''}"]
    after = snapshot(root / "site")
    assert after == before
    for data in after.values():
        assert b"secret-answer-7f3a" not in data and b"r-secret-1" not in data


def use_resource(root: Path, name: str) -> None:
    path = root / "content/modules.yml"
    path.write_text(path.read_text().replace("file: files/roi.csv", f"file: files/{name}"))


# --- files ---------------------------------------------------------------------------------------


def test_resource_linking_to_the_exam_key_is_refused(project: Path) -> None:
    (project / "content/files/answers.json").symlink_to("../../private/exams/site.json")
    use_resource(project, "answers.json")
    refused(project, "content/modules.yml:19:11: resources[1].file: content/files/answers.json: links into private/ "
                     "(private/exams/site.json): private files are never published")


def test_resource_linking_to_the_roster_is_refused(project: Path) -> None:
    (project / "content/files/partners.csv").symlink_to(project / "private/roster.csv")
    use_resource(project, "partners.csv")
    refused(project, "content/modules.yml:19:11: resources[1].file: content/files/partners.csv: links into private/ "
                     "(private/roster.csv): private files are never published")


def test_resource_linking_outside_the_project_is_refused(project: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere.csv").write_text("a,b\n")
    (project / "content/files/elsewhere.csv").symlink_to(tmp_path / "elsewhere.csv")
    use_resource(project, "elsewhere.csv")
    refused(project, f"content/modules.yml:19:11: resources[1].file: content/files/elsewhere.csv: links outside the "
                     f"project (to {tmp_path / 'elsewhere.csv'}): only files inside the project are published")


def test_resource_in_a_linked_folder_into_git_is_refused(project: Path) -> None:
    (project / ".git").mkdir()
    (project / ".git/config").write_text("[core]\n")
    (project / "content/files/repo").symlink_to("../../.git", target_is_directory=True)
    use_resource(project, "repo/config")
    refused(
        project,
        "content/files/repo:1:1: links into .git/ (.git): files there are never published",
        "content/modules.yml:19:11: resources[1].file: content/files/repo/config: links into .git/ (.git/config): "
        "files there are never published",
    )


def test_linked_content_folder_outside_the_project_is_refused(project: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "extra.yml").write_text("kind: module\nid: extra\ntitle: E\nsummary: s\nroles: [sales]\nminutes: 5\n")
    (project / "content/shared").symlink_to(shared, target_is_directory=True)
    refused(project, f"content/shared:1:1: links outside the project (to {shared}): only files inside the project "
                     "are published")


def test_linked_content_yaml_into_private_is_refused(project: Path) -> None:
    (project / "private/draft.yml").write_text("kind: module\nid: draft\ntitle: D\nsummary: s\nroles: [sales]\nminutes: 5\n")
    (project / "content/draft.yml").symlink_to("../private/draft.yml")
    refused(project, "content/draft.yml:1:1: links into private/ (private/draft.yml): private files are never published")


def test_linked_transcript_and_recording_are_refused(project: Path, tmp_path: Path) -> None:
    (project / "private/notes.txt").write_text("r-secret-1 said the renewal price is 40% off.\n")
    (tmp_path / "call.m4a").write_bytes(b"not really audio")
    (project / "transcripts").mkdir()
    (project / "transcripts/notes.txt").symlink_to("../private/notes.txt")
    (project / "transcripts/call.m4a").symlink_to(tmp_path / "call.m4a")
    refused(
        project,
        f"transcripts/call.m4a:1:1: links outside the project (to {tmp_path / 'call.m4a'}): only files inside the "
        "project are published",
        "transcripts/notes.txt:1:1: links into private/ (private/notes.txt): private files are never published",
    )


def test_linked_folders_inside_the_project_still_work(project: Path) -> None:
    (project / "shared").mkdir()
    (project / "shared/extra.yml").write_text("kind: module\nid: extra\ntitle: E\nsummary: s\nroles: [sales]\nminutes: 5\n")
    (project / "content/shared").symlink_to("../shared", target_is_directory=True)
    (project / "content/loop").symlink_to(".", target_is_directory=True)
    result = partnerkit("check", "-p", str(project))
    assert result.returncode == 0, result.stderr
    assert "3 modules" in result.stdout


def test_a_hard_linked_private_file_is_caught_before_the_swap(project: Path) -> None:
    os.link(project / "private/exams/site.json", project / "content/files/answers.json")
    use_resource(project, "answers.json")
    before = snapshot(project / "site")
    result = partnerkit("build", "-q", "-p", str(project))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "Error: the new site would publish private files, so it was not published (the previous site is unchanged):",
        "  resources/files/answers.json has the bytes of private/exams/site.json",
        "Find what copies them into the site (a link or a copy under content/ or transcripts/) and remove it.",
    ]
    assert snapshot(project / "site") == before


def test_private_bytes_check_ignores_empty_files_and_other_bytes(tmp_path: Path) -> None:
    (tmp_path / "private").mkdir()
    (tmp_path / "private/empty").write_bytes(b"")
    (tmp_path / "private/key.json").write_bytes(SECRET)
    site = tmp_path / "new-site"
    (site / "a").mkdir(parents=True)
    (site / "a/empty.txt").write_bytes(b"")
    (site / "a/same-size.json").write_bytes(SECRET.replace(b"7f3a", b"0000"))
    check_no_private_bytes(site, tmp_path)
    (site / "a/copy.json").write_bytes(SECRET)
    with pytest.raises(PrivateBytesError, match="a/copy.json has the bytes of private/key.json"):
        check_no_private_bytes(site, tmp_path)


# --- hostile YAML through the CLI ------------------------------------------------------------------


def test_alias_bomb_in_content(project: Path) -> None:
    (project / "content/bomb.yml").write_text(BOMB)
    refused(project, "content/bomb.yml:5:8: too many aliases (limit 1000)")


def test_alias_bomb_in_site_config(project: Path) -> None:
    with (project / "site_config.yml").open("a") as config:
        config.write(BOMB.replace("a:", "x-a:", 1))
    refused(project, "site_config.yml:10:8: too many aliases (limit 1000)")


def test_alias_bomb_in_talk_metadata(project: Path) -> None:
    (project / "transcripts").mkdir()
    (project / "transcripts/kickoff.vtt").write_text(VTT)
    (project / "transcripts/kickoff.yml").write_text("title: Kickoff\n" + BOMB)
    refused(project, "transcripts/kickoff.yml:6:8: too many aliases (limit 1000)")


def test_recursive_alias_nul_big_number_and_tags(project: Path) -> None:
    (project / "content/recursive.yml").write_text("kind: module\nid: r\nobjectives: &o [a, *o]\n")
    (project / "content/nul.yml").write_bytes(b"kind: module\nid: n\ntitle: a\x00b\n")
    (project / "content/big.yml").write_text(
        "kind: module\nid: big\ntitle: B\nsummary: s\nroles: [sales]\nminutes: " + "9" * 5000 + "\n")
    (project / "content/tag.yml").write_text("kind: module\nid: t\ntitle: !!python/object/apply:os.system [ls]\n")
    (project / "content/deep.yml").write_text("kind: module\nid: d\nobjectives: " + "[" * 200 + "]" * 200 + "\n")
    refused(
        project,
        "content/big.yml:6:10: minutes: expected a whole number of at most 4300 digits, got a number of 5000 digits",
        "content/deep.yml:3:112: nested too deep (limit 100 levels of lists and mappings)",
        "content/nul.yml:3:9: control character U+0000 is not allowed in YAML: remove it",
        "content/recursive.yml:3:20: objectives[1]: alias *o repeats the value it is part of (recursive aliases are "
        "not allowed)",
        "content/tag.yml:3:8: title: tag !!python/object/apply:os.system is not allowed: write plain YAML (text, "
        "numbers, true/false, lists and mappings)",
    )


def test_syntax_errors_with_their_fix(project: Path) -> None:
    (project / "content/colon.yml").write_text("kind: module\nid: c\ntitle: 注意: 先に確認する\n", encoding="utf-8")
    (project / "content/tab.yml").write_text("kind: module\nid: t\nobjectives:\n\t- one\n")
    refused(
        project,
        "content/colon.yml:3:10: invalid YAML: mapping values are not allowed in this context "
        "(a value containing ': ' must be quoted: title: \"注意: 先に確認する\")",
        "content/tab.yml:4:1: YAML does not allow tabs for indentation; use spaces",
    )


def test_a_versioned_build_is_not_swapped_in_either(project: Path) -> None:
    with (project / "site_config.yml").open("a") as config:
        config.write("versions:\n  - version: dev\n")
    assert partnerkit("build", "-q", "-p", str(project)).returncode == 0
    (project / "private/exams").mkdir(parents=True, exist_ok=True)
    (project / "private/exams/dev.json").write_bytes(SECRET)
    os.link(project / "private/exams/dev.json", project / "content/files/answers.json")
    use_resource(project, "answers.json")
    before = snapshot(project / "site")
    result = partnerkit("build", "-q", "-p", str(project))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "  dev/resources/files/answers.json has the bytes of private/exams/dev.json" in result.stderr.splitlines()
    assert snapshot(project / "site") == before


def test_private_bytes_in_a_cached_release_or_an_alias_are_caught_too(project: Path) -> None:
    """Each release is looked at as it is laid out (the cached ones while the engine works), and the root
    pages and the aliases' redirects after: a private file with the bytes of a page of a release reused
    from the cache stops the build as well."""
    (project / "releases/1").mkdir(parents=True)
    shutil.copytree(project / "content", project / "releases/1/content")
    shutil.copy2(project / "site_config.yml", project / "releases/1/site_config.yml")
    with (project / "site_config.yml").open("a") as config:
        config.write("versions:\n  - version: dev\n  - version: snapshot\n    path: releases/1\n    aliases: [stable]\n"
                     "default: stable\n")
    assert partnerkit("build", "-q", "-p", str(project)).returncode == 0
    (project / "private/notes").mkdir(parents=True, exist_ok=True)
    shutil.copy2(project / "site/snapshot/index.html", project / "private/notes/page.html")
    shutil.copy2(project / "site/stable/index.html", project / "private/notes/redirect.html")
    edit = next((project / "content").glob("*.yml"))
    edit.write_text(edit.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")  # dev is built again
    before = snapshot(project / "site")
    result = partnerkit("build", "-q", "-p", str(project))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert "  snapshot/index.html has the bytes of private/notes/page.html" in lines
    assert "  stable/index.html has the bytes of private/notes/redirect.html" in lines
    assert snapshot(project / "site") == before


def test_links_in_release_sources_stay_links_and_are_refused(project: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.csv").write_text("a,b\n")
    snapshot_dir = project / "releases/1"
    shutil.copytree(project / "content", snapshot_dir / "content")
    shutil.copy2(project / "site_config.yml", snapshot_dir / "site_config.yml")
    (snapshot_dir / "content/files/roi.csv").unlink()
    (snapshot_dir / "content/files/roi.csv").symlink_to(tmp_path / "outside.csv")
    (project / "content/files/roi.csv").unlink()
    (project / "content/files/roi.csv").symlink_to("/etc/hostname")
    subprocess.run(["git", "init", "-q", "-b", "main", str(project)], check=True)
    subprocess.run(["git", "-C", str(project), "add", "content", "site_config.yml"], check=True)
    subprocess.run(["git", "-C", str(project), "-c", "user.name=T", "-c", "user.email=t@example.com",
                    "commit", "-qm", "r"], check=True)
    subprocess.run(["git", "-C", str(project), "tag", "v2"], check=True)
    (project / "content/files/roi.csv").unlink()
    (project / "content/files/roi.csv").write_text("a,b\n")
    with (project / "site_config.yml").open("a") as config:
        config.write("versions:\n  - version: '1'\n    path: releases/1\n")
    refused(project, f"releases/1/content/modules.yml:19:11: resources[1].file: content/files/roi.csv: links outside "
                     f"the project (to {tmp_path / 'outside.csv'}): only files inside the project are published")
    with (project / "site_config.yml").open("a") as config:
        config.write("  - version: '2'\n    ref: v2\n")
    before = snapshot(project / "site")
    result = partnerkit("build", "-q", "-p", str(project))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == "Error: release 2: v2:content/files/roi.csv links outside the project (only files inside " \
                            "the project are published)\n"
    assert snapshot(project / "site") == before


def test_linked_transcripts_folder_into_private_is_refused(project: Path) -> None:
    (project / "private/calls").mkdir()
    (project / "private/calls/pricing.txt").write_text("r-secret-1 asked for 40% off.\n")
    (project / "transcripts").mkdir()
    (project / "transcripts/calls").symlink_to("../private/calls", target_is_directory=True)
    refused(project, "transcripts/calls:1:1: links into private/ (private/calls): private files are never published")
