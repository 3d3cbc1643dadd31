"""The last check before a new site replaces the old one: no file of it has the bytes of a file under
``private/``, however it got there (a link, a copy, a hard link). Cheap: only files whose size matches
a private file's are hashed."""

from __future__ import annotations

from pathlib import Path

from generator.layout import PRIVATE_DIR
from generator.errors import PartnerkitError
from generator.files import file_sha256


class PrivateBytesError(PartnerkitError):
    """The new site holds a private file's bytes; it was not published."""


class PrivateBytes:
    """The project's private files by size, read once, to look for their bytes in the folders of a new
    site; only files whose size matches a private file's are hashed."""

    def __init__(self, project_root: Path):
        self.root = project_root
        self._by_size: dict[int, list[Path]] = {}
        private = project_root / PRIVATE_DIR
        if private.is_dir():
            for path in private.rglob("*"):
                if path.is_file() and not path.is_symlink():
                    size = path.stat().st_size
                    if size:
                        self._by_size.setdefault(size, []).append(path)
        self._hashes: dict[str, Path] = {}
        self._hashed_sizes: set[int] = set()

    def found_in(self, folder: Path, named: str = "", skip: frozenset[str] = frozenset()) -> list[str]:
        """``NAME has the bytes of private/...`` for every file under ``folder`` (named ``named`` in the
        site, e.g. ``2.4/``) with a private file's bytes; top-level entries named in ``skip`` are not looked at."""
        if not self._by_size:
            return []
        found: list[str] = []
        for path in sorted(_files_under(folder, skip)):
            relative = path.relative_to(folder)
            size = path.stat().st_size
            if size not in self._by_size:
                continue
            if size not in self._hashed_sizes:
                self._hashed_sizes.add(size)
                for secret in self._by_size[size]:
                    self._hashes.setdefault(file_sha256(secret), secret)
            secret = self._hashes.get(file_sha256(path))
            if secret is not None:
                found.append(f"{named}{relative.as_posix()} has the bytes of {secret.relative_to(self.root).as_posix()}")
        return found


def _files_under(folder: Path, skip: frozenset[str]) -> list[Path]:
    files: list[Path] = []
    for entry in folder.iterdir():
        if entry.name in skip:
            continue
        if entry.is_dir():
            files += [path for path in entry.rglob("*") if path.is_file()]
        elif entry.is_file():
            files.append(entry)
    return files


def refuse_private_bytes(found: list[str]) -> None:
    """Raise PrivateBytesError listing what :meth:`PrivateBytes.found_in` found, if anything."""
    if found:
        raise PrivateBytesError(
            "the new site would publish private files, so it was not published (the previous site is "
            "unchanged):\n  " + "\n  ".join(sorted(found))
            + "\nFind what copies them into the site (a link or a copy under content/ or transcripts/) and remove it."
        )


def check_no_private_bytes(site: Path, project_root: Path) -> None:
    """Raise PrivateBytesError naming every file under ``site`` with the same bytes as a file under the
    project's ``private/`` folder (empty files aside)."""
    refuse_private_bytes(PrivateBytes(project_root).found_in(site))
