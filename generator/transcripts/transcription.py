"""Speech to text: Whisper backends behind one small interface, fed bounded chunks of decoded audio.

The article builder never knows which backend ran: it only sees ``TimedText`` lists. With ``language:
auto`` and an English-only model (the bundled ``tiny.en``), each talk's language is detected by the
multilingual model first: English talks go to the English model, any other language to the multilingual one.
"""

from __future__ import annotations

import importlib.util
import math
import os
import shutil
import subprocess
import tempfile
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

from generator.errors import PartnerkitError
from generator.layout import user_cache
from generator.model.config import TranscriptionSettings
from generator.transcripts.bundled_model import (
    BUNDLED_NAME, MULTILINGUAL_HINT, MULTILINGUAL_NAME, bundled_model, multilingual_installed, multilingual_model,
    openai_whisper_model,
)

SAMPLE_RATE = 16_000
FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
"""Whisper's own schedule: greedy/beam decoding first, then sampling at rising temperatures."""
INSTALL_HINT = 'pip install "partnerkit[transcribe]"'


@dataclass(frozen=True)
class TimedText:
    """Text spoken from ``start`` to ``end`` seconds of a recording (a Whisper segment)."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Transcript:
    segments: list[TimedText]
    language: str
    backend: str
    model: str


class Backend(Protocol):
    name: str
    model: str
    """The model as recorded in the sidecar (a name, or the folder it was loaded from)."""
    windows_at_once: int
    """How many windows :meth:`transcribe` may be given at once, from as many threads."""

    def transcribe(self, audio: Any, language: str | None) -> tuple[list[TimedText], str]:
        """Segments of one chunk (16 kHz mono float32), timed from its start, and the language used
        (empty if it could not be told)."""

    def detect_language(self, audio: Any) -> str:
        """The language spoken at the start of the chunk's speech (empty if there is no speech)."""


class Recognizer(Backend, Protocol):
    """A backend running one Whisper model (not to be confused with the site engine, ``generator.engine``)."""

    multilingual: bool


def temperatures(settings: TranscriptionSettings) -> tuple[float, ...]:
    return FALLBACK_TEMPERATURES if settings.temperature_fallback else (0.0,)


