"""The one way partnerkit opens the files it takes data from (the roster, the revocation list, the
customer export, the sales file, exam keys, templates), and the one streaming reader of their tables.

:func:`open_input` keeps to the project: the file, links followed, must lie inside the project root
(an absolute path, ``../`` or a link leading out is refused), be a regular file and be no bigger than
``inputs.max_bytes``; it is opened without following a link at the last step and checked again once
open, so a link swapped in between is caught. :func:`read_table` streams a CSV file through it,
checking ``inputs.max_rows`` and ``inputs.max_field_chars`` as it reads, so memory stays bounded
whatever the file's size. Every refusal is a located error (``private/customers.csv:200002:1: …``)."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from generator.errors import ContentError, ContentErrors
from generator.files import relative_name
from generator.model.config import InputSettings

LINE_MAX_CHARS = 1 << 20
"""Longest physical line of a CSV file, in characters (a cell is at most ``inputs.max_field_chars``)."""
BLOCK = 1 << 16


def _refused(name: str, message: str, line: int = 1, col: int = 1, key: str = "") -> ContentErrors:
    return ContentErrors([ContentError(name, line, col, key, message)])


def outside_project(path: Path, root: Path) -> str | None:
    """Why ``path`` may not be read as an input, or None: links are followed to the real file, which
    must lie inside the project at ``root``."""
    real = os.path.realpath(path)
    project = os.path.realpath(root)
    if os.path.commonpath([real, project]) != project:
        return f"leads outside the project (to {real}): input files must lie inside the project"
    return None


class _Capped(io.RawIOBase):
    """A file read no further than ``cap`` bytes (a file growing while it is read is refused too)."""

    def __init__(self, handle: BinaryIO, cap: int, name: str):
        self._handle, self._cap, self._name, self.consumed = handle, cap, name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._handle.readinto(buffer)
        self.consumed += count or 0
        if self.consumed > self._cap:
            raise _refused(self._name, f"more than {self._cap} bytes: the limit is inputs.max_bytes")
        return count

    def close(self) -> None:
        self._handle.close()
        super().close()


@contextmanager
def open_input(path: Path, root: Path, limits: InputSettings | None = None) -> Iterator[BinaryIO]:
    """The input file at ``path`` opened for reading bytes (buffered), or ContentErrors saying why not:
    outside the project (links followed), not a regular file, unreadable, or over ``inputs.max_bytes``."""
    limits = limits or InputSettings()
    name = relative_name(path, root)
    reason = outside_project(path, root)
    if reason:
        raise _refused(name, reason)
    real = os.path.realpath(path)
    try:
        handle = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _refused(name, f"cannot read file: {(exc.strerror or str(exc)).lower()}") from None
    try:
        info = os.fstat(handle)
        opened = Path(f"/proc/self/fd/{handle}")
        if opened.parent.is_dir() and os.path.realpath(opened) != real:
            raise _refused(name, "changed while it was opened (a link swapped in): input files must lie inside the project")
        if not stat.S_ISREG(info.st_mode):
            raise _refused(name, "not a regular file")
        if info.st_size > limits.max_bytes:
            raise _refused(name, f"{info.st_size} bytes, more than {limits.max_bytes}: the limit is inputs.max_bytes")
        os.set_blocking(handle, True)
    except BaseException:
        os.close(handle)
        raise
    stream = io.BufferedReader(_Capped(os.fdopen(handle, "rb"), limits.max_bytes, name), BLOCK)
    try:
        yield stream
    finally:
        stream.close()


def read_input_bytes(path: Path, root: Path, limits: InputSettings | None = None) -> bytes:
    """A whole (small) input file's bytes through :func:`open_input`."""
    with open_input(path, root, limits) as stream:
        return stream.read()


def _undecodable_at(path: Path, root: Path, limits: InputSettings, encoding: str) -> tuple[int, int, int]:
    """(line, column, byte) of the first byte ``encoding`` cannot decode (read a block at a time)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line, col = 1, 1
    with open_input(path, root, limits) as stream:
        while block := stream.read(BLOCK):
            state = decoder.getstate()
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as exc:
                before = codecs.getincrementaldecoder(encoding)()
                before.setstate((b"", state[1]))
                text = before.decode(exc.object[: exc.start])
                bad = exc.object[exc.start]
            else:
                bad = None
            newlines = text.count("\n")
            line, col = (line + newlines, len(text) - text.rfind("\n")) if newlines else (line, col + len(text))
            if bad is not None:
                return line, col, bad
    return line, col, 0


EXPECTED_ENCODINGS = ("cp932", "euc_jp", "cp1252")
"""What ``auto`` may detect after UTF-8: Excel's CSV on Japanese Windows (cp932, Shift_JIS), EUC-JP,
and Western Windows (cp1252)."""
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
SAMPLE = 1 << 20


def _codec(encoding: str) -> str:
    """A codec's canonical name (``utf-8``, ``cp932``, ``utf-16``)."""
    return codecs.lookup(encoding).name


