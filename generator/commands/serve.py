"""``partnerkit serve``: live preview. partnerkit re-renders into a staging folder when inputs
change; the engine's own development server watches that folder and reloads the browser."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator.commands.build import render_project
from generator.engine import engine_command, engine_environment, remove_stale, write_stage
from generator.errors import ContentErrors, PartnerkitError
from generator.reporter import NullReporter, Reporter

STAGE_DIR = ".partnerkit-cache/serve"
WATCHED_FOLDERS = ("content", "transcripts")
CONFIG_NAME = "site_config.yml"


def refresh_stage(root: Path, stage: Path) -> str:
    """Render the project into ``stage``; return the engine name. Raises ContentErrors."""
    catalog, rendered = render_project(root, transcribe=True)
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

    def fingerprint(self) -> frozenset[tuple[str, int, int]]:
        """Name, size and modification time of every watched file."""
        paths = [self.root / CONFIG_NAME]
        for folder in self.folders:
            paths.extend(path for path in (self.root / folder).rglob("*") if path.is_file())
        return frozenset(
            (str(path), stat.st_size, stat.st_mtime_ns) for path in paths if path.exists() for stat in [path.stat()]
        )

    def run(self, stop: threading.Event) -> None:
        seen = self.fingerprint()
        while not stop.is_set():
            if self.pending.wait(0.3):
                time.sleep(0.2)  # let editors finish writing
                self.pending.clear()
                current = self.fingerprint()
                if current == seen:
                    continue  # several events for one save
                seen = current
                try:
                    refresh_stage(self.root, self.stage)
                    self.reporter.step("Content changed: preview updated")
                except ContentErrors as exc:
                    listed = "\n".join(str(error) for error in exc.errors)
                    self.reporter.warning(f"Preview not updated, the last good pages stay:\n{listed}")
                except PartnerkitError as exc:
                    self.reporter.warning(f"Preview not updated, the last good pages stay: {exc}")


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
    command = engine_command(engine, "serve", "--config-file", str(stage / "mkdocs.yml"), "--dev-addr", address)
    engine_process = subprocess.Popen(command, cwd=stage, env=engine_environment())
    previous = signal.signal(signal.SIGTERM, lambda *_: engine_process.terminate())
    try:
        return engine_process.wait()
    except KeyboardInterrupt:
        engine_process.terminate()
        engine_process.wait()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop.set()
        observer.stop()
        observer.join()