def speech_clips(audio: Any) -> list[float]:
    """``[start, end, start, end…]`` seconds of speech found by Silero voice activity detection, with
    the same options faster-whisper's own ``vad_filter`` uses (its ONNX model ships with faster-whisper)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    return [round(sample / SAMPLE_RATE, 3) for chunk in get_speech_timestamps(audio, VadOptions())
            for sample in (chunk["start"], chunk["end"])]


MISSED_SPEECH_SECONDS = 3.0
"""Speech that voice activity detection found and Whisper gave no text for, this long or longer, is
transcribed again on its own. Whisper sometimes ends a 30-second window early, as if no speech
followed, and decoding moves on past the rest of it: on the benchmark's kick-off call that lost the
30 seconds after its 6-second pause (22 % of words wrong, against 18 % for one unchunked pass)."""
MISSED_SPEECH_MARGIN = 0.5
"""Seconds of audio kept on each side of missed speech when it is transcribed again."""


def missed_speech(clips: list[float], texts: list[TimedText]) -> list[tuple[float, float]]:
    """(start, end) of the stretches of speech in ``clips`` (``[start, end, start, end…]``) that no
    text covers, each at least :data:`MISSED_SPEECH_SECONDS` long."""
    missed = []
    for start, end in zip(clips[::2], clips[1::2]):
        covered = start
        for text in texts:
            if text.end <= covered or text.start >= end:
                continue
            if text.start - covered >= MISSED_SPEECH_SECONDS:
                missed.append((covered, text.start))
            covered = max(covered, text.end)
        if end - covered >= MISSED_SPEECH_SECONDS:
            missed.append((covered, end))
    return missed


def _model_location(settings: TranscriptionSettings, root: Path) -> Path | None:
    candidate = Path(settings.model).expanduser()
    candidate = candidate if candidate.is_absolute() else root / candidate
    return candidate if candidate.exists() else None


def _bundled(name: str) -> Path | None:
    """The folder of a bundled model by name (the multilingual one is assembled on first use)."""
    if name == BUNDLED_NAME:
        return bundled_model()
    if name == MULTILINGUAL_NAME:
        return multilingual_model()
    return None


class FasterWhisper:
    name = "faster-whisper"

    def __init__(self, settings: TranscriptionSettings, root: Path):
        from faster_whisper import WhisperModel

        self.settings = settings
        location = _model_location(settings, root) or _bundled(settings.model)
        self.model = str(location.relative_to(root)) if location and location.is_relative_to(root) else settings.model
        cores = os.cpu_count() or 1
        self.windows_at_once = settings.workers or cores
        try:
            self.whisper_model = WhisperModel(
                str(location) if location else settings.model, device=settings.device, compute_type=settings.compute_type,
                cpu_threads=max(1, cores // self.windows_at_once), num_workers=self.windows_at_once, local_files_only=True,
            )
        except Exception as exc:  # the library raises many kinds for a missing model
            raise PartnerkitError(_model_not_found(settings.model, root, "faster-whisper", exc)) from None
        self.multilingual = bool(self.whisper_model.model.is_multilingual)

    def detect_language(self, audio: Any) -> str:
        if self.settings.vad and not speech_clips(audio):
            return ""
        if not self.multilingual:
            return "en"
        language, _, _ = self.whisper_model.detect_language(audio, vad_filter=self.settings.vad)
        return language

    def transcribe(self, audio: Any, language: str | None) -> tuple[list[TimedText], str]:
        texts, language = self._transcribe(audio, language, 0.0)
        if self.settings.vad:  # speech Whisper skipped, transcribed again on its own
            for start, end in missed_speech(speech_clips(audio), texts):
                start, end = max(0.0, start - MISSED_SPEECH_MARGIN), end + MISSED_SPEECH_MARGIN
                texts += self._transcribe(audio[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)], language, start)[0]
            texts.sort(key=lambda text: text.start)
        return texts, language

    def _transcribe(self, audio: Any, language: str | None, offset: float) -> tuple[list[TimedText], str]:
        segments, info = self.whisper_model.transcribe(
            audio, language=language, vad_filter=self.settings.vad, beam_size=self.settings.beam_size,
            condition_on_previous_text=self.settings.condition_on_previous_text, temperature=temperatures(self.settings),
        )
        texts = [TimedText(offset + segment.start, offset + segment.end, segment.text.strip()) for segment in segments]
        return texts, info.language


class OpenAIWhisper:
    name = "openai-whisper"
    windows_at_once = 1
    """The model's decoder keeps its cache in hooks on the shared model: one window at a time."""

    def __init__(self, settings: TranscriptionSettings, root: Path, decode_options: dict[str, Any] | None = None):
        import whisper

        if settings.vad and importlib.util.find_spec("faster_whisper") is None:
            raise PartnerkitError(
                "voice activity detection (transcription.vad) uses the Silero model that comes with faster-whisper: "
                f"{INSTALL_HINT}, or set transcription.vad: false"
            )
        self.settings = settings
        self.decode_options = decode_options or {}
        location = _model_location(settings, root)
        if location is None:
            cached = user_cache("whisper", f"{settings.model}.pt")
            location = cached if cached.is_file() else None
        bundled = _bundled(settings.model) if location is None else None
        if bundled is not None:
            self.model = settings.model
            self.whisper_model = openai_whisper_model(bundled, settings.device)
        elif location is None:
            raise PartnerkitError(_model_not_found(settings.model, root, "openai-whisper", None))
        else:
            self.model = str(location.relative_to(root)) if location.is_relative_to(root) else settings.model
            self.whisper_model = whisper.load_model(str(location), device=settings.device)
        self.multilingual = bool(self.whisper_model.is_multilingual)

    def detect_language(self, audio: Any) -> str:
        import whisper

        clips = speech_clips(audio) if self.settings.vad else [0.0]
        if not clips:
            return ""
        speech = whisper.pad_or_trim(audio[int(clips[0] * SAMPLE_RATE):])
        mel = whisper.log_mel_spectrogram(speech, self.whisper_model.dims.n_mels).to(self.whisper_model.device)
        _, probabilities = self.whisper_model.detect_language(mel)
        return max(probabilities, key=probabilities.get)

    def transcribe(self, audio: Any, language: str | None) -> tuple[list[TimedText], str]:
        clips = speech_clips(audio) if self.settings.vad else [0.0]
        if not clips:
            return [], language or ""  # no speech: nothing to detect a language from
        result = self.whisper_model.transcribe(
            audio, language=language, fp16=False, verbose=None, beam_size=self.settings.beam_size,
            condition_on_previous_text=self.settings.condition_on_previous_text, clip_timestamps=clips,
            **{"temperature": temperatures(self.settings), **self.decode_options},
        )
        segments = [TimedText(item["start"], item["end"], item["text"].strip()) for item in result["segments"]]
        return segments, result.get("language") or language or "en"


class ByLanguage:
    """The English-only model for English talks, the multilingual one for the others. The language is
    detected by the multilingual model on a talk's first window; later windows come with it."""

    def __init__(self, english: Recognizer, multilingual: Callable[[], Recognizer]):
        self.english, self._make_multilingual = english, multilingual
        self._multilingual: Recognizer | None = None
        self.name, self.model = english.name, english.model
        self.windows_at_once = english.windows_at_once  # the same backend, so the same setting

    @property
    def multilingual(self) -> Recognizer:
        if self._multilingual is None:
            self._multilingual = self._make_multilingual()
        return self._multilingual

    def detect_language(self, audio: Any) -> str:
        return self.multilingual.detect_language(audio)

    def transcribe(self, audio: Any, language: str | None) -> tuple[list[TimedText], str]:
        language = language or self.detect_language(audio) or None
        recognizer = self.english if language in (None, "en") else self.multilingual
        self.name, self.model = recognizer.name, recognizer.model
        return recognizer.transcribe(audio, language)