def detect_encoding(path: Path, root: Path, limits: InputSettings, setting: str) -> tuple[str, str]:
    """(codec, how it was chosen) for an ``auto`` file: its BOM, else UTF-8 when every byte decodes
    so, else charset-normalizer's pick among :data:`EXPECTED_ENCODINGS` on the first megabyte."""
    with open_input(path, root, limits) as stream:
        head = stream.peek(4)[:4]
        for bom, encoding in BOMS:
            if head.startswith(bom):
                return encoding, "its byte order mark"
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while block := stream.read(BLOCK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-8", "UTF-8"
        except UnicodeDecodeError:
            pass
    import charset_normalizer

    with open_input(path, root, limits) as stream:
        sample = stream.read(SAMPLE)
    if len(sample) == SAMPLE and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]
    found = list(charset_normalizer.from_bytes(sample, cp_isolation=list(EXPECTED_ENCODINGS)))
    # a roster or export is mostly ids, e-mail addresses and Latin text; charset-normalizer then rates
    # cp1252 as coherent as cp932 with its Japanese names: a Japanese encoding reading the file as
    # cleanly wins (this product's first users are partner teams in Japan)
    clean = [match for match in found if match.chaos <= min(match.chaos for match in found) + 0.05]
    best = next((match for match in clean if _codec(match.encoding) in ("cp932", "euc_jp")), clean[0] if clean else None)
    if best is None:
        line, col, byte = _undecodable_at(path, root, limits, "utf-8")
        raise _refused(relative_name(path, root), f"not text in UTF-8 or {', '.join(EXPECTED_ENCODINGS)} (byte"
                       f" 0x{byte:02x}): set {setting} to the file's encoding, or save it as UTF-8", line, col)
    return _codec(best.encoding), "detected"


def _not_text(path: Path, root: Path, limits: InputSettings, name: str, encoding: str, setting: str) -> ContentErrors:
    line, col, byte = _undecodable_at(path, root, limits, encoding)
    shown = "UTF-8" if encoding.startswith("utf-8") else encoding
    return _refused(name, f"not {shown} text (byte 0x{byte:02x}): set {setting} to the file's encoding (auto,"
                    " utf-8, cp932, utf-16…), or save it as UTF-8", line, col)


FOOTER_LINE = re.compile(r"(grand totals?|totals?|subtotals?|copyright|©|\(c\)|confidential information|generated by)\b",
                         re.IGNORECASE)
"""How the lines CRM reports add after the data begin (Salesforce: ``Grand Totals (12 records)``, the
company, ``Copyright (c) 2000-2026 salesforce.com…``, ``Confidential Information - Do Not Distribute``,
``Generated By: …``)."""
UNPACKED_FACTOR = 10
"""A workbook may unpack to at most this many times ``inputs.max_bytes`` (a zip bomb is refused unread)."""

Cell = str | float | date
"""A cell as readers see it: text (trimmed; empty when blank), or from a workbook a number or a day."""


def footer_like(cells: list[Cell], width: int) -> bool:
    """A row that looks like a report's footer: one filled cell in a wider table, or a known footer line."""
    filled = [cell for cell in cells if cell != ""]
    return (width > 1 and len(filled) == 1) or bool(filled and FOOTER_LINE.match(as_text(filled[0])))


def as_text(cell: Cell | None) -> str:
    """A cell as text: a whole number without ``.0``, a day as ``2026-12-31``."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return cell.isoformat() if isinstance(cell, date) else str(cell)


@dataclass
class Table:
    """A table file being read: its name as errors show it, its header (cells trimmed) and its rows."""

    name: str
    header: list[str]
    rows: Iterator[tuple[int, list[Cell]]]
    """(line or row number the row starts on, its cells), blank rows and a trailing report footer
    skipped; raises ContentErrors when a limit is passed or the file turns out not to be a table."""
    encoding: str = "utf-8"
    """The codec the file was read with (``xlsx`` for a workbook)."""
    notes: list[str] = field(default_factory=list)
    """What the user should know about how it was read (an encoding detected, footer lines skipped)."""
    sheet: str = ""
    """A workbook's sheet the table is on (errors then read ``file:sheet!B17``)."""

    def error(self, line: int, col: int, key: str, message: str) -> ContentError:
        """A located error at a row and column of this table."""
        return ContentError(self.name, line, col, key, message, self.sheet)

    def garbled_hint(self, setting: str) -> str:
        """A hint for errors about the header, when the file was not read as UTF-8."""
        if self.encoding.startswith("utf-8") or self.encoding == "xlsx":
            return ""
        return f" (read as {self.encoding}: if that is wrong, set {setting})"


