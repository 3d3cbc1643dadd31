"""Reading input files as text, with located errors for unreadable or mis-encoded files."""

from __future__ import annotations

from pathlib import Path

from generator.errors import ContentError


def relative_name(path: Path, root: Path) -> str:
    """The path as shown in messages: relative to the project root, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_text(path: Path, root: Path) -> tuple[str | None, ContentError | None]:
    """The file's text (UTF-8, a BOM allowed), or the error explaining why it cannot be read."""
    name = relative_name(path, root)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        return None, ContentError(name, 1, 1, "", f"cannot read file: {reason}")
    try:
        return raw.decode("utf-8-sig").replace("\r\n", "\n"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, ContentError(
            name, line, col, "", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        )
