"""The quiz widget in a real browser: a practice quiz graded on the page, and an exam graded by the
real collector, up to the verification page of the certificate it issues."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from playwright.sync_api import expect

from generator.collector.app import CollectorSettings
from generator.events import read_content_index
from generator.identity import Rep, sign
from generator.roster import RosterEntry
from generator.collector.exams import ExamService
from generator.certification.answer_key_files import read_exam_keys
from generator.commands.build import build
from tests.analytics.conftest import KEYS, free_port, running_collector
from tests.browser.test_beacon import REP_BROWSER, wait_for
from tests.conftest import configure
from tests.test_content_errors import write

PRACTICE = """\
kind: quiz
id: retention-check
title: Retention check
questions:
  - id: lead
    type: single
    prompt: What do you lead with?
    choices:
      - text: The dashboard
        feedback: Nobody buys a dashboard.
      - text: Fewer churn surprises
        correct: true
        feedback: Yes, the outcome first.
    explanation: Outcome first, product second.
  - id: metric
    type: short-text
    prompt: Which metric do investors ask about? (three letters)
    answers: [NRR]
  - id: steps
    type: ordering
    prompt: Order the renewal checkpoints.
    items: [Day 90, Day 60, Day 30]
"""

EXAM = """\
kind: quiz
id: seller-silver
title: Certified seller (Silver)
mode: exam
role: sales
level: silver
pass_mark: 100
retry_after_hours: 0.002
time_limit_minutes: 10
questions:
  - id: lead
    type: single
    prompt: What do you lead with?
    choices:
      - text: The dashboard
      - text: Fewer churn surprises
        correct: true
  - id: crm
    type: true-false
    prompt: Pulse replaces the CRM.
    choices:
      - text: "True"
      - text: "False"
        correct: true
"""


def order_items(page, question, wanted: list[str]) -> None:
    """Put an ordering question's items in ``wanted`` order with the keyboard (move-up buttons)."""
    for position, text in enumerate(wanted):
        while True:
            texts = question.locator("li > span").all_inner_texts()
            if texts.index(text) == position:
                break
            button = question.locator("li", has_text=text).locator("button").first
            button.focus()
            page.keyboard.press("Enter")


def test_practice_quiz_feedback_and_result_kept_across_reload_and_releases(minimal: Path, site_server, page) -> None:
    write(minimal, "content/retention.yml", PRACTICE)
    for release in ("2.3", "2.4"):
        configure(minimal, site_url=f"{site_server.url}{release}/")
        build(minimal, site_server.folder / release)
    failures: list[str] = []
    page.on("pageerror", lambda error: failures.append(str(error)))
    page.goto(site_server.url + "2.3/quizzes/")
    page.evaluate("window.__samePageLoad = true")
    page.locator("article a", has_text="Retention check").click()  # instant navigation re-creates the page's scripts
    page.wait_for_url(site_server.url + "2.3/quizzes/retention-check/")
    assert page.evaluate("window.__samePageLoad") is True, "navigation was not instant"
    quiz = page.locator(".pk-quiz")
    questions = quiz.locator("fieldset.pk-question")
    questions.first.wait_for()
    check, retry = quiz.get_by_role("button", name="Check answers"), quiz.get_by_role("button", name="Try again")
    confirm = quiz.locator(".pk-confirm")
    assert questions.count() == 3
    assert check.is_visible() and not retry.is_visible() and not confirm.is_visible(), "before the first attempt: only Check answers"

    questions.nth(0).get_by_label("The dashboard").check()
    order_items(page, questions.nth(2), ["Day 30", "Day 60", "Day 90"])  # items come shuffled: make sure they are wrong
    check.click()
    assert confirm.is_visible() and confirm.locator("p").first.inner_text() == "1 of 3 unanswered (question 2): submit anyway?"
    assert not check.is_visible() and not retry.is_visible()
    assert questions.nth(1).locator(".pk-feedback").inner_text() == "Not answered yet"
    assert questions.nth(0).locator(".pk-feedback").inner_text() == ""
    quiz.get_by_role("button", name="Keep answering").click()
    assert not confirm.is_visible() and check.is_visible()
    assert page.evaluate("document.activeElement === document.querySelectorAll('fieldset.pk-question')[1].querySelector('input')")
    questions.nth(1).get_by_role("textbox").fill("ARR")
    check.click()
    assert not confirm.is_visible(), "nothing unanswered: graded at once"
    assert list(filter(None, questions.nth(0).locator(".pk-feedback").inner_text().splitlines())) == [
        "Not quite", "Nobody buys a dashboard.", "Right answer: Fewer churn surprises", "Outcome first, product second."]
    assert questions.nth(1).locator(".pk-right-answer").inner_text() == "Right answer: NRR"
    assert questions.nth(2).locator(".pk-right-answer").inner_text() == "Right answer: Day 90 → Day 60 → Day 30"
    assert all(questions.nth(index).locator(".pk-right-answer").is_visible() for index in range(3))
    assert quiz.locator(".pk-result").inner_text() == "Score: 0 % (pass mark 80 %) · Not passed yet"
    assert retry.is_visible() and not check.is_visible(), "after grading: the result and Try again"

    retry.click()
    assert check.is_visible() and not retry.is_visible()
    assert quiz.locator(".pk-result").inner_text() == "Your last result: 0 % · Not passed yet"
    assert quiz.locator(".pk-right-answer").count() == 0
    questions.nth(0).get_by_label("Fewer churn surprises").check()
    questions.nth(1).get_by_role("textbox").fill("ｎｒｒ")  # full-width, as a Japanese keyboard types it
    order_items(page, questions.nth(2), ["Day 90", "Day 60", "Day 30"])
    check.click()
    assert [questions.nth(index).locator(".pk-feedback strong").inner_text() for index in range(3)] == ["Correct"] * 3
    assert quiz.locator(".pk-right-answer").count() == 0, "right answers only under wrong questions"
    assert "Yes, the outcome first." in questions.nth(0).inner_text()
    assert quiz.locator(".pk-result").inner_text() == "Score: 100 % (pass mark 80 %) · Passed"

    retry.click()
    check.click()
    assert confirm.locator("p").first.inner_text() == "2 of 3 unanswered (questions 1 and 2): submit anyway?"
    quiz.get_by_role("button", name="Check anyway").click()
    assert not confirm.is_visible() and retry.is_visible() and not check.is_visible()
    assert quiz.locator(".pk-result").inner_text().startswith("Score: ")

    page.reload()
    page.locator(".pk-quiz .pk-result", has_text="Your last result").wait_for()
    assert page.locator(".pk-quiz .pk-result").inner_text().startswith("Your last result: ")
    page.goto(site_server.url + "2.4/quizzes/retention-check/")
    page.locator(".pk-quiz .pk-result", has_text="Your last result").wait_for()
    assert page.locator(".pk-quiz .pk-result").inner_text().startswith("Your last result: ")
    assert failures == []


