"""Transcription speed, accuracy and memory, per backend and beam size, side by side in one run.

The talk is a partner kick-off call written for this benchmark (benchmarks/talk.txt: 29 paragraphs,
four speakers) and spoken by espeak-ng, one voice and pace per speaker, with pauses between turns;
it is read again with the voices rotated until it lasts ``--minutes`` (10 by default; 60 for the
memory target). Varied speech matters: a talk that repeats one clip trips Whisper's repetition guard
(temperature fallback) in every window and under-reports the speed of real talks.

For each backend present (faster-whisper with the bundled tiny.en; openai-whisper if installed) and
beam 5 (partnerkit's default) and beam 1 (greedy), for faster-whisper with each compute type (int8,
partnerkit's default, and float32) and each ``--workers`` value (by default both 0, partnerkit's
default: a window at once per core, and 1: one window at a time on every core), as partnerkit runs them (windows of at most 10
minutes cut at a quiet moment, Silero VAD, temperature fallback), prints x real time, wall and CPU
time, peak RSS (each run is a child process) and the word error rate against the text (jiwer, on
text normalised by generator.transcripts.accuracy). Then the ratios: beam 1 against beam 5,
faster-whisper against openai-whisper, and partnerkit's peak RSS against an unchunked run of the
whole file without VAD. Goals on 2 CPU cores with tiny.en: >= 30x real time at WER <= 0.13; peak RSS
for 60 minutes <= 1.5 GB. The default beam changes only where beam 1 keeps WER <= 0.13.

Then speed and character error rate per model on the Japanese kick-off call of the test suite
(tests/talks/japanese_talk.py, spoken by pyopenjtalk; skipped without it, or with --skip-japanese).

Needs espeak-ng and jiwer: benchmarks/setup-transcribe installs them (apt-get, pip install
"partnerkit[bench]").

    python benchmarks/transcribe.py [--minutes 10] [--beams 5,1] [--compute-types int8,float32]
        [--workers 0,1] [--backends faster-whisper,openai-whisper]
        [--skip-baseline] [--skip-japanese]
    python benchmarks/transcribe.py --japanese-only
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from generator.model.config import TranscriptionSettings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TALK_TEXT = Path(__file__).with_name("talk.txt")

VOICES = {"Aiko": ("en-us+f3", 165), "Ben": ("en-gb", 150), "Carla": ("en-us+f2", 175), "Dev": ("en-gb-scotland", 145)}
"""espeak-ng voice and words per minute of each speaker on the first reading (later readings rotate them)."""

CHILD = r"""
import json, sys, time
from pathlib import Path
from generator.model.config import TranscriptionSettings
from generator.transcripts.transcription import create_backend, media_duration, transcribe_media
run, media, beam, model, language, compute, workers = (sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5],
                                                       sys.argv[6], int(sys.argv[7]))
language_used = ""
started = time.perf_counter()
if run == "unchunked":
    from faster_whisper import WhisperModel
    from generator.transcripts.bundled_model import bundled_model
    whisper_model = WhisperModel(str(bundled_model()), device="cpu", compute_type=compute, local_files_only=True)
    segments, _ = whisper_model.transcribe(str(media), vad_filter=False, condition_on_previous_text=False, beam_size=beam)
    texts = [segment.text for segment in segments]
else:
    backend, fallback = run.split("/")
    settings = TranscriptionSettings(backend=backend, beam_size=beam, temperature_fallback=fallback == "fallback",
                                     model=model, language=language, compute_type=compute, workers=workers)
    transcript = transcribe_media(media, create_backend(settings, Path.cwd()), settings)
    texts, language_used = [segment.text for segment in transcript.segments], f"{transcript.language} ({transcript.model})"
print(json.dumps({"seconds": time.perf_counter() - started, "audio": media_duration(media),
                  "words": sum(len(text.split()) for text in texts), "text": " ".join(texts), "language": language_used}))
"""

DEFAULT_COMPUTE = TranscriptionSettings.model_fields["compute_type"].default
"""partnerkit's ``transcription.compute_type`` default."""
DEFAULT_WORKERS = TranscriptionSettings.model_fields["workers"].default
"""partnerkit's ``transcription.workers`` default (0: one window at once per core)."""

RUNS = {
    "faster-whisper/fallback": "faster-whisper",
    "openai-whisper/fallback": "openai-whisper",
    "unchunked": "faster-whisper, whole file, no VAD",
}


