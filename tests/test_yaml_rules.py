"""YAML as the author wrote it (1.2 core rules), syntax errors that say how to fix them, and limits that
stop hostile YAML with a located error, in content/, site_config.yml and talk metadata alike."""

from __future__ import annotations

import pytest

import time
from pathlib import Path

from generator.load.content import load_project
from generator.load.yaml_source import MAX_ALIAS_VALUES, MAX_ALIASES, MAX_DEPTH, parse_yaml
from tests.conftest import content_errors

pytestmark = pytest.mark.unit

TIME_LIMIT = 10
"""Seconds a refused bomb may take at most: without the limits it takes minutes or runs out of memory; the
margin is for a loaded machine (CI runs tests on every core at once)."""

BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f'{name}: &{name} [{",".join("*" + previous for _ in range(9))}]\n'
    for previous, name in zip("abcdefgh", "bcdefghi")
)
"""Billion laughs: 9 ** 9 strings from a few hundred bytes."""

VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHello partners.\n"


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def module(ident: str, extra: str = "", **fields: str) -> str:
    values = {"title": "A module", "summary": "s", "minutes": "5", **fields}
    return f"kind: module\nid: {ident}\nroles: [sales]\n" + "".join(f"{k}: {v}\n" for k, v in values.items()) + extra


# --- YAML 1.2: text stays as written -------------------------------------------------------------


def test_plain_scalars_in_text_fields_keep_the_authors_characters(minimal: Path) -> None:
    write(minimal, "content/traps.yml", module("traps", title="No", summary="on", minutes="010",
                                               extra="objectives: [1:30:00, 010, 1_000, yes, 2.10, 0x1F, 2027-01-15]\n")
          + """---
kind: procedure
id: trap-steps
title: Renewal
phase: renewal
trigger: renewal_date - 90d
goal: Renew
steps:
  - when: 9:30
    action: Call
    owner: vendor
  - when: 1:30:00
    action: Off
    owner: partner
    checklist: [010, 1_000, No, on]
""")
    catalog = load_project(minimal)
    traps = catalog.modules["traps"]
    assert (traps.title, traps.summary, traps.minutes) == ("No", "on", 10)
    assert traps.objectives == ["1:30:00", "010", "1_000", "yes", "2.10", "0x1F", "2027-01-15"]
    steps = catalog.procedures["trap-steps"].steps
    assert [step.when for step in steps] == ["9:30", "1:30:00"]
    assert steps[1].action == "Off"
    assert steps[1].checklist == ["010", "1_000", "No", "on"]


def test_null_in_a_list_of_text_is_reported(minimal: Path) -> None:
    write(minimal, "content/traps.yml", module("traps", extra="objectives: [a, ~]\n"))
    assert content_errors(minimal) == ["content/traps.yml:7:17: objectives[1]: expected text, got nothing"]


def test_numbers_parse_only_where_the_schema_wants_them(minimal: Path) -> None:
    write(minimal, "content/traps.yml", module("traps", minutes="0x1F") + "---\n" + module("big", minutes="9" * 5000)
          + "---\n" + module("big-title", title="9" * 5000))
    assert content_errors(minimal) == [
        "content/traps.yml:6:10: minutes: expected a whole number, got the number 0x1F",
        "content/traps.yml:13:10: minutes: expected a whole number of at most 4300 digits, got a number of 5000 digits",
    ]


def test_true_where_text_is_expected_says_to_quote_it(minimal: Path) -> None:
    write(minimal, "content/traps.yml", module("traps", title="true", summary="False"))
    assert content_errors(minimal) == [
        'content/traps.yml:4:8: title: expected text, got true; quote it: title: "true"',
        'content/traps.yml:5:10: summary: expected text, got false; quote it: summary: "false"',
    ]


def test_site_config_and_talk_metadata_keep_text_as_written(minimal: Path) -> None:
    path = minimal / "site_config.yml"
    path.write_text(path.read_text().replace("vendor: Northwind", "vendor: No").replace(
        "site_name: Minimal Partner Academy", "site_name: 1:30:00"))
    write(minimal, "transcripts/kickoff.vtt", VTT)
    write(minimal, "transcripts/kickoff.yml", "title: 9:30\nspeakers: [No, 010]\n")
    write(minimal, "transcripts/notes.md", "---\ntitle: on\ndate: 2026-11-30\n---\nHello partners.\n")
    catalog = load_project(minimal)
    assert (catalog.config.vendor, catalog.config.site_name) == ("No", "1:30:00")
    assert catalog.talks["kickoff"].meta.title == "9:30"
    assert catalog.talks["kickoff"].meta.speakers == ["No", "010"]
    assert (catalog.talks["notes"].meta.title, catalog.talks["notes"].meta.date) == ("on", "2026-11-30")


# --- syntax errors with the fix --------------------------------------------------------------------


