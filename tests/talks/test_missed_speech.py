"""Speech that Whisper skips (a window it ends early) is found with voice activity detection and
transcribed again on its own, without a real model: a recorded fake stands in for Whisper."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from generator.model.config import TranscriptionSettings
from generator.transcripts.transcription import (
    MISSED_SPEECH_SECONDS, SAMPLE_RATE, FasterWhisper, TimedText, audio_chunks, missed_speech, speech_clips,
)

pytestmark = pytest.mark.unit

DATA = Path(__file__).resolve().parent.parent / "data"


def test_missed_speech_is_the_long_uncovered_speech() -> None:
    clips = [1.0, 11.0, 20.0, 22.0, 30.0, 40.0]
    texts = [TimedText(1.2, 4.0, "a"), TimedText(5.0, 6.0, "b"), TimedText(30.0, 33.0, "c"), TimedText(38.5, 41.0, "d")]
    assert missed_speech(clips, texts) == [(6.0, 11.0), (33.0, 38.5)], "short gaps (1 s, 2 s of speech) stay"
    assert missed_speech(clips, []) == [(1.0, 11.0), (30.0, 40.0)]
    assert missed_speech([], texts) == []
    assert missed_speech([0.0, MISSED_SPEECH_SECONDS], []) == [(0.0, MISSED_SPEECH_SECONDS)]


class SkippingWhisper:
    """Whisper that ends its window after the first sentence; transcribed again alone, the skipped
    speech comes back."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def transcribe(self, audio: Any, **options: Any) -> tuple[list[Any], Any]:
        self.calls.append(audio.size / SAMPLE_RATE)
        info = SimpleNamespace(language=options["language"] or "en")
        if len(self.calls) == 1:
            return [SimpleNamespace(start=0.3, end=10.5, text=" And so my fellow Americans.")], info
        return [SimpleNamespace(start=0.6, end=10.0, text=" Ask not what your country can do for you.")], info


def recognizer(settings: TranscriptionSettings, whisper_model: Any) -> FasterWhisper:
    backend = FasterWhisper.__new__(FasterWhisper)
    backend.settings, backend.whisper_model = settings, whisper_model
    return backend


def two_sentences() -> Any:
    import numpy

    sentence = numpy.concatenate([samples for _, samples in audio_chunks(DATA / "jfk.flac", 60)])
    pause = numpy.zeros(3 * SAMPLE_RATE, dtype=numpy.float32)
    return numpy.concatenate([sentence, pause, sentence])  # speech from ~0.3 s to ~10.5 s and ~14.3 s to ~24.5 s


def test_speech_whisper_skipped_is_transcribed_again_and_put_in_order() -> None:
    audio = two_sentences()
    clips = speech_clips(audio)
    assert clips[-1] > 20, clips
    whisper = SkippingWhisper()
    texts, language = recognizer(TranscriptionSettings(), whisper).transcribe(audio, "en")
    assert language == "en"
    assert [text.text for text in texts] == ["And so my fellow Americans.", "Ask not what your country can do for you."]
    assert len(whisper.calls) == 2 and whisper.calls[1] < 15, "only the missed speech is transcribed again"
    assert texts[0].end < texts[1].start and 10 < texts[1].start < 16


def test_without_voice_activity_detection_nothing_is_transcribed_again() -> None:
    whisper = SkippingWhisper()
    texts, _ = recognizer(TranscriptionSettings(vad=False), whisper).transcribe(two_sentences(), None)
    assert len(whisper.calls) == 1 and [text.text for text in texts] == ["And so my fellow Americans."]
