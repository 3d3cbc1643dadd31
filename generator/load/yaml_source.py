"""YAML documents that remember where each value came from, read by YAML 1.2 rules and within limits.

Plain scalars follow the YAML 1.2 core schema: ``true``/``false`` are booleans, ``null``/``~``/nothing
is null, and everything else is text exactly as written. Numbers (``010``, ``2.10``, ``0x1F``) stay
text too, marked as ``Number``: fields that want a number parse it, text fields show it as written.
So ``when: 9:30`` stays "9:30" and ``title: No`` stays "No" (YAML 1.1 made them 570 and false).

The data is built straight from the parser's events with an explicit stack, so a hostile file cannot
exhaust memory or the call stack: aliases, the values they copy and nesting depth are counted and
stop at the limits below, and only plain YAML is accepted (no tags other than the core ones).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml
import yaml.events as ev

from generator.errors import ContentError

Loc = tuple[str | int, ...]

MAX_ALIASES = 1000
"""Alias uses per document, counting those inside the values an alias repeats."""
MAX_ALIAS_VALUES = 100_000
"""Values per document that aliases repeat (a billion-laughs file repeats billions)."""
MAX_DEPTH = 100
"""Lists and mappings nested inside each other."""

CORE = "tag:yaml.org,2002:"
ALLOWED_TAGS = {f"{CORE}{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")} | {"!"}
"""Tags an author may write (``!!str 010`` forces text); any other tag is an error."""

_NULL = re.compile(r"null|Null|NULL|~|")
_NULLS = frozenset({"null", "Null", "NULL", "~", ""})
"""What :data:`_NULL` matches, as a set: the reader's loop looks a plain scalar up in it instead of running the pattern."""
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NUMBER = re.compile(
    r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.nan|\.NaN|\.NAN"
)
"""YAML 1.2 core-schema integers and floats."""
_NUMBER_START = frozenset("+-.0123456789")
"""The characters a text :data:`_NUMBER` matches can start with: the reader's loop runs the pattern only on those."""
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters YAML does not allow in a stream (NUL and other control characters)."""


class Number(str):
    """A plain scalar that YAML 1.2 reads as a number, kept as its source text (``010`` stays "010");
    fields that want a number parse it."""

    __slots__ = ()


class Position(NamedTuple):
    """Where a key or value is written: line and column, from 1 (one is recorded per value: kept light)."""

    line: int
    col: int


_new_tuple = tuple.__new__
"""Builds a :class:`Position` without the Python function ``NamedTuple`` makes its ``__new__`` (one per value read)."""

_SCALAR, _MAPPING_START, _MAPPING_END, _SEQUENCE_START, _SEQUENCE_END = (
    ev.ScalarEvent, ev.MappingStartEvent, ev.MappingEndEvent, ev.SequenceStartEvent, ev.SequenceEndEvent)
"""The parser's event classes the reader's loop compares with ``type(event) is`` (its common cases)."""


@dataclass
class SourceDocument:
    """One YAML document: its plain data plus the position of every value and key."""

    path: str
    data: Any
    values: dict[Loc, Position] = field(default_factory=dict)
    keys: dict[Loc, Position] = field(default_factory=dict)

    def position(self, loc: Loc, *, key: bool = False) -> Position:
        """Where ``loc`` is written; falls back to the nearest enclosing value that exists."""
        if key and loc in self.keys:
            return self.keys[loc]
        while loc not in self.values:
            loc = loc[:-1]
        return self.values[loc]

    def existing_prefix(self, loc: Loc) -> Loc:
        """The longest start of ``loc`` that is written in the file."""
        while loc and loc not in self.values:
            loc = loc[:-1]
        return loc

    def error(self, loc: Loc, message: str, *, key: bool = False) -> ContentError:
        position = self.position(loc, key=key)
        return ContentError(self.path, position.line, position.col, format_loc(loc), message)


def format_loc(loc: Loc) -> str:
    """``('steps', 2, 'owner')`` → ``steps[2].owner``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def shown_tag(tag: str) -> str:
    """A tag as an author writes it: ``!!python/object/apply:os.system``, ``!include``."""
    return "!!" + tag[len(CORE):] if tag.startswith(CORE) else tag


