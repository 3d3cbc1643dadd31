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


def check_no_private_bytes(site: Path, project_root: Path) -> None:
    """Raise PrivateBytesError naming every file under ``site`` with the same bytes as a file under the
    project's ``private/`` folder (empty files aside)."""
    private = project_root / PRIVATE_DIR
    by_size: dict[int, list[Path]] = {}
    if private.is_dir():
        for path in private.rglob("*"):
            if path.is_file() and not path.is_symlink():
                size = path.stat().st_size
                if size:
                    by_size.setdefault(size, []).append(path)
    if not by_size:
        return
    hashes: dict[bytes, Path] = {}
    hashed_sizes: set[int] = set()
    found: list[str] = []
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        size = path.stat().st_size
        if size not in by_size:
            continue
        if size not in hashed_sizes:
            hashed_sizes.add(size)
            for secret in by_size[size]:
                hashes.setdefault(file_sha256(secret), secret)
        secret = hashes.get(file_sha256(path))
        if secret is not None:
            found.append(f"{path.relative_to(site).as_posix()} has the bytes of "
                         f"{secret.relative_to(project_root).as_posix()}")
    if found:
        raise PrivateBytesError(
            "the new site would publish private files, so it was not published (the previous site is "
            "unchanged):\n  " + "\n  ".join(found)
            + "\nFind what copies them into the site (a link or a copy under content/ or transcripts/) and remove it."
        )
