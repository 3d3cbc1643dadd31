"""Folders a build puts aside (the site it replaced, cached releases no longer declared) are renamed
into ``.partnerkit-cache/releases/.trash/`` at once and deleted while the next build loads and runs
the engine, by a child process at the lowest priority; a build waits for that deletion before it ends,
so at most one build's leftovers are ever kept (mostly hard links to the cache: little space)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from pathlib import Path

TRASH_DIR = ".trash"
"""Inside the release cache (a dot name: never taken for a cached release)."""


class Trash:
    """The trash folder of one build cache."""

    def __init__(self, cache: Path) -> None:
        self.folder = cache / TRASH_DIR
        self._emptying: subprocess.Popen | None = None

    def put(self, path: Path) -> None:
        """Move ``path`` out of the way now; a folder on another file system is deleted now instead."""
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            path.rename(self.folder / uuid.uuid4().hex)
        except OSError:
            shutil.rmtree(path, ignore_errors=True)

    def empty_in_background(self) -> None:
        """Start deleting what earlier builds put aside (what :meth:`put` adds from now on stays), in a
        child process at the lowest priority: it takes no time from this process or from the engine."""
        waiting = sorted(self.folder.iterdir()) if self.folder.is_dir() else []
        if waiting:
            self._emptying = subprocess.Popen([sys.executable, "-c", _DELETE, *map(str, waiting)],
                                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)

    def wait(self) -> None:
        """Until the deletion :meth:`empty_in_background` started is done (what it could not delete
        stays for the next build)."""
        if self._emptying is not None:
            self._emptying.wait()
            self._emptying = None


_DELETE = """
import os, shutil, sys
if hasattr(os, "nice"):
    os.nice(19)
for path in sys.argv[1:]:
    shutil.rmtree(path, ignore_errors=True)
"""


def swap_in(new: Path, target: Path, trash: Trash, carried: tuple[str, ...] = ()) -> None:
    """Put ``new`` in place of ``target`` by renames (same file system), keeping no half state; the
    folder it replaces goes to ``trash``. The folders named in ``carried`` (releases the new site shares
    with the old one, file for file) are moved over from the old site at that moment instead of being
    laid out again, so neither laying them out nor deleting them costs anything."""
    aside = new.parent / f".{new.name}-replaced"
    if target.exists():
        target.rename(aside)
    moved: list[str] = []
    try:
        for name in carried:
            (aside / name).rename(new / name)
            moved.append(name)
        new.rename(target)
    except OSError:
        for name in moved:
            (new / name).rename(aside / name)
        if aside.exists():
            aside.rename(target)
        raise
    if aside.exists():
        trash.put(aside)
