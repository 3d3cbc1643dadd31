"""Checking procedure triggers and step times at load time: located errors with "did you mean" for
column names (the language itself is in :mod:`generator.model.triggers`)."""

from __future__ import annotations

from generator.errors import ContentError
from generator.load.yaml_source import SourceDocument
from generator.model.config import CustomerSettings, SiteConfig
from generator.model.content import ALL_SEGMENTS, Procedure
from generator.model.triggers import (
    BASE_COLUMNS, ColumnType, Condition, TriggerError, column_problems, parse_trigger, step_when,
)


def trigger_columns(settings: CustomerSettings) -> dict[str, ColumnType]:
    """Every customer field a trigger may name, with its type: the built-in ones and ``customers.extra``."""
    return {**BASE_COLUMNS, **{extra.field: extra.type for extra in settings.extra}}


def _at(source: SourceDocument, offset: int, message: str) -> ContentError:
    """An error at ``offset`` characters into the trigger's text (exact for a plain, unquoted scalar)."""
    position = source.position(("trigger",))
    return ContentError(source.path, position.line, position.col + offset, "trigger", message)


def check_procedure(procedure: Procedure, source: SourceDocument, config: SiteConfig) -> list[ContentError]:
    """The trigger parses and names known columns of the right type; with an evaluable trigger, a step
    time counting from the trigger's date needs a date in the trigger, and every step has an owner for
    every segment. (A ``when:`` partnerkit cannot read, e.g. ``at the next QBR``, is allowed: that step
    has no due date on worklists and is left out of on-time counts.)"""
    try:
        trigger = parse_trigger(procedure.trigger)
    except TriggerError as error:
        return [_at(source, error.offset, error.message)]
    if not isinstance(trigger, Condition):
        return []
    errors = [_at(source, column.offset, message) for column, message in column_problems(trigger, trigger_columns(config.customers))]
    for index, step in enumerate(procedure.steps):
        when = step_when(step.when)
        if when is not None and when.from_anchor and trigger.anchor is None:
            errors.append(source.error(("steps", index, "when"), f"'{step.when}' counts from the trigger's date, and the"
                                       " trigger names none: write 'day N' (days after the trigger day)"))
        if ALL_SEGMENTS not in step.owner and set(step.owner) <= set(config.segment_ids):  # else: unknown segment, reported
            missing = [segment for segment in config.segment_ids if segment not in step.owner]
            if missing:
                errors.append(source.error(("steps", index, "owner"), f"no owner for segment '{missing[0]}': name one, or use 'all'"))
    return errors
