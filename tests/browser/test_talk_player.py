"""The talk page in a real browser: chapter links and timestamps seek the recording in place (same
player, one view counted), ``#t=`` seeks on arrival, the spoken paragraph lights up, captions show."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect

from generator.collector.app import CollectorSettings
from generator.events import read_content_index
from generator.identity import Rep, sign
from generator.commands.build import build
from tests.analytics.conftest import KEYS, free_port, running_collector
from tests.browser.screens import wait_until_still
from tests.browser.test_beacon import REP_BROWSER, wait_for
from tests.conftest import configure
from tests.test_content_errors import write

TRANSCRIPT = """WEBVTT

NOTE chapter: Welcome

00:00:01.000 --> 00:00:06.000
<v Aiko>Welcome to the partner kick-off.

NOTE chapter: Pricing

00:00:15.000 --> 00:00:22.000
<v Aiko>Starter covers two hundred and fifty accounts.
"""


def test_chapter_click_seeks_the_player_after_instant_navigation(minimal: Path, site_server, page) -> None:
    talks = minimal / "transcripts"
    talks.mkdir()
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=30",
                    str(talks / "kickoff.wav")], check=True)
    (talks / "kickoff.vtt").write_text(TRANSCRIPT)
    (talks / "kickoff.yml").write_text("title: Partner kick-off\nmodules: [pricing]\nreview: approved\n")
    configure(minimal, site_url=site_server.url)
    build(minimal, site_server.folder)
    assert (site_server.folder / "media/kickoff.wav").is_file()

    page.goto(site_server.url + "modules/pricing/")
    page.evaluate("window.__samePageLoad = true")
    page.locator("article a", has_text="Partner kick-off").click()
    page.wait_for_url(site_server.url + "talks/kickoff/")
    assert page.evaluate("window.__samePageLoad") is True, "navigation was not instant"
    page.wait_for_function("document.querySelector('audio.pk-player') !== null && document.querySelector('audio.pk-player').readyState >= 1")
    assert page.evaluate("document.querySelector('audio.pk-player').currentTime") == 0

    page.locator("a.pk-seek", has_text="0:15").first.click()
    page.wait_for_function("document.querySelector('audio.pk-player').currentTime >= 15")
    page.wait_for_function("document.querySelector('.pk-paragraph--current') !== null")
    current = page.locator(".pk-paragraph--current")
    assert current.count() == 1 and "Starter covers" in current.inner_text()
    assert page.locator("text=Draft transcript").count() == 0

    # A chapter's *title* (not its time) seeks the same player too, and plays on from there: the theme's
    # instant navigation never gets to re-render the page (which would replace the player and stop it).
    page.evaluate("window.__player = document.querySelector('audio.pk-player')")
    page.locator("a.pk-chapter", has_text="Welcome").click()
    page.wait_for_function("document.querySelector('audio.pk-player').currentTime < 5")
    assert page.evaluate("window.__player === document.querySelector('audio.pk-player')"), "the same <audio> element"
    assert page.evaluate("window.__samePageLoad") is True
    page.wait_for_function("document.querySelector('audio.pk-player').currentTime > 1.5")
    assert page.evaluate("document.querySelector('audio.pk-player').paused") is False
    heading = page.locator("#chapter-1")
    player_bottom = page.locator(".pk-player-box").evaluate("box => box.getBoundingClientRect().bottom")
    assert heading.evaluate("h => h.getBoundingClientRect().top") >= player_bottom, "the chapter's heading below the player"
    page.locator("a.pk-chapter", has_text="Pricing").click()
    page.wait_for_function("document.querySelector('audio.pk-player').currentTime >= 15")
    assert page.evaluate("window.__player === document.querySelector('audio.pk-player')")
    assert page.url.endswith("#t=15")

    # The player grows after the page set up (a stylesheet arriving late, a caption wrapping to two lines):
    # a heading reached by its address still stops below it.
    page.add_style_tag(content="article .pk-player-box { padding-bottom: 6rem; } article::after { content: ''; display: block; height: 200vh; }")
    assert_jump_stops_below_player(page, "chapter-2")


def assert_jump_stops_below_player(page, heading: str) -> None:
    """Once the page has drawn what it has now, a jump to ``#heading`` leaves that heading below the sticky player."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.evaluate("id => { location.hash = id; }", heading)
    wait_until_still(page)
    player_bottom = page.locator(".pk-player-box").evaluate("box => box.getBoundingClientRect().bottom")
    assert page.locator(f"[id='{heading}']").evaluate("h => h.getBoundingClientRect().top") >= player_bottom - 1


LONG_TRANSCRIPT = """WEBVTT

NOTE chapter: Welcome

00:00:01.000 --> 00:00:06.000
<v Aiko>Welcome to the partner kick-off.

00:00:15.000 --> 00:00:22.000
<v Aiko>Starter covers two hundred and fifty accounts.

NOTE chapter: Margins & money

00:03:20.000 --> 00:03:31.000
<v Aiko>Let's talk about money & margins.

00:03:40.000 --> 00:03:50.000
<v Ben>And services?
"""


MONEY_QUIZ = """\
kind: quiz
id: money-check
title: Money check
questions:
  - id: margin
    type: single
    prompt: What is the resale margin in year one?
    choices:
      - text: Ten percent
      - text: Twenty percent
        correct: true
    source: {talk: kickoff, start: "3:20"}
"""


def long_talk(minimal: Path) -> None:
    talks = minimal / "transcripts"
    talks.mkdir()
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=240",
                    "-ac", "1", "-c:a", "libopus", "-b:a", "8k", str(talks / "kickoff.ogg")], check=True)
    (talks / "kickoff.vtt").write_text(LONG_TRANSCRIPT)
    (talks / "kickoff.yml").write_text("title: Partner kick-off\nmodules: [pricing]\nreview: approved\n")