def _checked_rows(raw: Iterator[tuple[int, list[Cell]]], table: Table, limits: InputSettings) -> Iterator[tuple[int, list[Cell]]]:
    """``raw`` rows with the row and cell limits checked, blank rows skipped, and the rows after the
    data that look like a report's footer skipped (said in ``table.notes``); footer-like rows followed
    by more data are rows of the data, and reported as such."""
    count = 0
    after_data: int | None = None  # the first line after the last row of data, once blank or footer-like
    footer: list[tuple[int, list[Cell]]] = []
    last = 1
    for line, row in raw:
        last = line
        if all(cell == "" for cell in row):
            after_data = line if after_data is None else after_data
            continue
        count += 1
        if count > limits.max_rows:
            raise ContentErrors([table.error(line, 1, "", f"more than {limits.max_rows} rows: the limit is inputs.max_rows")])
        for index, cell in enumerate(row):
            if isinstance(cell, str) and len(cell) > limits.max_field_chars:
                raise ContentErrors([table.error(line, index + 1, "", f"a cell of {len(cell)} characters, more than"
                                                 f" {limits.max_field_chars}: the limit is inputs.max_field_chars")])
        if footer_like(row, len(table.header)):
            after_data = line if after_data is None else after_data
            footer.append((line, row))
            continue
        yield from footer
        footer, after_data = [], None
        yield line, row
    if footer and after_data is not None:
        table.notes.append(f"{table.name}: skipped {last - after_data + 1} lines of report footer after the data"
                           f" (lines {after_data}–{last})")


@contextmanager
def read_table(path: Path, root: Path, limits: InputSettings | None = None, encoding: str | None = None,
               setting: str = "inputs.encoding", sheet: str | None = None,
               sheet_setting: str = "inputs.sheet") -> Iterator[Table]:
    """The table in the CSV file or Excel workbook (``.xlsx``) at ``path``, streamed: rows are read as
    they are asked for, and ``inputs.max_rows``, ``inputs.max_field_chars`` and ``inputs.max_bytes``
    are checked as they come. ``encoding`` (default ``inputs.encoding``) is ``auto`` or a codec,
    ``sheet`` a workbook's sheet (default ``inputs.sheet``, else the first); ``setting`` and
    ``sheet_setting`` name the settings errors point to. An empty file is a located error."""
    limits = limits or InputSettings()
    if path.suffix.lower() == ".xlsx":
        with _workbook_table(path, root, limits, sheet or limits.sheet, sheet_setting) as table:
            yield table
        return
    name = relative_name(path, root)
    encoding = encoding or limits.encoding
    notes: list[str] = []
    if encoding == "auto":
        encoding, how = detect_encoding(path, root, limits, setting)
        if how == "detected":
            notes.append(f"{name}: read as {encoding} (detected; set {setting} if names look wrong)")
    elif _codec(encoding) == "utf-8":
        encoding = "utf-8-sig"  # a BOM is no part of the first column's name
    with open_input(path, root, limits) as stream:
        text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
        reader = csv.reader(_lines(text, name))
        position = {"line": 1}

        def read_row() -> list[str] | None:
            try:
                row = next(reader)
            except StopIteration:
                return None
            except UnicodeDecodeError:
                raise _not_text(path, root, limits, name, encoding, setting) from None
            except UnicodeError as exc:  # UTF-16 without its byte order mark
                raise _refused(name, f"not {encoding} text ({exc}): set {setting} to the file's encoding (auto, utf-8,"
                               " cp932, utf-16…), or save it as UTF-8", position["line"]) from None
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    raise _refused(name, f"a cell of more than {limits.max_field_chars} characters: the limit is"
                                   " inputs.max_field_chars", position["line"]) from None
                raise _refused(name, f"not CSV: {exc}", reader.line_num) from None
            position["line"] = reader.line_num + 1
            return row

        header = read_row()
        if header is None:
            raise _refused(name, "empty file: the first line names the columns")

        def raw() -> Iterator[tuple[int, list[Cell]]]:
            while True:
                line = position["line"]
                row = read_row()
                if row is None:
                    return
                yield line, [cell.strip() for cell in row]

        table = Table(name, [cell.strip() for cell in header], iter(()), _codec(encoding), notes)
        table.rows = _checked_rows(raw(), table, limits)
        yield table


