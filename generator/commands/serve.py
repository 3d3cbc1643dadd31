"""``partnerkit serve``: live preview. partnerkit re-renders into a staging folder when inputs
change; the engine's own development server watches that folder and reloads the browser, and
answers byte ranges (``serve_ranges``) so talk recordings can be sought. With ``--demo`` the
preview also runs a local collector (``demo``)."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator.layout import CACHE_DIR, CONFIG_FILE, INPUT_FOLDERS
from generator.engine import remove_stale, start_serving, write_stage
from generator.model.config import SiteConfig
from generator.pipeline import render_project
from generator.errors import ContentErrors, PartnerkitError
from generator.reporter import NullReporter, Reporter

STAGE_DIR = f"{CACHE_DIR}/serve"
WATCHED_FOLDERS = INPUT_FOLDERS
SERVE_CONFIG = "serve.yml"
"""The preview's engine configuration in the stage: the site's ``mkdocs.yml`` plus the byte-range hook."""
RANGES_HOOK = Path(__file__).with_name("serve_ranges.py")


def write_serve_config(stage: Path) -> Path:
    """``serve.yml``: inherits ``mkdocs.yml`` and adds the hook; it names the hash of ``mkdocs.yml``, so
    the engine (which watches its config file) rebuilds when the site's configuration changes."""
    digest = hashlib.sha256((stage / "mkdocs.yml").read_bytes()).hexdigest()[:16]
    text = f"# mkdocs.yml {digest}\nINHERIT: mkdocs.yml\nhooks:\n  - {json.dumps(str(RANGES_HOOK))}\n"
    path = stage / SERVE_CONFIG
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def refresh_stage(root: Path, stage: Path, demo=None, config: SiteConfig | None = None) -> SiteConfig:
    """Render the project into ``stage``; return its settings. Raises ContentErrors. With ``demo``
    (a ``DemoCollector``) the pages talk to it and it learns their ids and exam keys. ``config``: the
    settings the caller already read (read from ``site_config.yml`` otherwise, as on every change)."""
    catalog, rendered = render_project(root, config=config, transcribe=True, configure=demo.configure if demo else None)
    write_stage(rendered, stage, root)
    remove_stale(stage, rendered, also_keep=(SERVE_CONFIG,))
    write_serve_config(stage)
    if demo is not None:
        demo.publish(catalog, rendered)
    return catalog.config


class _Rerender(FileSystemEventHandler):
    def __init__(self, root: Path, stage: Path, reporter: Reporter, demo=None):
        self.root, self.stage, self.reporter, self.demo = root, stage, reporter, demo
        self.pending = threading.Event()
        self.folders = {*WATCHED_FOLDERS}

    def on_any_event(self, event: FileSystemEvent) -> None:
        relative = Path(str(event.src_path)).resolve().relative_to(self.root).parts
        if relative and (relative[0] in self.folders or relative == (CONFIG_FILE,)):
            self.pending.set()

    def fingerprint(self) -> frozenset[tuple[str, int, int]]:
        """Name, size and modification time of every watched file."""
        paths = [self.root / CONFIG_FILE]
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
                    refresh_stage(self.root, self.stage, self.demo)
                    self.reporter.step("Content changed: preview updated")
                except ContentErrors as exc:
                    listed = "\n".join(str(error) for error in exc.errors)
                    self.reporter.warning(f"Preview not updated, the last good pages stay:\n{listed}")
                except PartnerkitError as exc:
                    self.reporter.warning(f"Preview not updated, the last good pages stay: {exc}")


def _when_answering(address: str, process: subprocess.Popen, ready: Callable[[], None]) -> None:
    """Call ``ready`` once the preview at ``address`` answers (in a thread; gives up if the engine ends)."""

    def wait() -> None:
        while process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://{address}/", timeout=2):
                    ready()
                    return
            except OSError:
                time.sleep(0.2)

    threading.Thread(target=wait, daemon=True).start()


def serve(root: Path, address: str, reporter: Reporter = NullReporter(), demo=None,
          ready: Callable[[], None] | None = None) -> int:
    """Serve a live preview at ``address`` (``host:port``) until interrupted; return the engine's exit
    code (0 when stopped by Ctrl+C or SIGTERM). With ``demo`` (a prepared ``Demo``) a local collector
    runs beside it. ``ready`` is called once the preview answers."""
    root = root.resolve()
    stage = root / STAGE_DIR
    collector = None
    if demo is not None:
        from generator.commands.demo import DemoCollector

        collector = DemoCollector(demo)
    try:
        config = refresh_stage(root, stage, collector, demo.config if demo is not None else None)
        if collector is not None:
            collector.start(reporter)
        return _serve_stage(root, stage, config, address, reporter, collector, ready)
    finally:
        if collector is not None:
            collector.stop()


def _serve_stage(root: Path, stage: Path, config: SiteConfig, address: str, reporter: Reporter, collector,
                 ready: Callable[[], None] | None) -> int:
    handler = _Rerender(root, stage, reporter, collector)
    if config.templates:
        handler.folders.add(Path(config.templates).parts[0])
    observer = Observer()
    observer.schedule(handler, str(root), recursive=False)
    for name in handler.folders:
        if (root / name).is_dir():
            observer.schedule(handler, str(root / name), recursive=True)
    stop = threading.Event()
    worker = threading.Thread(target=handler.run, args=(stop,), daemon=True)
    observer.start()
    worker.start()
    engine_process = start_serving(config.engine, stage, stage / SERVE_CONFIG, address)
    stopping = threading.Event()

    def terminate(*_) -> None:
        stopping.set()
        engine_process.terminate()

    previous = signal.signal(signal.SIGTERM, terminate)
    if ready is not None:
        _when_answering(address, engine_process, ready)
    try:
        code = engine_process.wait()
        return 0 if stopping.is_set() else code
    except KeyboardInterrupt:
        engine_process.terminate()
        engine_process.wait()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop.set()
        observer.stop()
        observer.join()