BACKENDS: dict[str, tuple[str, Callable[..., Recognizer]]] = {
    "faster-whisper": ("faster_whisper", FasterWhisper),
    "openai-whisper": ("whisper", OpenAIWhisper),
}
"""Backends by name, with the module that must be importable, in order of preference."""


def installed_backends() -> list[str]:
    return [name for name, (module, _) in BACKENDS.items() if importlib.util.find_spec(module) is not None]


def create_backend(settings: TranscriptionSettings, root: Path) -> Backend:
    """The configured backend, ready to transcribe; plain errors when it cannot be had."""
    available = installed_backends()
    if settings.backend == "auto":
        if not available:
            raise PartnerkitError(f"no transcription backend is installed: {INSTALL_HINT}")
        name = available[0]
    elif settings.backend not in available:
        extra = "transcribe" if settings.backend == "faster-whisper" else settings.backend
        raise PartnerkitError(f'transcription backend {settings.backend} is not installed: pip install "partnerkit[{extra}]"')
    else:
        name = settings.backend
    recognizer = BACKENDS[name][1](settings, root)
    if recognizer.multilingual or settings.language == "en":
        return recognizer
    if settings.multilingual_model == MULTILINGUAL_NAME and not multilingual_installed():
        if settings.language == "auto":
            return recognizer
        raise PartnerkitError(
            f"transcription.language is {settings.language}, but the model {recognizer.model} understands only English: "
            f"{MULTILINGUAL_HINT} (or set transcription.model to a multilingual model)"
        )
    multilingual = settings.model_copy(update={"model": settings.multilingual_model})
    return ByLanguage(recognizer, lambda: BACKENDS[name][1](multilingual, root))


def _model_not_found(model: str, root: Path, backend: str, cause: Exception | None) -> str:
    where = (
        f"{root / model}, the Hugging Face cache (~/.cache/huggingface/hub) and the bundled tiny.en"
        if backend == "faster-whisper" else f"{root / model}, ~/.cache/whisper/{model}.pt and the bundled tiny.en"
    )
    bundled = f" (the bundled {model} comes with {MULTILINGUAL_HINT})" if model == MULTILINGUAL_NAME else ""
    return (
        f"Whisper model '{model}' not found for {backend}: looked in {where}{bundled}. Download it once on a "
        "connected machine, or set transcription.model in site_config.yml to a local model "
        f"{'folder' if backend == 'faster-whisper' else 'checkpoint (.pt)'}"
    )


def _ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        raise PartnerkitError("ffmpeg is not installed: it decodes the recordings (Debian/Ubuntu: apt-get install ffmpeg)")
    return found


def media_duration(media: Path) -> float:
    """Length of a recording in seconds (0 if unknown)."""
    _ffmpeg()
    probe = shutil.which("ffprobe")
    if probe is None:
        return 0.0
    result = subprocess.run(
        [probe, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(media)],
        capture_output=True, text=True,
    )
    try:
        return float(result.stdout.strip())
    except ValueError:
        return 0.0


def audio_chunks(media: Path, seconds: int) -> Iterator[tuple[float, Any]]:
    """(offset, 16 kHz mono float32 samples) for consecutive chunks of ``seconds``: memory stays
    bounded by the chunk, however long the recording."""
    import numpy

    # ffmpeg's messages go to a file, not a pipe: a pipe nobody drains while reading the audio would
    # fill up on a chatty file and stall both programs.
    with tempfile.TemporaryFile() as messages:
        process = subprocess.Popen(
            [_ffmpeg(), "-nostdin", "-v", "error", "-i", str(media), "-f", "s16le", "-ac", "1", "-ar", str(SAMPLE_RATE), "-"],
            stdout=subprocess.PIPE, stderr=messages,
        )
        assert process.stdout is not None
        chunk_bytes = seconds * SAMPLE_RATE * 2
        offset = 0.0
        try:
            while True:
                data = process.stdout.read(chunk_bytes)
                if not data:
                    break
                samples = numpy.frombuffer(data[: len(data) - len(data) % 2], dtype=numpy.int16).astype(numpy.float32) / 32768.0
                yield offset, samples
                offset += len(samples) / SAMPLE_RATE
        finally:
            process.stdout.close()
            process.wait()
            messages.seek(0)
            error = messages.read().decode("utf-8", "replace").strip()
    if process.returncode != 0:
        last = error.splitlines()[-1] if error else f"ffmpeg exited with {process.returncode}"
        raise PartnerkitError(f"cannot read {media.name}: {last}")
    if offset == 0.0:
        raise PartnerkitError(f"cannot read {media.name}: it holds no audio")