def player_time(page) -> float:
    return page.evaluate("document.querySelector('audio.pk-player').currentTime")


def test_chapters_and_timestamps_seek_in_place_and_count_one_view(minimal: Path, site_server, browser, tmp_path: Path) -> None:
    long_talk(minimal)
    write(minimal, "content/money.yml", MONEY_QUIZ)
    port = free_port()
    configure(minimal, site_url=site_server.url, analytics={"endpoint": f"http://127.0.0.1:{port}/e"})
    build(minimal, site_server.folder)
    assert (site_server.folder / "media/kickoff.vtt").read_text().startswith("WEBVTT\n\n00:00:01.000 --> 00:00:06.000\n<v Aiko>")
    settings = CollectorSettings(read_content_index(minimal), [site_server.url.rstrip("/")], KEYS)
    token = sign(Rep("acme", "rep-7", date.today() - timedelta(days=30)), KEYS)
    context = browser.new_context(user_agent=REP_BROWSER, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    failures: list[str] = []
    page.on("pageerror", lambda error: failures.append(str(error)))
    talk_url = site_server.url + "talks/kickoff/"
    with running_collector(settings, tmp_path / "e.sqlite", port) as collector:
        def talk_views() -> list:
            return collector.store.query("SELECT view FROM events WHERE type = 'view' AND content = 'talk:kickoff'")

        page.goto(site_server.url + f"modules/pricing/?pk={token}")
        page.evaluate("window.__samePageLoad = true")
        page.locator("article a", has_text="Partner kick-off").click()
        page.wait_for_url(talk_url)
        page.wait_for_function("document.querySelector('audio.pk-player') && document.querySelector('audio.pk-player').readyState >= 1")
        page.evaluate("document.querySelector('audio.pk-player').__marked = true")
        page.locator(".md-typeset ul a", has_text="Margins & money").click()  # the title seeks: the address ends in #t=200
        page.wait_for_function(f"location.href === {talk_url + '#t=200'!r}")
        assert page.evaluate("document.querySelector('audio.pk-player').__marked") is True, "the player was replaced"

        page.locator(".md-typeset ul a.pk-seek", has_text="3:20").click()
        page.wait_for_function("document.querySelector('audio.pk-player').currentTime >= 199.5")
        page.wait_for_timeout(1000)
        assert 199.5 <= player_time(page) <= 202.5
        assert page.evaluate("document.querySelector('audio.pk-player').__marked") is True, "the player was replaced"
        assert page.evaluate("window.__samePageLoad") is True
        assert page.url == talk_url + "#t=200"
        caption = page.locator(".pk-player-box .pk-caption")
        expect(caption).to_be_visible()
        expect(caption).to_have_text("Let's talk about money & margins.")

        page.locator(".pk-transcript a.pk-time", has_text="0:15").click()
        page.wait_for_function("Math.abs(document.querySelector('audio.pk-player').currentTime - 15) < 1.5")
        assert page.url == talk_url + "#t=15"
        page.locator(".pk-paragraph--current", has_text="Starter covers").wait_for()
        assert page.evaluate("document.querySelector('audio.pk-player').__marked") is True

        assert len(wait_for(talk_views)) == 1
        page.wait_for_timeout(1500)  # a re-rendered page would send its view within this time
        assert len(talk_views()) == 1, talk_views()

        # Arriving by instant navigation at a timestamp (a practice question's source), and a fresh load of one.
        page.goto(site_server.url + "quizzes/money-check/")
        page.evaluate("window.__samePageLoad = true")
        page.get_by_label("Ten percent").check()
        page.get_by_role("button", name="Check answers").click()
        page.get_by_role("link", name="Partner kick-off (3:20)").click()
        page.wait_for_url(talk_url + "#t=200")
        page.wait_for_function("document.querySelector('audio.pk-player') && Math.abs(document.querySelector('audio.pk-player').currentTime - 200) < 1")
        assert page.evaluate("window.__samePageLoad") is True, "navigation was not instant"

        page.goto(site_server.url)
        page.goto(talk_url + "#t=220")
        page.wait_for_function("document.querySelector('audio.pk-player') && Math.abs(document.querySelector('audio.pk-player').currentTime - 220) < 1")
        # The caption follows the track's cuechange, which the browser fires a moment after the seek.
        expect(caption).to_be_visible()
        expect(caption).to_have_text("And services?")
    assert failures == []
    context.close()


def test_a_talk_reached_from_another_talk_keeps_its_headings_below_its_player(minimal: Path, site_server, page) -> None:
    long_talk(minimal)
    talks = minimal / "transcripts"
    shutil.copy(talks / "kickoff.ogg", talks / "review.ogg")
    (talks / "review.vtt").write_text(LONG_TRANSCRIPT)
    (talks / "review.yml").write_text("title: Quarterly review\nmodules: [pricing]\nreview: approved\n")
    configure(minimal, site_url=site_server.url)
    build(minimal, site_server.folder)

    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(site_server.url + "talks/kickoff/")
    page.wait_for_function("document.querySelector('audio.pk-player') && document.querySelector('audio.pk-player').readyState >= 1")
    page.evaluate("window.__samePageLoad = true")
    page.locator(".md-nav a", has_text="Quarterly review").first.click()  # the theme swaps one player for the other
    page.wait_for_url(site_server.url + "talks/review/")
    assert page.evaluate("window.__samePageLoad") is True, "navigation was not instant"
    page.evaluate("() => { document.documentElement.style.height = '400vh'; }")  # room to scroll the heading up
    assert_jump_stops_below_player(page, "chapter-2")
