"""Transcription speed and memory, per backend, side by side in one run.

Prints audio seconds per wall second (x real time) and peak memory (RSS) of each run, on the
11-second sample and on a long talk assembled from it with pauses (60 minutes by default), then the
speed ratio between the backends and the memory ratio against an unchunked baseline. Each run is a
child process, so its peak RSS is its own. Runs:
- faster-whisper and openai-whisper as partnerkit runs them (windows of about 10 minutes cut at a
  quiet moment, Silero VAD, beam 5, Whisper's temperature fallback), both on the bundled tiny.en;
- faster-whisper without temperature fallback: the assembled talk repeats one sentence, so every
  30-second window of VAD-joined speech holds it two or three times and trips Whisper's repetition
  guard (compression ratio > 2.4), which decodes the window again at five more temperatures; real
  talks rarely repeat themselves like that, so this row is the closer estimate of their speed;
- faster-whisper on the whole file without VAD: the baseline whose memory grows with the talk.
Targets on 2 CPU cores with tiny: >= 15x real time for faster-whisper int8; peak RSS for the
60-minute talk <= 1.5 GB.

Then speed and character error rate (numerals normalised) per model on the Japanese kick-off call of
the test suite (tests/talks/japanese_talk.py, spoken by pyopenjtalk; skipped without it): partnerkit's
defaults (tiny.en, which hands the talk to the bundled multilingual base after detecting Japanese), the
bundled base on both backends, and tiny.en forced to English for comparison.

    .venv/bin/python benchmarks/transcribe.py [--minutes 60] [--openai-minutes M] [--skip-baseline] [--beam 5]
    .venv/bin/python benchmarks/transcribe.py --japanese-only
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "jfk.flac"

CHILD = r"""
import json, sys, time
from pathlib import Path
from generator.structure.config import TranscriptionSettings
from generator.transcripts.transcription import create_backend, media_duration, transcribe_media
run, media, beam, model, language = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
language_used = ""
started = time.perf_counter()
if run == "unchunked":
    from faster_whisper import WhisperModel
    from generator.transcripts.bundled_model import bundled_model
    engine = WhisperModel(str(bundled_model()), device="cpu", compute_type="int8", local_files_only=True)
    segments, _ = engine.transcribe(str(media), vad_filter=False, condition_on_previous_text=False, beam_size=beam)
    texts = [segment.text for segment in segments]
else:
    backend, fallback = run.split("/")
    settings = TranscriptionSettings(backend=backend, beam_size=beam, temperature_fallback=fallback == "fallback",
                                     model=model, language=language)
    transcript = transcribe_media(media, create_backend(settings, Path.cwd()), settings)
    texts, language_used = [segment.text for segment in transcript.segments], f"{transcript.language} ({transcript.model})"
print(json.dumps({"seconds": time.perf_counter() - started, "audio": media_duration(media),
                  "words": sum(len(text.split()) for text in texts), "text": " ".join(texts), "language": language_used}))