class _Stop(Exception):
    """A limit was reached: reading the file stops at once."""

    def __init__(self, error: ContentError):
        self.error = error


@dataclass
class _Anchor:
    value: Any
    loc: Loc
    """Where the anchored value is in the document."""
    entries: range
    """Its positions: indexes into the builder's list of every position recorded (kept, not copied)."""
    aliases: int
    """Alias uses inside the anchored value."""


@dataclass
class _Collection:
    loc: Loc
    value: dict[str, Any] | list[Any]
    anchor: str | None
    first_entry: int
    aliases_before: int
    key: str | None = None
    """In a mapping: the key whose value comes next (None while a key is expected)."""
    skip_key: bool = False
    """The key just read was refused: its value is read and dropped."""


class _Builder:
    """Turns the parser's events for one document into plain data, recording every position."""

    def __init__(self, parser: Any, path: str, first_line: int, errors: list[ContentError]):
        self.parser, self.path, self.first_line, self.errors = parser, path, first_line, errors
        self.document = SourceDocument(path, None)
        self.entries: list[tuple[Loc, Position, bool]] = []
        self.anchors: dict[str, _Anchor] = {}
        self.open_anchors: set[str] = set()
        self.stack: list[_Collection] = []
        self.aliases = 0
        self.alias_values = 0
        self.rejected = False
        """Set by an error that makes the document's data meaningless (an unknown tag, a bad alias)."""

    def position(self, event: ev.Event) -> Position:
        mark = event.start_mark
        return _new_tuple(Position, (mark.line + self.first_line, mark.column + 1))  # Position(…) without its Python-level __new__

    def fail(self, event: ev.Event, message: str, loc: Loc = ()) -> None:
        position = self.position(event)
        self.errors.append(ContentError(self.path, position.line, position.col, format_loc(loc), message))
        self.rejected = True

    def stop(self, event: ev.Event, message: str) -> None:
        position = self.position(event)
        raise _Stop(ContentError(self.path, position.line, position.col, "", message))

    def record(self, loc: Loc, position: Position, key: bool = False) -> None:
        self.entries.append((loc, position, key))
        (self.document.keys if key else self.document.values)[loc] = position

    def build(self) -> SourceDocument:
        """Read events up to the end of the document; the document's start event is already read.

        Most events of a playbook are untagged, unanchored scalars: a new key, a value under the key just
        read, or a list item; then the starts and ends of untagged, unanchored lists and mappings. Those are
        handled in the loop itself, by the same rules as :meth:`read_key`, :meth:`read_value`, :meth:`scalar`,
        :meth:`open` and :meth:`close`; anything else (a tag, an anchor, a merge key, a duplicate or refused
        key, an alias, a collection as a key or past the depth limit) goes through those methods."""
        get_event, stack = self.parser.get_event, self.stack
        entries, values, keys = self.entries, self.document.values, self.document.keys
        first_line = self.first_line
        nulls, number, number_start, booleans = _NULLS, _NUMBER.fullmatch, _NUMBER_START, _BOOL
        while True:
            event = get_event()
            if type(event) is _SCALAR and stack and event.tag is None and event.anchor is None:
                parent = stack[-1]
                container, text = parent.value, event.value
                plain = event.implicit[0]
                if type(container) is dict:
                    key = parent.key
                    if key is None:
                        # A key: plain text that is not null and not "<<", not given before in this mapping.
                        if parent.skip_key or text in container or (plain and (text == "<<" or text in nulls)):
                            self.read_key(parent, event) if not parent.skip_key else self.read_value(parent, event)
                            continue
                        mark = event.start_mark
                        loc = (*parent.loc, text)
                        position = _new_tuple(Position, (mark.line + first_line, mark.column + 1))
                        entries.append((loc, position, True))
                        keys[loc] = position
                        parent.key = text
                        continue
                    loc = (*parent.loc, key)
                else:
                    loc = (*parent.loc, len(container))
                mark = event.start_mark
                position = _new_tuple(Position, (mark.line + first_line, mark.column + 1))
                entries.append((loc, position, False))
                values[loc] = position
                if plain:
                    if text in nulls:
                        text = None
                    elif text in booleans:
                        text = booleans[text]
                    elif text[0] in number_start and number(text):  # not empty: that is null
                        text = Number(text)
                if type(container) is dict:
                    container[key] = text
                    parent.key = None
                else:
                    container.append(text)
                continue
            kind = type(event)
            if (kind is _MAPPING_START or kind is _SEQUENCE_START) and event.tag is None and event.anchor is None and (
                    not stack or type(stack[-1].value) is list or stack[-1].key is not None) and len(stack) < MAX_DEPTH:
                # A list or mapping as a document, a list item or the value under the key just read.
                if stack:
                    parent = stack[-1]
                    loc = (*parent.loc, len(parent.value) if type(parent.value) is list else parent.key)
                else:
                    loc = ()
                mark = event.start_mark
                position = _new_tuple(Position, (mark.line + first_line, mark.column + 1))
                entries.append((loc, position, False))
                values[loc] = position
                stack.append(_Collection(loc, {} if kind is _MAPPING_START else [], None, len(entries), self.aliases))
                continue
            if (kind is _MAPPING_END or kind is _SEQUENCE_END) and stack[-1].anchor is None:
                done = stack.pop()
                self.place(stack[-1] if stack else None, done.value)
                continue
            if isinstance(event, ev.DocumentEndEvent):
                break
            parent = stack[-1] if stack else None
            if isinstance(event, (ev.MappingEndEvent, ev.SequenceEndEvent)):
                self.close(event)
            elif parent is not None and parent.key is None and not parent.skip_key and isinstance(parent.value, dict):
                self.read_key(parent, event)
            else:
                self.read_value(parent, event)
        return self.document

    def next_loc(self, parent: _Collection | None) -> Loc:
        if parent is None:
            return ()
        if isinstance(parent.value, list):
            return (*parent.loc, len(parent.value))
        return (*parent.loc, parent.key or "")

    def place(self, parent: _Collection | None, value: Any) -> None:
        if parent is None:
            self.document.data = value
        elif isinstance(parent.value, list):
            parent.value.append(value)
        else:
            if not parent.skip_key:
                assert parent.key is not None
                parent.value[parent.key] = value
            parent.key, parent.skip_key = None, False

    def read_key(self, parent: _Collection, event: ev.Event) -> None:
        key: Any = None
        if isinstance(event, ev.ScalarEvent):
            if event.tag is None and event.implicit[0] and event.value == "<<":
                self.fail(event, "merge keys (<<) are not supported: write the keys out, or repeat a value with "
                                 "*alias", parent.loc)
                parent.skip_key = True
                return
            reported = len(self.errors)
            key = self.scalar(event, (*parent.loc, event.value))
            key = event.value if isinstance(key, (bool, Number)) else key
            if len(self.errors) > reported:  # a tag, already reported
                parent.skip_key = True
                return
        elif isinstance(event, ev.AliasEvent) and event.anchor in self.anchors:
            key = self.anchors[event.anchor].value
        elif isinstance(event, (ev.MappingStartEvent, ev.SequenceStartEvent)):
            self.skip_collection()
        if not isinstance(key, str):
            self.errors.append(self.document.error(parent.loc, "keys must be plain text"))
            parent.skip_key = True
            return
        key = str(key)
        child = (*parent.loc, key)
        if key in parent.value:
            first = self.document.keys[child]
            position = self.position(event)
            self.errors.append(ContentError(self.path, position.line, position.col, format_loc(child),
                                            f"duplicate key (first given at line {first.line})"))
            parent.skip_key = True
        else:
            self.record(child, self.position(event), key=True)
            parent.key = key

    def skip_collection(self) -> None:
        """Read past the rest of a list or mapping whose start was just read."""
        depth = 1
        while depth:
            event = self.parser.get_event()
            if isinstance(event, (ev.MappingStartEvent, ev.SequenceStartEvent)):
                depth += 1
            elif isinstance(event, (ev.MappingEndEvent, ev.SequenceEndEvent)):
                depth -= 1

    def read_value(self, parent: _Collection | None, event: ev.Event) -> None:
        loc = self.next_loc(parent)
        if isinstance(event, ev.AliasEvent):
            self.place(parent, self.alias(event, loc))
        elif isinstance(event, ev.ScalarEvent):
            self.record(loc, self.position(event))
            value = self.scalar(event, loc)
            if event.anchor:
                self.anchors[event.anchor] = _Anchor(value, loc, range(len(self.entries) - 1, len(self.entries)), 0)
            self.place(parent, value)
        elif isinstance(event, (ev.MappingStartEvent, ev.SequenceStartEvent)):
            self.open(parent, event, loc)

    def open(self, parent: _Collection | None, event: ev.Event, loc: Loc) -> None:
        if len(self.stack) >= MAX_DEPTH:
            self.stop(event, f"nested too deep (limit {MAX_DEPTH} levels of lists and mappings)")
        is_map = isinstance(event, ev.MappingStartEvent)
        if event.tag not in (None, "!", f"{CORE}{'map' if is_map else 'seq'}"):
            self.fail(event, f"tag {shown_tag(event.tag)} is not allowed: write plain YAML (text, numbers, "
                             "true/false, lists and mappings)", loc)
        self.record(loc, self.position(event))
        if event.anchor:
            self.open_anchors.add(event.anchor)
        self.stack.append(_Collection(loc, {} if is_map else [], event.anchor, len(self.entries), self.aliases))

    def close(self, event: ev.Event) -> None:
        done = self.stack.pop()
        if done.anchor:
            entries = range(done.first_entry - 1, len(self.entries))
            self.anchors[done.anchor] = _Anchor(done.value, done.loc, entries, self.aliases - done.aliases_before)
            self.open_anchors.discard(done.anchor)
        self.place(self.stack[-1] if self.stack else None, done.value)

    def alias(self, event: ev.AliasEvent, loc: Loc) -> Any:
        name = event.anchor
        if name in self.open_anchors:
            self.fail(event, f"alias *{name} repeats the value it is part of (recursive aliases are not allowed)", loc)
            self.record(loc, self.position(event))
            return None
        anchor = self.anchors.get(name)
        if anchor is None:
            self.fail(event, f"unknown alias *{name}: no &{name} before it", loc)
            self.record(loc, self.position(event))
            return None
        self.aliases += 1 + anchor.aliases
        if self.aliases > MAX_ALIASES:
            self.stop(event, f"too many aliases (limit {MAX_ALIASES})")
        self.alias_values += len(anchor.entries)
        if self.alias_values > MAX_ALIAS_VALUES:
            self.stop(event, f"aliases repeat too many values (limit {MAX_ALIAS_VALUES})")
        start = len(anchor.loc)
        for index in anchor.entries:
            written, position, key = self.entries[index]
            self.record((*loc, *written[start:]), position, key)
        return anchor.value

    def scalar(self, event: ev.ScalarEvent, loc: Loc) -> Any:
        """A scalar's value by YAML 1.2 core rules; anything not null, true/false or a number is its text."""
        tag, text = event.tag, event.value
        if tag is None and event.implicit[0]:
            if _NULL.fullmatch(text):
                return None
            if text in _BOOL:
                return _BOOL[text]
            return Number(text) if _NUMBER.fullmatch(text) else text
        if tag is None or tag in ("!", f"{CORE}str"):
            return text
        if tag in (f"{CORE}int", f"{CORE}float"):
            return Number(text)
        if tag == f"{CORE}bool" and text in _BOOL:
            return _BOOL[text]
        if tag == f"{CORE}null" and _NULL.fullmatch(text):
            return None
        if tag in ALLOWED_TAGS:
            self.fail(event, f"{shown_tag(tag)} {text!r} is not a valid {tag[len(CORE):]}", loc)
        else:
            self.fail(event, f"tag {shown_tag(tag)} is not allowed: write plain YAML (text, numbers, "
                             "true/false, lists and mappings)", loc)
        return None


