"""The learner record as reps use it in Chromium: one personal link on two devices (two browser
contexts) converges; with the collector stopped, marking done still works without a console error
and reaches the collector when it is back; another rep's link sees none of it; an anonymous reader's
pages are what they were."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from generator.events import read_content_index
from generator.identity import Rep, Roster, sign
from generator.store.database import SqliteStore
from generator.collector.app import CollectorSettings
from generator.collector.learning import LearningService, learning_routes
from generator.commands.build import build
from tests.analytics.conftest import KEYS, free_port, running_collector
from tests.browser.test_beacon import REP_BROWSER
from tests.conftest import configure

pytestmark = pytest.mark.browser

ROSTER = ("partner_id,partner_name,rep_id,name,email,role,joined,left\n"
          "acme,Acme Resellers,rep-7,Aiko Tanaka,aiko@acme.example,sales,2026-01-05,\n"
          "acme,Acme Resellers,rep-8,Ben Ito,ben@acme.example,sales,2026-01-05,\n")
ISSUED = datetime.now(timezone.utc) - timedelta(days=1)


def link(rep: str) -> str:
    return sign(Rep("acme", rep, ISSUED), KEYS)


def serve(minimal: Path, site_server, port: int):
    """The collector with the learner record, on ``port``, storing in the project's events file."""
    roster = Roster(minimal, minimal / "private/roster.csv")
    settings = CollectorSettings(read_content_index(minimal), [site_server.url.rstrip("/")], KEYS, roster=roster)
    store = SqliteStore(minimal / "private/events.sqlite")
    return running_collector(settings, store, port, routes=learning_routes(settings, LearningService(store, roster.entries)))


@pytest.fixture
def site(minimal: Path, site_server):
    port = free_port()
    configure(minimal, site_url=site_server.url, analytics={"endpoint": f"http://127.0.0.1:{port}/e"})
    (minimal / "private").mkdir(exist_ok=True)
    (minimal / "private/roster.csv").write_text(ROSTER)
    build(minimal, site_server.folder)
    return minimal, site_server, port


def progress_label(page) -> str:
    return page.locator(".pk-path-progress__label").first.inner_text()


def synced(page) -> None:
    """Wait until no change is waiting to be sent."""
    page.wait_for_function("(() => { const p = JSON.parse(localStorage.getItem('partnerkit:pending') || 'null');"
                           " return p && Object.keys(p.modules).length === 0; })()")


def test_two_devices_with_one_link_converge_and_other_readers_see_nothing(site, browser) -> None:
    minimal, site_server, port = site
    base = site_server.url
    with serve(minimal, site_server, port):
        laptop = browser.new_context(user_agent=REP_BROWSER).new_page()
        laptop.goto(base + f"modules/product-basics/?pk={link('rep-7')}")
        laptop.get_by_role("button", name="Mark as done").click()
        assert laptop.get_by_role("button", name="Done ✓").is_visible()
        next_step = laptop.locator(".pk-next-step")
        assert next_step.inner_text() == "Next: Pricing | plans" and next_step.get_by_role("link").is_visible()
        synced(laptop)

        phone = browser.new_context(user_agent=REP_BROWSER, viewport={"width": 390, "height": 844}).new_page()
        phone.goto(base + f"paths/sales-start/?pk={link('rep-7')}")
        phone.wait_for_function("document.querySelector('.pk-path-progress__label').textContent.startsWith('1 of 2')")
        assert progress_label(phone) == "1 of 2 modules done"
        # the phone un-marks it; the laptop, reloaded, follows
        phone.goto(base + "modules/product-basics/")
        phone.get_by_role("button", name="Done ✓").click()
        synced(phone)
        laptop.goto(base + "paths/sales-start/")
        laptop.wait_for_function("document.querySelector('.pk-path-progress__label').textContent.startsWith('0 of 2')")

        other = browser.new_context(user_agent=REP_BROWSER).new_page()
        other.goto(base + f"modules/pricing/?pk={link('rep-8')}")
        other.get_by_role("button", name="Mark as done").click()
        synced(other)
        laptop.reload()
        laptop.wait_for_timeout(500)
        assert progress_label(laptop) == "0 of 2 modules done", "another rep's progress is theirs"

        anonymous = browser.new_context(user_agent=REP_BROWSER).new_page()
        anonymous.goto(base)
        assert progress_label(anonymous) == "0 of 2 modules done"
        assert anonymous.evaluate("Object.keys(localStorage)") == []
        anonymous.goto(base + "modules/pricing/")
        anonymous.get_by_role("button", name="Mark as done").click()
        assert anonymous.evaluate("Object.keys(localStorage)") == ["partnerkit:done:pricing"], "browser-only, as before"
    rows = SqliteStore(minimal / "private/events.sqlite")
    try:
        assert rows.query("SELECT rep, module, done FROM learning_modules ORDER BY rep, module") == [
            ("rep-7", "product-basics", 0), ("rep-8", "pricing", 1)]
    finally:
        rows.close()


