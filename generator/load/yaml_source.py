"""YAML documents that remember where each value came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from generator.errors import ContentError

Loc = tuple[str | int, ...]
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
KEEP_AS_WRITTEN = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:float"}
"""Scalars kept as their source text; fields that want numbers still parse them."""


@dataclass(frozen=True)
class Position:
    line: int
    col: int


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


def _position(node: yaml.Node, first_line: int = 1) -> Position:
    return Position(node.start_mark.line + first_line, node.start_mark.column + 1)


class _Builder:
    """Turns a composed node tree into plain data, recording positions and duplicate keys."""

    def __init__(self, loader: Any, document: SourceDocument, errors: list[ContentError], first_line: int):
        self.loader = loader
        self.document = document
        self.errors = errors
        self.first_line = first_line

    def position(self, node: yaml.Node) -> Position:
        return _position(node, self.first_line)

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.document.values[loc] = self.position(node)
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node, deep=True)
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    self.errors.append(self.document.error(loc, "keys must be plain text", key=False))
                    continue
                key = str(key) if not isinstance(key, str) else key
                child = (*loc, key)
                if key in result:
                    first = self.document.keys[child]
                    position = self.position(key_node)
                    self.errors.append(ContentError(
                        self.document.path, position.line, position.col, format_loc(child),
                        f"duplicate key (first given at line {first.line})",
                    ))
                    continue
                self.document.keys[child] = self.position(key_node)
                result[key] = self.build(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, index)) for index, item in enumerate(node.value)]
        if node.tag in KEEP_AS_WRITTEN:
            return node.value  # 2027-01-15 and version 2.10 stay as written, not a date or 2.1
        return self.loader.construct_object(node, deep=True)


def parse_yaml(path: str, text: str, first_line: int = 1) -> tuple[list[SourceDocument], list[ContentError]]:
    """Every document of a YAML stream, or the syntax error that stopped reading it. ``first_line`` is
    the file line the text starts on (for YAML embedded in another file, such as front matter)."""
    documents: list[SourceDocument] = []
    errors: list[ContentError] = []
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            document = SourceDocument(path, None)
            document.data = _Builder(loader, document, errors, first_line).build(node, ())
            documents.append(document)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        line, col = (mark.line + first_line, mark.column + 1) if mark else (first_line, 1)
        errors.append(ContentError(path, line, col, "", f"invalid YAML: {problem}"))
    finally:
        loader.dispose()
    return documents, errors
