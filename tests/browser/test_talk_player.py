"""The talk page in a real browser: a chapter link seeks the recording, the spoken paragraph lights up."""

from __future__ import annotations

import subprocess
from pathlib import Path

from generator.commands.build import build
from tests.conftest import configure

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
