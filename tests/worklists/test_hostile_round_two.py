"""Hardening, round two (issue 24): a CRM export holding text no store can hold gives the same located
error on SQLite and PostgreSQL, and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analytics.conftest import postgres_database, postgres_server  # noqa: F401
from tests.worklists.conftest import run

pytestmark = pytest.mark.integration

CUSTOMERS = ("customer_id,name,partner_id,segment,renewal_date,rep_id\n"
             "c1,Nordlys AS,acme,smb,2028-04-30,ana\n"
             "c2,Bo's\x00Account,acme,mid-market,2028-03-31,bo\n")


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_nul_in_a_customer_name_is_a_located_error_on_every_store(project: Path, database: str, request) -> None:
    (project / "private/customers.csv").write_bytes(CUSTOMERS.encode())
    db = ["--db", request.getfixturevalue("postgres_database")] if database == "postgresql" else []
    result = run("worklists", "--date", "2028-01-31", *db, cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "psycopg" not in result.stderr
    assert ("private/customers.csv:3:2: name: contains a NUL character (character 5), which no store can hold:"
            " remove it from the CRM export") in result.stderr
    assert "Aborted with 1 error" in result.stderr
    assert not (project / "private/worklists").exists()
