"""``partnerkit serve``: live preview. partnerkit re-renders into a staging folder when inputs
change; the engine's own development server watches that folder and reloads the browser."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator.commands.build import render_project
from generator.engine import engine_command, remove_stale, write_stage
from generator.errors import PartnerkitError
from generator.reporter import NullReporter, Reporter

STAGE_DIR = ".partnerkit-cache/serve"
WATCHED_FOLDERS = ("content", "transcripts")
CONFIG_NAME = "site_config.yml"


def refresh_stage(root: Path, stage: Path) -> str:
    """Render the project into ``stage``; return the engine name. Raises ContentErrors."""
    catalog, rendered = render_project(root)
    write_stage(rendered, stage, root)
    remove_stale(stage, rendered)
    return catalog.config.engine


class _Rerender(FileSystemEventHandler):
    def __init__(self, root: Path, stage: Path, reporter: Reporter):
        self.root, self.stage, self.reporter = root, stage, reporter
        self.pending = threading.Event()
        self.folders = {*WATCHED_FOLDERS}

    def on_any_event(self, event: FileSystemEvent) -> None:
        relative = Path(str(event.src_path)).resolve().relative_to(self.root).parts
        if relative and (relative[0] in self.folders or relative == (CONFIG_NAME,)):
            self.pending.set()

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            if self.pending.wait(0.3):
                time.sleep(0.2)  # let editors finish writing
                self.pending.clear()
                try:
                    refresh_stage(self.root, self.stage)
                    self.reporter.step("Content changed: preview updated")
                except PartnerkitError as exc:
                    self.reporter.warning(f"Preview not updated: {exc}")


def serve(root: Path, address: str, reporter: Reporter = NullReporter()) -> int:
    """Serve a live preview at ``address`` (``host:port``) until interrupted; return the engine's exit code."""
    root = root.resolve()
    stage = root / STAGE_DIR
    engine = refresh_stage(root, stage)
    handler = _Rerender(root, stage, reporter)
    templates = render_project(root)[0].config.templates
    if templates:
        handler.folders.add(Path(templates).parts[0])
    observer = Observer()
    observer.schedule(handler, str(root), recursive=False)
    for name in handler.folders:
        if (root / name).is_dir():
            observer.schedule(handler, str(root / name), recursive=True)
    stop = threading.Event()
    worker = threading.Thread(target=handler.run, args=(stop,), daemon=True)
    observer.start()
    worker.start()
    try:
        command = engine_command(engine, "serve", "--config-file", str(stage / "mkdocs.yml"), "--dev-addr", address)
        return subprocess.run(command, cwd=stage).returncode
    except KeyboardInterrupt:
        return 0
    finally:
        stop.set()
        observer.stop()
        observer.join()
