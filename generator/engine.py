"""The static-site engine, kept at the edge: write a staging folder, run the engine as a subprocess.

Only this module knows the engine's command line. ``mkdocs`` and its drop-in fork ``properdocs``
take the same arguments, so switching is the one ``engine:`` key of ``site_config.yml``. ``zensical``
reads the same ``mkdocs.yml`` but has no ``--site-dir``: it builds into ``ZENSICAL_SITE_DIR`` inside the
stage (named in the generated config), which is then moved to the output.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import PartnerkitError
from generator.files import read_project_text
from generator.layout import CONFIG_FILE, RELEASE_CACHE_DIR
from generator.render.mkdocs_config import MARKDOWN_EXTENSIONS, SANITIZE_EXTENSION, ZENSICAL_SITE_DIR

if TYPE_CHECKING:  # named only: ``partnerkit build`` starts an engine before it loads the render stage
    from generator.render import RenderedSite


class EngineError(PartnerkitError):
    """The engine refused the generated site (e.g. a strict-mode warning)."""


def engine_command(engine: str, *arguments: str) -> list[str]:
    """The command line running ``engine`` from the same Python environment as partnerkit."""
    return [sys.executable, "-m", engine, *arguments]


def preview_engine(engine: str) -> str:
    """The engine ``partnerkit serve`` runs: the site's own, except MkDocs for Zensical (whose server
    takes no MkDocs hooks, so recordings could not be seeked in the preview)."""
    return "mkdocs" if engine == "zensical" else engine


def engine_environment() -> dict[str, str]:
    """The engine's environment: no colour codes, no theme end-of-life banner on every run."""
    return {**os.environ, "NO_COLOR": "1", "NO_MKDOCS_2_WARNING": "1"}


def start_serving(engine: str, stage: Path, config_file: Path, address: str) -> subprocess.Popen:
    """Start ``<engine> serve`` on the staged site at ``address`` (``host:port``); the caller waits
    for it or ends it. The engine rebuilds by itself when the stage's files change."""
    command = engine_command(preview_engine(engine), "serve", "--config-file", str(config_file), "--dev-addr", address)
    return subprocess.Popen(command, cwd=stage, env=engine_environment())


def write_stage(rendered: RenderedSite, stage: Path, project_root: Path) -> None:
    """Write pages, ``mkdocs.yml``, partnerkit's assets and copied files into ``stage``; only files whose
    bytes changed. A new stage (a build's) is written without looking for files first, each folder made once."""
    writer = _StageWriter(stage)
    for name, text in rendered.staged().items():
        writer.write(name, text.encode("utf-8"))
    for name, source in rendered.copies.items():
        writer.write(name, (project_root / source).read_bytes())


class _StageWriter:
    """Writes files into a stage: in a stage that already exists (``partnerkit serve``'s) only those whose
    bytes changed, so the engine's watcher rebuilds what changed; in a new one each file at once."""

    def __init__(self, stage: Path) -> None:
        self.stage, self.fresh = stage, not stage.exists()
        self.folders: set[str] = set()

    def write(self, name: str, data: bytes) -> None:
        path = self.stage / name
        if not self.fresh and path.is_file() and path.read_bytes() == data:
            return
        folder = os.path.dirname(name)
        if folder not in self.folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(folder)
        with open(path, "wb") as stream:
            stream.write(data)


def remove_stale(stage: Path, rendered: RenderedSite, also_keep: tuple[str, ...] = ()) -> None:
    """Delete files in ``stage`` that the current render no longer produces (for live preview),
    except the names in ``also_keep``."""
    keep = {*rendered.staged(), *rendered.copies, *also_keep}
    for path in sorted(stage.rglob("*"), reverse=True):
        name = path.relative_to(stage).as_posix()
        if path.is_file() and name not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def run_engine(engine: str, stage: Path, output: Path) -> None:
    """Build ``stage`` into ``output`` in strict mode; raise EngineError with the engine's complaints."""
    EngineRun(engine).build(stage, output)


def _extension_modules() -> tuple[str, ...]:
    """The modules of the Markdown extensions partnerkit's generated ``mkdocs.yml`` names."""
    names = [item if isinstance(item, str) else next(iter(item)) for item in (*MARKDOWN_EXTENSIONS, SANITIZE_EXTENSION)]
    return tuple(name if "." in name else f"markdown.extensions.{name}" for name in names)


WARM_IMPORTS = {
    **{engine: (f"{engine}.__main__", f"{engine}.commands.build", f"{engine}.config.defaults",
                "material.plugins.search.plugin", *_extension_modules()) for engine in ("mkdocs", "properdocs")},
    "zensical": ("zensical.__main__",),
}
"""What an engine's process imports before it is handed its command line (``generator.engine_process``):
the engine, its theme's search plugin and the Markdown extensions partnerkit's pages use. A module
missing from an engine's version is skipped: it is only loaded later."""


_LAUNCH = "import sys; del sys.path[0]; from generator.engine_process import main; main(sys.argv[1:])"
"""Runs ``generator.engine_process`` with nothing importable from the folder partnerkit runs in (``-c``
puts it first on ``sys.path``): the engine finds only what is installed, as ``python -m`` does in the stage."""


