"""The example built by each engine (``engine:`` in site_config.yml) and opened in a browser: pages load
without an error, partnerkit's scripts run on them (path progress, the quiz, the talk player)."""

from __future__ import annotations

import importlib.util

import pytest

from tests.browser.example_pages import PAGE_TYPES, served_example
from tests.conftest import require_tool

ENGINES = ["mkdocs", "zensical"]


@pytest.fixture(scope="module", params=ENGINES)
def example(request, tmp_path_factory):
    require_tool(importlib.util.find_spec(request.param) is not None, request.param.capitalize(), 'pip install -e ".[test]"')
    with served_example(tmp_path_factory.mktemp(request.param), engine=request.param) as url:
        yield url


def _errors(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return problems


@pytest.mark.parametrize("page_type", ["home", "module", "learning path", "talk", "practice quiz"])
def test_page_loads_with_its_title_and_no_error(example: str, page, page_type: str) -> None:
    problems = _errors(page)
    page.goto(example + PAGE_TYPES[page_type])
    page.wait_for_load_state("networkidle")
    assert page.locator("article h1").first.is_visible()
    assert problems == []


def test_learning_path_shows_its_progress(example: str, page) -> None:
    page.goto(example + PAGE_TYPES["learning path"])
    label = page.locator(".pk-path-progress__label")
    label.wait_for()
    assert label.is_visible() and label.inner_text().startswith("0 of ")


def test_quiz_widget_shows(example: str, page) -> None:
    problems = _errors(page)
    page.goto(example + PAGE_TYPES["practice quiz"])
    quiz = page.locator(".pk-quiz")
    quiz.locator("fieldset.pk-question").first.wait_for()
    assert quiz.locator("fieldset.pk-question").first.is_visible()
    assert quiz.get_by_role("button", name="Check answers").is_visible()
    assert problems == []


def test_player_seeks_from_a_timestamp(example: str, page) -> None:
    page.goto(example + PAGE_TYPES["talk"])
    page.wait_for_function("document.querySelector('audio.pk-player, video.pk-player')?.readyState >= 1")
    stamp = page.locator("a.pk-seek.pk-time").nth(2)
    target = float(stamp.get_attribute("data-pk-seek"))
    stamp.click()
    page.wait_for_function(f"document.querySelector('.pk-player').currentTime >= {target}")
    assert page.evaluate("document.querySelector('.pk-player').currentTime") >= target