def _lines(text: io.TextIOWrapper, name: str) -> Iterator[str]:
    """The text's lines as the csv module wants them, none longer than ``LINE_MAX_CHARS``."""
    number = 0
    while line := text.readline(LINE_MAX_CHARS + 1):
        number += 1
        if len(line) > LINE_MAX_CHARS:
            raise _refused(name, f"a line of more than {LINE_MAX_CHARS} characters", number)
        yield line


def _workbook_cell(value: object) -> Cell:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return str(value).strip()


@contextmanager
def _workbook_table(path: Path, root: Path, limits: InputSettings, sheet: str | None, setting: str) -> Iterator[Table]:
    """A sheet of an Excel workbook, read with openpyxl's read-only mode (rows streamed from the sheet's
    XML): dates are days, numbers are numbers; a workbook that would unpack to more than
    ``UNPACKED_FACTOR`` × ``inputs.max_bytes`` is refused unopened."""
    import difflib
    import zipfile

    import openpyxl

    name = relative_name(path, root)
    data = io.BytesIO(read_input_bytes(path, root, limits))
    not_workbook = "not an Excel workbook (.xlsx): save it from Excel as an Excel Workbook, or as CSV"
    try:
        unpacked = sum(info.file_size for info in zipfile.ZipFile(data).infolist())
    except zipfile.BadZipFile:
        raise _refused(name, not_workbook) from None
    if unpacked > UNPACKED_FACTOR * limits.max_bytes:
        raise _refused(name, f"unpacks to {unpacked} bytes, more than {UNPACKED_FACTOR} × inputs.max_bytes")
    try:
        book = openpyxl.load_workbook(data, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _refused(name, f"{not_workbook} ({exc})") from None
    try:
        sheets = [sheet_ for sheet_ in book.worksheets if hasattr(sheet_, "iter_rows")]
        if sheet is None:
            if not sheets:
                raise _refused(name, "the workbook has no sheet of cells")
            chosen = sheets[0]
        elif sheet in book.sheetnames and hasattr(book[sheet], "iter_rows"):
            chosen = book[sheet]
        else:
            close = difflib.get_close_matches(sheet, book.sheetnames, 1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise _refused(name, f"no sheet '{sheet}'{hint}: the workbook has " + ", ".join(f"'{title}'" for title in
                                                                                          book.sheetnames) + f"; set {setting}")
        if hasattr(chosen, "reset_dimensions"):
            chosen.reset_dimensions()  # rows as long as their cells, whatever size the sheet claims
        values = chosen.iter_rows(values_only=True)
        first = next(values, None)
        header = [as_text(_workbook_cell(cell)) for cell in first or ()]
        while header and header[-1] == "":
            header.pop()
        table = Table(name, header, iter(()), "xlsx", [], chosen.title)
        if not header:
            raise ContentErrors([table.error(1, 1, "", "empty sheet: the first row names the columns")])
        width = len(header)

        def raw() -> Iterator[tuple[int, list[Cell]]]:
            for number, row in enumerate(values, start=2):
                cells = [_workbook_cell(cell) for cell in row[:width]] + [_workbook_cell(cell) for cell in row[width:]
                                                                          if cell is not None and cell != ""]
                yield number, cells + [""] * (width - len(cells))

        table.rows = _checked_rows(raw(), table, limits)
        yield table
    finally:
        book.close()


Locate = Callable[[int, int, str, str], ContentError]
"""Makes a located error at (row, column, key, message) of a table."""


def read_csv(path: Path, root: Path, columns: tuple[str, ...], limits: InputSettings | None = None) -> tuple[Locate, list[tuple[int, list[str]]]]:
    """A small table whose header row is exactly ``columns`` (the roster, the revocation list, sales),
    from a CSV file or an Excel workbook: a maker of errors located in it, and its rows that are not
    blank, as (line or row number, cells as text); raises ContentErrors when the file cannot be read,
    passes a limit or the header differs."""
    with read_table(path, root, limits) as table:
        if tuple(table.header) != columns:
            raise ContentErrors([table.error(1, 1, "", f"the header must be: {','.join(columns)}"
                                             + table.garbled_hint("inputs.encoding"))])
        return table.error, [(line, [as_text(cell) for cell in row]) for line, row in table.rows]
