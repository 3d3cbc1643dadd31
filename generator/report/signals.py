"""Deal signals: a rep's reading of deal-stage pages and resources that suggests a customer is in front
of them. Pure functions: readings (views and downloads from the store), the content index's stages and
sales in, the signals of one day out. ``generator.commands.signals`` records them once in the store.

Each rule needs reading of its stages on the day evaluated; what else it needs depends on ``when``:
``burst`` (``pages`` different pages or resources within ``days`` days), ``return`` (the rep's previous
reading of its stages was ``away_days`` or more days before) or ``no-sales`` (no sales this quarter)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from generator.events import ContentIndex
from generator.store.signals import RaisedRow, Reading
from generator.model.config import SignalRule

RETURN_LOOKBACK_DAYS = 365
"""How far back ``return`` rules look for the earlier reading the rep came back from."""


@dataclass(frozen=True)
class ReadItem:
    """A page or resource a rep read, on the last day they read it."""

    day: str
    title: str
    stage: str


@dataclass(frozen=True)
class Signal:
    rule: str
    partner: str
    rep: str
    day: str
    """The day evaluated: the rep's reading that day raised it."""
    read: tuple[ReadItem, ...]
    """What was read, oldest first."""
    away_since: str = ""
    """``return`` rules: the last day the rep had read the rule's stages before coming back."""

    def evidence(self) -> str:
        return json.dumps({"read": [[item.day, item.title, item.stage] for item in self.read], "away_since": self.away_since},
                          ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_row(cls, row: RaisedRow) -> "Signal":
        data = json.loads(row.evidence)
        return cls(row.rule, row.partner, row.rep, row.day, tuple(ReadItem(*item) for item in data["read"]), data["away_since"])

    def row(self, quiet_days: int) -> RaisedRow:
        ends = (date.fromisoformat(self.day) + timedelta(days=quiet_days - 1)).isoformat()
        return RaisedRow(self.rule, self.partner, self.rep, self.day, ends, self.evidence())


def lookback_days(rules: list[SignalRule]) -> int:
    """Days of reading before the evaluated day the rules need."""
    return max([rule.days for rule in rules] + [RETURN_LOOKBACK_DAYS for rule in rules if rule.when == "return"] + [1])


def _item(reading: Reading, index: ContentIndex) -> tuple[str, str, list[str]] | None:
    """(key, title, stages) of what a reading opened, or None when it serves no deal stage."""
    if reading.type == "download":
        resource = index.resources.get(reading.content, {}).get(reading.target)
        if resource is None or not resource.stage:
            return None
        return f"{reading.content}#{reading.target}", resource.title, [resource.stage]
    stages = index.stages.get(reading.content, [])
    return (reading.content, index.titles.get(reading.content, reading.content), stages) if stages else None


def quarter_months(day: date) -> list[str]:
    """``YYYY-MM`` of the quarter's months up to ``day``'s."""
    first = (day.month - 1) // 3 * 3 + 1
    return [f"{day.year}-{month:02d}" for month in range(first, day.month + 1)]


def evaluate(rules: list[SignalRule], readings: list[Reading], index: ContentIndex, day: date,
             sales: dict[tuple[str, str], float] | None) -> list[Signal]:
    """The signals the rules raise for ``day`` from ``readings`` (up to that day), in a fixed order
    (rep, then rule). ``sales`` by (rep, month), or None when sales are not known (``no-sales`` rules
    are then skipped). Quiet windows are the caller's: see :func:`store_signals.raise_once`."""
    today = day.isoformat()
    by_rep: dict[tuple[str, str], list[tuple[str, str, str, str]]] = defaultdict(list)  # (day, key, title, stage)
    for reading in readings:
        if reading.day > today:
            continue
        item = _item(reading, index)
        if item is not None:
            for stage in item[2]:
                by_rep[(reading.partner, reading.rep)].append((reading.day, item[0], item[1], stage))
    found: list[Signal] = []
    for (partner, rep), items in sorted(by_rep.items()):
        for rule in rules:
            watched = [item for item in items if not rule.stages or item[3] in rule.stages]
            if not any(item[0] == today for item in watched):
                continue
            signal = _apply(rule, watched, day, partner, rep, sales)
            if signal is not None:
                found.append(signal)
    return found


def _latest(items: list[tuple[str, str, str, str]]) -> tuple[ReadItem, ...]:
    """Each page or resource once, on the last day it was read, oldest first."""
    last: dict[str, ReadItem] = {}
    for when, key, title, stage in sorted(items):
        last[key] = ReadItem(when, title, stage)
    return tuple(sorted(last.values(), key=lambda item: (item.day, item.title)))


def _apply(rule: SignalRule, items: list[tuple[str, str, str, str]], day: date, partner: str, rep: str,
           sales: dict[tuple[str, str], float] | None) -> Signal | None:
    today = day.isoformat()
    if rule.when == "burst":
        since = (day - timedelta(days=rule.days - 1)).isoformat()
        recent = _latest([item for item in items if since <= item[0] <= today])
        return Signal(rule.id, partner, rep, today, recent) if len(recent) >= rule.pages else None
    read_today = _latest([item for item in items if item[0] == today])
    if rule.when == "return":
        before = [item[0] for item in items if item[0] < today]
        if not before:
            return None
        away_since = max(before)
        if (day - date.fromisoformat(away_since)).days < rule.away_days:
            return None
        return Signal(rule.id, partner, rep, today, read_today, away_since)
    if sales is None:
        return None
    if any(sales.get((rep, month), 0) > 0 for month in quarter_months(day)):
        return None
    return Signal(rule.id, partner, rep, today, read_today)
