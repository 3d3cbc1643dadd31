"""Reading input files as text, with located errors for unreadable or mis-encoded files, and the one
check every reader makes: a file the site is built from lies inside the project and outside the
folders that are never published (``private/``, ``.git/``, the build cache), links resolved."""

from __future__ import annotations

import hashlib

import os
from pathlib import Path
from typing import Iterable

from generator.layout import CACHE_DIR, PRIVATE_DIR
from generator.errors import ContentError

NEVER_PUBLISHED = (PRIVATE_DIR, ".git", CACHE_DIR)
"""Top-level project folders no input may come from, whatever a link says."""


def relative_name(path: Path, root: Path) -> str:
    """The path as shown in messages: relative to the project root, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


class RealPaths:
    """``os.path.realpath`` for the many files of one project read in one pass (a load): the project root
    and each folder are resolved once, and a file whose own name is not a link lies where its folder's
    real path says; a name that is a link is resolved by ``os.path.realpath`` itself. Made per pass,
    never kept: a folder's links may change between two builds."""

    def __init__(self, root: Path) -> None:
        self.root = os.path.realpath(root)
        self._folders: dict[str, str] = {}

    def realpath(self, path: Path | str) -> str:
        """``os.path.realpath(path)``, with ``path``'s folder resolved at most once per instance."""
        folder, name = os.path.split(os.fspath(path))
        if name in ("", ".", ".."):
            return os.path.realpath(path)
        real_folder = self._folders.get(folder)
        if real_folder is None:
            real_folder = self._folders[folder] = os.path.realpath(folder)
        joined = os.path.join(real_folder, name)
        return os.path.realpath(joined) if os.path.islink(joined) else joined


def unpublishable(path: Path, root: Path, real_root: str | RealPaths | None = None) -> str | None:
    """Why ``path`` may not be read into the site, or None. Links are followed to the real file: it
    must lie inside the project at ``root`` and outside ``private/``, ``.git/`` and the cache.
    ``real_root``: ``os.path.realpath(root)``, where the caller resolved it once for many files, or the
    :class:`RealPaths` of a pass over the project's files."""
    if isinstance(real_root, RealPaths):
        real_text, root_text = real_root.realpath(path), real_root.root
        prefix = root_text if root_text.endswith(os.sep) else root_text + os.sep
        if real_text.startswith(prefix) and real_text[len(prefix):].split(os.sep, 1)[0] not in NEVER_PUBLISHED:
            return None  # inside the project, outside the folders never published: the usual file, told without pathlib
        real, real_root = Path(real_text), root_text
    else:
        real = Path(os.path.realpath(path))
    try:
        inside = real.relative_to(real_root or os.path.realpath(root))
    except ValueError:
        return f"links outside the project (to {real}): only files inside the project are published"
    top = inside.parts[0] if inside.parts else ""
    if top == PRIVATE_DIR:
        return f"links into private/ ({inside.as_posix()}): private files are never published"
    if top in NEVER_PUBLISHED:
        return f"links into {top}/ ({inside.as_posix()}): files there are never published"
    return None


def check_published(path: Path, root: Path, real_root: str | RealPaths | None = None) -> ContentError | None:
    """``unpublishable`` as a located error on the file itself."""
    reason = unpublishable(path, root, real_root)
    return ContentError(relative_name(path, root), 1, 1, "", reason) if reason else None


def project_files(folder: Path, root: Path, suffixes: Iterable[str]) -> tuple[list[Path], list[ContentError]]:
    """Every file under ``folder`` whose lower-case suffix is one of ``suffixes`` (hidden files and folders
    skipped), in a stable order, and an error for each such file or linked folder that leads outside the
    project or into a folder never published. Linked folders inside the project are followed once.

    A folder is listed with ``os.scandir``, whose entries know from the listing itself whether they are a
    file, a folder or a link: a plain file or folder costs no further system call; a link is checked and
    followed through its path, as ``Path`` does. ``suffixes`` are extensions such as ``.yml``: a name
    ending in a dot has none (``os.path.splitext`` calls the dot a suffix, ``Path.suffix`` does not)."""
    wanted = set(suffixes)
    found: list[tuple[str, Path]] = []
    errors: list[ContentError] = []
    seen: set[str] = set()

    def walk(directory: Path, prefix: str) -> None:
        real = os.path.realpath(directory)
        if real in seen:
            return
        seen.add(real)
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_symlink():  # where it leads is looked up through its path (which may fail quietly, as Path does)
                path = directory / name
                if path.suffix.lower() not in wanted and not path.is_dir():
                    continue
                error = check_published(path, root)
                if error:
                    errors.append(error)
                elif path.is_dir():
                    walk(path, f"{prefix}{name}/")
                elif path.is_file() or not path.exists():  # a broken link: reported when read
                    found.append((f"{prefix}{name}", path))
            elif entry.is_dir(follow_symlinks=False):
                walk(directory / name, f"{prefix}{name}/")
            elif entry.is_file(follow_symlinks=False) and os.path.splitext(name)[1].lower() in wanted:
                found.append((f"{prefix}{name}", directory / name))

    if folder.is_dir():
        error = check_published(folder, root) if folder.is_symlink() else None
        if error:
            return [], [error]
        walk(folder, "")
    return [path for _, path in sorted(found, key=lambda pair: pair[0])], errors


def read_text(path: Path, root: Path) -> tuple[str | None, ContentError | None]:
    """The file's text (UTF-8, a BOM allowed), or the error explaining why it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        return None, ContentError(relative_name(path, root), 1, 1, "", f"cannot read file: {reason}")
    try:
        return raw.decode("utf-8-sig").replace("\r\n", "\n"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, ContentError(
            relative_name(path, root), line, col, "", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        )


def read_project_text(
    path: Path, root: Path, real_root: str | RealPaths | None = None,
) -> tuple[str | None, ContentError | None]:
    """``read_text`` for a file the site is built from: refused when it links out (``unpublishable``;
    ``real_root`` as there)."""
    error = check_published(path, root, real_root)
    return (None, error) if error else read_text(path, root)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
