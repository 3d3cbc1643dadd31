"""Procedure triggers and step times as a small language, parsed and evaluated without ``eval``.

A trigger is one of:

- a **condition on customer data**, evaluated every day on every customer by ``partnerkit worklists``::

      trigger    := expression [ "for" INTEGER ("day" | "days") ]
      expression := conjunct { "or" conjunct }
      conjunct   := atom { "and" atom }
      atom       := "(" expression ")" | date-offset | comparison
      date-offset:= COLUMN ("+" | "-") INTEGER "d"          renewal_date - 90d, contract_start + 0d
      comparison := value ("<" | "<=" | ">" | ">=" | "==" | "!=") value
      value      := operand { ("/" | "*") operand }          seats_used / seats
      operand    := COLUMN | NUMBER [ "%" ]                   health_score, 60, 90 %

  A date offset holds from its day (``renewal_date - 90d``: 90 days before the renewal date) until
  the procedure's last step is due; a comparison holds when both sides have values and it is true
  (a customer without a health score is never "below 60"); ``90 %`` is 0.9; ``for 7 days``: the
  condition must have held at every run for 7 days before a case opens. A trigger names at most one
  date (its *anchor*, the date that ``-60d`` steps count from).
- **manual**: ``manual: <text>`` (e.g. ``manual: the customer asks for a business review``): shown on
  the page, never evaluated; nobody's worklist opens a case for it.

A step's ``when:`` says when it is due: ``-60d`` / ``+10d`` (days from the trigger's date, e.g. the
renewal date), ``renewal day`` (that date itself), ``day 7`` / ``day 3–10`` (days after the trigger
day, the end of a range), ``within 48h`` / ``within 2d`` (after the trigger day, hours rounded up to
days), ``weekly`` (first due a week after the trigger day); in Japanese ``90日前``, ``30日後``, ``7日目``,
``更新日``. Any other text is allowed: that step has no due date.

Everything here is pure: the loader reports the :class:`TriggerError` offsets as located content
errors, the worklists command evaluates the parsed trees."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, Union

ColumnType = Literal["date", "number"]

MANUAL_PREFIX = "manual:"
"""What starts a trigger that is not evaluated on customer data."""

BASE_COLUMNS: dict[str, ColumnType] = {
    "renewal_date": "date",
    "contract_start": "date",
    "health_score": "number",
    "seats": "number",
    "seats_used": "number",
    "seat_usage": "number",
}
"""Customer fields a trigger may name without declaring them (``seat_usage`` is ``seats_used / seats``)."""

COMPARISONS = ("<=", ">=", "==", "!=", "<", ">")


class TriggerError(ValueError):
    """A problem at character ``offset`` (0-based) of the trigger or ``when:`` text."""

    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset, self.message = offset, message


@dataclass(frozen=True)
class Column:
    name: str
    offset: int


@dataclass(frozen=True)
class Literal_:
    value: float


@dataclass(frozen=True)
class Arithmetic:
    op: str
    left: "Value"
    right: "Value"


Value = Union[Column, Literal_, Arithmetic]


@dataclass(frozen=True)
class DateOffset:
    column: Column
    days: int


@dataclass(frozen=True)
class Compare:
    op: str
    left: Value
    right: Value


@dataclass(frozen=True)
class All:
    items: tuple["Expression", ...]


@dataclass(frozen=True)
class Any_:
    items: tuple["Expression", ...]


Expression = Union[DateOffset, Compare, All, Any_]


@dataclass(frozen=True)
class Condition:
    """An evaluable trigger."""

    expression: Expression
    for_days: int = 0
    """Days the expression must have held before a case opens (``for 7 days``); 0: at once."""

    @property
    def anchor(self) -> DateOffset | None:
        """The trigger's one date offset, if it has one."""
        found = list(_date_offsets(self.expression))
        return found[0] if found else None


@dataclass(frozen=True)
class Manual:
    """A trigger a person recognises; never evaluated."""

    text: str


Trigger = Union[Condition, Manual]

_TOKEN = re.compile(r"\s*(?:(?P<days>\d+d)\b|(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
                    r"|(?P<op><=|>=|==|!=|[<>()/*+%-]))")


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    offset: int


