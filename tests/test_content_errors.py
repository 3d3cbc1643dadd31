"""Every kind of content mistake is reported with file, line, column, key path and a plain message."""

from __future__ import annotations

import pytest

from pathlib import Path


from generator.load.content import load_project
from tests.conftest import content_errors

pytestmark = pytest.mark.unit

MODULE = """\
kind: module
id: {id}
title: A module
summary: s
roles: [sales]
minutes: 5
"""


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_minimal_fixture_loads(minimal: Path) -> None:
    catalog = load_project(minimal)
    assert list(catalog.modules) == ["product-basics", "pricing"]
    assert catalog.procedures["renewal"].steps[1].owner == {"enterprise": "vendor", "mid-market": "shared", "smb": "partner"}
    assert catalog.procedures["renewal"].steps[0].owner == {"all": "vendor"}
    assert catalog.sources["module:pricing"] == "content/modules.yml"


def test_wrong_enum_value_suggests_the_close_one(minimal: Path) -> None:
    write(minimal, "content/p.yml", """\
kind: procedure
id: at-risk
title: At risk
phase: adoption
trigger: health_score < 60
goal: Recover the account
steps:
  - when: day 0
    action: Call
    owner: vendor
  - when: day 1
    action: Plan
    owner: partner
  - when: day 2
    action: Review
    owner: vendr
""")
    assert content_errors(minimal) == [
        "content/p.yml:16:12: steps[2].owner: expected one of [partner, shared, tech-touch, vendor], "
        "got 'vendr' (did you mean 'vendor'?)"
    ]


def test_unknown_key_missing_key_and_wrong_types_are_all_reported(minimal: Path) -> None:
    write(minimal, "content/m.yml", """\
kind: module
id: intro
titel: Intro
summary: [not, text]
roles: sales
minutes: ten
""")
    assert content_errors(minimal) == [
        "content/m.yml:1:1: title: required key is missing",
        "content/m.yml:3:1: titel: unknown key 'titel' (did you mean 'title'?)",
        "content/m.yml:4:10: summary: expected text, got a list",
        "content/m.yml:5:8: roles: expected a list, got 'sales'",
        "content/m.yml:6:10: minutes: expected a whole number, got 'ten'",
    ]


def test_errors_across_files_are_sorted_by_file_and_line(minimal: Path) -> None:
    write(minimal, "content/b.yml", MODULE.format(id="b") + "minutes: 3\n")
    write(minimal, "content/a.yml", "kind: modul\nid: x\n")
    assert content_errors(minimal) == [
        "content/a.yml:1:7: kind: unknown kind 'modul' (did you mean 'module'?); "
        "expected one of [campaign, module, path, procedure, quiz, responsibilities]",
        "content/b.yml:7:1: minutes: duplicate key (first given at line 6)",
    ]


def test_yaml_syntax_error_points_at_the_problem(minimal: Path) -> None:
    write(minimal, "content/bad.yml", "kind: module\nid: x\ntitle: Plans: three\n")
    assert content_errors(minimal) == [
        "content/bad.yml:3:13: invalid YAML: mapping values are not allowed in this context "
        "(a value containing ': ' must be quoted: title: \"Plans: three\")",
    ]


def test_document_that_is_not_a_mapping(minimal: Path) -> None:
    write(minimal, "content/list.yml", "- kind: module\n")
    assert content_errors(minimal) == [
        "content/list.yml:1:1: expected a mapping with a 'kind' key, got a list",
    ]


def test_missing_kind(minimal: Path) -> None:
    write(minimal, "content/nokind.yml", "id: x\n")
    assert content_errors(minimal) == [
        "content/nokind.yml:1:1: kind: required key is missing "
        "(one of [campaign, module, path, procedure, quiz, responsibilities])",
    ]


def test_duplicate_id_names_the_first_definition(minimal: Path) -> None:
    write(minimal, "content/z.yml", MODULE.format(id="pricing"))
    assert content_errors(minimal) == [
        "content/z.yml:2:5: id: duplicate module id 'pricing' (first defined at content/modules.yml:23:5)",
    ]


def test_same_id_in_two_kinds_is_fine(minimal: Path) -> None:
    write(minimal, "content/z.yml", MODULE.format(id="renewal"))
    assert "renewal" in load_project(minimal).modules


def test_dangling_references(minimal: Path) -> None:
    write(minimal, "content/z.yml", """\
kind: path
id: cs-start
title: CS path
role: succes
summary: s
modules: [product-basics, pricng, nowhere]
""")
    assert content_errors(minimal) == [
        "content/z.yml:4:7: role: unknown role 'succes'",
        "content/z.yml:6:27: modules[1]: unknown module 'pricng' (did you mean 'pricing'?)",
        "content/z.yml:6:35: modules[2]: unknown module 'nowhere'",
    ]


def test_prerequisite_cycle(minimal: Path) -> None:
    write(minimal, "content/z.yml", MODULE.format(id="a") + "prerequisites: [b]\n---\n" + MODULE.format(id="b") + "prerequisites: [a]\n")
    assert content_errors(minimal) == ["content/z.yml:7:17: prerequisites[0]: prerequisite cycle: a → b → a"]


