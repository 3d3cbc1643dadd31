"""Turning timed text into an article: paragraphs, chapters and a summary."""

from __future__ import annotations

import pytest

from generator.model.talk import ChapterMark, Cue, Talk, TalkMeta
from generator.render.article import build_article, to_paragraphs

pytestmark = pytest.mark.unit


def talk(cues: list[Cue], chapters: list[ChapterMark] | None = None) -> Talk:
    return Talk("t", TalkMeta(title="T"), "transcripts/t.vtt", cues, chapters or [])


def test_paragraphs_break_on_speaker_and_pause() -> None:
    paragraphs = to_paragraphs([
        Cue(0, 2, "One.", "A"), Cue(2.5, 4, "Two.", "A"), Cue(4.2, 5, "Three.", "B"), Cue(9, 10, "Four.", "B"),
    ])
    assert [(p.speaker, p.text) for p in paragraphs] == [("A", "One. Two."), ("B", "Three."), ("B", "Four.")]


def test_chapters_follow_explicit_marks() -> None:
    article = build_article(talk(
        [Cue(0, 5, "Hello there."), Cue(60, 65, "Prices now."), Cue(120, 125, "Renewals next.")],
        [ChapterMark(60, "Pricing"), ChapterMark(120, "Renewals")],
    ))
    assert [(c.start, c.title) for c in article.chapters] == [(0, "Hello there"), (60, "Pricing"), (120, "Renewals")]


def test_chapters_cut_at_the_longest_pause_every_few_minutes() -> None:
    cues = []
    time = 0.0
    for minute in range(12):
        for second in range(0, 60, 10):
            pause = 20.0 if (minute, second) in ((4, 0), (9, 0)) else 1.0
            time += pause
            cues.append(Cue(time, time + 8, f"Sentence {minute} {second} about topic {minute // 4}."))
            time += 8
    article = build_article(talk(cues))
    starts = [round(chapter.start) for chapter in article.chapters]
    assert len(starts) == 3
    assert [c.paragraphs[0].text.split(".")[0] for c in article.chapters[1:]] == ["Sentence 4 0 about topic 1", "Sentence 9 0 about topic 2"]


def test_summary_takes_sentences_in_spoken_order() -> None:
    cues = [Cue(i * 10, i * 10 + 8, text) for i, text in enumerate([
        "Welcome everyone to the session.",
        "Renewal margin pays partners every year they keep the customer.",
        "The weather was lovely this morning.",
        "Renewal reviews at sixty days protect the margin and the customer.",
        "Margin on services beats margin on licences for partners.",
        "Thanks.",
    ])]
    assert build_article(talk(cues)).summary == [
        "Renewal margin pays partners every year they keep the customer.",
        "Renewal reviews at sixty days protect the margin and the customer.",
        "Margin on services beats margin on licences for partners.",
    ]
