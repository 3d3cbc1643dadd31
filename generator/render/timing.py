"""Procedure triggers and step offsets in words: ``renewal_date - 90d`` → "90 days before renewal",
a step's ``-60d`` → "60 days before renewal", ``day 0`` → "day 0 of onboarding" (and in Japanese).

Pure functions of the content's strings and the site language; what they do not recognise is
returned unchanged (it is already words, e.g. "weekly" or 「90日前」)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DATE_RULE = re.compile(r"^\s*([a-z][a-z0-9_]*?)(?:_date)\s*(?:([+-])\s*(\d+)\s*d)?\s*$")
_FIELD_OFFSET = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*([+-])\s*(\d+)\s*d\s*$")
_MANUAL = re.compile(r"^\s*manual\s*:\s*(.+?)\s*$", re.I | re.S)
_METRIC_RULE = re.compile(
    r"^\s*([a-z][a-z0-9_]*)\s*(<=|>=|<|>|==)\s*(\d+(?:\.\d+)?)\s*(%?)\s*(?:for\s+(\d+)\s+days?)?\s*$")
_EVENT_DAY = re.compile(r"^\s*([^\d()]+?)\s+day\s+0\b", re.I)
_OFFSET = re.compile(r"^\s*([+-]?)\s*(\d+)\s*d\s*$")
_DAY = re.compile(r"^\s*day\s+(\d+)(?:\s*[–-]\s*(\d+))?\s*$", re.I)
_WITHIN = re.compile(r"^\s*within\s+(\d+)\s*(h|d)\s*$", re.I)

EVENT_NAMES = {
    "en": {"contract_start": "the contract start", "contract_end": "the contract end"},
    "ja": {"renewal": "更新日", "contract": "契約日", "contract_end": "契約終了日", "contract_start": "契約開始日", "start": "開始日",
           "go_live": "本稼働日", "onboarding": "オンボーディング", "kickoff": "キックオフ"},
}
"""Names of date fields and events where they differ from the field's name; others are shown as written
(spaces for ``_``)."""

METRIC_NAMES = {
    "ja": {"health_score": "ヘルススコア", "seat_usage": "シート利用率", "nps": "NPS", "usage": "利用率"},
}
"""Japanese names of metrics in trigger rules; other names are shown as written."""

_COMPARE = {
    "en": {"<": "below", "<=": "at or below", ">": "above", ">=": "at or above", "==": "at"},
    "ja": {"<": "未満", "<=": "以下", ">": "を超える", ">=": "以上", "==": "と等しい"},
}


@dataclass(frozen=True)
class Trigger:
    """A procedure trigger read as words."""

    words: str
    """What a person reads, e.g. "90 days before renewal"."""
    rule: str | None
    """The expression as written, shown as a detail; None when the trigger was already words."""
    event: str | None
    """The date field or event steps count from (``renewal``, ``onboarding``); None when unknown."""
    dated: bool = False
    """Steps' ``-60d`` offsets count from the event's date (a ``*_date`` rule)."""
    on_the_day: bool = False
    """The trigger is the event's day itself (``contract_start + 0d``): steps' ``day N`` count from it."""

    def _replace_rule(self) -> "Trigger":
        """The same words with no rule to show (a ``manual:`` trigger is words already)."""
        return Trigger(self.words, None, self.event, self.dated, self.on_the_day)


def _name(ident: str, language: str, table: dict[str, dict[str, str]]) -> str:
    return table.get(language, {}).get(ident, ident.replace("_", " "))


def _days(number: int, language: str) -> str:
    if language == "ja":
        return f"{number}日"
    return f"{number} day" if number == 1 else f"{number} days"


def _relative(event: str, sign: str, number: int, language: str) -> str:
    name = _name(event, language, EVENT_NAMES)
    if number == 0:
        return f"{name}当日" if language == "ja" else f"on {name} day"
    if language == "ja":
        return f"{name}の{number}日{'前' if sign == '-' else '後'}"
    return f"{_days(number, language)} {'before' if sign == '-' else 'after'} {name}"


def describe_trigger(trigger: str, language: str) -> Trigger:
    """``trigger`` in words, with the rule it was written as."""
    found = _DATE_RULE.match(trigger) or _FIELD_OFFSET.match(trigger)
    if found:
        event, sign, number = found.group(1), found.group(2) or "-", int(found.group(3) or 0)
        return Trigger(_relative(event, sign, number, language), trigger.strip(), event, dated=True, on_the_day=number == 0)
    found = _MANUAL.match(trigger)
    if found:  # a trigger a person recognises: its words, without the marker
        return describe_trigger(found.group(1), language)._replace_rule()
    found = _METRIC_RULE.match(trigger)
    if found:
        metric, op, value, percent, days = found.groups()
        name = _name(metric, language, METRIC_NAMES)
        amount = f"{value} %" if percent else value
        compare = _COMPARE[language][op]
        if language == "ja":
            words = f"{name}が{amount}{compare}"
            joint = "" if compare.endswith(("る", "い")) else "の"
            words += f"{joint}状態が{days}日間続いたとき" if days else "とき"
        else:
            words = f"{name} {compare} {amount}" + (f" for {_days(int(days), language)}" if days else "")
        return Trigger(words, trigger.strip(), None)
    found = _EVENT_DAY.match(trigger)
    return Trigger(trigger, None, found.group(1).strip().lower().replace(" ", "_") if found else None)


def describe_when(when: str, trigger: Trigger, language: str) -> str:
    """A step's ``when`` in words, counted from what ``trigger`` names."""
    found = _OFFSET.match(when)
    if found and trigger.dated and trigger.event:
        return _relative(trigger.event, found.group(1) or "+", int(found.group(2)), language)
    if found:
        number, before = int(found.group(2)), found.group(1) == "-"
        if language == "ja":
            return f"トリガーの{number}日{'前' if before else '後'}"
        return f"{_days(number, language)} {'before' if before else 'after'} the trigger"
    if trigger.event and when.strip().lower() == f"{trigger.event.replace('_', ' ')} day":
        return _relative(trigger.event, "-", 0, language)
    found = _DAY.match(when)
    if found:
        first, last = found.group(1), found.group(2)
        days = f"{first}–{last}" if last else first
        if trigger.on_the_day and trigger.event:  # the trigger day is the event's day
            if not last and int(first) == 0:
                return _relative(trigger.event, "+", 0, language)
            name = _name(trigger.event, language, EVENT_NAMES)
            return f"{name}から{days}日目" if language == "ja" else f"day{'s' if last else ''} {days} after {name}"
        if not last and int(first) == 0 and not (trigger.event and not trigger.dated):
            return "トリガー当日" if language == "ja" else "on the day of the trigger"
        if trigger.event and not trigger.dated:
            name = _name(trigger.event, language, EVENT_NAMES)
            return f"{name}の{days}日目" if language == "ja" else f"day{'s' if last else ''} {days} of {name}"
        return f"トリガーから{days}日目" if language == "ja" else f"day{'s' if last else ''} {days} after the trigger"
    found = _WITHIN.match(when)
    if found:
        number, unit = int(found.group(1)), found.group(2).lower()
        if language == "ja":
            return f"{number}{'時間' if unit == 'h' else '日'}以内"
        noun = ("hour" if unit == "h" else "day") + ("" if number == 1 else "s")
        return f"within {number} {noun}"
    if language == "ja" and when.strip().lower() == "weekly":
        return "毎週"
    return when
