"""``partnerkit backup`` and ``restore``: the store copied while collectors run, and put back."""

from __future__ import annotations

from pathlib import Path

from generator.store import backup as store_backup
from generator.layout import EVENTS_DB


def location(root: Path, db: str | None) -> str:
    """The database ``--db`` names, or the project's SQLite file."""
    return db or str(root / EVENTS_DB)


def backup(root: Path, db: str | None, output: Path) -> dict[str, int] | None:
    return store_backup.backup(location(root, db), output)


def restore(root: Path, backup_file: Path, db: str | None, overwrite: bool) -> dict[str, int]:
    return store_backup.restore(backup_file, location(root, db), overwrite)