def test_unquoted_colon_in_a_value_shows_the_quoted_line(minimal: Path) -> None:
    write(minimal, "content/a.yml", module("a", title="Plans: three"))
    write(minimal, "content/b.yml", module("b", extra="objectives:\n  - 注意: 先に確認する\n  - 料金：月額\n")
          .replace("title: A module", "title: 注意: 先に確認する"))
    assert content_errors(minimal) == [
        "content/a.yml:4:13: invalid YAML: mapping values are not allowed in this context "
        "(a value containing ': ' must be quoted: title: \"Plans: three\")",
        "content/b.yml:4:10: invalid YAML: mapping values are not allowed in this context "
        "(a value containing ': ' must be quoted: title: \"注意: 先に確認する\")",
    ]


def test_colon_in_a_value_with_quotes_inside_falls_back_to_single_quotes() -> None:
    _, errors = parse_yaml("x.yml", 'title: Say "hi": now\n')
    assert [str(error) for error in errors] == [
        "x.yml:1:16: invalid YAML: mapping values are not allowed in this context "
        "(a value containing ': ' must be quoted: title: 'Say \"hi\": now')"
    ]


def test_tab_indentation_says_to_use_spaces(minimal: Path) -> None:
    write(minimal, "content/a.yml", module("a", extra="objectives:\n\t- 先に確認する\n"))
    write(minimal, "content/b.yml", module("b", extra="resources:\n  - title: x\n\t  url: https://example.com\n"))
    assert content_errors(minimal) == [
        "content/a.yml:8:1: YAML does not allow tabs for indentation; use spaces",
        "content/b.yml:9:1: YAML does not allow tabs for indentation; use spaces",
    ]


# --- limits and plain YAML only --------------------------------------------------------------------


def test_alias_bomb_stops_fast_with_a_located_error(minimal: Path) -> None:
    write(minimal, "content/bomb.yml", BOMB)
    started = time.perf_counter()
    errors = content_errors(minimal)
    assert time.perf_counter() - started < TIME_LIMIT
    assert errors == [f"content/bomb.yml:5:8: too many aliases (limit {MAX_ALIASES})"]


def test_aliases_repeating_a_large_value_stop_at_the_limit(minimal: Path) -> None:
    big = "big: &big [" + ", ".join(["x"] * 999) + "]\n"
    write(minimal, "content/big.yml", big + "copies:\n" + "  - *big\n" * 200)
    assert content_errors(minimal) == [f"content/big.yml:103:5: aliases repeat too many values (limit {MAX_ALIAS_VALUES})"]


def test_aliases_within_the_limits_keep_working(minimal: Path) -> None:
    write(minimal, "content/p.yml", """\
kind: procedure
id: shared-owner
title: Shared owner
phase: renewal
trigger: "manual: t"
goal: g
steps:
  - when: day 1
    action: Call
    owner: &split {enterprise: vendor, mid-market: shared, smb: partner}
  - when: day 2
    action: Plan
    owner: *split
""")
    steps = load_project(minimal).procedures["shared-owner"].steps
    assert steps[1].owner == steps[0].owner == {"enterprise": "vendor", "mid-market": "shared", "smb": "partner"}


def test_alias_errors_are_located_at_the_written_place(minimal: Path) -> None:
    write(minimal, "content/p.yml", module("p", extra="objectives: &o [a, *o]\nprerequisites: [*nowhere]\n"))
    assert content_errors(minimal) == [
        "content/p.yml:7:20: objectives[1]: alias *o repeats the value it is part of (recursive aliases are not allowed)",
        "content/p.yml:8:17: prerequisites[0]: unknown alias *nowhere: no &nowhere before it",
    ]


def test_nesting_deeper_than_the_limit_is_an_error(minimal: Path) -> None:
    nested = "".join("  " * level + "a:\n" for level in range(MAX_DEPTH + 20))
    write(minimal, "content/deep.yml", nested + "  " * (MAX_DEPTH + 20) + "b: 1\n")
    assert content_errors(minimal) == [
        f"content/deep.yml:{MAX_DEPTH + 1}:{2 * MAX_DEPTH + 1}: nested too deep (limit {MAX_DEPTH} levels of lists and mappings)"
    ]


def test_control_characters_are_located(minimal: Path) -> None:
    write(minimal, "content/nul.yml", module("nul", title="a\x00b"))
    write(minimal, "content/esc.yml", module("esc", summary="注意\x1b[31m"))
    assert content_errors(minimal) == [
        "content/esc.yml:5:12: control character U+001B is not allowed in YAML: remove it",
        "content/nul.yml:4:9: control character U+0000 is not allowed in YAML: remove it",
    ]