class EngineRun:
    """One engine build. Its process starts at once and loads the engine's code while partnerkit is
    still rendering; :meth:`build` hands it the stage and waits, :meth:`cancel` lets it exit unused.
    The engine runs inside the stage, so it is handed absolute paths only."""

    def __init__(self, engine: str) -> None:
        self.engine = engine
        self._process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCH, engine, *WARM_IMPORTS.get(engine, ())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=engine_environment(),
        )

    def build(self, stage: Path, output: Path) -> None:
        """Build ``stage`` into ``output`` in strict mode; raise EngineError with the engine's complaints."""
        stage, output = stage.resolve(), output.resolve()
        if self.engine == "zensical":
            built = stage / ZENSICAL_SITE_DIR
            shutil.rmtree(built, ignore_errors=True)
            returncode, stdout, stderr = self._run(stage, "build", "--strict", "--config-file", str(stage / "mkdocs.yml"))
            if returncode != 0:
                raise EngineError("zensical build failed:\n" + zensical_complaints(stdout + stderr))
            shutil.rmtree(output, ignore_errors=True)
            output.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(built, output)
            return
        returncode, _, stderr = self._run(
            stage, "build", "--strict", "--clean", "--config-file", str(stage / "mkdocs.yml"), "--site-dir", str(output))
        if returncode != 0:
            lines = [line for line in stderr.splitlines() if line.startswith(("WARNING", "ERROR"))]
            detail = "\n".join(lines) or stderr.strip()[-2000:]
            raise EngineError(f"{self.engine} build failed:\n{detail}")

    def _run(self, cwd: Path, *arguments: str) -> tuple[int, str, str]:
        """The engine's command line, as ``python -m ENGINE ARGUMENTS`` in ``cwd``: its exit status and output."""
        stdout, stderr = self._process.communicate(json.dumps({"arguments": arguments, "cwd": str(cwd)}) + "\n")
        return self._process.returncode, stdout, stderr

    def cancel(self) -> None:
        """Let the process exit without building (its standard input closed unread)."""
        if self._process.returncode is None:
            self._process.communicate("")

    def stop(self) -> None:
        """End the process at once, built nothing (it may still be loading the engine's code)."""
        if self._process.returncode is None:
            self._process.kill()
            self._process.communicate()


DEFAULT_ENGINE = "mkdocs"
"""The engine a ``site_config.yml`` without ``engine:`` builds with, as :func:`start_early` guesses it
(``SiteConfig.engine``'s default; a test keeps the two equal)."""

_CONFIGURED_ENGINE = re.compile(r"^engine:[ \t]*[\"']?([A-Za-z]+)[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)

_EARLY: dict[str, EngineRun] = {}
"""The engine process :func:`start_early` started, by engine, until a build takes it."""


def start_early(project: Path, rebuild: bool = False) -> None:
    """Start an engine process for ``partnerkit build`` before partnerkit loads its own code, so the two load
    at once, when the build is sure to run the engine: nothing was built in the project yet (no release in
    its cache) or ``rebuild`` (``--only``). The engine is the one ``site_config.yml`` names at its top level,
    read from the text; where the validated settings name another, the build starts its own and
    :func:`stop_early` ends this one."""
    cache = project / RELEASE_CACHE_DIR
    built = cache.is_dir() and any(not entry.name.startswith(".") for entry in cache.iterdir())
    if built and not rebuild:
        return
    text, error = read_project_text(project / CONFIG_FILE, project)  # never a settings file linked out of the project
    if error is not None:
        return
    named = _CONFIGURED_ENGINE.search(text)
    engine = named.group(1) if named else DEFAULT_ENGINE
    if engine in WARM_IMPORTS and engine not in _EARLY:
        _EARLY[engine] = EngineRun(engine)


def _started(engine: str) -> EngineRun:
    """The process :func:`start_early` started for ``engine``, else a new one."""
    return _EARLY.pop(engine, None) or EngineRun(engine)


def stop_early() -> None:
    """End the processes :func:`start_early` started that no build took."""
    while _EARLY:
        _EARLY.popitem()[1].stop()


class EngineRuns:
    """Engine processes started ahead for ``count`` builds, at most ``ahead`` at a time: :meth:`take`
    hands one out and starts the next, so every build finds its engine's code loaded. Safe to use
    from several threads; :meth:`close` ends those not taken."""

    def __init__(self, engine: str, count: int, ahead: int) -> None:
        self.engine = engine
        self._left = count
        self._ready: list[EngineRun] = []
        self._lock = threading.Lock()
        for _ in range(min(ahead, count)):
            self._start()

    def _start(self) -> None:
        self._ready.append(_started(self.engine))
        self._left -= 1

    def take(self) -> EngineRun:
        with self._lock:
            run = self._ready.pop(0) if self._ready else _started(self.engine)
            if self._left > 0:
                self._start()
            return run

    def close(self) -> None:
        with self._lock:
            ready, self._ready, self._left = self._ready, [], 0
        for run in ready:
            run.cancel()


def zensical_complaints(output: str) -> str:
    """Zensical's warnings, one line each (``Warning: path:line:col: message``), from its drawn report."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", output)
    complaints: list[str] = []
    waiting = False  # the last warning has no location yet: the report's next "[ path:line:col ]" is it
    for line in text.splitlines():
        line = line.strip()
        located = re.search(r"\[ (\S+:\d+:\d+) \]", line)
        if line.startswith(("Warning:", "Error:")):
            complaints.append(line)
            waiting = True
        elif located and waiting:
            kind, _, message = complaints[-1].partition(": ")
            complaints[-1] = f"{kind}: {located.group(1)}: {message}"
            waiting = False
    return "\n".join(complaints) or text.strip()[-2000:]
