"""Which partnerkit files a page loads for everyone, which only for a signed-in rep, and the beacon's size
with what it needs (pages.js), against the budget it keeps (Plausible's self-contained script, 723 bytes
gzipped, is its goal: benchmarks/collector.py and benchmarks/page_weight.py print how far it is)."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import given, strategies as st

from generator.model.config import SiteConfig
from generator.render.mkdocs_config import WIDGET_CLASSES, page_assets, signed_in_assets, stylesheets
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


BEACON_BUDGET = 1713
"""The beacon with pages.js, which it needs, each minified and gzipped as the site serves it: bytes it may
not outgrow (its size when issue 32 first measured it so). Its goal, Plausible's script, is 723 bytes, but
that script needs nothing else; beacon.js alone (716 bytes) uses pages.js's helpers (meta tags, the
collector's reachability, the token, every page) and is never loaded without it. A self-contained beacon
with every behaviour is 947 bytes, but it would carry those helpers a second time on every page."""


@given(st.sets(st.sampled_from(sorted(WIDGET_CLASSES))))
def test_every_page_that_loads_the_beacon_loads_pages_js_before_it(classes: set[str]) -> None:
    loaded = page_assets(config(**ANALYTICS), "".join(f'<div class="{name}"></div>\n' for name in sorted(classes)))
    assert "beacon.js" in loaded and loaded.index("pages.js") < loaded.index("beacon.js")


def test_the_beacon_with_what_it_needs_stays_within_its_budget() -> None:
    needs = page_assets(config(**ANALYTICS), "")  # a page with nothing but the beacon
    assert needs == ["pages.js", "beacon.js"]
    served = [minified(name, (PACKAGE_ASSETS_DIR / "partnerkit" / name).read_text(encoding="utf-8")) for name in needs]
    assert sum(len(gzip.compress(text.encode(), 9, mtime=0)) for text in served) <= BEACON_BUDGET, \
        "each file as the site serves it (minified, gzipped): a browser fetches pages.js whole"
