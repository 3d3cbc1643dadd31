"""Transcript readers: what they keep, and a located error for every malformed cue."""

from __future__ import annotations

import pytest

from pathlib import Path

from generator.model.talk import ChapterMark, Cue
from generator.load.transcript_readers import read_markdown, read_srt, read_transcript, read_txt, read_vtt
from generator.transcripts.step import vtt_text
from generator.transcripts.transcription import TimedText, Transcript

pytestmark = pytest.mark.unit

VTT = """WEBVTT

NOTE chapter: Welcome

1
00:00:00.000 --> 00:00:04.000
<v Aiko Tanaka>Welcome to the kick-off.</v>

00:00:04.500 --> 00:00:08.000 align:start
Ken: Thanks. Let's start with pricing &amp; plans.

NOTE chapter: Pricing

00:01:10.000 --> 00:01:12.000
Ken: Starter is for SMB.
"""


def test_vtt_keeps_speakers_chapters_and_text() -> None:
    text, errors = read_vtt("t.vtt", VTT)
    assert errors == []
    assert text.cues == [
        Cue(0.0, 4.0, "Welcome to the kick-off.", "Aiko Tanaka"),
        Cue(4.5, 8.0, "Thanks. Let's start with pricing & plans.", "Ken"),
        Cue(70.0, 72.0, "Starter is for SMB.", "Ken"),
    ]
    assert text.chapters == [ChapterMark(0.0, "Welcome"), ChapterMark(70.0, "Pricing")]


def test_a_colon_once_is_not_a_speaker() -> None:
    text, _ = read_vtt("t.vtt", "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nNote: prices rise in May.\n")
    assert text.cues == [Cue(0.0, 2.0, "Note: prices rise in May.", None)]


def test_written_vtt_reads_back_the_same() -> None:
    transcript = Transcript([TimedText(0.5, 2.25, "First words."), TimedText(3661.0, 3662.5, "An hour later.")], "en", "b", "m")
    text, errors = read_vtt("t.vtt", vtt_text(transcript))
    assert errors == []
    assert text.cues == [Cue(0.5, 2.25, "First words."), Cue(3661.0, 3662.5, "An hour later.")]


def test_markup_characters_in_a_transcript_read_back_as_written() -> None:
    """One WebVTT writer for transcripts and captions: ``<`` and ``&`` are escaped, never lost as a tag."""
    transcript = Transcript([TimedText(0.0, 2.0, "Q&A: seats <10 & >5")], "en", "b", "m")
    text, errors = read_vtt("t.vtt", vtt_text(transcript))
    assert errors == [] and text.cues == [Cue(0.0, 2.0, "Q&A: seats <10 & >5")]


def test_malformed_vtt_cues_are_all_located() -> None:
    text = (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:03.000\nfine\n\n"
        "00:00:05.000 --> 00:00:04.000\nbackwards\n\n"
        "00:00:06.000 --> 00:00:0x.000\nbad end\n\n"
        "0:06.000 --> 00:00:07.000\nbad start\n\n"
        "00:00:08.000 --> 00:00:10.000\nfine again\n\n"
        "00:00:09.000 --> 00:00:11.000\noverlaps\n\n"
        "just text\n"
    )
    result, errors = read_vtt("talks/k.vtt", text)
    assert [str(error) for error in errors] == [
        "talks/k.vtt:6:1: cue ends (0:04) before it starts (0:05)",
        "talks/k.vtt:9:18: bad timestamp '00:00:0x.000': expected HH:MM:SS.mmm",
        "talks/k.vtt:12:1: bad timestamp '0:06.000': expected HH:MM:SS.mmm",
        "talks/k.vtt:18:1: cue starts at 0:09, before the previous cue ends (0:10)",
        "talks/k.vtt:21:1: expected a timing line 'start --> end'",
    ]
    assert [cue.text for cue in result.cues] == ["fine", "fine again"]


def test_vtt_needs_its_header() -> None:
    assert [str(e) for e in read_vtt("k.vtt", "00:00:01.000 --> 00:00:02.000\nhi\n")[1]] == [
        "k.vtt:1:1: expected 'WEBVTT' on the first line"
    ]


def test_srt_with_bom_crlf_and_japanese(tmp_path: Path) -> None:
    path = tmp_path / "transcripts" / "会議.srt"
    path.parent.mkdir()
    path.write_bytes("\ufeff1\r\n00:00:01,000 --> 00:00:03,500\r\n田中：本日はありがとうございます。\r\n\r\n"
                     "2\r\n00:00:04,000 --> 00:00:06,000\r\n田中：価格について説明します。\r\n".encode("utf-8"))
    text, errors = read_transcript(path, tmp_path)
    assert errors == []
    assert text.cues == [
        Cue(1.0, 3.5, "本日はありがとうございます。", "田中"),
        Cue(4.0, 6.0, "価格について説明します。", "田中"),
    ]


def test_srt_errors_name_the_srt_format() -> None:
    assert [str(e) for e in read_srt("k.srt", "1\n00:00:01.000 --> 00:00:02,000\nhi\n")[1]] == [
        "k.srt:2:1: bad timestamp '00:00:01.000': expected HH:MM:SS,mmm"
    ]


def test_markdown_front_matter_and_chapter_headings() -> None:
    text, errors = read_markdown("k.md", (
        "---\ntitle: Kick-off\nspeakers: [Aiko]\n---\nIntro words.\n\n"
        "## 00:12:30 Pricing\n\nAiko: Starter first.\n\nAiko: Then Growth.\n\n## 5:00 Back in time\n"
    ))
    assert [str(e) for e in errors] == ["k.md:13:4: chapter at 5:00 is not after the previous one"]
    assert text.front_matter == {"title": "Kick-off", "speakers": ["Aiko"]}
    assert text.front_matter_source.values[("title",)].line == 2
    assert text.chapters == [ChapterMark(750.0, "Pricing")]
    assert text.cues[0] == Cue(0.0, 750.0, "Intro words.")
    assert text.cues[1:] == [Cue(750.0, 750.0, "Starter first.", "Aiko"), Cue(750.0, 750.0, "Then Growth.", "Aiko")]


def test_markdown_front_matter_errors_keep_file_lines() -> None:
    assert [str(e) for e in read_markdown("k.md", "---\ntitle: [Kick-off\n---\ntext\n")[1]] == [
        "k.md:3:1: invalid YAML: did not find expected ',' or ']'"
    ]


def test_plain_text_paragraphs() -> None:
    text, _ = read_txt("k.txt", "First paragraph\nstill first.\n\nSecond one.\n")
    assert [cue.text for cue in text.cues] == ["First paragraph still first.", "Second one."]


def test_non_utf8_transcript_is_located(tmp_path: Path) -> None:
    path = tmp_path / "transcripts" / "kickoff.vtt"
    path.parent.mkdir()
    path.write_bytes("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n田中：価格\n".encode("cp932"))
    text, errors = read_transcript(path, tmp_path)
    assert [str(error) for error in errors] == [
        "transcripts/kickoff.vtt:4:1: not UTF-8 text (byte 0x93); save the file as UTF-8"
    ]
    assert text.cues == []