def test_tags_are_refused(minimal: Path) -> None:
    write(minimal, "content/tags.yml", module("tags", title='!!python/object/apply:os.system ["touch /tmp/pwned"]')
          + "---\n" + module("include", summary="!include secrets.yml") + "---\n"
          + module("mapping", extra="resources: !!python/object/new:dict\n  title: x\n")
          + "---\n" + module("forced-text", title="!!str 010", summary="! 2.10"))
    assert content_errors(minimal) == [
        "content/tags.yml:4:8: title: tag !!python/object/apply:os.system is not allowed: write plain YAML "
        "(text, numbers, true/false, lists and mappings)",
        "content/tags.yml:12:10: summary: tag !include is not allowed: write plain YAML "
        "(text, numbers, true/false, lists and mappings)",
        "content/tags.yml:21:12: resources: tag !!python/object/new:dict is not allowed: write plain YAML "
        "(text, numbers, true/false, lists and mappings)",
    ]


def test_tagged_text_forces_text(minimal: Path) -> None:
    write(minimal, "content/tags.yml", module("forced-text", title="!!str 010", summary="! 2.10"))
    module_ = load_project(minimal).modules["forced-text"]
    assert (module_.title, module_.summary) == ("010", "2.10")


def test_merge_keys_are_refused_with_the_alternative(minimal: Path) -> None:
    write(minimal, "content/m.yml", module("m", extra="owner: &o {title: x}\nextra:\n  <<: *o\n"))
    assert content_errors(minimal) == [
        "content/m.yml:9:3: extra: merge keys (<<) are not supported: write the keys out, or repeat a value with *alias",
    ]


def test_limits_hold_in_site_config(minimal: Path) -> None:
    with (minimal / "site_config.yml").open("a") as config:
        config.write(BOMB.replace("a:", "x-a:", 1))
    started = time.perf_counter()
    errors = content_errors(minimal)
    assert time.perf_counter() - started < TIME_LIMIT
    assert errors == ["site_config.yml:10:8: too many aliases (limit 1000)"]


def test_limits_hold_in_talk_metadata_and_front_matter(minimal: Path) -> None:
    write(minimal, "transcripts/kickoff.vtt", VTT)
    write(minimal, "transcripts/kickoff.yml", "title: Kickoff\n" + BOMB)
    write(minimal, "transcripts/notes.md", "---\ntitle: !!python/object/apply:os.system [ls]\n---\nHello.\n")
    write(minimal, "transcripts/deep.md", "---\ntitle: Deep\nspeakers: " + "[" * 150 + "]" * 150 + "\n---\nHello.\n")
    started = time.perf_counter()
    errors = content_errors(minimal)
    assert time.perf_counter() - started < TIME_LIMIT
    assert errors == [
        "transcripts/deep.md:3:110: nested too deep (limit 100 levels of lists and mappings)",
        "transcripts/kickoff.yml:6:8: too many aliases (limit 1000)",
        "transcripts/notes.md:2:8: title: tag !!python/object/apply:os.system is not allowed: write plain YAML "
        "(text, numbers, true/false, lists and mappings)",
    ]


def test_a_full_width_space_in_an_id_is_named(minimal: Path) -> None:
    write(minimal, "content/ids.yml", module("更新\u3000準備") + "---\n" + module("手順\u3000") + "---\n" + module('"a\\tb"'))
    assert content_errors(minimal) == [
        "content/ids.yml:2:5: id: '更新\u3000準備' is not a valid id (it contains ideographic space U+3000): "
        "use letters, digits and hyphens, starting with a letter or digit",
        "content/ids.yml:9:5: id: '手順\u3000' is not a valid id (it contains ideographic space U+3000): "
        "use letters, digits and hyphens, starting with a letter or digit",
        "content/ids.yml:16:5: id: 'a\tb' is not a valid id (it contains whitespace U+0009): "
        "use letters, digits and hyphens, starting with a letter or digit",
    ]


def test_quote_hints_for_list_items_and_continued_lines() -> None:
    _, errors = parse_yaml("x.yml", "summary: This goes on\n  and on: forever\n")
    assert [str(error) for error in errors] == [
        "x.yml:2:9: invalid YAML: mapping values are not allowed in this context "
        "(a value containing ': ' must be quoted: title: \"注意: 先に確認する\")"
    ]
    _, errors = parse_yaml("x.yml", "checklist:\n  - 確認: 済み: はい\n")
    assert [str(error) for error in errors] == [
        "x.yml:2:11: invalid YAML: mapping values are not allowed in this context "
        "(a value containing ': ' must be quoted: 確認: \"済み: はい\")"
    ]


def test_true_in_a_list_of_text_says_to_quote_it(minimal: Path) -> None:
    write(minimal, "content/traps.yml", module("traps", extra="objectives: [true]\n"))
    assert content_errors(minimal) == ['content/traps.yml:7:14: objectives[0]: expected text, got true; quote it: - "true"']
