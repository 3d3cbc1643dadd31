"""``partnerkit signals``: evaluate the deal-signal rules for a day and record what they raise, once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from generator.store import signals as store_signals
from generator.events import CONTENT_INDEX, read_content_index
from generator.report.tables import read_sales
from generator.report.signals import Signal, evaluate, lookback_days
from generator.store.core import BatchingStore, Transaction
from generator.store.database import open_project_store
from generator.commands.collect import DEFAULT_SALES
from generator.load.config import load_config
from generator.model.config import SiteConfig


@dataclass
class SignalsRun:
    day: date
    new: list[Signal]
    """Signals raised by this run."""
    already: list[Signal]
    """Signals of the day raised by an earlier run."""


def default_day(now: datetime | None = None) -> date:
    """The last complete UTC day: signals are read the next morning."""
    return (now or datetime.now(timezone.utc)).date() - timedelta(days=1)


def raise_signals(root: Path, config: SiteConfig, store: BatchingStore, day: date, record: bool = True) -> SignalsRun:
    """Evaluate ``config.signals`` for ``day`` on the store's readings and record each new one unless the
    rule was raised for the rep within its quiet window. The same store and day give the same signals.
    With ``record`` false nothing is written (``notify --dry-run``). Without a content index (no build
    yet) no page has a deal stage: nothing is raised."""
    rules = config.signals
    if not rules or not (root / CONTENT_INDEX).is_file():
        return SignalsRun(day, [], [])
    index = read_content_index(root)
    sales = read_sales(root / DEFAULT_SALES, root) if (root / DEFAULT_SALES).is_file() else None
    since = (day - timedelta(days=lookback_days(rules))).isoformat()
    found = evaluate(rules, store_signals.readings(store, since, day.isoformat()), index, day, sales)
    quiet = {rule.id: rule.quiet_days for rule in rules}

    def raise_new(tx: Transaction) -> tuple[list[Signal], list[Signal]]:
        earlier = {(row.rule, row.partner, row.rep) for row in store_signals.raised(tx, day.isoformat(), day.isoformat())}
        new: list[Signal] = []
        for signal in found:
            if (signal.rule, signal.partner, signal.rep) in earlier:
                continue
            starts = (day - timedelta(days=quiet[signal.rule])).isoformat()
            if store_signals.raise_once(tx, signal.row(quiet[signal.rule]), starts, record):
                new.append(signal)
        already = [Signal.from_row(row) for row in store_signals.raised(tx, day.isoformat(), day.isoformat())
                   if (row.rule, row.partner, row.rep) in earlier]
        return new, already

    new, already = store.run(raise_new).result()
    return SignalsRun(day, new, already)


def signals(root: Path, day: date | None, db: str | None) -> SignalsRun:
    """``partnerkit signals [--date D]``: raise the day's signals (default: yesterday, UTC)."""
    config = load_config(root)
    store = open_project_store(root, db)
    try:
        return raise_signals(root, config, store, day or default_day())
    finally:
        store.close()
