"""``partnerkit serve --demo`` as a newcomer runs it: the printed personal link opens the preview as a
fictional rep, the visit and an exam attempt reach the demo's collector, the passed exam's
certificate opens, and ``partnerkit report --demo`` shows the rep. Nothing is written into the project's private/ or site_config.yml."""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from tests.cli.conftest import PARTNERKIT, git, partnerkit, user_environment
from tests.cli.test_readme_commands import REP_BROWSER, free_port

DEMO = ".partnerkit-cache/demo"


def rows(database: Path, query: str) -> list[tuple]:
    if not database.is_file():
        return []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        return connection.execute(query).fetchall()


def wait_for(check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    return check()


def answer_rightly(page, keys: Path) -> None:
    """Answer the drawn exam questions from the demo's answer key (a newcomer reads the modules first)."""
    key = json.loads(keys.read_text(encoding="utf-8"))["exams"]["sales-silver"]
    for box in page.locator("fieldset[data-pk-question]").all():
        question = next(item for item in key["questions"] if item["id"] == box.get_attribute("data-pk-question"))
        if question["type"] == "short-text":
            box.locator("input").fill(question["answers"][0])
        elif question["type"] == "ordering":
            box.evaluate("(box, order) => { const list = box.querySelector('ol'); "
                         "order.forEach((id) => list.appendChild(list.querySelector(`[data-pk-id='${id}']`))); }",
                         question["correct"])
        else:
            for choice in question["correct"]:
                box.locator(f"input[value='{choice}']").check()


def test_report_demo_needs_a_demo_first(example: Path) -> None:
    result = partnerkit("report", "--demo", cwd=example)
    assert (result.returncode, result.stderr) == (
        1, "Error: no demo data in .partnerkit-cache/demo/ yet: run partnerkit serve --demo first\n")


def test_the_demo_stays_on_this_computer(example: Path) -> None:
    result = partnerkit("serve", "--demo", "-a", "0.0.0.0:8000", cwd=example)
    assert (result.returncode, result.stderr) == (
        1, "Error: -a 0.0.0.0:8000: the demo runs on this computer only; give -a 127.0.0.1:PORT\n")
    assert not (example / DEMO).exists()


@pytest.mark.slow
def test_the_demo_runs_end_to_end(example: Path, browser) -> None:
    port = free_port()
    process = subprocess.Popen([str(PARTNERKIT), "serve", "--demo", "-a", f"127.0.0.1:{port}"], cwd=example,
                               env=user_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    printed: list[str] = []
    errors: list[str] = []
    readers = [threading.Thread(target=lambda: printed.extend(process.stdout), daemon=True),
               threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True)]
    for reader in readers:
        reader.start()
    context = browser.new_context(user_agent=REP_BROWSER, viewport={"width": 1400, "height": 900})
    try:
        assert wait_for(lambda: any(line.startswith("Then stop the preview") for line in printed), 90), (printed, errors)
        links = {line.split(" (")[0].strip(): line.rsplit(": ", 1)[1].strip() for line in printed if "?pk=" in line}
        assert list(links) == ["Mia Chen", "Jonas Berg", "Ada Okafor", "Rui Tanaka", "Lena Weiss"]
        assert links["Mia Chen"].startswith(f"http://127.0.0.1:{port}/?pk=")

        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: message.type == "error" and console.append(message.text))
        page.goto(links["Mia Chen"])
        database = example / DEMO / "private/events.sqlite"
        views = "SELECT content, partner, rep FROM events WHERE type = 'view' ORDER BY id"
        assert wait_for(lambda: rows(database, views)) == [("home:index", "harbor", "mia-chen")]
        mine = page.locator(".pk-learning")
        mine.get_by_role("heading", name="My learning").wait_for()  # the personal link lands on My learning
        assert mine.get_by_text("Signed in as Mia Chen, Harbor Consulting (demo).").is_visible()
        mine.get_by_role("link", name="Continue: ", exact=False).click()
        page.get_by_role("button", name="Mark as done").click()
        record = "SELECT partner, rep, done FROM learning_modules"
        assert wait_for(lambda: rows(database, record)) == [("harbor", "mia-chen", 1)]

        page.goto(f"http://127.0.0.1:{port}/quizzes/sales-silver/")
        start = page.get_by_role("button", name="Start the exam")
        start.click()
        page.get_by_role("button", name="Submit answers").wait_for(state="visible")
        assert page.locator(".pk-quiz-form fieldset, .pk-quiz-form .pk-question").count() >= 1
        attempts = "SELECT exam, partner, rep, submitted_at FROM exam_attempts"
        assert wait_for(lambda: rows(database, attempts)) == [("sales-silver", "harbor", "mia-chen", None)]

        answer_rightly(page, example / DEMO / "private/exams/site.json")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Submit answers").click()
        page.get_by_role("link", name="Open and print your certificate").click()
        certificate = page.locator(".pk-certificate-state")
        certificate.locator("dl").wait_for()
        assert "Mia Chen" in certificate.inner_text() and "Harbor Consulting (demo)" in certificate.inner_text()
        for name in ("Download credential", "Download badge image", "Add to LinkedIn profile"):
            assert page.get_by_role("link", name=name).is_visible(), f"the demo signs credentials too: {name}"
        assert console == []
    finally:
        context.close()
        process.terminate()
        process.wait(timeout=30)
        for reader in readers:
            reader.join(timeout=5)
    assert process.returncode == 0, "".join(errors)
    assert any(line.startswith("Demo collector on http://127.0.0.1:") for line in errors), errors
    assert "Traceback" not in "".join(errors)

    reported = partnerkit("report", "--demo", cwd=example)
    assert (reported.returncode, reported.stderr) == (0, "")
    report = example / DEMO / "private/reports" / f"{date.today():%Y-%m}" / "report.html"
    assert reported.stdout == f"Report written to {report.relative_to(example)}\n"
    text = report.read_text(encoding="utf-8")
    assert "Mia Chen" in text and "Harbor Consulting (demo)" in text
    assert '<h2 id="funnel">Learning funnel</h2>' in text and "At a glance" in text
    with (report.parent / "funnel.csv").open(encoding="utf-8") as stream:
        harbor = [row for row in csv.DictReader(stream) if row["partner"] == "harbor" and row["exam_passed"] == "1"]
    assert harbor and harbor[0]["started"] >= "1" and harbor[0]["certified_valid"] == "1", "Mia's visit and certificate"

    assert not (example / "private").exists()
    assert git(example, "status", "--porcelain", "--untracked-files=no") == ""


def test_the_readme_offers_the_demo_as_the_optional_third_command() -> None:
    from tests.conftest import REPO_ROOT

    lines = (REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    # the demo needs the collector's packages: the line installs them first
    assert lines[5].startswith(".venv/bin/pip install -e '.[collector]' && .venv/bin/partnerkit serve --demo ")
    assert "optional" in lines[5]
    assert lines[6] == "```"
    assert "partnerkit report --demo" in "\n".join(lines)