def run_child(run: str, media: Path, beam: int, model: str = "tiny.en", language: str = "auto",
              compute: str = DEFAULT_COMPUTE, workers: int = DEFAULT_WORKERS) -> dict:
    process = subprocess.Popen([sys.executable, "-c", CHILD, run, str(media), str(beam), model, language, compute, str(workers)],
                               stdout=subprocess.PIPE, text=True, cwd=ROOT)
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"{run} run on {media.name} failed")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    return result


def script() -> list[tuple[str, str]]:
    """(speaker, paragraph) of benchmarks/talk.txt, in order."""
    lines = [line for line in TALK_TEXT.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return [(speaker.strip(), text.strip()) for speaker, _, text in (line.partition(":") for line in lines)]


def spoken_talk(folder: Path, minutes: int, seed: int = 5) -> tuple[Path, str]:
    """The talk read by espeak-ng until it lasts ``minutes``, as 16 kHz mono FLAC, and the text read."""
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is missing: run benchmarks/setup-transcribe")
    rng = random.Random(seed)
    speakers = list(VOICES)
    paragraphs, frames, said = script(), [], []
    rate = 0
    total = 0.0
    reading = 0
    while total < minutes * 60:
        for number, (speaker, text) in enumerate(paragraphs):
            if total >= minutes * 60:
                break
            voice, pace = VOICES[speakers[(speakers.index(speaker) + reading) % len(speakers)]]
            clip = folder / f"clip-{reading}-{number}.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", str(pace + 10 * (reading % 3) - 10), "-w", str(clip), text],
                           check=True)
            with wave.open(str(clip)) as read:
                rate = rate or read.getframerate()
                data = read.readframes(read.getnframes())
            pause = 6.0 if "short pause" in text else rng.uniform(0.5, 2.5)
            frames.append(data + b"\0\0" * int(rate * pause))
            total += len(frames[-1]) / 2 / rate
            said.append(text)
            clip.unlink()
        reading += 1
    joined = folder / "talk.wav"
    with wave.open(str(joined), "wb") as write:
        write.setnchannels(1)
        write.setsampwidth(2)
        write.setframerate(rate)
        write.writeframes(b"".join(frames))
    talk = folder / f"talk-{minutes}min.flac"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(joined), "-ar", "16000", "-ac", "1", str(talk)],
                   check=True)
    joined.unlink()
    return talk, " ".join(said)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """jiwer's WER on text normalised as the test suite compares it (case, punctuation, numerals)."""
    import jiwer

    from generator.transcripts.accuracy import normalise

    return jiwer.wer(normalise(reference), normalise(hypothesis) or "-")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=10, help="Length of the spoken talk (10; 60 for the memory goal)")
    parser.add_argument("--beams", default="5,1", help="Beam sizes to compare (partnerkit's default is 5; 1 is greedy)")
    parser.add_argument("--compute-types", default=f"{DEFAULT_COMPUTE},float32",
                        help=f"faster-whisper compute types to compare (partnerkit's default is {DEFAULT_COMPUTE})")
    parser.add_argument("--workers", default=f"{DEFAULT_WORKERS},1",
                        help="faster-whisper transcription.workers values to compare (0, the default: one per core; "
                             "1: one window at a time on every core)")
    parser.add_argument("--backends", default="faster-whisper,openai-whisper",
                        help="Backends to run, where installed (faster-whisper, openai-whisper)")
    parser.add_argument("--skip-baseline", action="store_true", help="Skip the unchunked run of the whole file")
    parser.add_argument("--skip-japanese", action="store_true", help="Skip the Japanese kick-off call")
    parser.add_argument("--japanese-only", action="store_true", help="Only the Japanese kick-off call, per model")
    options = parser.parse_args()
    beams = [int(beam) for beam in options.beams.split(",")]
    if options.japanese_only:
        japanese(beams[0])
        return
    if importlib.util.find_spec("jiwer") is None:
        raise SystemExit('jiwer is missing: pip install "partnerkit[bench]" (or run benchmarks/setup-transcribe)')
    backends = [run for run, module in (("faster-whisper/fallback", "faster_whisper"), ("openai-whisper/fallback", "whisper"))
                if importlib.util.find_spec(module) is not None and run.split("/")[0] in options.backends.split(",")]
    with tempfile.TemporaryDirectory() as work:
        talk, reference = spoken_talk(Path(work), options.minutes)
        computes = options.compute_types.split(",")
        workers = [int(value) for value in options.workers.split(",")]
        plan = [(run, beam, compute, worker) for run in backends for beam in beams
                for compute in (computes if run.startswith("faster-whisper") else ["-"])
                for worker in (workers if run.startswith("faster-whisper") else [1])]
        if not options.skip_baseline:
            plan.append(("unchunked", beams[0], computes[0], 1))
        print(f"{os.cpu_count()} CPU cores, model tiny.en (bundled); talk: {options.minutes} min spoken by espeak-ng, "
              f"{len(reference.split())} words, 4 voices")
        print("(CPU time is the figure to trust on a busy machine: the wall time waits for other work)")
        print(f"{'run':<36} {'beam':>4} {'compute':>12} {'workers':>7} {'x real time':>11} {'wall':>8} {'CPU':>8} {'peak RSS':>10} {'WER':>6}")
        rows: dict[tuple[str, int, str, int], dict] = {}
        for run, beam, compute, worker in plan:
            result = run_child(run, talk, beam, compute=DEFAULT_COMPUTE if compute == "-" else compute, workers=worker)
            result["wer"] = word_error_rate(reference, result["text"])
            rows[(run, beam, compute, worker)] = result
            print(f"{RUNS[run]:<36} {beam:>4} {compute:>12} {worker or 'cores':>7} {result['audio'] / result['seconds']:>10.1f}x {result['seconds']:>7.1f}s "
                  f"{result['cpu_seconds']:>7.1f}s {result['peak_rss_mb']:>8.0f} MB {result['wer']:>6.3f}", flush=True)

    def speed(key: tuple[str, int, str, int]) -> float:
        return rows[key]["audio"] / rows[key]["seconds"]

    print()
    default, first = beams[0], workers[0]
    for run, beam, compute, worker in rows:
        if run == "unchunked":
            continue
        key = (run, beam, compute, worker)
        if beam != default:
            base = (run, default, compute, worker)
            print(f"{RUNS[run]} ({compute}, workers {worker}): beam {beam} is {speed(key) / speed(base):.2f}x as fast as beam "
                  f"{default}, WER {rows[key]['wer']:.3f} vs {rows[base]['wer']:.3f}")
        if compute not in ("-", computes[0]):
            base = (run, beam, computes[0], worker)
            print(f"{RUNS[run]} beam {beam}, workers {worker}: {compute} is {speed(key) / speed(base):.2f}x as fast as "
                  f"{computes[0]}, WER {rows[key]['wer']:.3f} vs {rows[base]['wer']:.3f}")
        if run.startswith("faster-whisper") and worker != first:
            base = (run, beam, compute, first)
            print(f"{RUNS[run]} beam {beam} ({compute}): workers {worker} is {speed(key) / speed(base):.2f}x as fast as workers "
                  f"{first}, WER {rows[key]['wer']:.3f} vs {rows[base]['wer']:.3f}, peak RSS {rows[key]['peak_rss_mb']:.0f} vs "
                  f"{rows[base]['peak_rss_mb']:.0f} MB")
    if len(backends) == 2:
        for beam in beams:
            fast_key = (backends[0], beam, computes[0], first)
            fast, reference_run = rows[fast_key], rows[(backends[1], beam, "-", 1)]
            print(f"beam {beam}: faster-whisper ({computes[0]}) is {speed(fast_key) / speed((backends[1], beam, '-', 1)):.2f}x"
                  f" as fast as openai-whisper, with {fast['peak_rss_mb'] / reference_run['peak_rss_mb']:.2f}x its peak RSS")
    ours_key, baseline_key = ("faster-whisper/fallback", default, computes[0], first), ("unchunked", default, computes[0], 1)
    if ours_key in rows and baseline_key in rows:
        ours, baseline = rows[ours_key], rows[baseline_key]
        print(f"partnerkit's peak RSS is {ours['peak_rss_mb'] / baseline['peak_rss_mb']:.2f}x the unchunked run's; "
              f"speed {speed(ours_key) / speed(baseline_key):.2f}x, WER {ours['wer']:.3f} vs {baseline['wer']:.3f}")
    if not options.skip_japanese:
        print()
        japanese(default)


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
