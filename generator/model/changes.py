"""What changed between two releases' content: a pure diff of two catalogs, in plain sentences.

The sentences use the site's interface words (``render/strings.py``), which the caller passes in, so
this module imports nothing outside ``model``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from generator.model.catalog import Catalog
from generator.model.content import CONTENT_KINDS, Document, Quiz

COMPARED_KINDS = tuple(CONTENT_KINDS)
"""Every content kind, in the order of :data:`CONTENT_KINDS` (the order of the what's-new page)."""
SHORT = 40
"""Values up to this length are shown as ``old → new``; longer ones are only said to have changed."""


@dataclass(frozen=True)
class Change:
    """One document added, removed or changed, with a line per changed field."""

    kind: str
    id: str
    title: str
    status: str  # "added" | "removed" | "changed"
    details: list[str] = field(default_factory=list)
    certification: bool = False
    """An exam quiz: certification keys on it, so a change matters to certificate holders."""


@dataclass(frozen=True)
class ReleaseChanges:
    previous: str | None
    """The release compared against; None for the first release."""
    changes: list[Change]

    def of_status(self, status: str) -> list[Change]:
        return [change for change in self.changes if change.status == status]

    @property
    def exams_changed(self) -> list[Change]:
        return [change for change in self.changes if change.certification and change.status != "added"]


def _label(name: str) -> str:
    return name.replace("_", " ")


_FIELD_WORDS = {"owner": "owner", "lead": "lead", "trigger": "trigger", "goal": "goal", "kpis": "kpis",
                "phase": "phase", "checklist": "checklist", "template": "template", "objectives": "objectives",
                "prerequisites": "prerequisites", "resources": "resources", "talks": "talks", "step": "step",
                "activity": "activity", "segment": "segment", "action": "action", "reward": "reward"}
"""Field names (and list nouns) the pages print under an interface word of ``strings.py``."""

_OWNER_FIELDS = ("owner", "lead")


@dataclass(frozen=True)
class Words:
    """The content's words for field names and values: owner labels with the vendor's name, segment
    names, the site language's interface words."""

    language: str
    vendor: str
    segments: dict[str, str]
    t: dict[str, str]
    """The interface words of the site's language (``render/strings.STRINGS[language]``)."""

    @classmethod
    def of(cls, catalog: Catalog, interface: dict[str, str]) -> "Words":
        config = catalog.config
        return cls(config.language, config.vendor, {segment.id: segment.name for segment in config.segments},
                   interface)

    def label(self, raw: str) -> str:
        text = ""
        for token in raw.split():
            word = self.t[_FIELD_WORDS[token]] if token in _FIELD_WORDS else token
            text += ("" if not text else self.t["sep"] if text[-1].isdigit() else " ") + word
        return text[:1].upper() + text[1:] if self.language == "en" else text

    def value(self, raw: str, value: Any) -> str:
        last = raw.split()[-1] if raw.split() else ""
        if last in _OWNER_FIELDS and f"owner.{value}" in self.t:
            return self.t[f"owner.{value}"].format(vendor=self.vendor)
        if last == "phase" and f"phase.{value}" in self.t:
            return self.t[f"phase.{value}"]
        return _short(value)

    def scope(self, key: str) -> str:
        name = self.segments.get(key, key)
        return f"（{name}）" if self.language == "ja" else f" ({name})"

    def say(self, key: str, label: str = "", **values: Any) -> str:
        """The interface sentence ``change.<key>`` about the field ``label`` (a raw field path)."""
        return self.t[f"change.{key}"].format(label=self.label(label), **values)

    def count(self, number: int, noun: str, verb: str) -> str:
        if self.language == "en":
            noun = noun + ("s" if number != 1 else "")
        else:
            noun = self.label(noun)
        return self.t["change.count"].format(count=number, noun=noun, verb=self.t[f"change.verb.{verb}"])

    def changed(self, raw: str, old: Any, new: Any, scope: str = "") -> str:
        if raw.split()[-1:] == ["minutes"] and len(raw.split()) == 1:
            return self.t["change.minutes"].format(old=old, new=new)
        return f"{self.label(raw)}{scope}{self.t['colon']}{self.value(raw, old)} → {self.value(raw, new)}"


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= SHORT else text[: SHORT - 3] + "..."


def _singular(name: str) -> str:
    return {"activities": "activity", "questions": "question", "choices": "choice", "steps": "step",
            "sections": "section", "segments": "segment", "rewards": "reward", "resources": "resource"}.get(name, name)


def field_changes(old: Any, new: Any, label: str, words: Words) -> list[str]:
    """Sentences describing how ``old`` became ``new`` (models, lists, mappings or plain values), in
    the content's words (``words``: owner labels, segment names, interface words)."""
    if old == new:
        return []
    if isinstance(old, BaseModel) and isinstance(new, BaseModel):
        lines: list[str] = []
        for name in type(new).model_fields:
            if name in ("kind", "id"):
                continue
            sub = f"{label} {_label(name)}".strip()
            lines += field_changes(getattr(old, name), getattr(new, name), sub, words)
        return lines
    if isinstance(old, dict) and isinstance(new, dict):
        lines = []
        for key in [*old, *(key for key in new if key not in old)]:
            if key not in new:
                lines.append(words.say("key_removed", label, scope=words.scope(key)))
            elif key not in old:
                lines.append(words.say("key_added", label, scope=words.scope(key), value=words.value(label, new[key])))
            elif old[key] != new[key]:
                scope = "" if key == "all" else words.scope(key)
                lines.append(words.changed(label, old[key], new[key], scope))
        return lines
    if isinstance(old, list) and isinstance(new, list):
        if all(isinstance(item, BaseModel) and hasattr(item, "id") for item in [*old, *new]) and (old or new):
            return _keyed_list(old, new, label, words)
        if all(isinstance(item, BaseModel) for item in [*old, *new]):
            return _positional_list(old, new, label, words)
        added = [item for item in new if item not in old]
        removed = [item for item in old if item not in new]
        lines = []
        if added:
            lines.append(words.say("list_added", label, items=words.t["list_sep"].join(_short(item) for item in added)))
        if removed:
            lines.append(words.say("list_removed", label, items=words.t["list_sep"].join(_short(item) for item in removed)))
        if not added and not removed:
            lines.append(words.say("new_order", label))
        return lines
    if len(str(old)) <= SHORT and len(str(new)) <= SHORT and "\n" not in f"{old}{new}":
        return [words.changed(label, old, new)]
    if isinstance(new, str) and new.strip():
        return [words.say("changed_to", label, value=_gist(new))]
    return [words.say("changed", label)]


GIST = 300
"""Longer texts are quoted up to this many characters (cut at a word) when said to have changed."""


def _gist(text: str) -> str:
    """``text`` on one line, cut at a word after at most :data:`GIST` characters ("…" when cut)."""
    flat = " ".join(text.split())
    if len(flat) <= GIST:
        return flat
    cut = flat[:GIST].rsplit(" ", 1)[0] if " " in flat[:GIST] else flat[:GIST]
    return cut.rstrip(",;:") + "…"


def _keyed_list(old: list[Any], new: list[Any], label: str, words: Words) -> list[str]:
    noun = _singular(label.split()[-1]) if label else "item"
    old_by_id = {item.id: item for item in old}
    new_by_id = {item.id: item for item in new}
    lines = []
    added = [key for key in new_by_id if key not in old_by_id]
    removed = [key for key in old_by_id if key not in new_by_id]
    if added:
        lines.append(words.count(len(added), noun, "added"))
    if removed:
        lines.append(words.count(len(removed), noun, "removed"))
    changed = [key for key in new_by_id if key in old_by_id and old_by_id[key] != new_by_id[key]]
    if changed:
        lines.append(f"{words.count(len(changed), noun, 'changed')}{words.t['colon']}{words.t['list_sep'].join(changed)}")
    return lines


def _positional_list(old: list[Any], new: list[Any], label: str, words: Words) -> list[str]:
    noun = _singular(label.split()[-1]) if label else "item"
    lines = []
    for index, (before, after) in enumerate(zip(old, new), start=1):
        lines += field_changes(before, after, f"{noun} {index}", words)
    if len(new) > len(old):
        lines.append(words.count(len(new) - len(old), noun, "added"))
    if len(old) > len(new):
        lines.append(words.count(len(old) - len(new), noun, "removed"))
    return lines


def _is_exam(document: Document | None) -> bool:
    return isinstance(document, Quiz) and document.mode == "exam"


def compare_catalogs(previous: Catalog | None, current: Catalog, previous_name: str | None,
                     interface: dict[str, str]) -> ReleaseChanges:
    """Documents added, removed and changed from ``previous`` to ``current`` (all added when there is
    none), described with ``interface``, the interface words of the current site's language."""
    changes: list[Change] = []
    words = Words.of(current, interface)
    for kind in COMPARED_KINDS:
        old = previous.of_kind(kind) if previous else {}
        new = current.of_kind(kind)
        for ident, document in new.items():
            if ident not in old:
                changes.append(Change(kind, ident, document.title, "added", [], _is_exam(document)))
            elif old[ident] != document:
                details = field_changes(old[ident], document, "", words)
                changes.append(Change(kind, ident, document.title, "changed", details,
                                      _is_exam(document) or _is_exam(old[ident])))
        for ident, document in old.items():
            if ident not in new:
                changes.append(Change(kind, ident, document.title, "removed", [], _is_exam(document)))
    return ReleaseChanges(previous_name if previous else None, changes)
