"""The Japanese talk fixture: a kick-off call read by Open JTalk (``pyopenjtalk`` with Debian's
``open-jtalk-mecab-naist-jdic`` dictionary), two speakers at two speeds and pitches, with pauses.

The test suite synthesises it into a copy of ``tests/fixtures/ja-talk``; to hear it, or to drop it
into a project of your own::

    .venv/bin/python -m tests.talks.japanese_talk FOLDER   # writes FOLDER/キックオフ.ogg (Opus, about 100 s)

``tests/fixtures/ja-talk/reference.txt`` is what is said (``reference_text()``), for the CER figure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "ja-talk"
"""A Japanese site (``language: ja``) whose ``transcripts/`` gets the recording."""
RECORDING_NAME = "キックオフ.ogg"
REFERENCE = FIXTURE / "reference.txt"
DICTIONARY = Path("/var/lib/mecab/dic/open-jtalk/naist-jdic")
"""Where Debian's open-jtalk-mecab-naist-jdic puts the dictionary (pyopenjtalk would download one)."""

VOICES = {"田中": {"speed": 1.0, "half_tone": 0.0}, "佐藤": {"speed": 1.2, "half_tone": -3.0}}
"""Two speakers: the bundled voice at its own pace, and faster with a lower pitch."""
TURN_PAUSE, SENTENCE_PAUSE, SECTION_PAUSE = 1.6, 0.7, 3.5
"""Seconds of silence between speakers, between one speaker's sentences, and before a new topic."""

DIALOGUE = [
    ("田中", "本日はお時間をいただき、ありがとうございます。オストロバの田中です。"),
    ("佐藤", "よろしくお願いします。パートナー営業を担当している佐藤です。"),
    ("田中", "今日はキックオフとして、導入の進め方と更新の手続きについてご説明します。"),
    ("田中", "まず、最初の三十日で管理者の設定とデータの移行を終えていただきます。"),
    ("佐藤", "移行の作業は、こちらの技術チームが担当する予定です。"),
    ("田中", "ありがとうございます。次に、利用者向けの研修を二回に分けて行います。"),
    ("佐藤", "研修の資料は、事前に共有していただけますか。"),
    ("田中", "はい、研修の一週間前までにお送りします。"),
    ("", ""),
    ("田中", "続いて、契約の更新についてです。更新の九十日前に、担当者からご連絡します。"),
    ("佐藤", "更新の条件に変更がある場合は、どうすればよいでしょうか。"),
    ("田中", "その場合は、六十日前までにパートナーポータルから申請してください。"),
    ("佐藤", "わかりました。社内でも共有しておきます。"),
    ("田中", "最後に、毎月の定例会で利用状況を確認しましょう。"),
    ("佐藤", "承知しました。本日はありがとうございました。"),
]
"""(speaker, text); an empty turn is a longer pause before a new topic."""


def reference_text() -> str:
    """What is said, one turn a line, without speaker names (they are not spoken)."""
    return "\n".join(text for _, text in DIALOGUE if text) + "\n"


def synthesise(target: Path) -> None:
    """Write the dialogue as a mono 16 kHz Opus recording to ``target``."""
    import numpy

    os.environ.setdefault("OPEN_JTALK_DICT_DIR", str(DICTIONARY))
    import pyopenjtalk

    rate = 48_000
    pieces: list = []
    previous = None
    for speaker, text in DIALOGUE:
        if not text:
            pieces.append(numpy.zeros(int(SECTION_PAUSE * rate)))
            previous = None
            continue
        if previous is not None:
            pieces.append(numpy.zeros(int((SENTENCE_PAUSE if speaker == previous else TURN_PAUSE) * rate)))
        for number, sentence in enumerate(s + "。" for s in text.split("。") if s):
            if number:
                pieces.append(numpy.zeros(int(SENTENCE_PAUSE * rate)))
            samples, rate = pyopenjtalk.tts(sentence, **VOICES[speaker])
            pieces.append(samples)
        previous = speaker
    pieces.append(numpy.zeros(rate))
    audio = numpy.clip(numpy.concatenate(pieces), -32768, 32767).astype(numpy.int16)
    with tempfile.TemporaryDirectory() as work:
        raw = Path(work) / "talk.wav"
        with wave.open(str(raw), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(audio.tobytes())
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(raw), "-ac", "1", "-ar", "16000",
                        "-c:a", "libopus", "-b:a", "24k", str(target)], check=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m tests.talks.japanese_talk FOLDER")
    recording = Path(sys.argv[1]) / RECORDING_NAME
    synthesise(recording)
    REFERENCE.write_text(reference_text(), encoding="utf-8")
    print(f"wrote {recording} ({recording.stat().st_size // 1024} KB) and {REFERENCE}", file=sys.stderr)
