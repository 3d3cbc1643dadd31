"""axe-core (the npm package pinned in tests/node, installed by scripts/setup) on every page type of
the example, with its teal palette and with ``primary: indigo``: no critical or serious violation.
Procedure checklists point to My accounts, where a rep ticks them per customer."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.commands.build import build

from tests.browser.example_pages import PAGE_TYPES, served_example
from tests.conftest import configure, require_tool, serve_folder
from tests.test_releases_build import repo  # noqa: F401  (fixture: releases 1, 2 and dev in git)

pytestmark = pytest.mark.slow

AXE = Path(__file__).resolve().parent.parent / "node" / "node_modules" / "axe-core" / "axe.min.js"



@pytest.fixture(scope="module", params=["teal", "indigo"])
def example(request, tmp_path_factory):
    with served_example(tmp_path_factory.mktemp(request.param),
                        palette={"primary": request.param, "accent": "deep-orange"}) as url:
        yield url


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    # Material's own search overlay (partials/search.html: role="dialog" without a name) is the
    # theme's markup, not partnerkit's: left out.
    result = page.evaluate("axe.run({exclude: [['.md-search']]}, {resultTypes: ['violations']})")
    return [f"{violation['id']} ({violation['impact']}): {node['target']} {node['failureSummary']}"
            for violation in result["violations"] if violation["impact"] in ("critical", "serious")
            for node in violation["nodes"]]


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_no_serious_accessibility_violation(example: str, page, page_type: str) -> None:
    require_tool(AXE.is_file(), "axe-core", "npm ci --prefix tests/node")
    page.goto(example + PAGE_TYPES[page_type])
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []
    levels = page.evaluate("[...document.querySelectorAll('article h1, article h2, article h3, article h4, article h5,"
                           " article h6')].filter(h => h.offsetParent !== null).map(h => Number(h.tagName[1]))")
    assert levels[0] == 1
    skipped = [(before, after) for before, after in zip(levels, levels[1:]) if after > before + 1]
    assert skipped == [], f"heading levels skip: {levels}"


def test_a_procedures_checklist_sends_the_rep_to_my_accounts(example: str, page) -> None:
    """Where the site has My accounts, a rep ticks a step and its checklist there, per customer: the
    procedure page lists the checklist without checkboxes of its own that would compete."""
    page.goto(example + "procedures/renewal-90-60-30/")
    assert page.get_by_role("checkbox").count() == 0
    assert page.locator("article li", has_text="Contact owner per account agreed").is_visible()
    page.get_by_role("link", name="My accounts").first.click()
    page.wait_for_url("**/accounts/")


def test_home_starts_with_a_card_per_path_naming_its_exam(example: str, page) -> None:
    page.goto(example)
    headings = page.locator("article h2").all_inner_texts()
    assert headings[0].startswith("Start here")
    card = page.locator(".pk-card", has_text="Sales rep onboarding")
    assert card.is_visible()
    assert "6 modules · 130 min" in card.inner_text()
    assert "0 of 6 modules done" in card.inner_text()
    card.get_by_role("link", name="Certified Pulse seller (Silver)").click()
    page.wait_for_url("**/quizzes/sales-silver/")


def test_procedure_steps_read_in_words(example: str, page) -> None:
    page.goto(example + "procedures/renewal-90-60-30/")
    steps = page.locator("article h2").all_inner_texts()
    assert steps[0].startswith("Step 1 · 90 days before renewal")
    assert any(step.startswith("Step 6 · on renewal day") for step in steps)
    trigger = page.locator("article li", has_text="Trigger:")
    assert trigger.inner_text() == "Trigger: 90 days before renewal", "the words, not the raw rule"


@pytest.mark.parametrize("primary", ["teal", "indigo"])
def test_whats_new_has_no_serious_accessibility_violation(repo: Path, primary: str, page) -> None:
    configure(repo, palette={"primary": primary, "accent": "deep-orange"})
    build(repo, repo / "site")
    url, server = serve_folder(repo / "site")
    try:
        page.goto(url + "dev/whats-new/")  # dev: built from the working tree, with this palette
        page.wait_for_load_state("networkidle")
        assert page.get_by_text("Title: Product basics → Product basics, revised").is_visible()
        assert page.evaluate("document.body.dataset.mdColorPrimary") == primary
        assert serious_violations(page) == []
    finally:
        server.shutdown()
        server.server_close()