def test_marking_done_with_the_collector_stopped_works_and_syncs_when_it_returns(site, browser) -> None:
    minimal, site_server, port = site
    base = site_server.url
    page = browser.new_context(user_agent=REP_BROWSER).new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + f"modules/product-basics/?pk={link('rep-7')}")  # no collector listening
    page.get_by_role("button", name="Mark as done").click()
    assert page.get_by_role("button", name="Done ✓").is_visible()
    page.goto(base + "paths/sales-start/")
    assert progress_label(page) == "1 of 2 modules done"
    page.wait_for_timeout(500)
    # Chromium logs each refused connection itself ("Failed to load resource"); no script error, nothing else
    script_errors = [error for error in errors if "net::ERR_CONNECTION_REFUSED" not in error]
    assert script_errors == []
    with serve(minimal, site_server, port) as collector:
        page.reload()
        synced(page)
        assert collector.store.query("SELECT rep, module, done FROM learning_modules") == [("rep-7", "product-basics", 1)]
    assert progress_label(page) == "1 of 2 modules done"


SHOTS = Path("/tmp/portal-shots")


def test_a_pass_on_one_device_shows_on_the_others_home_with_the_certificate(minimal: Path, site_server, browser) -> None:
    """Also writes the screenshots of home, path, exam after a pass and practice after checking
    (1280×900 and 390×844) to /tmp/portal-shots for a person to look at."""
    from tests.browser.test_quiz import EXAM, write

    port = free_port()
    write(minimal, "content/exam.yml", EXAM)
    configure(minimal, site_url=site_server.url, analytics={"endpoint": f"http://127.0.0.1:{port}/e"})
    (minimal / "private").mkdir(exist_ok=True)
    (minimal / "private/roster.csv").write_text(ROSTER)
    today = datetime.now(timezone.utc).date()
    (minimal / "private/customers.csv").write_text(  # the 60-day step (shared for mid-market) is due today
        f"customer_id,name,partner_id,segment,renewal_date\nc-1,Zephyrine Lumber Co,acme,mid-market,{today + timedelta(days=60)}\n")
    from generator.collector.worklists import worklist_service
    from generator.commands.worklists import worklists
    from generator.collector.worklists import worklist_routes
    from generator.load.config import load_config

    worklists(minimal, None, None)
    build(minimal, site_server.folder)
    from generator.certification.answer_key_files import read_exam_keys
    from generator.collector.exams import ExamService, exam_routes

    roster = Roster(minimal, minimal / "private/roster.csv")
    settings = CollectorSettings(read_content_index(minimal), [site_server.url.rstrip("/")], KEYS, roster=roster)
    store = SqliteStore(minimal / "private/events.sqlite")
    exams = ExamService(read_exam_keys(minimal), store, roster.entries())
    accounts = worklist_service(store, load_config(minimal), {}, roster)
    routes = [*learning_routes(settings, LearningService(store, roster.entries, exams, accounts)), *exam_routes(settings, exams),
              *worklist_routes(settings, accounts)]
    base = site_server.url
    SHOTS.mkdir(exist_ok=True)
    with running_collector(settings, store, port, routes=routes):
        laptop = browser.new_context(user_agent=REP_BROWSER, viewport={"width": 1280, "height": 900}).new_page()
        laptop.goto(base + f"modules/product-basics/?pk={link('rep-7')}")
        laptop.get_by_role("button", name="Mark as done").click()
        synced(laptop)
        laptop.goto(base + "quizzes/basics-check/")
        quiz = laptop.locator(".pk-quiz")
        quiz.locator("fieldset.pk-question").first.wait_for()
        for question in quiz.locator("fieldset.pk-question").all():
            choice = question.locator("input[type=radio], input[type=checkbox]").first
            if choice.count():
                choice.check()
            elif question.locator("input[type=text]").count():
                question.locator("input[type=text]").fill("no idea")
        quiz.get_by_role("button", name="Check answers").click()
        if quiz.get_by_role("button", name="Check anyway").is_visible():
            quiz.get_by_role("button", name="Check anyway").click()
        result = quiz.locator(".pk-result")
        result.filter(has_text="Score").wait_for()
        assert laptop.evaluate("document.activeElement.classList.contains('pk-result')"), "focus moved to the result"
        laptop.screenshot(path=str(SHOTS / "practice-1280.png"))

        laptop.goto(base + "quizzes/seller-silver/")
        exam = laptop.locator(".pk-quiz")
        exam.get_by_text("Signed in as Aiko Tanaka, Acme Resellers.").wait_for()
        assert not laptop.get_by_text("Open this site from your personal link").is_visible(), "not asked of a signed-in rep"
        assert exam.get_by_text("Attempts left: 3.").is_visible() or exam.locator(".pk-exam-state").is_visible()
        exam.get_by_role("button", name="Start the exam").click()
        exam.locator("fieldset.pk-question").first.wait_for()
        exam.get_by_label("Fewer churn surprises").check()
        exam.get_by_label("False", exact=True).check()
        exam.get_by_role("button", name="Submit answers").click()
        certificate = exam.locator(".pk-result").get_by_role("link", name="Open and print your certificate")
        certificate.wait_for()
        assert certificate.is_visible() and certificate.evaluate(
            "a => { const r = a.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"), "in view"
        laptop.screenshot(path=str(SHOTS / "exam-passed-1280.png"))
        laptop.reload()
        again = exam.get_by_role("button", name="Take the exam again")
        again.wait_for()
        assert exam.get_by_text("You hold this certification, valid until", exact=False).is_visible()
        again.click()
        assert exam.get_by_text("You are certified already. Start a new attempt anyway?", exact=False).is_visible()

        phone = browser.new_context(user_agent=REP_BROWSER, viewport={"width": 390, "height": 844}).new_page()
        phone.goto(base + f"?pk={link('rep-7')}")
        mine = phone.locator(".pk-learning")
        mine.get_by_role("heading", name="My learning").wait_for()
        assert mine.get_by_text("Signed in as Aiko Tanaka, Acme Resellers.").is_visible()
        assert mine.get_by_role("link", name="Continue: Pricing | plans").is_visible()
        assert mine.get_by_role("heading", name="Your certificates").is_visible()
        assert "Certified seller (Silver) · valid until" in mine.locator(".pk-learning__certificates").inner_text()
        due = mine.locator(".pk-learning__due")
        due.wait_for()
        assert mine.get_by_role("heading", name="Due on your accounts this week").is_visible()
        assert due.inner_text() == f"Due {today} · Zephyrine Lumber Co: Hold a value review with the customer."
        phone.screenshot(path=str(SHOTS / "home-390.png"), full_page=True)
        phone.goto(base + "paths/sales-start/")
        passed = phone.locator(".pk-exam-passed")
        passed.wait_for()
        assert passed.inner_text().startswith("Passed · your certificate") and not phone.locator(".pk-exam-todo").is_visible()
        phone.screenshot(path=str(SHOTS / "path-390.png"), full_page=True)
        laptop.goto(base)
        laptop.locator(".pk-learning h2").wait_for()
        laptop.screenshot(path=str(SHOTS / "home-1280.png"))
        laptop.goto(base + "paths/sales-start/")
        laptop.locator(".pk-exam-passed").wait_for()
        laptop.screenshot(path=str(SHOTS / "path-1280.png"))
        phone.goto(base + "quizzes/seller-silver/")
        phone.get_by_role("button", name="Take the exam again").wait_for()
        phone.screenshot(path=str(SHOTS / "exam-passed-390.png"), full_page=True)
        phone.goto(base + "quizzes/basics-check/")
        pq = phone.locator(".pk-quiz")
        pq.locator("fieldset.pk-question").first.wait_for()
        pq.get_by_label("Hardware shops").check()  # the wrong answer
        pq.get_by_role("button", name="Check answers").click()
        pq.locator(".pk-result").filter(has_text="Score").wait_for()
        assert phone.evaluate("document.activeElement.classList.contains('pk-result')"), "focus moved to the result"
        wrong = pq.locator(".pk-choice--wrong")
        assert wrong.is_visible() and "Hardware shops" in wrong.inner_text()
        assert wrong.locator(".pk-choice-mark").inner_text() == "✗ your answer"
        assert not pq.get_by_role("link", name="Passed: take the exam", exact=False).is_visible(), "no exam link without a pass"
        phone.screenshot(path=str(SHOTS / "practice-390.png"))

        anonymous = browser.new_context(user_agent=REP_BROWSER).new_page()
        anonymous.goto(base)
        assert not anonymous.locator(".pk-learning").is_visible()
        anonymous.goto(base + "paths/sales-start/")
        assert anonymous.locator(".pk-exam-todo").is_visible() and not anonymous.locator(".pk-exam-passed").is_visible()
        anonymous.goto(base + "quizzes/seller-silver/")
        assert anonymous.get_by_text("Open this site from your personal link to take it.").is_visible()


