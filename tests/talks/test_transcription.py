"""Real transcription with Whisper (the bundled tiny.en model), and the transcript cache around it."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import jiwer
import pytest

from generator.reporter import BufferReporter
from generator.errors import ContentErrors, PartnerkitError
from generator.load.content import load_project
from generator.model.config import TranscriptionSettings
from generator.transcripts import transcription
from generator.files import file_sha256 as sha256
from generator.transcripts.step import transcribe_project, transcribe_talks
from generator.transcripts.transcription import OpenAIWhisper, create_backend, transcribe_media
from tests.conftest import FIXTURES

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parent.parent / "data"
REFERENCE = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."


def normalised(text: str) -> str:
    return jiwer.RemovePunctuation()(text.lower()).strip()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "minimal", root)
    (root / "transcripts").mkdir()
    shutil.copy2(DATA / "jfk.flac", root / "transcripts" / "jfk.flac")
    return root


def ffmpeg(*arguments: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *arguments], check=True)


def test_transcribes_once_with_a_low_word_error_rate(project: Path) -> None:
    recorder = BufferReporter()
    catalog = load_project(project, recorder, transcribe_project(project, recorder))
    talk = catalog.talks["jfk"]
    words = " ".join(cue.text for cue in talk.cues)
    error_rate = jiwer.wer(normalised(REFERENCE), normalised(words))
    assert error_rate < 0.15, (error_rate, words)
    assert talk.media == "transcripts/jfk.flac" and talk.source == "transcripts/jfk.vtt"
    assert talk.meta.title == "Jfk" and talk.meta.review == "draft"
    sidecar = (project / "transcripts/jfk.yml").read_text()
    assert f"media_sha256: {sha256(project / 'transcripts/jfk.flac')}" in sidecar
    assert "backend: faster-whisper\n" in sidecar and "model: tiny.en\n" in sidecar and "language: en\n" in sidecar
    assert recorder.progress_calls[-1] == ("Transcribing jfk.flac", 11 / 60, 11 / 60, "audio min")

    again = transcribe_talks(project, catalog.config.transcription)
    assert again.transcribed == []
    assert load_project(project, transcription=again).talks["jfk"].cues == talk.cues


def corrected(vtt: str) -> str:
    """The transcript as a CS person corrects it: " (corrected)" added to the first cue's text, whatever the
    model wrote there."""
    lines = vtt.split("\n")
    first_text = next(number for number, line in enumerate(lines) if "-->" in line) + 1
    lines[first_text] += " (corrected)"
    return "\n".join(lines)


def test_edited_transcript_is_never_overwritten(project: Path) -> None:
    load_project(project, transcription=transcribe_project(project))
    vtt = project / "transcripts/jfk.vtt"
    vtt.write_text(corrected(vtt.read_text()))
    ffmpeg("-i", str(DATA / "jfk.flac"), "-af", "apad=pad_dur=2", str(project / "transcripts/jfk.flac"))
    recorder = BufferReporter()
    catalog = load_project(project, recorder, transcribe_project(project, recorder))
    assert "(corrected)" in " ".join(cue.text for cue in catalog.talks["jfk"].cues)
    assert recorder.warnings == [
        "transcripts/jfk.flac changed since it was transcribed, but transcripts/jfk.vtt was edited: keeping your "
        "transcript (partnerkit transcribe --force writes a fresh one beside it)"
    ]
    forced = BufferReporter()
    load_project(project, forced, transcribe_project(project, forced, force=True))
    assert forced.warnings == ["transcripts/jfk.flac: fresh transcript written to transcripts/jfk.new.vtt for comparison"]
    assert "(corrected)" in vtt.read_text()
    assert "(corrected)" not in (project / "transcripts/jfk.new.vtt").read_text()


def test_changed_recording_with_untouched_transcript_is_transcribed_again(project: Path) -> None:
    load_project(project, transcription=transcribe_project(project))
    first = sha256(project / "transcripts/jfk.flac")
    ffmpeg("-i", str(DATA / "jfk.flac"), "-af", "apad=pad_dur=2", str(project / "transcripts/jfk.flac"))
    run = transcribe_talks(project, TranscriptionSettings())
    assert run.transcribed == ["transcripts/jfk.flac"]
    assert first not in (project / "transcripts/jfk.yml").read_text()


def test_silence_gives_an_empty_transcript(tmp_path: Path) -> None:
    silence = tmp_path / "silence.flac"
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "30", str(silence))
    settings = TranscriptionSettings()
    result = transcribe_media(silence, create_backend(settings, tmp_path), settings)
    assert result.segments == []


def test_quiet_noise_without_speech_gives_no_words(tmp_path: Path) -> None:
    hum = tmp_path / "hum.flac"
    ffmpeg("-f", "lavfi", "-i", "anoisesrc=r=16000:a=0.002:c=pink", "-t", "30", str(hum))
    settings = TranscriptionSettings()
    assert transcribe_media(hum, create_backend(settings, tmp_path), settings).segments == []


def test_openai_whisper_pipeline_on_a_tiny_checkpoint(tmp_path: Path) -> None:
    import torch
    import whisper
    from whisper.model import ModelDimensions

    dimensions = ModelDimensions(
        n_mels=80, n_audio_ctx=1500, n_audio_state=64, n_audio_head=2, n_audio_layer=1,
        n_vocab=51864, n_text_ctx=448, n_text_state=64, n_text_head=2, n_text_layer=1,
    )
    torch.manual_seed(0)
    model = whisper.model.Whisper(dimensions)
    checkpoint = tmp_path / "tiny-test.pt"
    torch.save({"dims": dimensions.__dict__, "model_state_dict": model.state_dict()}, checkpoint)
    settings = TranscriptionSettings(backend="openai-whisper", model=str(checkpoint), language="en")
    backend = OpenAIWhisper(settings, tmp_path, decode_options={"temperature": 0.0, "sample_len": 8})
    assert backend.model == "tiny-test.pt"
    result = transcribe_media(DATA / "jfk.flac", backend, settings)
    assert result.backend == "openai-whisper" and result.language == "en"
    assert all(0 <= segment.start <= segment.end <= 11.5 for segment in result.segments)


def test_plain_errors(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PartnerkitError) as caught:
        create_backend(TranscriptionSettings(model="medium-offline"), project)
    assert str(caught.value) == (
        f"Whisper model 'medium-offline' not found for faster-whisper: looked in {project / 'medium-offline'}, the "
        "Hugging Face cache (~/.cache/huggingface/hub) and the bundled tiny.en. Download it once on a connected "
        "machine, or set transcription.model in site_config.yml to a local model folder"
    )
    monkeypatch.setattr(transcription, "installed_backends", lambda: [])
    with pytest.raises(PartnerkitError) as caught:
        create_backend(TranscriptionSettings(), project)
    assert str(caught.value) == 'no transcription backend is installed: pip install "partnerkit[transcribe]"'
    monkeypatch.undo()

    (project / "transcripts/broken.mp3").write_bytes(b"not really audio" * 100)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ContentErrors) as caught:
        load_project(project, transcription=transcribe_project(project))
    assert [str(error) for error in caught.value.errors] == [
        "transcripts/broken.mp3:1:1: ffmpeg is not installed: it decodes the recordings (Debian/Ubuntu: apt-get install ffmpeg)",
        "transcripts/jfk.flac:1:1: ffmpeg is not installed: it decodes the recordings (Debian/Ubuntu: apt-get install ffmpeg)",
    ]
    monkeypatch.undo()
    with pytest.raises(ContentErrors) as caught:
        load_project(project, transcription=transcribe_project(project))
    messages = [str(error) for error in caught.value.errors]
    assert len(messages) == 1 and messages[0].startswith("transcripts/broken.mp3:1:1: cannot read broken.mp3: ")
    assert (project / "transcripts/jfk.vtt").is_file(), "one broken recording does not stop the others"


def test_check_does_not_transcribe(project: Path) -> None:
    recorder = BufferReporter()
    catalog = load_project(project, recorder)
    assert "jfk" not in catalog.talks
    assert recorder.warnings == ["transcripts/jfk.flac is not transcribed yet: partnerkit build or partnerkit transcribe will do it"]
    assert not (project / "transcripts/jfk.vtt").exists()


def test_a_chatty_recording_does_not_stall_decoding(tmp_path: Path) -> None:
    """ffmpeg writes a warning per broken packet; those messages must never block the audio pipe."""
    from generator.transcripts.transcription import audio_chunks

    unit = tmp_path / "unit.flac"
    ffmpeg("-i", str(DATA / "jfk.flac"), "-af", "apad=whole_dur=15", str(unit))
    looped = tmp_path / "looped.flac"
    ffmpeg("-stream_loop", "40", "-i", str(unit), "-c", "copy", str(looped))  # timestamps ffmpeg complains about
    decoded: list[int] = []
    worker = threading.Thread(target=lambda: decoded.append(sum(s.size for _, s in audio_chunks(looped, 60))), daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "decoding stalled"
    assert decoded[0] / 16000 > 600


def test_windows_end_in_a_pause_and_lose_no_audio(tmp_path: Path) -> None:
    from generator.transcripts.transcription import SAMPLE_RATE, transcription_windows

    tone = tmp_path / "tone.flac"  # 100 s of tone, quiet for half a second at 50 s
    ffmpeg("-f", "lavfi", "-i", "aevalsrc=0.5*sin(2*PI*440*t)*not(between(t\\,50\\,50.5)):s=16000:d=100", str(tone))
    windows = list(transcription_windows(tone, 60))
    assert [offset for offset, _ in windows] == [0.0, windows[0][1].size / SAMPLE_RATE]
    assert 50.1 <= windows[1][0] <= 50.4, "cut inside the pause, away from the tone on both sides"
    assert sum(samples.size for _, samples in windows) == 100 * SAMPLE_RATE


def test_speech_across_a_window_boundary_is_not_cut(tmp_path: Path) -> None:
    straddling = tmp_path / "straddling.flac"  # the sentence runs from 54 s to 65 s; windows are 60 s
    ffmpeg("-f", "lavfi", "-t", "54", "-i", "anullsrc=r=16000:cl=mono", "-i", str(DATA / "jfk.flac"),
           "-filter_complex", "[0][1]concat=n=2:v=0:a=1", str(straddling))
    settings = TranscriptionSettings(chunk_minutes=1)
    result = transcribe_media(straddling, create_backend(settings, tmp_path), settings)
    assert normalised(" ".join(segment.text for segment in result.segments)) == normalised(REFERENCE)
    assert 53 <= result.segments[0].start <= 55


def test_openai_whisper_transcribes_the_sample_with_the_bundled_model(tmp_path: Path) -> None:
    """openai-whisper runs on the bundled tiny.en weights (converted from CTranslate2 in memory)."""
    settings = TranscriptionSettings(backend="openai-whisper")
    result = transcribe_media(DATA / "jfk.flac", create_backend(settings, tmp_path), settings)
    words = " ".join(segment.text for segment in result.segments)
    assert jiwer.wer(normalised(REFERENCE), normalised(words)) < 0.15, words
    assert (result.backend, result.model, result.language) == ("openai-whisper", "tiny.en", "en")


def test_openai_whisper_skips_silence_and_noise_with_voice_activity_detection(tmp_path: Path) -> None:
    padded = tmp_path / "padded.flac"  # 30 s of digital silence, the sentence, 20 s of quiet pink noise
    ffmpeg("-f", "lavfi", "-t", "30", "-i", "anullsrc=r=16000:cl=mono", "-i", str(DATA / "jfk.flac"),
           "-f", "lavfi", "-t", "20", "-i", "anoisesrc=r=16000:a=0.002:c=pink",
           "-filter_complex", "[0][1][2]concat=n=3:v=0:a=1", "-ar", "16000", "-ac", "1", str(padded))
    settings = TranscriptionSettings(backend="openai-whisper")
    result = transcribe_media(padded, create_backend(settings, tmp_path), settings)
    assert normalised(" ".join(segment.text for segment in result.segments)) == normalised(REFERENCE)
    assert 29.5 <= result.segments[0].start and result.segments[-1].end <= 41.5


def test_openai_whisper_plain_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PartnerkitError) as caught:
        create_backend(TranscriptionSettings(backend="openai-whisper", model="medium-offline"), tmp_path)
    assert str(caught.value) == (
        f"Whisper model 'medium-offline' not found for openai-whisper: looked in {tmp_path / 'medium-offline'}, "
        "~/.cache/whisper/medium-offline.pt and the bundled tiny.en. Download it once on a connected machine, or set "
        "transcription.model in site_config.yml to a local model checkpoint (.pt)"
    )
    real_find_spec = transcription.importlib.util.find_spec
    monkeypatch.setattr(transcription.importlib.util, "find_spec",
                        lambda name, *rest: None if name == "faster_whisper" else real_find_spec(name, *rest))
    with pytest.raises(PartnerkitError) as caught:
        create_backend(TranscriptionSettings(backend="openai-whisper"), tmp_path)
    assert str(caught.value) == (
        "voice activity detection (transcription.vad) uses the Silero model that comes with faster-whisper: "
        'pip install "partnerkit[transcribe]", or set transcription.vad: false'
    )
    with pytest.raises(PartnerkitError) as caught:
        create_backend(TranscriptionSettings(backend="faster-whisper"), tmp_path)
    assert str(caught.value) == 'transcription backend faster-whisper is not installed: pip install "partnerkit[transcribe]"'


class Watched:
    """The real backend, with the windows it is given recorded; the first two meet at a barrier, so a
    run that does not give them at once fails instead of waiting."""

    def __init__(self, backend, meet: int) -> None:
        self.backend, self.name, self.model = backend, backend.name, backend.model
        self.windows_at_once = backend.windows_at_once
        self.barrier = threading.Barrier(meet, timeout=60) if meet > 1 else None
        self.calls: list[str | None] = []

    def detect_language(self, audio) -> str:
        return self.backend.detect_language(audio)

    def transcribe(self, audio, language):
        self.calls.append(language)
        if self.barrier is not None and len(self.calls) <= self.barrier.parties:
            self.barrier.wait()
        return self.backend.transcribe(audio, language)


def two_sentences(tmp_path: Path) -> Path:
    """The sentence at 0 s and again at 62 s, 125 s in all: two windows of a minute, and a silent end."""
    talk = tmp_path / "twice.flac"
    ffmpeg("-i", str(DATA / "jfk.flac"), "-i", str(DATA / "jfk.flac"), "-filter_complex",
           "[0]apad=whole_dur=62[a];[1]apad=whole_dur=63[b];[a][b]concat=n=2:v=0:a=1", str(talk))
    return talk


def test_windows_are_transcribed_at_once_and_put_back_in_order(tmp_path: Path) -> None:
    settings = TranscriptionSettings(chunk_minutes=1, workers=2)
    watched = Watched(create_backend(settings, tmp_path), meet=2)
    assert watched.windows_at_once == 2
    done: list[float] = []
    result = transcribe_media(two_sentences(tmp_path), watched, settings, lambda seconds, total: done.append(seconds))
    assert watched.calls[:2] == ["en", "en"], "the language is told before the windows run at once"
    assert normalised(" ".join(segment.text for segment in result.segments)) == normalised(f"{REFERENCE} {REFERENCE}")
    starts = [segment.start for segment in result.segments]
    assert starts == sorted(starts) and starts[0] < 1 and any(61 <= start <= 63 for start in starts)
    assert done == sorted(done) and done[-1] == pytest.approx(125, abs=0.1)
    assert result.language == "en"


def test_one_worker_transcribes_one_window_at_a_time(tmp_path: Path) -> None:
    settings = TranscriptionSettings(chunk_minutes=1, workers=1)
    watched = Watched(create_backend(settings, tmp_path), meet=1)
    result = transcribe_media(two_sentences(tmp_path), watched, settings)
    assert watched.windows_at_once == 1
    assert watched.calls[0] is None, "the first window tells the language"
    assert normalised(" ".join(segment.text for segment in result.segments)) == normalised(f"{REFERENCE} {REFERENCE}")


def test_windows_at_once_share_chunk_minutes_and_a_short_talk_gives_each_one() -> None:
    from generator.transcripts.transcription import window_seconds

    settings = TranscriptionSettings()  # chunk_minutes: 10
    assert window_seconds(settings, 3600.0, 2) == 300, "two at once share the ten minutes: memory stays the same"
    assert window_seconds(settings, 605.0, 2) == 300
    assert window_seconds(settings, 400.0, 2) == 200, "a short talk: a window for each"
    assert window_seconds(settings, 200.0, 2) == 180, "never under three minutes"
    assert window_seconds(settings, 3600.0, 16) == 180
    assert window_seconds(settings, 605.0, 1) == 600, "one at a time: chunk_minutes"
    assert window_seconds(settings, 0.0, 2) == 300, "a length ffmpeg cannot tell"
    assert window_seconds(TranscriptionSettings(chunk_minutes=1), 125.0, 2) == 60, "never over chunk_minutes"


def test_openai_whisper_transcribes_one_window_at_a_time() -> None:
    assert OpenAIWhisper.windows_at_once == 1
