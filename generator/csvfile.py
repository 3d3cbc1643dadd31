"""The one CSV writer of the project: every table it writes (reports, personal links) goes through here.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (``@`` and a tab or
carriage return too, in some), so a rep named ``=HYPERLINK("http://x","y")`` would become a live link
in ``certificates.csv``. As OWASP's CSV-injection guidance says, such a text cell gets a ``'`` in
front: spreadsheets show the text as it was, and a reader of the file sees the mark. Numbers the
project writes as numbers (counts, minutes, sales amounts, rates: Python ``int`` and ``float``) are
written as they are, so ``-120.5`` stays a number that sums; only text is prefixed, whatever it holds,
so a name ``-2+3`` is written ``'-2+3``."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""


def safe_cell(value: object) -> object:
    """``value`` as it may go into a CSV cell: text starting like a formula gets a ``'`` in front;
    numbers stay numbers; None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]], line_end: str = "\r\n") -> str:
    """A header and rows as CSV text (RFC 4180 line ends unless told), every cell through :func:`safe_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerow([safe_cell(name) for name in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """Write :func:`csv_text` to ``path`` (UTF-8) in one step (a reader sees the old file or the new
    one, never half of it); return the path."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(csv_text(header, rows), encoding="utf-8", newline="")
    os.replace(partial, path)
    return path


def write_dicts(path: Path, rows: Sequence[dict[str, object]]) -> Path:
    """Rows of one shape (the first row's keys are the header) as CSV; an empty table is an empty file."""
    if not rows:
        path.write_text("", encoding="utf-8")
        return path
    header = list(rows[0])
    return write_csv(path, header, ([row.get(name) for name in header] for row in rows))
