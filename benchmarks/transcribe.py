"""Transcription speed and memory, per backend, side by side in one run.

Prints audio seconds per wall second (x real time) and peak memory (RSS) of each run, on the
11-second sample and on a long talk assembled from it with pauses (60 minutes by default). Each run
is a child process, so its peak RSS is its own. Compared runs:
- faster-whisper as partnerkit runs it (bounded chunks, VAD on, int8) -- the default backend;
- faster-whisper on the whole file without VAD (the baseline whose memory grows with the talk);
- openai-whisper, when a real checkpoint is given (--openai-model), since none can be downloaded here.
Targets on 2 CPU cores with tiny: >= 15x real time for faster-whisper int8; peak RSS for the
60-minute talk <= 1.5 GB.

    .venv/bin/python benchmarks/transcribe.py [--minutes 60] [--openai-model PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "jfk.flac"

CHILD = r"""
import json, sys, time
from pathlib import Path
from generator.structure.config import TranscriptionSettings
from generator.transcripts.transcription import create_backend, transcribe_media, media_duration
mode, media, model, beam = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
started = time.perf_counter()
if mode == "partnerkit":
    settings = TranscriptionSettings(beam_size=beam)
    result = transcribe_media(media, create_backend(settings, Path.cwd()), settings)
    words = sum(len(s.text.split()) for s in result.segments)
elif mode == "unchunked":
    from faster_whisper import WhisperModel
    from generator.transcripts.transcription import bundled_model
    engine = WhisperModel(str(bundled_model()), device="cpu", compute_type="int8", local_files_only=True)
    segments, _ = engine.transcribe(str(media), vad_filter=False, condition_on_previous_text=False, beam_size=beam)
    words = sum(len(s.text.split()) for s in segments)
else:
    settings = TranscriptionSettings(backend="openai-whisper", model=model, language="en", beam_size=beam)
    result = transcribe_media(media, create_backend(settings, Path.cwd()), settings)
    words = sum(len(s.text.split()) for s in result.segments)
print(json.dumps({"seconds": time.perf_counter() - started, "audio": media_duration(media), "words": words}))
"""


def run_child(mode: str, media: Path, model: str, beam: int) -> dict[str, float]:
    process = subprocess.Popen([sys.executable, "-c", CHILD, mode, str(media), model, str(beam)], stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    output = process.stdout.read() if process.stdout else ""
    if status != 0:
        raise SystemExit(f"{mode} run failed")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    return result


def long_talk(folder: Path, minutes: int) -> Path:
    unit = folder / "unit.flac"
    talk = folder / f"talk-{minutes}min.flac"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(SAMPLE), "-af", "apad=whole_dur=15",
                    "-ar", "16000", "-ac", "1", str(unit)], check=True)
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", str(minutes * 4 - 1), "-i", str(unit),
                    "-ar", "16000", "-ac", "1", str(talk)], check=True)
    return talk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--openai-model", default=None, help="A real openai-whisper checkpoint (.pt)")
    parser.add_argument("--skip-baseline", action="store_true", help="Skip the unchunked run on the long talk")
    parser.add_argument("--beam", type=int, default=5, help="Beam size (partnerkit's default is 5; 1 is greedy decoding)")
    options = parser.parse_args()
    modes = ["partnerkit", "unchunked"] + (["openai"] if options.openai_model else [])
    if not options.openai_model:
        print("openai-whisper: not timed (no real checkpoint can be downloaded here; pass --openai-model PATH)")
    with tempfile.TemporaryDirectory() as work:
        inputs = [("sample 11 s", SAMPLE), (f"talk {options.minutes} min", long_talk(Path(work), options.minutes))]
        print(f"beam size {options.beam}")
        print(f"{'input':<14} {'run':<34} {'x real time':>11} {'peak RSS':>10} {'words':>7}")
        rows = {}
        for label, media in inputs:
            for mode in modes:
                if mode == "unchunked" and options.skip_baseline and media != SAMPLE:
                    continue
                result = run_child(mode, media, options.openai_model or "", options.beam)
                rows[(label, mode)] = result
                name = {"partnerkit": "faster-whisper int8, chunked, VAD",
                        "unchunked": "faster-whisper int8, whole file, no VAD",
                        "openai": "openai-whisper"}[mode]
                print(f"{label:<14} {name:<34} {result['audio'] / result['seconds']:>10.1f}x "
                      f"{result['peak_rss_mb']:>8.0f} MB {result['words']:>7.0f}", flush=True)
        long_label = inputs[1][0]
        ours, baseline = rows.get((long_label, "partnerkit")), rows.get((long_label, "unchunked"))
        if ours and baseline:
            print(f"{long_label}: partnerkit's peak RSS is {ours['peak_rss_mb'] / baseline['peak_rss_mb']:.2f}x the "
                  f"unchunked baseline's; speed {(ours['audio'] / ours['seconds']) / (baseline['audio'] / baseline['seconds']):.2f}x")


if __name__ == "__main__":
    main()
