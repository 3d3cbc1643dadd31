"""Hardening, round two (issue 24): a CRM export holding text no store can hold gives the same located
error on SQLite and PostgreSQL, and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analytics.conftest import make_store, postgres_database, postgres_server  # noqa: F401
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


@pytest.fixture
def served_on(project: Path, make_store):
    """The worklist collector (real uvicorn) over a store on SQLite, then PostgreSQL, filled by
    ``partnerkit worklists --db`` as users do."""
    from generator.identity import Roster
    from generator.collector.app import CollectorSettings
    from generator.collector.worklists import worklist_routes
    from generator.collector.worklists import worklist_service
    from generator.load.config import load_config
    from tests.analytics.conftest import INDEX, KEYS, ORIGIN, running_collector
    from tests.worklists.test_collector_worklists import CUSTOMERS as GOOD_CUSTOMERS

    (project / "private/customers.csv").write_text(GOOD_CUSTOMERS)
    store = make_store()
    location = str(getattr(store, "url", None) or store.path)  # type: ignore[attr-defined]
    made = run("worklists", "--date", "2028-01-31", "--db", location, cwd=project)
    assert made.returncode == 0, made.stderr
    roster = Roster(project, project / "private/roster.csv")
    settings = CollectorSettings(INDEX, [ORIGIN], KEYS, roster=roster)
    service = worklist_service(store, load_config(project), {}, roster)
    with running_collector(settings, store, routes=worklist_routes(settings, service)) as collector:
        yield collector


def test_every_hostile_worklist_request_stores_nothing_on_either_store(served_on) -> None:
    from tests.worklists.test_collector_worklists import ids, post, stored, token

    url, store = served_on.url, served_on.store
    mine, theirs = ids(store, "acme")["c1"], ids(store, "globex")["c3"]
    ana = token("acme", "ana")
    good = ana.split(".")
    attacks = [
        ({"token": f"é{ana}"}, "/worklists", 403, "forged token"),
        ({"token": f"{good[0]}.{good[1]}.é{good[2][1:]}", "done": True}, f"/worklists/{mine}/steps/0", 403, "forged token"),
        ({"token": ana, "text": "champion\u0000left"}, f"/worklists/{mine}/notes", 422, "unstorable text"),
        ({"token": ana, "text": "hi"}, f"/worklists/{theirs}/notes", 404, "unknown case"),
        ({"token": ana, "text": "hi"}, "/worklists/c%00/notes", 404, "unknown case"),
        ({"token": ana, "done": True}, f"/worklists/{mine}/steps/%D9%A3", 404, "unknown step"),
        ({"token": ana, "page": 0}, f"/worklists/{theirs}/notes/page", 404, "unknown case"),
        ({"token": ana, "text": "x" * 501}, f"/worklists/{mine}/notes", 422, "note too long"),
    ]
    for body, path, status, reason in attacks:
        answer = post(f"{url}{path}", body)
        assert (path, answer.status_code, answer.json()["error"]) == (path, status, reason)
    assert stored(store) == ([], [])
    assert sum(count for _, count in served_on.rejected().items()) == len(attacks)
