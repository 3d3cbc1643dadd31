"""Transcription speed, accuracy and memory, per backend and beam size, side by side in one run.

Two talks written for this benchmark, each spoken by espeak-ng with a voice and pace per speaker and
pauses between turns (one of 6 seconds): a partner kick-off call (benchmarks/talk.txt: 29 paragraphs,
four speakers) and an onboarding webinar (benchmarks/webinar.txt: 15 paragraphs, three other speakers
and voices). Each is read again with the voices rotated until it lasts ``--minutes`` (10 by default;
60 for the memory goal). Varied speech matters: a talk that repeats one clip trips Whisper's
repetition guard (temperature fallback) in every window and under-reports the speed of real talks.

For each backend present (faster-whisper with the bundled tiny.en; openai-whisper if installed) and
beam 5 (partnerkit's default) and beam 1 (greedy), for faster-whisper with each compute type (int8,
partnerkit's default, and float32) and each ``--workers`` value (by default both 0, partnerkit's
default: a window at once per core, and 1: one window at a time on every core), as partnerkit runs them
(windows of at most 10 minutes cut at a quiet moment, Silero VAD, temperature fallback), and one
unchunked faster-whisper pass over the whole file without VAD, prints x real time, wall and CPU time,
peak RSS (each run is a child process) and the word error rate against the text (jiwer, on text
normalised by generator.transcripts.accuracy), per talk and for every talk together. Then the goals
for partnerkit's defaults, each met or not: WER no worse than the unchunked pass's and openai-whisper's
(every talk together), >= 20x real time on 2 CPU cores, peak RSS <= 1.5 GB for 60 minutes.
The shortest run that judges the goals (2 talks, 3 runs each):
``--beams 5 --compute-types int8 --workers 0 --skip-japanese``.

Then speed and character error rate per model on the Japanese kick-off call of the test suite
(tests/talks/japanese_talk.py, spoken by pyopenjtalk; skipped without it, or with --skip-japanese).

Needs espeak-ng and jiwer: benchmarks/setup-transcribe installs them (apt-get, pip install
"partnerkit[bench]").

    python benchmarks/transcribe.py [--minutes 10] [--talks talk,webinar] [--beams 5,1] [--compute-types int8,float32]
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
from dataclasses import dataclass
from pathlib import Path

from generator.model.config import TranscriptionSettings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Talk:
    """A script of this folder (speaker, a colon, one paragraph a line) and the espeak-ng voice and words
    per minute of each speaker on the first reading (later readings rotate them)."""

    name: str
    script: Path
    voices: dict[str, tuple[str, int]]


TALKS = [
    Talk("kick-off call", Path(__file__).with_name("talk.txt"),
         {"Aiko": ("en-us+f3", 165), "Ben": ("en-gb", 150), "Carla": ("en-us+f2", 175), "Dev": ("en-gb-scotland", 145)}),
    Talk("onboarding webinar", Path(__file__).with_name("webinar.txt"),
         {"Nora": ("en-gb-x-rp+f4", 160), "Omar": ("en-029+m3", 150), "Priya": ("en-gb-x-gbcwmd+f5", 170)}),
]
"""Two talks with different texts, speakers and voices, so no figure rests on one text or voice."""

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


def script(talk: Talk) -> list[tuple[str, str]]:
    """(speaker, paragraph) of the talk's script, in order."""
    lines = [line for line in talk.script.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return [(speaker.strip(), text.strip()) for speaker, _, text in (line.partition(":") for line in lines)]


def spoken_talk(folder: Path, minutes: int, talk: Talk = TALKS[0], seed: int = 5) -> tuple[Path, str]:
    """The talk read by espeak-ng until it lasts ``minutes``, as 16 kHz mono FLAC, and the text read."""
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is missing: run benchmarks/setup-transcribe")
    rng = random.Random(seed)
    speakers = list(talk.voices)
    paragraphs, frames, said = script(talk), [], []
    rate = 0
    total = 0.0
    reading = 0
    while total < minutes * 60:
        for number, (speaker, text) in enumerate(paragraphs):
            if total >= minutes * 60:
                break
            voice, pace = talk.voices[speakers[(speakers.index(speaker) + reading) % len(speakers)]]
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
    spoken = folder / f"{talk.script.stem}-{minutes}min.flac"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(joined), "-ar", "16000", "-ac", "1", str(spoken)],
                   check=True)
    joined.unlink()
    return spoken, " ".join(said)


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """Word errors (substitutions, deletions, insertions: jiwer) and words of the reference, both on text
    normalised as the test suite compares it (case, punctuation, numerals)."""
    import jiwer

    from generator.transcripts.accuracy import normalise

    measured = jiwer.process_words(normalise(reference), normalise(hypothesis) or "-")
    words = measured.hits + measured.substitutions + measured.deletions
    return measured.substitutions + measured.deletions + measured.insertions, words