def test_unknown_segment_in_owner_mapping(minimal: Path) -> None:
    path = minimal / "content/other.yml"
    path.write_text(path.read_text().replace("smb: partner}", "smbb: partner}"))
    assert content_errors(minimal) == [
        "content/other.yml:23:53: steps[1].owner.smbb: unknown segment 'smbb' (did you mean 'smb'?)",
    ]


def test_quiz_reference_and_resource_file(minimal: Path) -> None:
    path = minimal / "content/modules.yml"
    path.write_text(path.read_text().replace("quiz: basics-check", "quiz: basic-check").replace("files/roi.csv", "files/roi.xlsx"))
    assert content_errors(minimal) == [
        "content/modules.yml:19:11: resources[1].file: file not found: content/files/roi.xlsx",
        "content/modules.yml:20:7: quiz: unknown quiz 'basic-check' (did you mean 'basics-check'?)",
    ]


def test_quiz_schema_checks(minimal: Path) -> None:
    write(minimal, "content/q.yml", """\
kind: quiz
id: q
title: Q
pass_mark: 120
questions:
  - id: one
    type: single
    prompt: Pick
    choices:
      - text: A
        correct: true
      - text: B
        correct: true
  - id: two
    type: multiple
    prompt: Pick
    choices:
      - text: A
      - text: B
""")
    assert content_errors(minimal) == [
        "content/q.yml:4:12: pass_mark: must be at most 100, got the number 120",
        "content/q.yml:10:7: questions[0].choices: a single question has exactly one correct choice, found 2",
        "content/q.yml:18:7: questions[1].choices: no choice is marked correct: true",
    ]


def test_invalid_id(minimal: Path) -> None:
    write(minimal, "content/z.yml", MODULE.format(id="'Bad id!'"))
    assert content_errors(minimal) == [
        "content/z.yml:2:5: id: 'Bad id!' is not a valid id: use letters, digits and hyphens, "
        "starting with a letter or digit",
    ]


def test_not_utf8_file_names_the_byte_and_position(minimal: Path) -> None:
    (minimal / "content/latin1.yml").write_bytes(b"kind: module\ntitle: Caf\xe9\n")
    assert content_errors(minimal) == [
        "content/latin1.yml:2:11: not UTF-8 text (byte 0xe9); save the file as UTF-8",
    ]


def test_bom_and_crlf_are_accepted(minimal: Path) -> None:
    text = "\ufeff" + MODULE.format(id="windows").replace("\n", "\r\n")
    (minimal / "content/win.yml").write_bytes(text.encode("utf-8"))
    assert "windows" in load_project(minimal).modules


def test_unreadable_file_a_broken_link(minimal: Path) -> None:
    (minimal / "content/gone.yml").symlink_to("moved-away.yml")
    assert content_errors(minimal) == ["content/gone.yml:1:1: cannot read file: no such file or directory"]


def test_config_errors(minimal: Path) -> None:
    write(minimal, "site_config.yml", """\
site_name: X
vendor: V
product: P
language: jp
engine: hugo
palette: {primary: indgo}
templates: my-templates
segmnts: []
""")
    assert content_errors(minimal) == [
        "site_config.yml:4:11: language: expected one of [en, ja], got 'jp' (did you mean 'ja'?)",
        "site_config.yml:5:9: engine: expected one of [mkdocs, properdocs, zensical], got 'hugo'",
        "site_config.yml:6:20: palette.primary: expected one of [amber, black, blue, blue-grey, brown, cyan, "
        "deep-orange, deep-purple, green, grey, indigo, light-blue, light-green, lime, orange, pink, purple, "
        "red, teal, white, yellow], got 'indgo' (did you mean 'indigo'?)",
        "site_config.yml:8:1: segmnts: unknown key 'segmnts' (did you mean 'segments'?)",
    ]


def test_config_paths_must_exist(minimal: Path) -> None:
    with (minimal / "site_config.yml").open("a") as config:
        config.write("templates: my-templates\nlogo: logo.png\n")
    assert content_errors(minimal) == [
        "site_config.yml:6:12: templates: not found: my-templates",
        "site_config.yml:7:7: logo: not found: logo.png",
    ]


def test_reserved_sections_validate_when_empty(minimal: Path) -> None:
    with (minimal / "site_config.yml").open("a") as config:
        config.write("versions:\nanalytics:\ntranscription: {}\ncertification:\n")
    assert load_project(minimal).config.versions == []


def test_missing_config_and_content(tmp_path: Path) -> None:
    assert content_errors(tmp_path) == [
        "content:1:1: folder not found: put the YAML playbooks in content/",
        "site_config.yml:1:1: file not found: every project needs a site_config.yml",
    ]


def test_references_to_an_invalid_document_are_not_reported_again(minimal: Path) -> None:
    path = minimal / "content/modules.yml"
    path.write_text(path.read_text().replace("minutes: 20", "minutes: twenty"))
    assert content_errors(minimal) == ["content/modules.yml:27:10: minutes: expected a whole number, got 'twenty'"]


def test_dates_are_kept_as_written(minimal: Path) -> None:
    path = minimal / "content/other.yml"
    path.write_text(path.read_text().replace("starts: release day", "starts: 2027-01-15"))
    assert load_project(minimal).campaigns["release-sprint"].schedule.starts == "2027-01-15"
