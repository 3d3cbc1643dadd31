"""The one order of release names, mike's: newest first, numbers compared as numbers (``2.10`` after
``2.9``), names not starting with a digit (``dev``) before every numbered one."""

from __future__ import annotations

import re
from typing import Any


def version_key(name: str) -> tuple[int, list[tuple[int, Any]]]:
    """Sort key, oldest first (sort with ``reverse=True`` for mike's order)."""
    parts = [(1, int(part)) if part.isdigit() else (0, part) for part in re.findall(r"\d+|[A-Za-z]+", name)]
    return (0 if re.match(r"v?\d", name) else 1, parts)


def newest_first(names: list[str]) -> list[str]:
    """Release names in mike's order."""
    return sorted(names, key=version_key, reverse=True)