def word_error_rate(reference: str, hypothesis: str) -> float:
    """jiwer's WER on text normalised as the test suite compares it."""
    errors, words = word_errors(reference, hypothesis)
    return errors / words


WER_GOAL_RUNS = {"unchunked": "one unchunked faster-whisper pass", "openai-whisper/fallback": "openai-whisper"}
"""The runs whose word error rate partnerkit's defaults must not exceed (both talks together)."""
SPEED_GOAL = 20.0
"""x real time on 2 CPU cores, at the defaults."""
MEMORY_GOAL_MB = 1536
"""Peak RSS for 60 minutes of audio, at the defaults."""


def met(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=10, help="Length of each spoken talk (10; 60 for the memory goal)")
    parser.add_argument("--talks", default=",".join(talk.script.stem for talk in TALKS),
                        help=f"Talks to speak and transcribe ({', '.join(talk.script.stem for talk in TALKS)}: all by default)")
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
    talks = [talk for talk in TALKS if talk.script.stem in options.talks.split(",")]
    if not talks:
        raise SystemExit(f"--talks names none of {', '.join(talk.script.stem for talk in TALKS)}")
    backends = [run for run, module in (("faster-whisper/fallback", "faster_whisper"), ("openai-whisper/fallback", "whisper"))
                if importlib.util.find_spec(module) is not None and run.split("/")[0] in options.backends.split(",")]
    computes = options.compute_types.split(",")
    workers = [int(value) for value in options.workers.split(",")]
    plan = [(run, beam, compute, worker) for run in backends for beam in beams
            for compute in (computes if run.startswith("faster-whisper") else ["-"])
            for worker in (workers if run.startswith("faster-whisper") else [1])]
    if not options.skip_baseline:
        plan.append(("unchunked", beams[0], computes[0], 1))
    print(f"{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f}, model tiny.en (bundled); "
          f"{len(talks)} talk{'s' if len(talks) > 1 else ''} of {options.minutes} min spoken by espeak-ng")
    print("(CPU time is the figure to trust on a busy machine: the wall time waits for other work)")
    rows: dict[tuple[str, str, int, str, int], dict] = {}
    for talk in talks:
        with tempfile.TemporaryDirectory() as work:
            media, reference = spoken_talk(Path(work), options.minutes, talk)
            print(f"\n{talk.name} ({talk.script.name}): {len(reference.split())} words, {len(talk.voices)} voices")
            print(f"{'run':<36} {'beam':>4} {'compute':>12} {'workers':>7} {'x real time':>11} {'wall':>8} {'CPU':>8} "
                  f"{'peak RSS':>10} {'WER':>6}")
            for run, beam, compute, worker in plan:
                result = run_child(run, media, beam, compute=DEFAULT_COMPUTE if compute == "-" else compute, workers=worker)
                result["errors"], result["words"] = word_errors(reference, result["text"])
                result["wer"] = result["errors"] / result["words"]
                rows[(talk.name, run, beam, compute, worker)] = result
                print(f"{RUNS[run]:<36} {beam:>4} {compute:>12} {worker or 'cores':>7} {result['audio'] / result['seconds']:>10.1f}x "
                      f"{result['seconds']:>7.1f}s {result['cpu_seconds']:>7.1f}s {result['peak_rss_mb']:>8.0f} MB "
                      f"{result['wer']:>6.3f}", flush=True)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")

    def total(run: str, beam: int, compute: str, worker: int) -> dict:
        """One run over every talk: word errors and audio summed, the slowest speed, the highest peak."""
        mine = [rows[(talk.name, run, beam, compute, worker)] for talk in talks]
        return {"wer": sum(row["errors"] for row in mine) / sum(row["words"] for row in mine),
                "speed": min(row["audio"] / row["seconds"] for row in mine),
                "cpu_speed": min(row["audio"] / (row["cpu_seconds"] / (os.cpu_count() or 1)) for row in mine),
                "peak_rss_mb": max(row["peak_rss_mb"] for row in mine)}

    default, first = beams[0], workers[0]
    print("\nEvery talk together (WER: word errors over words; speed: the slowest talk, by the wall clock and from the CPU\n"
          "time shared by the cores, as on an idle machine; peak RSS: the highest)")
    for run, beam, compute, worker in plan:
        key = (run, beam, compute, worker)
        figures = total(*key)
        print(f"{RUNS[run]:<36} beam {beam}, {compute}, workers {worker or 'cores'}: WER {figures['wer']:.3f}, "
              f"{figures['speed']:.1f}x real time ({figures['cpu_speed']:.1f}x from CPU time), "
              f"peak RSS {figures['peak_rss_mb']:.0f} MB")
        if run == "unchunked":
            continue
        if beam != default:
            base = total(run, default, compute, worker)
            print(f"  beam {beam} is {figures['speed'] / base['speed']:.2f}x as fast as beam {default}, WER {figures['wer']:.3f} "
                  f"vs {base['wer']:.3f}")
        if compute not in ("-", computes[0]):
            base = total(run, beam, computes[0], worker)
            print(f"  {compute} is {figures['speed'] / base['speed']:.2f}x as fast as {computes[0]}, WER {figures['wer']:.3f} "
                  f"vs {base['wer']:.3f}")
        if run.startswith("faster-whisper") and worker != first:
            base = total(run, beam, compute, first)
            print(f"  workers {worker} is {figures['speed'] / base['speed']:.2f}x as fast as workers {first}, WER "
                  f"{figures['wer']:.3f} vs {base['wer']:.3f}, peak RSS {figures['peak_rss_mb']:.0f} vs {base['peak_rss_mb']:.0f} MB")

    defaults = ("faster-whisper/fallback", default, computes[0], first)
    if defaults not in plan or (default, computes[0], first) != (5, DEFAULT_COMPUTE, DEFAULT_WORKERS):
        print("\nGoals: not judged (they are about partnerkit's defaults: beam 5, "
              f"{DEFAULT_COMPUTE}, workers {DEFAULT_WORKERS} first in the lists)")
        return
    ours = total(*defaults)
    print(f"\nGoals for partnerkit's defaults (beam 5, {DEFAULT_COMPUTE}, workers {DEFAULT_WORKERS}), every talk together:")
    for run, label in WER_GOAL_RUNS.items():
        key = (run, default, computes[0] if run == "unchunked" else "-", 1)
        if key not in plan:
            missing = "--skip-baseline" if run == "unchunked" else "openai-whisper is not installed (or not in --backends)"
            print(f"  WER no worse than {label}'s: not measured ({missing})")
            continue
        theirs = total(*key)
        print(f"  WER no worse than {label}'s: {ours['wer']:.3f} vs {theirs['wer']:.3f}: {met(ours['wer'] <= theirs['wer'])}")
    print(f"  >= {SPEED_GOAL:.0f}x real time on {os.cpu_count()} cores: {ours['speed']:.1f}x (wall; {ours['cpu_speed']:.1f}x from CPU "
          f"time, as on idle cores): {met(ours['speed'] >= SPEED_GOAL)}{'' if os.cpu_count() == 2 else ' (the goal is for 2 cores)'}")
    if options.minutes >= 60:
        print(f"  peak RSS <= {MEMORY_GOAL_MB} MB for {options.minutes} minutes: {ours['peak_rss_mb']:.0f} MB: "
              f"{met(ours['peak_rss_mb'] <= MEMORY_GOAL_MB)}")
    else:
        print(f"  peak RSS <= {MEMORY_GOAL_MB} MB for 60 minutes: not judged ({ours['peak_rss_mb']:.0f} MB for "
              f"{options.minutes}; run with --minutes 60)")
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
