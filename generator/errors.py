"""Errors the library raises. Only the CLI turns them into terminal output.

A ``ContentError`` points at one place in one input file; ``ContentErrors``
carries every error found in a run so the user can fix them all at once.
Other failures raise ``PartnerkitError`` with a short, plain message.
"""

from __future__ import annotations

from dataclasses import dataclass


class PartnerkitError(Exception):
    """A failure with a short message meant for the user (no traceback needed)."""


def column_letters(number: int) -> str:
    """A spreadsheet's column name: 1 → A, 28 → AB."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in one input file.

    ``path`` is relative to the project root and uses forward slashes;
    ``line`` and ``col`` are 1-based; ``key_path`` is like ``steps[2].owner``
    (list indexes are 0-based) and empty when the problem concerns the whole file.
    """

    path: str
    line: int
    col: int
    key_path: str
    message: str
    sheet: str = ""
    """In a workbook: the sheet's name; the place is then shown as Excel names it (``Accounts!B17``)."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}" if not self.sheet else f"{self.path}:{self.sheet}!{column_letters(self.col)}{self.line}"
        return f"{where}: {self.key_path}: {self.message}" if self.key_path else f"{where}: {self.message}"


class ContentErrors(PartnerkitError):
    """Every content error found; raised once, after all inputs were read."""

    def __init__(self, errors: list[ContentError]):
        self.errors = sorted(set(errors))
        super().__init__(f"{len(self.errors)} content error{'s' if len(self.errors) != 1 else ''}")
