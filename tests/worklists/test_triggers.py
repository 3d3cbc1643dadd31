"""The trigger language: known answers for parsing, evaluation and step times; located errors from check."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from generator.model.triggers import (
    All, Any_, Column, Compare, Condition, DateOffset, Literal_, Arithmetic, Manual, TriggerError, When, due_offset,
    holds, horizon, parse_trigger, parse_when, step_when,
)

EXAMPLE = Path(__file__).resolve().parents[2]
PARTNERKIT = str(Path(sys.executable).parent / "partnerkit")
"""The installed command, beside the Python running the tests (whatever the environment is called)."""


def test_the_examples_triggers_parse_to_what_they_say() -> None:
    assert parse_trigger("renewal_date - 90d") == Condition(DateOffset(Column("renewal_date", 0), -90))
    assert parse_trigger("contract_start + 0d") == Condition(DateOffset(Column("contract_start", 0), 0))
    assert parse_trigger("health_score < 60 for 7 days") == Condition(
        Compare("<", Column("health_score", 0), Literal_(60.0)), for_days=7)
    assert parse_trigger("seat_usage > 90 % for 14 days") == Condition(
        Compare(">", Column("seat_usage", 0), Literal_(0.9)), for_days=14)


def test_ratios_and_or_and_parentheses_bind_as_written() -> None:
    assert parse_trigger("seats_used / seats >= 0.9") == Condition(
        Compare(">=", Arithmetic("/", Column("seats_used", 0), Column("seats", 13)), Literal_(0.9)))
    parsed = parse_trigger("health_score < 40 or renewal_date - 30d and (seats < 10 or seat_usage > 95%)")
    assert isinstance(parsed.expression, Any_)
    first, second = parsed.expression.items
    assert first == Compare("<", Column("health_score", 0), Literal_(40.0))
    assert isinstance(second, All) and isinstance(second.items[1], Any_)
    assert parsed.anchor == DateOffset(Column("renewal_date", 21), -30)


def test_manual_triggers_are_text() -> None:
    assert parse_trigger("manual: the customer asks for a business review") == Manual("the customer asks for a business review")


@pytest.mark.parametrize("text, offset, message", [
    ("health_score <", 14, "expected a column name or a number, got the end"),
    ("health_score 60", 13, "expected a comparison (<, <=, >, >=, ==, !=) or a date offset such as 'renewal_date - 90d', got '60'"),
    ("renewal_date - 90", 15, "write days with a 'd', e.g. '90d'"),
    ("(health_score < 60", 18, "expected ')' to close the '(' at character 1"),
    ("health_score < 60 soon", 18, "unexpected 'soon': expected 'and', 'or' or the end"),
    ("health_score < 60 for a week", 22, "expected a number of days after 'for', e.g. 'for 7 days'"),
    ("health_score < $60", 15, "unexpected '$'"),
    ("onboarding day 0 (contract signed)", 11,
     "expected a comparison (<, <=, >, >=, ==, !=) or a date offset such as 'renewal_date - 90d', got 'day'"),
])
def test_what_is_not_a_trigger_is_refused_at_its_character(text: str, offset: int, message: str) -> None:
    with pytest.raises(TriggerError) as raised:
        parse_trigger(text)
    assert raised.value.offset == offset
    assert raised.value.message == message + " (a trigger that is not a condition on customer data is written 'manual: <what starts it>')"


def test_nothing_is_evaluated_as_python() -> None:
    for text in ("__import__('os').system('id') < 1", "health_score < 60; import os", "health_score.__class__ < 1"):
        with pytest.raises(TriggerError):
            parse_trigger(text)


def test_a_date_offset_holds_from_its_day_until_the_last_step() -> None:
    trigger = parse_trigger("renewal_date - 90d")
    renewal = {"renewal_date": date(2027, 3, 1)}
    assert [holds(trigger.expression, renewal, day, 90) for day in
            (date(2026, 11, 30), date(2026, 12, 1), date(2027, 3, 1), date(2027, 3, 2))] == [False, True, True, False]
    assert not holds(trigger.expression, {"renewal_date": None}, date(2026, 12, 1), 90)


def test_comparisons_need_values_and_ratios_guard_against_zero() -> None:
    ratio = parse_trigger("seats_used / seats >= 0.9").expression
    assert holds(ratio, {"seats_used": 91.0, "seats": 100.0}, date.today(), 0)
    assert not holds(ratio, {"seats_used": 89.0, "seats": 100.0}, date.today(), 0)
    assert not holds(ratio, {"seats_used": 5.0, "seats": 0.0}, date.today(), 0)
    assert not holds(parse_trigger("health_score < 60").expression, {"health_score": None}, date.today(), 0)
    assert holds(parse_trigger("health_score == 60").expression, {"health_score": 60.0}, date.today(), 0)


@pytest.mark.parametrize("text, when", [
    ("-90d", When(-90, True)), ("+10d", When(10, True)), ("renewal day", When(0, True)), ("day 0", When(0, False)),
    ("day 1–3", When(3, False)), ("day 3-10", When(10, False)), ("within 48h", When(2, False)),
    ("within 49h", When(3, False)), ("within 2d", When(2, False)), ("weekly", When(7, False)),
    ("90日前", When(-90, True)), ("7日目", When(7, False)),
])
def test_step_times(text: str, when: When) -> None:
    assert parse_when(text) == when


def test_other_step_times_are_undated() -> None:
    assert step_when("at the next business review") is None
    assert step_when("9:30") is None


def test_due_offsets_count_from_the_trigger_day() -> None:
    renewal = parse_trigger("renewal_date - 90d")
    whens = [parse_when(text) for text in ("-90d", "-60d", "-30d", "renewal day")]
    assert [due_offset(when, renewal) for when in whens] == [0, 30, 60, 90]
    assert horizon(whens, renewal) == 90
    assert horizon([parse_when("within 48h")], parse_trigger("health_score < 60")) == 2


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(EXAMPLE / "content", project / "content")
    shutil.copy(EXAMPLE / "site_config.yml", project / "site_config.yml")
    return project


def test_check_reports_a_misspelt_column_at_its_character(tmp_path: Path) -> None:
    project = _project(tmp_path)
    path = project / "content/procedures/at-risk-health.yml"
    path.write_text(path.read_text().replace("trigger: health_score < 60 for 7 days", "trigger: helth_score < 60 or seats_usd / seats > 1"))
    step = project / "content/procedures/expansion-seat-usage.yml"
    step.write_text(step.read_text().replace("when: day 3\n", "when: -3d\n"))
    result = subprocess.run([PARTNERKIT, "check", "-p", str(project)], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "content/procedures/at-risk-health.yml:6:10: trigger: unknown column 'helth_score' (did you mean 'health_score'?);"
        " declare other columns under customers.extra in site_config.yml",
        "content/procedures/at-risk-health.yml:6:30: trigger: unknown column 'seats_usd' (did you mean 'seats_used'?);"
        " declare other columns under customers.extra in site_config.yml",
        "content/procedures/expansion-seat-usage.yml:20:11: steps[1].when: '-3d' counts from the trigger's date, and the"
        " trigger names none: write 'day N' (days after the trigger day)",
        "Aborted with 3 errors",
    ]


def test_free_text_is_refused_unless_marked_manual_and_extra_columns_can_be_declared(tmp_path: Path) -> None:
    project = _project(tmp_path)
    path = project / "content/procedures/new-customer-onboarding.yml"
    path.write_text(path.read_text().replace("trigger: contract_start + 0d", "trigger: when the contract is signed"))
    result = subprocess.run([PARTNERKIT, "check", "-p", str(project)], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("content/procedures/new-customer-onboarding.yml:6:15: trigger: expected a comparison")
    path.write_text(path.read_text().replace("trigger: when the contract is signed", "trigger: 'manual: when the contract is signed'"))
    health = project / "content/procedures/at-risk-health.yml"
    health.write_text(health.read_text().replace("trigger: health_score < 60 for 7 days", "trigger: nps < 0"))
    (project / "site_config.yml").write_text((project / "site_config.yml").read_text()
                                             + "customers:\n  extra:\n    - {field: nps, column: NPS Score}\n")
    result = subprocess.run([PARTNERKIT, "check", "-p", str(project)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