CUT_SEARCH_SECONDS = 30
"""A window ends at the quietest moment of its last 30 seconds (between words, not inside one)."""
CUT_FRAME = SAMPLE_RATE // 10
"""Loudness is compared over 100 ms frames."""


def quietest_cut(samples: Any) -> int:
    """Sample index in the middle of the quietest 300 ms in the last ``CUT_SEARCH_SECONDS`` (the latest
    such moment when several are equally quiet, as in digital silence)."""
    import numpy

    search = samples[max(0, samples.size - CUT_SEARCH_SECONDS * SAMPLE_RATE):]
    frames = search[: search.size - search.size % CUT_FRAME].reshape(-1, CUT_FRAME)
    if len(frames) < 3:
        return samples.size
    loudness = numpy.square(frames, dtype=numpy.float64).mean(axis=1)
    around = loudness[:-2] + loudness[1:-1] + loudness[2:]  # frame i + 1 with its two neighbours
    quietest = len(around) - 1 - int(numpy.argmin(around[::-1]))
    return samples.size - search.size + (quietest + 1) * CUT_FRAME + CUT_FRAME // 2


def transcription_windows(media: Path, seconds: int) -> Iterator[tuple[float, Any]]:
    """(offset, samples) of about ``seconds`` each, every one ending at a quiet moment: the audio after
    the cut is carried into the next window, so no word is split between two windows. Memory stays
    bounded by one chunk plus the carried part, however long the recording."""
    import numpy

    carried = numpy.zeros(0, dtype=numpy.float32)
    offset = 0.0
    for _, block in audio_chunks(media, seconds):
        window = numpy.concatenate([carried, block]) if carried.size else block
        if block.size < seconds * SAMPLE_RATE:  # a short block is the recording's last
            carried = window[:0]
            yield offset, window
            continue
        cut = quietest_cut(window)
        carried = window[cut:].copy()
        yield offset, window[:cut]
        offset += cut / SAMPLE_RATE
    if carried.size:
        yield offset, carried


MIN_WINDOW_SECONDS = 180
"""The shortest window a talk is cut into for windows to run at once."""


def window_seconds(settings: TranscriptionSettings, total: float, at_once: int) -> int:
    """How long the windows of a talk lasting ``total`` seconds are. One at a time: ``chunk_minutes``.
    ``at_once`` at a time: ``chunk_minutes`` shared among them, so the audio in hand stays about the
    same, and shorter still for a talk too short to give each one a window; never under
    :data:`MIN_WINDOW_SECONDS` (nor over ``chunk_minutes``)."""
    longest = settings.chunk_minutes * 60
    if at_once <= 1:
        return longest
    share = max(MIN_WINDOW_SECONDS, math.ceil(longest / at_once))
    if total:
        share = min(share, max(MIN_WINDOW_SECONDS, math.ceil(total / at_once)))
    return min(longest, share)


def transcribe_media(
    media: Path, backend: Backend, settings: TranscriptionSettings,
    progress: Callable[[float, float], None] = lambda done, total: None,
) -> Transcript:
    """Transcribe ``media`` window by window, ``backend.windows_at_once`` windows at a time;
    ``progress(done_seconds, total_seconds)`` after each, in order. Digitally silent windows are
    skipped (Whisper would invent words for them). The language is the first window's: told by the
    backend before the window is transcribed when windows run at once, else from its transcription."""
    total = media_duration(media)
    language = None if settings.language == "auto" else settings.language
    at_once = max(1, backend.windows_at_once)
    segments: list[TimedText] = []
    pending: deque[tuple[float, int, Future | None]] = deque()

    def collect() -> None:
        nonlocal language
        offset, size, future = pending.popleft()
        if future is not None:
            found, detected = future.result()
            language = language or detected or None
            segments.extend(TimedText(offset + s.start, offset + s.end, s.text) for s in found if s.text)
        progress(min(offset + size / SAMPLE_RATE, total or offset), total)

    with ThreadPoolExecutor(max_workers=at_once) as pool:
        try:
            for offset, samples in transcription_windows(media, window_seconds(settings, total, at_once)):
                future = None
                if samples.size and float(abs(samples).max()) > 0.0:
                    if language is None and at_once > 1:
                        language = backend.detect_language(samples) or None
                    future = pool.submit(backend.transcribe, samples, language)
                pending.append((offset, samples.size, future))
                while len(pending) >= at_once:
                    collect()
            while pending:
                collect()
        finally:
            for _, _, future in pending:
                if future is not None:
                    future.cancel()
    return Transcript(segments, language or "und", backend.name, backend.model)
