"""Which partnerkit files a page loads for everyone, which only for a signed-in rep, and the beacon's
size goal (Plausible's script, 723 bytes gzipped)."""

from __future__ import annotations

import gzip

import pytest

from generator.model.config import SiteConfig
from generator.render.mkdocs_config import page_assets, signed_in_assets, stylesheets
from generator.render.site import PACKAGE_ASSETS_DIR, minified

pytestmark = pytest.mark.unit

ANALYTICS = {"analytics": {"endpoint": "https://collect.partners.example.com/e"}}
MODULE = '<div class="pk-done" data-pk-module="pricing"></div>\n'
HELP = '<div class="pk-help" data-search-exclude data-pk-data="{}"></div>\n'
QUIZ = '<div class="pk-quiz pk-quiz--practice" data-pk-data="{}"></div>\n'


def config(**settings) -> SiteConfig:
    return SiteConfig.model_validate({"site_name": "Partners", "vendor": "Ostrova", "product": "Pulse", **settings})


def test_a_module_loads_the_learner_record_and_ask_for_help_for_a_signed_in_rep_only() -> None:
    site = config(**ANALYTICS)
    assert page_assets(site, MODULE + HELP) == ["pages.js", "beacon.js", "progress.js"]
    assert signed_in_assets(site, MODULE + HELP) == ["learning.js", "widgets.js", "help.js"]
    assert signed_in_assets(site, MODULE) == ["learning.js"], "no deal stage, no form"


def test_a_quiz_loads_the_learner_record_for_a_signed_in_rep_and_widgets_for_everyone() -> None:
    site = config(**ANALYTICS)
    assert page_assets(site, QUIZ) == ["pages.js", "beacon.js", "widgets.js", "quiz.js", "practice.js", "quiz.css"]
    assert signed_in_assets(site, QUIZ + HELP) == ["learning.js", "help.js"], "widgets.js is on the page already"


def test_without_a_collector_no_one_is_signed_in() -> None:
    assert signed_in_assets(config(), MODULE + HELP) == []


def test_language_and_release_stylesheets_only_where_they_apply() -> None:
    assert stylesheets(config()) == ["partnerkit.css"]
    assert stylesheets(config(language="ja")) == ["partnerkit.css", "ja.css"]
    assert stylesheets(config(), versioned=True) == ["partnerkit.css", "versions.css"]


def test_the_beacon_as_shipped_is_at_most_plausibles_size() -> None:
    served = minified("beacon.js", (PACKAGE_ASSETS_DIR / "partnerkit" / "beacon.js").read_text(encoding="utf-8"))
    assert len(gzip.compress(served.encode(), 9, mtime=0)) <= 723, "as the site serves it (minified, gzipped)"