"""

RUNS = {
    "faster-whisper/fallback": "faster-whisper, partnerkit defaults",
    "faster-whisper/no-fallback": "faster-whisper, no temp. fallback",
    "openai-whisper/fallback": "openai-whisper, partnerkit defaults",
    "unchunked": "faster-whisper, whole file, no VAD",
}


def run_child(run: str, media: Path, beam: int, model: str = "tiny.en", language: str = "auto") -> dict:
    process = subprocess.Popen([sys.executable, "-c", CHILD, run, str(media), str(beam), model, language],
                               stdout=subprocess.PIPE, text=True, cwd=ROOT)
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"{run} run on {media.name} failed")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    return result


def assembled_talk(folder: Path, minutes: int) -> Path:
    """The sample followed by 4 s of silence, repeated for ``minutes``."""
    unit = folder / "unit.flac"
    talk = folder / f"talk-{minutes}min.flac"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(SAMPLE), "-af", "apad=whole_dur=15",
                    "-ar", "16000", "-ac", "1", str(unit)], check=True)
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", str(minutes * 4 - 1), "-i", str(unit),
                    "-ar", "16000", "-ac", "1", str(talk)], check=True)
    return talk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60, help="Length of the assembled talk")
    parser.add_argument("--openai-minutes", type=int, default=None,
                        help="A shorter assembled talk for openai-whisper (default: the same as --minutes)")
    parser.add_argument("--skip-baseline", action="store_true", help="Skip the unchunked run on the long talk")
    parser.add_argument("--beam", type=int, default=5, help="Beam size (partnerkit's default is 5; 1 is greedy decoding)")
    parser.add_argument("--japanese-only", action="store_true", help="Only the Japanese kick-off call, per model")
    options = parser.parse_args()
    if options.japanese_only:
        japanese(options.beam)
        return
    openai_minutes = options.openai_minutes or options.minutes
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        plan = [("sample 11 s", SAMPLE, run) for run in ("faster-whisper/fallback", "openai-whisper/fallback")]
        long_label = f"talk {options.minutes} min"
        long_talk = assembled_talk(folder, options.minutes)
        plan += [(long_label, long_talk, "faster-whisper/fallback"), (long_label, long_talk, "faster-whisper/no-fallback")]
        openai_label = f"talk {openai_minutes} min"
        openai_talk = long_talk if openai_minutes == options.minutes else assembled_talk(folder, openai_minutes)
        if openai_minutes != options.minutes:
            plan.append((openai_label, openai_talk, "faster-whisper/fallback"))
        plan.append((openai_label, openai_talk, "openai-whisper/fallback"))
        if not options.skip_baseline:
            plan.append((long_label, long_talk, "unchunked"))

        print(f"{os.cpu_count()} CPU cores, beam size {options.beam}, model tiny.en (bundled)")
        print(f"{'input':<14} {'run':<37} {'x real time':>11} {'wall':>8} {'peak RSS':>10} {'words':>6}")
        rows: dict[tuple[str, str], dict[str, float]] = {}
        for label, media, run in plan:
            result = run_child(run, media, options.beam)
            rows[(label, run)] = result
            print(f"{label:<14} {RUNS[run]:<37} {result['audio'] / result['seconds']:>10.1f}x {result['seconds']:>7.1f}s "
                  f"{result['peak_rss_mb']:>8.0f} MB {result['words']:>6.0f}", flush=True)

    def speed(label: str, run: str) -> float:
        return rows[(label, run)]["audio"] / rows[(label, run)]["seconds"]

    print()
    for label in dict.fromkeys(label for label, _ in rows):
        if (label, "openai-whisper/fallback") in rows:
            print(f"{label}: faster-whisper is {speed(label, 'faster-whisper/fallback') / speed(label, 'openai-whisper/fallback'):.2f}x "
                  f"as fast as openai-whisper, with {rows[(label, 'faster-whisper/fallback')]['peak_rss_mb'] / rows[(label, 'openai-whisper/fallback')]['peak_rss_mb']:.2f}x its peak RSS")
    print(f"{long_label}: without temperature fallback faster-whisper runs "
          f"{speed(long_label, 'faster-whisper/no-fallback') / speed(long_label, 'faster-whisper/fallback'):.2f}x as fast")
    if (long_label, "unchunked") in rows:
        ours, baseline = rows[(long_label, "faster-whisper/fallback")], rows[(long_label, "unchunked")]
        print(f"{long_label}: partnerkit's peak RSS is {ours['peak_rss_mb'] / baseline['peak_rss_mb']:.2f}x the unchunked "
              f"baseline's; speed {speed(long_label, 'faster-whisper/fallback') / speed(long_label, 'unchunked'):.2f}x")
    print()
    japanese(options.beam)


JAPANESE_RUNS = [
    ("faster-whisper/fallback", "tiny.en", "auto", "faster-whisper, partnerkit defaults"),
    ("faster-whisper/fallback", "base", "auto", "faster-whisper, bundled base"),
    ("openai-whisper/fallback", "base", "auto", "openai-whisper, bundled base"),
    ("faster-whisper/fallback", "tiny.en", "en", "faster-whisper, tiny.en forced to en"),
]
"""(run, transcription.model, transcription.language, label) on the Japanese kick-off call."""


def japanese(beam: int) -> None:
    """Speed and character error rate per model on the Japanese fixture talk."""
    import importlib.util

    sys.path.insert(0, str(ROOT))
    from generator.transcripts.accuracy import character_error_rate
    from tests.talks import japanese_talk

    if importlib.util.find_spec("pyopenjtalk") is None:
        print("Japanese talk skipped: it is spoken by pyopenjtalk (pip install pyopenjtalk; apt-get install open-jtalk-mecab-naist-jdic)")
        return
    with tempfile.TemporaryDirectory() as work:
        media = Path(work) / japanese_talk.RECORDING_NAME
        japanese_talk.synthesise(media)
        reference = japanese_talk.reference_text()
        print(f"Japanese kick-off call, {os.cpu_count()} CPU cores, beam size {beam}")
        print("(CPU time is the figure to trust on a busy machine: the wall time waits for other work)")
        print(f"{'run':<37} {'x real time':>11} {'wall':>8} {'CPU':>8} {'peak RSS':>10} {'CER':>6}  language (model)")
        for run, model, language, label in JAPANESE_RUNS:
            result = run_child(run, media, beam, model, language)
            print(f"{label:<37} {result['audio'] / result['seconds']:>10.1f}x {result['seconds']:>7.1f}s "
                  f"{result['cpu_seconds']:>7.1f}s {result['peak_rss_mb']:>8.0f} MB {character_error_rate(reference, result['text']):>6.3f}  {result['language']}",
                  flush=True)


if __name__ == "__main__":
    main()
