"""Which (customer, procedure) pairs a day triggers, as cases with their steps' due dates and owners.

Pure: the worklists command gives the procedures, the customers, the day and what the store remembers
(since when each condition has held), and stores what comes back.

A case's id is derived from the customer, the procedure and its *trigger day*, so it stays the same
every day the trigger holds: the date a date offset names (``renewal_date - 90d``: 90 days before
the renewal date; a new renewal date is a new case), or for a condition (``health_score < 60``) the
day it had held for ``for N days`` (at once without ``for``), counted from the first run at which it
held without a run in between at which it did not."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from generator.model.config import SiteConfig
from generator.model.content import ALL_SEGMENTS, Owner, Procedure
from generator.model.triggers import Condition, due_offset, holds, horizon, parse_trigger, step_when, trigger_day

OWNERS = ("vendor", "partner", "shared", "tech-touch")
"""Who a procedure's step may be owned by."""


def owner_label(config: SiteConfig, owner: str) -> str:
    """How worklists, e-mails and the collector name an owner (``vendor``: the vendor's name)."""
    return {"vendor": config.vendor, "partner": "Partner", "shared": "Shared", "tech-touch": "Tech-touch"}.get(owner, owner)


CASE_ID_CHARS = 20
"""Hex characters of a case id."""


def case_id(customer: str, procedure: str, day: date) -> str:
    """The stable id of the case of ``procedure`` for ``customer`` triggered on ``day``."""
    return hashlib.sha256(f"{customer}\x1f{procedure}\x1f{day.isoformat()}".encode("utf-8")).hexdigest()[:CASE_ID_CHARS]


@dataclass(frozen=True)
class CaseStep:
    index: int
    action: str
    when: str
    due: date | None
    """None for a step whose ``when:`` is not a time partnerkit computes."""
    owner: Owner
    checklist: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    id: str
    customer: str
    procedure: str
    trigger_day: date
    steps: tuple[CaseStep, ...]


def owner_for(owners: dict[str, Owner], segment: str) -> Owner:
    """The owner of a step for a customer of ``segment`` (the check makes sure there is one)."""
    return owners.get(segment) or owners[ALL_SEGMENTS]


def triggered(procedures: list[Procedure], customers: list, today: date,
              since: dict[tuple[str, str], date]) -> tuple[list[Case], dict[tuple[str, str], date]]:
    """The cases triggered on ``today``, once each, and the new "held since" days by (customer id,
    procedure id) (``since`` is the previous run's). Manual triggers never open a case."""
    cases: list[Case] = []
    held: dict[tuple[str, str], date] = {}
    for procedure in procedures:
        trigger = parse_trigger(procedure.trigger)
        if not isinstance(trigger, Condition):
            continue
        whens = [step_when(step.when) for step in procedure.steps]
        span = horizon([when for when in whens if when is not None], trigger)
        anchor = trigger.anchor
        for customer in customers:
            if not holds(trigger.expression, customer.values, today, span):
                continue
            key = (customer.id, procedure.id)
            first = since.get(key, today)
            held[key] = first
            dated = trigger_day(anchor, customer.values) if anchor else None
            if dated is not None and dated <= today <= dated + timedelta(days=span):
                day = dated
            else:
                day = first + timedelta(days=max(trigger.for_days - 1, 0))
                if day > today:
                    continue  # not held long enough yet
            steps = tuple(
                CaseStep(index, step.action, step.when,
                         None if when is None else day + timedelta(days=due_offset(when, trigger)),
                         owner_for(step.owner, customer.segment), tuple(step.checklist))
                for index, (step, when) in enumerate(zip(procedure.steps, whens)))
            cases.append(Case(case_id(customer.id, procedure.id, day), customer.id, procedure.id, day, steps))
    return cases, held
