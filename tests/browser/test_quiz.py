"""The quiz widget in a real browser: a practice quiz graded on the page, and an exam graded by the
real collector, up to the verification page of the certificate it issues."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from generator.analytics.collector import CollectorSettings
from generator.analytics.events import read_content_index
from generator.analytics.identity import Rep, RosterEntry, sign
from generator.certification.exams import ExamService
from generator.certification.keys import read_exam_keys
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
retry_after_hours: 0.001
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
    page.goto(site_server.url + "2.3/quizzes/retention-check/")
    quiz = page.locator(".pk-quiz")
    questions = quiz.locator("fieldset.pk-question")
    assert questions.count() == 3
    questions.nth(0).get_by_label("The dashboard").check()
    questions.nth(1).get_by_role("textbox").fill("ARR")
    order_items(page, questions.nth(2), ["Day 30", "Day 60", "Day 90"])  # items come shuffled: make sure they are wrong
    quiz.get_by_role("button", name="Check answers").click()
    assert list(filter(None, questions.nth(0).locator(".pk-feedback").inner_text().splitlines())) == [
        "Not quite", "Nobody buys a dashboard.", "Outcome first, product second."]
    assert quiz.locator(".pk-result").inner_text() == "Score: 0 % (pass mark 80 %) · Not passed yet"

    quiz.get_by_role("button", name="Try again").click()
    assert quiz.locator(".pk-result").inner_text() == "Your last result: 0 % · Not passed yet"
    questions.nth(0).get_by_label("Fewer churn surprises").check()
    questions.nth(1).get_by_role("textbox").fill("ｎｒｒ")  # full-width, as a Japanese keyboard types it
    order_items(page, questions.nth(2), ["Day 90", "Day 60", "Day 30"])
    quiz.get_by_role("button", name="Check answers").click()
    assert [questions.nth(index).locator(".pk-feedback strong").inner_text() for index in range(3)] == ["Correct"] * 3
    assert "Yes, the outcome first." in questions.nth(0).inner_text()
    assert quiz.locator(".pk-result").inner_text() == "Score: 100 % (pass mark 80 %) · Passed"

    page.reload()
    page.locator(".pk-quiz .pk-result", has_text="Your last result").wait_for()
    assert page.locator(".pk-quiz .pk-result").inner_text() == "Your last result: 100 % · Passed"
    page.goto(site_server.url + "2.4/quizzes/retention-check/")
    page.locator(".pk-quiz .pk-result", has_text="Your last result").wait_for()
    assert page.locator(".pk-quiz .pk-result").inner_text() == "Your last result: 100 % · Passed"


def test_exam_fail_wait_pass_and_verify(minimal: Path, site_server, browser, tmp_path: Path) -> None:
    port = free_port()
    write(minimal, "content/exam.yml", EXAM)
    configure(minimal, site_url=site_server.url, analytics={"endpoint": f"http://127.0.0.1:{port}/e"})
    build(minimal, site_server.folder)
    roster = [RosterEntry("acme", "Acme Resellers", "rep-7", "Aiko Tanaka", "aiko@acme.example", "sales", date(2026, 1, 5), None)]
    service = ExamService(read_exam_keys(minimal), None, roster)  # type: ignore[arg-type]
    settings = CollectorSettings(read_content_index(minimal), [site_server.url.rstrip("/")], KEYS)
    token = sign(Rep("acme", "rep-7", date(2026, 11, 1)), KEYS)
    context = browser.new_context(user_agent=REP_BROWSER, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    with running_collector(settings, tmp_path / "e.sqlite", port, exams=service):
        page.goto(site_server.url + f"quizzes/seller-silver/?pk={token}")
        quiz = page.locator(".pk-quiz")
        quiz.get_by_role("button", name="Start the exam").click()
        questions = quiz.locator("fieldset.pk-question")
        questions.first.wait_for()
        assert questions.count() == 2
        assert re.fullmatch(r"Time left: (10:00|9:[0-5]\d)", quiz.locator(".pk-timer").inner_text())
        quiz.get_by_label("The dashboard").check()
        quiz.get_by_label("True", exact=True).check()
        quiz.get_by_role("button", name="Submit answers").click()
        status = quiz.locator(".pk-result")
        status.filter(has_text="Score").wait_for()
        assert status.inner_text() == "Score: 0 % (pass mark 100 %) · Not passed yet"
        assert quiz.locator(".pk-feedback strong").all_inner_texts() == ["Not quite", "Not quite"]

        quiz.get_by_role("button", name="Try again").click()
        status.filter(has_text="You can try again from").wait_for()

        page.wait_for_timeout(3800)  # retry_after_hours: 0.001 is 3.6 seconds
        quiz.get_by_role("button", name="Try again").click()
        questions.first.wait_for()
        quiz.get_by_label("Fewer churn surprises").check()
        quiz.get_by_label("False", exact=True).check()
        quiz.get_by_role("button", name="Submit answers").click()
        link = quiz.get_by_role("link", name="Open and print your certificate")
        link.wait_for()
        assert status.inner_text().startswith("Score: 100 % (pass mark 100 %) · Passed")
        link.click()
        page.wait_for_url("**/verify/?id=*")
        certificate = page.locator(".pk-certificate")
        certificate.locator("dl").wait_for()
        fields = dict(zip(certificate.locator("dt").all_inner_texts(), certificate.locator("dd").all_inner_texts()))
        issued = datetime.now(timezone.utc).date()
        assert fields == {
            "Holder": "Aiko Tanaka", "Partner company": "Acme Resellers", "Certification": "Certified seller (Silver) (silver)",
            "Release": "–", "Issued": issued.isoformat(), "Valid until": (issued + timedelta(days=365)).isoformat(),
            "Status": "Valid",
        }
        page.goto(site_server.url + "verify/?id=forged-certificate-id")
        page.locator(".pk-certificate", has_text="No certificate").wait_for()
        assert page.locator(".pk-certificate").inner_text() == "No certificate has this id."
    context.close()


def test_practice_results_reach_the_view_logs(minimal: Path, site_server, browser, tmp_path: Path) -> None:
    port = free_port()
    write(minimal, "content/retention.yml", PRACTICE)
    configure(minimal, site_url=site_server.url, analytics={"endpoint": f"http://127.0.0.1:{port}/e"})
    build(minimal, site_server.folder)
    settings = CollectorSettings(read_content_index(minimal), [site_server.url.rstrip("/")], KEYS)
    token = sign(Rep("acme", "rep-7", date(2026, 11, 1)), KEYS)
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