def _tokens(text: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            start = len(text) - len(text[position:].lstrip())
            raise TriggerError(start, f"unexpected '{text[start]}'")
        kind = match.lastgroup or ""
        tokens.append(_Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    tokens.append(_Token("end", "", len(text.rstrip())))
    return tokens


class _Parser:
    """Recursive descent over the grammar in the module docstring, one function per rule."""

    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.index = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.token
        self.index += 1
        return token

    def word(self, *words: str) -> bool:
        return self.token.kind == "name" and self.token.text.lower() in words

    def trigger(self) -> Condition:
        expression = self.expression()
        for_days = 0
        if self.word("for"):
            self.take()
            count = self.take()
            if count.kind != "number" or not count.text.isdigit():
                raise TriggerError(count.offset, "expected a number of days after 'for', e.g. 'for 7 days'")
            if not self.word("day", "days"):
                raise TriggerError(self.token.offset, "expected 'days' after the number, e.g. 'for 7 days'")
            self.take()
            for_days = int(count.text)
        if self.token.kind != "end":
            raise TriggerError(self.token.offset, f"unexpected '{self.token.text}': expected 'and', 'or' or the end")
        return Condition(expression, for_days)

    def expression(self) -> Expression:
        items = [self.conjunct()]
        while self.word("or"):
            self.take()
            items.append(self.conjunct())
        return items[0] if len(items) == 1 else Any_(tuple(items))

    def conjunct(self) -> Expression:
        items = [self.atom()]
        while self.word("and"):
            self.take()
            items.append(self.atom())
        return items[0] if len(items) == 1 else All(tuple(items))

    def atom(self) -> Expression:
        token = self.token
        if token.text == "(":
            self.take()
            inner = self.expression()
            if self.token.text != ")":
                raise TriggerError(self.token.offset, f"expected ')' to close the '(' at character {token.offset + 1}")
            self.take()
            return inner
        if token.kind == "name" and self.tokens[self.index + 1].text in ("+", "-"):
            after = self.tokens[self.index + 2]
            if after.kind == "days":
                self.index += 3
                sign = -1 if self.tokens[self.index - 2].text == "-" else 1
                return DateOffset(Column(token.text, token.offset), sign * int(after.text[:-1]))
            if after.kind == "number":
                raise TriggerError(after.offset, f"write days with a 'd', e.g. '{after.text}d'")
        left = self.value()
        if self.token.kind != "op" or self.token.text not in COMPARISONS:
            found = f"'{self.token.text}'" if self.token.kind != "end" else "the end"
            raise TriggerError(self.token.offset, f"expected a comparison (<, <=, >, >=, ==, !=) or a date offset"
                                                  f" such as 'renewal_date - 90d', got {found}")
        op = self.take().text
        return Compare(op, left, self.value())

    def value(self) -> Value:
        left = self.operand()
        while self.token.text in ("/", "*"):
            op = self.take().text
            left = Arithmetic(op, left, self.operand())
        return left

    def operand(self) -> Value:
        token = self.take()
        if token.kind == "number":
            number = float(token.text)
            if self.token.text == "%":
                self.take()
                number /= 100
            return Literal_(number)
        if token.kind == "name" and token.text.lower() not in ("and", "or", "for"):
            return Column(token.text, token.offset)
        if token.kind == "days":
            raise TriggerError(token.offset, f"'{token.text}' is a number of days: it follows a date column, e.g. 'renewal_date - {token.text}'")
        found = f"'{token.text}'" if token.kind != "end" else "the end"
        raise TriggerError(token.offset, f"expected a column name or a number, got {found}")


def parse_trigger(text: str) -> Trigger:
    """The parsed trigger; raises :class:`TriggerError` (with the character offset) if it is not one."""
    if text.strip().lower().startswith(MANUAL_PREFIX):
        described = text.strip()[len(MANUAL_PREFIX):].strip()
        if not described:
            raise TriggerError(len(text.rstrip()), "say after 'manual:' what starts the procedure")
        return Manual(described)
    if not text.strip():
        raise TriggerError(0, "empty trigger")
    try:
        return _Parser(text).trigger()
    except TriggerError as error:
        raise TriggerError(error.offset, f"{error.message} (a trigger that is not a condition on customer data"
                                         f" is written 'manual: <what starts it>')") from None


def _date_offsets(expression: Expression):
    if isinstance(expression, DateOffset):
        yield expression
    elif isinstance(expression, (All, Any_)):
        for item in expression.items:
            yield from _date_offsets(item)


def _columns(value: Value):
    if isinstance(value, Column):
        yield value
    elif isinstance(value, Arithmetic):
        yield from _columns(value.left)
        yield from _columns(value.right)


def _comparisons(expression: Expression):
    if isinstance(expression, Compare):
        yield expression
    elif isinstance(expression, (All, Any_)):
        for item in expression.items:
            yield from _comparisons(item)


def column_problems(trigger: Condition, columns: dict[str, ColumnType]) -> list[tuple[Column, str]]:
    """Columns the trigger names that customers do not have, or of the wrong type; more than one date."""
    from difflib import get_close_matches

    problems: list[tuple[Column, str]] = []

    def known(column: Column, wanted: ColumnType) -> None:
        if column.name not in columns:
            close = get_close_matches(column.name, list(columns), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append((column, f"unknown column '{column.name}'{hint}; declare other columns under"
                                     f" customers.extra in site_config.yml"))
        elif columns[column.name] != wanted:
            problems.append((column, f"'{column.name}' is a {columns[column.name]} column: "
                                     + ("compare numbers, or write a date offset such as 'renewal_date - 90d'"
                                        if wanted == "number" else "a date offset needs a date column")))

    offsets = list(_date_offsets(trigger.expression))
    for offset in offsets:
        known(offset.column, "date")
    for extra in offsets[1:]:
        problems.append((extra.column, f"a trigger names at most one date; '{offsets[0].column.name}' is named already"))
    for comparison in _comparisons(trigger.expression):
        for side in (comparison.left, comparison.right):
            for column in _columns(side):
                known(column, "number")
    return problems


# Evaluation

CustomerValues = dict[str, Union[date, float, None]]


def _number(value: Value, values: CustomerValues) -> float | None:
    if isinstance(value, Literal_):
        return value.value
    if isinstance(value, Column):
        found = values.get(value.name)
        return found if isinstance(found, (int, float)) and not isinstance(found, bool) else None
    left, right = _number(value.left, values), _number(value.right, values)
    if left is None or right is None:
        return None
    if value.op == "/":
        return None if right == 0 else left / right
    return left * right


_COMPARE = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "==": lambda a, b: math.isclose(a, b), "!=": lambda a, b: not math.isclose(a, b),
}


def trigger_day(offset: DateOffset, values: CustomerValues) -> date | None:
    """The day a date offset names for one customer (None without that date)."""
    anchor = values.get(offset.column.name)
    return anchor + timedelta(days=offset.days) if isinstance(anchor, date) else None


def holds(expression: Expression, values: CustomerValues, today: date, horizon_days: int) -> bool:
    """Whether the expression holds for a customer on ``today``; a date offset holds from its day for
    ``horizon_days`` more days (until the procedure's last step is due)."""
    if isinstance(expression, DateOffset):
        day = trigger_day(expression, values)
        return day is not None and day <= today <= day + timedelta(days=horizon_days)
    if isinstance(expression, Compare):
        left, right = _number(expression.left, values), _number(expression.right, values)
        return left is not None and right is not None and _COMPARE[expression.op](left, right)
    if isinstance(expression, All):
        return all(holds(item, values, today, horizon_days) for item in expression.items)
    return any(holds(item, values, today, horizon_days) for item in expression.items)


# Step times

@dataclass(frozen=True)
class When:
    """When a step is due: ``days`` after the trigger's date (``from_anchor``) or after the trigger day."""

    days: int
    from_anchor: bool


_WHEN = [
    (re.compile(r"([+-]\d+)\s*d(?:ays?)?", re.I), lambda m: When(int(m[1]), True)),
    (re.compile(r"renewal day|anchor day|on the day", re.I), lambda m: When(0, True)),
    (re.compile(r"day\s+(\d+)(?:\s*[-–]\s*(\d+))?", re.I), lambda m: When(int(m[2] or m[1]), False)),
    (re.compile(r"within\s+(\d+)\s*h(?:ours?)?", re.I), lambda m: When(math.ceil(int(m[1]) / 24), False)),
    (re.compile(r"within\s+(\d+)\s*d(?:ays?)?", re.I), lambda m: When(int(m[1]), False)),
    (re.compile(r"weekly", re.I), lambda m: When(7, False)),
    (re.compile(r"(\d+)\s*日前"), lambda m: When(-int(m[1]), True)),
    (re.compile(r"(\d+)\s*日後"), lambda m: When(int(m[1]), True)),
    (re.compile(r"(\d+)\s*日目"), lambda m: When(int(m[1]), False)),
    (re.compile(r"更新日"), lambda m: When(0, True)),
]


def parse_when(text: str) -> When:
    """A step's ``when:``; raises :class:`TriggerError` for a time not written in a known way."""
    for pattern, make in _WHEN:
        match = pattern.fullmatch(text.strip())
        if match:
            return make(match)
    raise TriggerError(0, f"'{text}' is not a step time: write -60d, +10d, renewal day, day 7, day 3–10,"
                          " within 48h or weekly")


def step_when(text: str) -> When | None:
    """A step's ``when:``, or None when it is not a time partnerkit can compute (the step is undated)."""
    try:
        return parse_when(text)
    except TriggerError:
        return None


def due_offset(when: When, trigger: Condition) -> int:
    """Days from the trigger day to the step's due day."""
    anchor = trigger.anchor
    if when.from_anchor:
        return when.days - (anchor.days if anchor else 0)
    return when.days


def horizon(whens: list[When], trigger: Condition) -> int:
    """Days from the trigger day to the last step's due day (at least 0)."""
    return max([0, *(due_offset(when, trigger) for when in whens)])
