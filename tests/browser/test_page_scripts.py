"""Each page loads only the scripts it uses, and they still work when a rep moves between pages by the
theme's instant navigation (which runs a page's scripts itself, and again on each page listing them)."""

from __future__ import annotations

import re
from pathlib import Path

from generator.commands.build import build
from generator.render.site import PACKAGE_ASSETS_DIR
from tests.browser.test_quiz import PRACTICE
from tests.conftest import configure
from tests.test_content_errors import write


def scripts_loaded(requests: list[str]) -> list[str]:
    """partnerkit's files the page asked for (scripts and widget stylesheets; partnerkit.css is on every page)."""
    return sorted({url.rsplit("/", 1)[1] for url in requests
                   if "/assets/partnerkit/" in url and not url.endswith("/partnerkit.css")})


def test_module_to_quiz_and_back_by_instant_navigation(minimal: Path, site_server, page) -> None:
    write(minimal, "content/retention.yml", PRACTICE)
    configure(minimal, site_url=site_server.url)
    build(minimal, site_server.folder)
    requests: list[str] = []
    failures: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: failures.append(str(error)))

    page.goto(site_server.url + "modules/")
    assert scripts_loaded(requests) == [], "a section index uses no partnerkit script"
    page.evaluate("window.__samePageLoad = true")
    # pages.js and progress.js arrive together, in either order: each script still runs once, after pages.js
    page.locator(".md-nav--primary a", has_text="Product basics").click()
    page.wait_for_url(site_server.url + "modules/product-basics/")
    page.wait_for_function("document.querySelector('.pk-done button[aria-pressed]') !== null")  # progress.js set it up
    assert scripts_loaded(requests) == ["pages.js", "progress.js"]

    page.locator(".md-nav--primary a", has_text="Retention check").click()
    page.wait_for_url(site_server.url + "quizzes/retention-check/")
    quiz = page.locator(".pk-quiz")
    quiz.locator("fieldset.pk-question").first.wait_for()
    assert page.evaluate("window.__samePageLoad") is True, "navigation was not instant"
    assert scripts_loaded(requests) == ["pages.js", "practice.js", "progress.js", "quiz.css", "quiz.js", "widgets.js"]
    assert quiz.locator(".pk-confirm").is_hidden(), "quiz.css came with the page: hidden controls stay hidden"
    assert quiz.locator("form").count() == 1, "the quiz is set up once"
    quiz.get_by_role("button", name="Check answers").click()
    quiz.get_by_role("button", name="Check anyway").click()
    # nothing answered but the ordering question, which comes shuffled (right about 1 time in 6)
    assert re.fullmatch(r"Score: (0|33) % \(pass mark 80 %\) · Not passed yet", quiz.locator(".pk-result").inner_text())

    page.locator(".md-nav--primary a", has_text="Product basics").click()
    page.wait_for_url(site_server.url + "modules/product-basics/")
    button = page.locator(".pk-done button")
    page.wait_for_function("document.querySelector('.pk-done button[aria-pressed]') !== null")  # progress.js set it up
    assert page.evaluate("window.__samePageLoad") is True, "navigation was not instant"
    button.click()
    assert button.inner_text() == "Done ✓", "one click handler, not one per visit"
    assert failures == []


LOADS = re.compile(r'(?:src|href)="[^"]*assets/partnerkit/([\w.-]+)"')
SIGNED_IN = re.compile(r'data-pk-signed-in="([^"]*)"')


def test_each_page_type_names_only_its_files_and_they_are_minified(minimal: Path, tmp_path: Path) -> None:
    write(minimal, "content/retention.yml", PRACTICE)
    configure(minimal, site_url="https://partners.example.com/", analytics={"endpoint": "https://collect.partners.example.com/e"})
    site = tmp_path / "site"
    build(minimal, site)

    def loads(page: str) -> list[str]:
        return LOADS.findall((site / page / "index.html").read_text(encoding="utf-8"))

    def signed_in(page: str) -> list[str]:
        """The scripts pages.js loads for a signed-in rep only."""
        found = SIGNED_IN.search((site / page / "index.html").read_text(encoding="utf-8"))
        return found.group(1).split() if found else []

    common = ["partnerkit.css"]  # in the head of every page
    assert loads(".") == [*common, "pages.js", "beacon.js", "progress.js", "progress.css"]  # the home page's path cards show progress
    assert signed_in(".") == ["learning.js"], "My learning, the certificates held"
    assert loads("modules/product-basics") == [*common, "pages.js", "beacon.js", "progress.js"]
    assert signed_in("modules/product-basics") == ["learning.js"]
    assert loads("paths/sales-start") == [*common, "pages.js", "beacon.js", "progress.js", "progress.css"]
    assert loads("quizzes/retention-check") == [*common, "pages.js", "beacon.js", "widgets.js", "quiz.js", "practice.js", "quiz.css"]
    assert signed_in("quizzes/retention-check") == ["learning.js"], "a signed-in rep's result joins their learner record"
    assert loads("procedures/renewal") == [*common, "pages.js", "beacon.js", "procedure.css"], "checklists are ticked on My accounts"
    assert loads("quizzes") == [*common, "pages.js", "beacon.js"]
    assert signed_in("quizzes") == []

    configure(minimal, analytics=None)
    build(minimal, site)
    assert loads("quizzes") == common, "no analytics, no widget: no script at all"
    assert loads("modules/product-basics") == [*common, "pages.js", "progress.js"]
    assert signed_in("modules/product-basics") == [], "no collector, no one signed in"
    assert "checklist.js" in loads("procedures/renewal"), "no My accounts: the procedure's own checkboxes"
    for name in ("pages.js", "progress.js", "learning.js", "quiz.js", "practice.js", "exam.js", "checklist.js", "partnerkit.css",
                 "progress.css", "quiz.css", "procedure.css"):
        source = (PACKAGE_ASSETS_DIR / "partnerkit" / name).read_text(encoding="utf-8")
        served = (site / "assets/partnerkit" / name).read_text(encoding="utf-8")
        assert source.startswith("/*") and not served.startswith("/*"), f"{name}: comments stay in the source only"
        assert len(served) < 0.9 * len(source), f"{name}: minified"
