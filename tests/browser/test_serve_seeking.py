"""``partnerkit serve`` in Chromium: a recording in the preview can be sought, because the preview
answers byte ranges (the engine's own development server does not)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.test_serve import fetch_until, free_port

DATA = Path(__file__).parent.parent / "data"

SEEK = """async (url) => {
  const audio = new Audio(url);
  audio.preload = "auto";
  await new Promise((resolve) => audio.addEventListener("loadedmetadata", resolve, { once: true }));
  audio.currentTime = 7;
  await new Promise((resolve) => audio.addEventListener("seeked", resolve, { once: true }));
  await new Promise((resolve) => setTimeout(resolve, 500));
  return [audio.currentTime, audio.seekable.length ? audio.seekable.end(0) : 0];
}"""


def test_a_recording_in_the_preview_can_be_sought(minimal: Path, page) -> None:
    shutil.copy(DATA / "jfk.flac", minimal / "content/files/jfk.flac")
    modules = minimal / "content/modules.yml"
    modules.write_text(modules.read_text().replace(
        "    file: files/roi.csv\n", "    file: files/roi.csv\n  - title: Recording\n    file: files/jfk.flac\n", 1))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--project", str(minimal), "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        fetch_until(base, lambda body: "<html" in body)
        page.goto(base)
        current, seekable_end = page.evaluate(SEEK, base + "resources/files/jfk.flac")
        assert abs(current - 7) < 0.5 and seekable_end > 10
    finally:
        server.terminate()
        server.communicate(timeout=20)