def test_practice_review_questions_and_score(minimal: Path, site_server, page) -> None:
    write(minimal, "content/retention.yml", PRACTICE.replace("title: Retention check\n", "title: Retention check\nreview: questions\n"))
    write(minimal, "content/scored.yml", PRACTICE.replace("id: retention-check", "id: scored").replace(
        "title: Retention check\n", "title: Scored\nreview: score\n"))
    configure(minimal, site_url=site_server.url)
    build(minimal, site_server.folder)
    for name, marks in (("retention-check", ["Not quite", "Not quite", "Not quite"]), ("scored", [])):
        page.goto(site_server.url + f"quizzes/{name}/")
        quiz = page.locator(".pk-quiz")
        quiz.locator("fieldset.pk-question").nth(0).get_by_label("The dashboard").check()
        quiz.get_by_role("textbox").fill("ARR")
        order_items(page, quiz.locator("fieldset.pk-question").nth(2), ["Day 30", "Day 60", "Day 90"])
        quiz.get_by_role("button", name="Check answers").click()
        assert quiz.locator(".pk-feedback strong").all_inner_texts() == marks
        assert quiz.locator(".pk-right-answer").count() == 0 and "Nobody buys" not in quiz.inner_text()
        assert quiz.locator(".pk-result").inner_text() == "Score: 0 % (pass mark 80 %) · Not passed yet"


def exam_site(minimal: Path, site_server, port: int, *extra: tuple[str, str]):
    write(minimal, "content/exam.yml", EXAM)
    for name, text in extra:
        write(minimal, name, text)
    configure(minimal, site_url=site_server.url, analytics={"endpoint": f"http://127.0.0.1:{port}/e"})
    build(minimal, site_server.folder)
    roster = [RosterEntry("acme", "Acme Resellers", "rep-7", "Aiko Tanaka", "aiko@acme.example", "sales", date(2026, 1, 5), None)]
    service = ExamService(read_exam_keys(minimal), None, roster)  # type: ignore[arg-type]
    settings = CollectorSettings(read_content_index(minimal), [site_server.url.rstrip("/")], KEYS)
    return service, settings