def test_a_module_done_in_an_earlier_release_and_changed_since_is_listed(minimal: Path, site_server, browser) -> None:
    """Release 2 changed the pricing module; a rep who marked it done on release 1's page sees it under
    "Updated since you completed it" on release 2's home page, with the what's-new link."""
    from tests.test_releases_build import VERSIONS, edit, git

    port = free_port()
    configure(minimal, site_url=site_server.url, analytics={"endpoint": f"http://127.0.0.1:{port}/e"})
    (minimal / ".gitignore").write_text("site/\n.partnerkit-cache/\nprivate/\n")
    git(minimal, "init", "-q", "-b", "main")
    git(minimal, "add", "-A")
    git(minimal, "commit", "-q", "-m", "release 1")
    git(minimal, "tag", "v1")
    edit(minimal / "content/modules.yml", "minutes: 20", "minutes: 25")
    git(minimal, "commit", "-q", "-am", "release 2")
    git(minimal, "tag", "v2")
    with (minimal / "site_config.yml").open("a") as config:
        config.write(VERSIONS)
    (minimal / "private").mkdir(exist_ok=True)
    (minimal / "private/roster.csv").write_text(ROSTER)
    build(minimal, site_server.folder)
    base = site_server.url
    with serve(minimal, site_server, port):
        page = browser.new_context(user_agent=REP_BROWSER).new_page()
        page.goto(base + f"1/modules/pricing/?pk={link('rep-7')}")
        page.get_by_role("button", name="Mark as done").click()
        synced(page)
        page.goto(base + "2/")
        updated = page.locator(".pk-learning__updated")
        updated.wait_for()
        assert page.get_by_role("heading", name="Updated since you completed it").is_visible()
        assert updated.inner_text() == "Pricing | plans · what changed in 2"
        assert updated.get_by_role("link", name="what changed in 2").get_attribute("href") == "whats-new/"
        page.goto(base + "1/")
        page.locator(".pk-learning h2").wait_for()
        assert page.locator(".pk-learning__updated").count() == 0, "release 1 changed nothing since"