def _parser(text: str) -> Any:
    try:
        from yaml.cyaml import CParser as parser_class
    except ImportError:  # PyYAML without libyaml: the same events, parsed in Python
        class parser_class(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):  # type: ignore[no-redef]
            def __init__(self, stream: str):
                yaml.reader.Reader.__init__(self, stream)
                yaml.scanner.Scanner.__init__(self)
                yaml.parser.Parser.__init__(self)
    return parser_class(text)


def _control_character(path: str, text: str, first_line: int) -> ContentError | None:
    found = _NOT_PRINTABLE.search(text)
    if found is None:
        return None
    before = text[: found.start()]
    line = before.count("\n") + first_line
    col = found.start() - (before.rfind("\n") + 1) + 1
    return ContentError(path, line, col, "", f"control character U+{ord(found.group()):04X} is not allowed in YAML: "
                                             "remove it")


_KEY_VALUE = re.compile(r"^(\s*(?:-\s+)?)([^\s:#][^:#]*?):\s+(\S.*?)\s*$")


def _syntax_hint(problem: str, text: str, line: int, col: int) -> tuple[str, int]:
    """The message for a YAML syntax error with how to fix it, and the column to point at."""
    lines = text.split("\n")
    source = lines[line] if 0 <= line < len(lines) else ""
    indent = source[: len(source) - len(source.lstrip(" \t"))]
    if "\t" in indent or source[col:col + 1] == "\t":
        return "YAML does not allow tabs for indentation; use spaces", (indent.find("\t") if "\t" in indent else col) + 1
    if problem.startswith("mapping values are not allowed"):
        written = _KEY_VALUE.match(source)
        if written and written.start(3) <= col and not written.group(3).startswith(("'", '"', "[", "{", "|", ">")):
            value = written.group(3)
            quoted = f'"{value}"' if '"' not in value and "\\" not in value else "'" + value.replace("'", "''") + "'"
            example = f"{written.group(2)}: {quoted}"
        else:
            example = 'title: "注意: 先に確認する"'
        return f"invalid YAML: {problem} (a value containing ': ' must be quoted: {example})", col + 1
    return f"invalid YAML: {problem}", col + 1


def parse_yaml(path: str, text: str, first_line: int = 1) -> tuple[list[SourceDocument], list[ContentError]]:
    """Every document of a YAML stream, or the error that stopped reading it. ``first_line`` is the
    file line the text starts on (for YAML embedded in another file, such as front matter)."""
    control = _control_character(path, text, first_line)
    if control is not None:
        return [], [control]
    documents: list[SourceDocument] = []
    errors: list[ContentError] = []
    parser = _parser(text)
    try:
        parser.get_event()  # stream start
        while not parser.check_event(ev.StreamEndEvent):
            parser.get_event()  # document start
            builder = _Builder(parser, path, first_line, errors)
            document = builder.build()
            if not builder.rejected:
                documents.append(document)
    except _Stop as stop:
        errors.append(stop.error)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        line, col = (mark.line, mark.column) if mark else (0, 0)
        message, column = _syntax_hint(problem, text, line, col)
        errors.append(ContentError(path, line + first_line, column, "", message))
    except yaml.YAMLError as exc:
        errors.append(ContentError(path, first_line, 1, "", f"invalid YAML: {exc}"))
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose:
            dispose()
    return documents, errors
