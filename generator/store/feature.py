"""What a feature of the store declares: its migrations and the tables ``forget`` empties of a rep.

Every database records the migrations it has run by their step number in one list, numbered from 1
in the order they were written (a database created before the features were told apart has the same
numbers). Each feature's migrations carry their step; :func:`ordered_migrations` puts the features'
steps back into that one list and refuses a gap or a step claimed twice."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

CREATED_TABLE = re.compile(r"\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)


@dataclass(frozen=True)
class Migration:
    """One step of the schema, for both databases (``{serial}`` is each one's auto-numbered key,
    ``{without_rowid}`` stores a table in its primary key's tree where the database can)."""

    step: int
    """Its number in the one list every database records (``schema_migrations``); never changes."""
    script: str


@dataclass(frozen=True)
class StoreFeature:
    """A feature's share of the store (views, exams and certificates, credentials, worklists, ...)."""

    name: str
    migrations: tuple[Migration, ...]
    forgotten_tables: tuple[str, ...] = ()
    """Its tables with rows about a rep: ``forget`` empties them of that rep, in this order."""

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables its migrations create."""
        return tuple(name for migration in self.migrations for name in CREATED_TABLE.findall(migration.script))


def ordered_migrations(features: Iterable[StoreFeature]) -> list[str]:
    """The features' migration scripts as the one list numbered from 1 (a ``ValueError`` names a step
    missing or declared twice)."""
    steps: dict[int, tuple[str, str]] = {}
    for feature in features:
        for migration in feature.migrations:
            if migration.step in steps:
                raise ValueError(f"migration {migration.step} is declared by {steps[migration.step][0]} and {feature.name}")
            steps[migration.step] = (feature.name, migration.script)
    missing = sorted(set(range(1, len(steps) + 1)) - set(steps))
    if missing:
        raise ValueError(f"migration {missing[0]} is declared by no feature")
    return [steps[step][1] for step in sorted(steps)]


def forgotten_tables(features: Iterable[StoreFeature]) -> tuple[str, ...]:
    """Every table ``forget`` empties, feature by feature in the order given (``forget`` prints them so);
    a ``ValueError`` names a table a feature forgets but does not create, or a table two features create."""
    owners: dict[str, str] = {}
    forgotten: list[str] = []
    for feature in features:
        for table in feature.tables:
            if table in owners:
                raise ValueError(f"table {table} is created by {owners[table]} and {feature.name}")
            owners[table] = feature.name
        for table in feature.forgotten_tables:
            if table not in feature.tables:
                raise ValueError(f"{feature.name} forgets table {table}, which it does not create")
            forgotten.append(table)
    return tuple(forgotten)
