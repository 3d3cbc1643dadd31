"""Rendering rules that golden files alone would not explain."""

from __future__ import annotations

import pytest

from pathlib import Path

from generator.pipeline import render_project
from generator.load.content import load_project
from generator.model.changes import ReleaseChanges
from generator.render.context import ReleaseContext
from generator.render.site import html_link, render_site

pytestmark = pytest.mark.unit


def test_raw_html_links_follow_directory_urls() -> None:
    assert html_link("talks/kickoff.md", "media/kickoff.m4a") == "../../media/kickoff.m4a"
    assert html_link("talks/index.md", "media/kickoff.m4a") == "../media/kickoff.m4a"
    assert html_link("index.md", "media/kickoff.m4a") == "media/kickoff.m4a"


def _release(working_tree: bool) -> ReleaseContext:
    return ReleaseContext("2", "2", None, "2", None, ReleaseChanges(None, []), working_tree=working_tree)


def test_draft_talks_only_in_working_tree_builds(minimal: Path) -> None:
    talks = minimal / "transcripts"
    talks.mkdir()
    (talks / "draft.vtt").write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nNot reviewed yet.\n")
    (talks / "approved.vtt").write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nReviewed.\n")
    (talks / "approved.yml").write_text("title: Approved talk\nreview: approved\n")
    catalog = load_project(minimal)
    unversioned = render_site(catalog).pages
    assert "!!! warning \"Draft transcript\"" in unversioned["docs/talks/draft.md"]
    assert "Draft transcript" not in unversioned["docs/talks/approved.md"]
    tagged = render_site(catalog, release=_release(working_tree=False)).pages
    assert "docs/talks/draft.md" not in tagged and "docs/talks/approved.md" in tagged
    assert "docs/talks/draft.md" in render_site(catalog, release=_release(working_tree=True)).pages


def test_a_talk_without_speakers_date_or_timing_has_no_empty_byline(minimal: Path) -> None:
    (minimal / "transcripts").mkdir()
    (minimal / "transcripts" / "plain-notes.txt").write_text("What we agreed.\n\nWho calls whom next.\n", encoding="utf-8")
    page = render_project(minimal)[1].pages["docs/talks/plain-notes.md"]
    lines = page.split("---\n", 2)[2].splitlines()
    assert lines[:3] == ["", "# Plain notes", ""], page
    assert not any(line.startswith("*") for line in lines), page
