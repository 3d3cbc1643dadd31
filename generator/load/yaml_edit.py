"""Rewriting one top-level key of a YAML file a person also edits, leaving every other line alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from generator.load.yaml_source import parse_yaml


class _IndentedDumper(yaml.SafeDumper):
    """Indents list items under their key, as people write YAML by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_IndentedDumper, sort_keys=False, allow_unicode=True, default_flow_style=False)


def replace_top_level(path: Path, key: str, value: Any, comment: str | None = None) -> None:
    """Set ``key`` to ``value`` in the YAML file at ``path`` (created if missing): the key's block is
    replaced in place, or appended; comments and other keys keep their text."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = (f"# {comment}\n" if comment else "") + dump_yaml({key: value})
    lines = text.splitlines(keepends=True)
    documents, _ = parse_yaml(path.name, text)
    keys = documents[0].keys if documents else {}
    start = keys.get((key,))
    if start is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        path.write_text("".join(lines) + block, encoding="utf-8")
        return
    first = start.line - 1
    if comment and first > 0 and lines[first - 1] == f"# {comment}\n":
        first -= 1  # our own comment above the key goes with it
    following = sorted(position.line for loc, position in keys.items() if len(loc) == 1 and position.line > start.line)
    end = following[0] - 1 if following else len(lines)
    while end > start.line and lines[end - 1].lstrip().startswith("#"):
        end -= 1  # a comment right above the next key belongs to that key
    path.write_text("".join(lines[:first]) + block + "".join(lines[end:]), encoding="utf-8")
