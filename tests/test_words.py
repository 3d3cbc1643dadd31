"""Triggers and step offsets in words (en, ja) and the palette table that partnerkit check and the
stylesheet share."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rcssmin

from generator.model.palette import LINK_SHADES, MATERIAL_PRIMARY, MINIMUM_CONTRAST, WHITE_ON_PRIMARY, contrast, shade_css
from generator.pipeline import render_project
from generator.render.mkdocs_config import ASSET_DIR
from generator.render.timing import describe_trigger, describe_when
from tests.conftest import configure

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("trigger", "when", "language", "trigger_words", "when_words"), [
    ("renewal_date - 90d", "-60d", "en", "90 days before renewal", "60 days before renewal"),
    ("renewal_date - 90d", "renewal day", "en", "90 days before renewal", "on renewal day"),
    ("renewal_date - 90d", "-90d", "ja", "更新日の90日前", "更新日の90日前"),
    ("renewal_date - 90d", "renewal day", "ja", "更新日の90日前", "更新日当日"),
    ("onboarding day 0 (contract signed)", "day 0", "en", "onboarding day 0 (contract signed)", "day 0 of onboarding"),
    ("onboarding day 0 (contract signed)", "day 3–10", "en", "onboarding day 0 (contract signed)", "days 3–10 of onboarding"),
    ("health_score < 60 for 7 days", "within 48h", "en", "health score below 60 for 7 days", "within 48 hours"),
    ("contract_start + 0d", "day 0", "en", "on the contract start day", "on the contract start day"),
    ("contract_start + 0d", "day 3–10", "en", "on the contract start day", "days 3–10 after the contract start"),
    ("contract_start + 0d", "day 14", "ja", "契約開始日当日", "契約開始日から14日目"),
    ("renewal_date - 90d", "day 0", "en", "90 days before renewal", "on the day of the trigger"),
    ("manual: the customer asks for a review", "day 7", "en", "the customer asks for a review", "day 7 after the trigger"),
    ("health_score < 60 for 7 days", "weekly", "ja", "ヘルススコアが60未満の状態が7日間続いたとき", "毎週"),
    ("seat_usage > 90 % for 14 days", "day 0", "en", "seat usage above 90 % for 14 days", "on the day of the trigger"),
    ("The quarterly release.", "9:30", "en", "The quarterly release.", "9:30"),
])
def test_triggers_and_steps_in_words(trigger, when, language, trigger_words, when_words) -> None:
    described = describe_trigger(trigger, language)
    assert described.words == trigger_words
    assert describe_when(when, described, language) == when_words


def test_a_rule_is_kept_as_the_detail_and_words_have_none() -> None:
    assert describe_trigger("renewal_date - 90d", "en").rule == "renewal_date - 90d"
    assert describe_trigger("manual: the customer asks for a review", "en").rule is None
    assert describe_trigger("onboarding day 0 (contract signed)", "en").rule is None


def test_every_primary_reading_below_4_5_has_a_readable_shade() -> None:
    for name, colour in MATERIAL_PRIMARY.items():
        if contrast(colour) < MINIMUM_CONTRAST and name not in ("white", "lime", "yellow", "amber", "orange", "light-green"):
            assert name in LINK_SHADES, name
    assert all(contrast(shade) >= MINIMUM_CONTRAST for shade in LINK_SHADES.values())
    assert round(contrast(MATERIAL_PRIMARY["teal"]), 2) == 3.77
    assert set(WHITE_ON_PRIMARY) <= set(LINK_SHADES)


@pytest.mark.parametrize(("primary", "css"), [
    ("teal", '[data-md-color-scheme="default"] { --pk-link-color: #00695c; --pk-header-color: #00695c; }\n'),
    ("amber", '[data-md-color-scheme="default"] { --pk-link-color: #8a5a00; }\n'),
    ("indigo", ""),
])
def test_the_stylesheet_carries_only_the_configured_primarys_shade(minimal: Path, primary: str, css: str) -> None:
    assert shade_css(primary) == css
    configure(minimal, palette={"primary": primary})
    served = render_project(minimal)[1].assets[f"docs/{ASSET_DIR}/partnerkit.css"]
    assert served.count("--pk-link-color:") == (1 if css else 0)
    assert served.endswith(rcssmin.cssmin(css) + "\n")


def test_whats_new_lines_in_japanese() -> None:
    from generator.render.strings import STRINGS
    from generator.model.changes import Words, field_changes
    from generator.model.content import Step

    words = Words("ja", "オストロバ", {"enterprise": "エンタープライズ"}, STRINGS["ja"])
    old = [Step(when="-90d", action="a", owner={"enterprise": "vendor"}, checklist=["x"])]
    new = [Step(when="-90d", action="a", owner={"enterprise": "shared"}, checklist=["x", "y"]),
           Step(when="-60d", action="b", owner="partner")]
    assert field_changes(old, new, "steps", words) == [
        "ステップ 1・担当（エンタープライズ）：オストロバ → 共同",
        "ステップ 1・チェックリスト：y を追加",
        "ステップ 1 件を追加",
    ]
    assert field_changes(20, 25, "minutes", words) == ["所要時間：20 → 25 分"]


def test_check_warns_for_teal_and_not_for_indigo(minimal) -> None:
    from generator.commands.check import check
    from generator.reporter import BufferReporter
    from tests.conftest import configure

    configure(minimal, palette={"primary": "indigo"})
    quiet = BufferReporter()
    check(minimal, quiet)
    assert [w for w in quiet.warnings if "palette" in w] == []
    configure(minimal, palette={"primary": "teal"})
    loud = BufferReporter()
    check(minimal, loud)
    assert [w for w in loud.warnings if "palette" in w] == [
        "site_config.yml: palette.primary: teal (#009485) reads 3.77:1 against white, below 4.5:1 for links and "
        "buttons; partnerkit shows links, buttons and the header in the darker #00695c (6.61:1) instead. A primary "
        "such as indigo (6.86:1) keeps the colour as configured"]


def test_a_long_text_that_changed_is_quoted_as_it_now_reads() -> None:
    from generator.render.strings import STRINGS
    from generator.model.changes import GIST, Words, field_changes

    words = Words("en", "Ostrova", {}, STRINGS["en"])
    old = "Three checkpoints before every renewal date, so no renewal is a surprise for anyone."
    new = "Three checkpoints before every renewal date,\nso no renewal surprises the customer, the partner or Ostrova."
    assert field_changes(old, new, "summary", words) == [
        "Summary changed; it now reads: Three checkpoints before every renewal date, so no renewal surprises the customer,"
        " the partner or Ostrova."]
    [line] = field_changes(old, "word " * 200, "summary", words)
    assert line.endswith("word…") and len(line) < GIST + 40
    ja = Words("ja", "オストロバ", {}, STRINGS["ja"])
    assert field_changes(old, new, "summary", ja)[0].endswith("the partner or Ostrova.）")


def test_a_talks_summary_writes_spelled_out_numbers_as_digits() -> None:
    from generator.render.article import with_digits

    said = "Six million in recurring revenue and twelve percent churn means seven hundred and twenty thousand lost every year."
    assert with_digits(said, "en") == "6,000,000 in recurring revenue and 12 percent churn means 720,000 lost every year."
    assert with_digits("Starter covers two hundred and fifty accounts.", "en") == "Starter covers 250 accounts."
    assert with_digits("二十パーセント", "ja") == "二十パーセント", "other languages as said"