def test_exam_fail_wait_pass_and_verify(minimal: Path, site_server, browser, tmp_path: Path) -> None:
    port = free_port()
    service, settings = exam_site(minimal, site_server, port)
    page_html = (site_server.folder / "quizzes/seller-silver/index.html").read_text()
    assert "What do you lead with?" not in page_html and "Fewer churn surprises" not in page_html
    assert "Pass mark 100 %. 2 questions. Time limit 10 min." in page_html
    token = sign(Rep("acme", "rep-7", date.today() - timedelta(days=30)), KEYS)
    context = browser.new_context(user_agent=REP_BROWSER, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    with running_collector(settings, tmp_path / "e.sqlite", port, exams=service):
        page.goto(site_server.url + f"quizzes/seller-silver/?pk={token}")
        quiz = page.locator(".pk-quiz")
        start, retry = quiz.get_by_role("button", name="Start the exam"), quiz.get_by_role("button", name="Try again")
        submit, timer = quiz.get_by_role("button", name="Submit answers"), quiz.locator(".pk-timer")
        assert start.is_visible() and not submit.is_visible() and not retry.is_visible()
        start.click()
        questions = quiz.locator("fieldset.pk-question")
        questions.first.wait_for()
        assert questions.count() == 2
        assert not start.is_visible() and submit.is_visible()
        assert re.fullmatch(r"Time left: (10:00|9:[0-5]\d)", timer.inner_text())
        quiz.get_by_label("The dashboard").check()
        submit.click()
        confirm = quiz.locator(".pk-confirm")
        assert confirm.is_visible() and confirm.locator("p").first.inner_text() == "1 of 2 unanswered (question 2): submit anyway?"
        assert not submit.is_visible()
        quiz.get_by_role("button", name="Submit anyway").click()
        status = quiz.locator(".pk-result")
        status.filter(has_text="Score").wait_for()
        assert status.inner_text() == "Score: 0 % (pass mark 100 %) · Not passed yet"
        assert quiz.locator(".pk-feedback strong").all_inner_texts() == ["Not quite", "Not quite"]
        assert not submit.is_visible() and not confirm.is_visible() and timer.count() == 0, "graded: no Submit, no countdown"
        assert not retry.is_visible() and not start.is_visible(), "no Try again while the retry delay runs"
        assert quiz.locator(".pk-next").inner_text().startswith("You can try again from")

        retry.wait_for(timeout=15000)  # retry_after_hours: 0.002 is 7.2 seconds
        assert retry.is_visible() and quiz.locator(".pk-next").inner_text() == ""
        retry.click()
        expect(retry).to_be_hidden()  # the new attempt arrives from the collector; the graded one stays until then
        expect(submit).to_be_visible()
        assert not retry.is_visible() and submit.is_visible() and timer.is_visible()
        quiz.get_by_label("Fewer churn surprises").check()
        quiz.get_by_label("False", exact=True).check()
        submit.click()
        link = quiz.get_by_role("link", name="Open and print your certificate")
        link.wait_for()
        assert status.inner_text().startswith("Score: 100 % (pass mark 100 %) · Passed")
        assert not submit.is_visible() and not retry.is_visible() and not start.is_visible() and timer.count() == 0
        page.wait_for_timeout(1100)
        assert timer.count() == 0, "the countdown stopped"
        link.click()
        page.wait_for_url("**/verify/?id=*")
        state = page.locator(".pk-certificate-state")
        state.locator("dl").wait_for()
        fields = dict(zip(state.locator("dt").all_inner_texts(), state.locator("dd").all_inner_texts()))
        issued = datetime.now(timezone.utc).date()
        assert fields == {
            "Holder": "Aiko Tanaka", "Partner company": "Acme Resellers",
            "Certification": "Certified seller (Silver)", "Earned by passing": "the Certified seller (Silver) exam",
            "Issued": issued.isoformat(), "Valid until": (issued + timedelta(days=365)).isoformat(),
        }
        assert page.locator(".pk-certificate-verdict").inner_text() == "Valid"
        assert page.locator(".pk-certificate-holder").inner_text() == "Aiko Tanaka"
        page.goto(site_server.url + "verify/?id=forged-certificate-id")
        state.filter(has_text="No certificate").wait_for()
        assert state.inner_text() == "No certificate has the id forged-certificate-id. Check the id on the certificate and try again."
    context.close()


ONE_ATTEMPT = EXAM.replace("id: seller-silver", "id: seller-once").replace(
    "retry_after_hours: 0.002\ntime_limit_minutes: 10\n", "attempts: 1\n")


def test_exam_with_no_attempt_left_offers_none(minimal: Path, site_server, browser, tmp_path: Path) -> None:
    port = free_port()
    service, settings = exam_site(minimal, site_server, port, ("content/once.yml", ONE_ATTEMPT))
    token = sign(Rep("acme", "rep-7", date.today() - timedelta(days=30)), KEYS)
    context = browser.new_context(user_agent=REP_BROWSER, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    with running_collector(settings, tmp_path / "e.sqlite", port, exams=service):
        page.goto(site_server.url + f"quizzes/seller-once/?pk={token}")
        quiz = page.locator(".pk-quiz")
        assert "Pass mark 100 %. 2 questions. Attempts: 1." in page.locator("article").inner_text()
        quiz.get_by_role("button", name="Start the exam").click()
        quiz.locator("fieldset.pk-question").first.wait_for()
        assert quiz.locator(".pk-timer").count() == 0, "no time limit, no countdown"
        quiz.get_by_label("The dashboard").check()
        quiz.get_by_label("True", exact=True).check()
        quiz.get_by_role("button", name="Submit answers").click()
        quiz.locator(".pk-result", has_text="Score").wait_for()
        assert quiz.locator(".pk-next").inner_text() == "No attempts left. Ask your partner manager."
        page.wait_for_timeout(500)
        assert quiz.get_by_role("button").filter(visible=True).count() == 0, "no Submit, no Try again"

        page.reload()
        start = quiz.get_by_role("button", name="Start the exam")
        start.click()
        quiz.locator(".pk-next", has_text="No attempts left").wait_for()
        assert not start.is_visible()
    context.close()


UNREACHABLE = "The exam service is not reachable from this copy of the site. To try exams locally, run partnerkit serve --demo in the project folder."


def test_exam_and_verify_pages_say_when_the_exam_service_is_out_of_reach(minimal: Path, site_server, browser) -> None:
    write(minimal, "content/exam.yml", EXAM)
    configure(minimal, site_url=site_server.url, analytics={"endpoint": "https://collect.partners.ostrova.example/e"})
    build(minimal, site_server.folder)
    context = browser.new_context(user_agent=REP_BROWSER, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[tuple[str, str]] = []
    page.on("console", lambda message: errors.append((message.text, message.location.get("url", "")))
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append((str(error), "")))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(site_server.url + "quizzes/seller-silver/")
    quiz = page.locator(".pk-quiz")
    quiz.locator(".pk-result", has_text="not reachable").wait_for()
    assert quiz.locator(".pk-result").inner_text() == UNREACHABLE
    assert quiz.locator(".pk-result code").inner_text() == "partnerkit serve --demo"
    assert not quiz.get_by_role("button", name="Start the exam").is_visible()
    page.goto(site_server.url + "verify/?id=abc")
    page.locator(".pk-certificate-state", has_text="not reachable").wait_for()
    assert page.locator(".pk-certificate-state").inner_text() == UNREACHABLE
    assert [url for url in requests if "/exams/" in url or "/certificates/" in url] == [], "no request that cannot succeed"
    assert [error for error in errors if not error[1].endswith("/e")] == [], "nothing logged but the view beacon's own"

    # A collector that should answer but does not (nothing listens on the port).
    configure(minimal, analytics={"endpoint": f"http://127.0.0.1:{free_port()}/e"})
    build(minimal, site_server.folder)
    page.goto(site_server.url + "quizzes/seller-silver/")
    quiz.get_by_role("button", name="Start the exam").click()
    quiz.locator(".pk-result", has_text="not reachable").wait_for()
    assert quiz.locator(".pk-result").inner_text() == UNREACHABLE
    assert not quiz.get_by_role("button", name="Start the exam").is_visible()
    page.goto(site_server.url + "verify/?id=abc")
    page.locator(".pk-certificate-state", has_text="not reachable").wait_for()
    assert {text for text, url in errors if not url.endswith("/e")} <= {"Failed to load resource: net::ERR_CONNECTION_REFUSED"}, \
        "only the refused connections themselves, which a browser always logs"
    context.close()


def test_practice_results_reach_the_view_logs(minimal: Path, site_server, browser, tmp_path: Path) -> None:
    port = free_port()
    write(minimal, "content/retention.yml", PRACTICE)
    configure(minimal, site_url=site_server.url, analytics={"endpoint": f"http://127.0.0.1:{port}/e"})
    build(minimal, site_server.folder)
    settings = CollectorSettings(read_content_index(minimal), [site_server.url.rstrip("/")], KEYS)
    token = sign(Rep("acme", "rep-7", date.today() - timedelta(days=30)), KEYS)
    context = browser.new_context(user_agent=REP_BROWSER, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    with running_collector(settings, tmp_path / "e.sqlite", port) as collector:
        page.goto(site_server.url + f"quizzes/retention-check/?pk={token}")
        quiz = page.locator(".pk-quiz")
        quiz.get_by_label("Fewer churn surprises").check()
        quiz.get_by_role("textbox").fill("NRR")
        order_items(page, quiz.locator("fieldset.pk-question").nth(2), ["Day 30", "Day 60", "Day 90"])
        quiz.get_by_role("button", name="Check answers").click()

        def results():
            return collector.store.query("SELECT content, quiz, score, passed, partner, rep FROM events WHERE type = 'quiz'")

        assert wait_for(results) == [("quiz:retention-check", "retention-check", 66, 0, "acme", "rep-7")]
    context.close()
