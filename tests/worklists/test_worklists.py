"""Worklists with known answers: which cases a day opens, their due dates and owners, ids kept from day
to day, the customer file's located errors, and the files written per partner."""

from __future__ import annotations

import csv
import json
import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from generator.store import worklists as records
from generator.store.database import SqliteStore
from generator.load.content import load_project
from generator.load.customers import Customer
from generator.model.worklists import case_id, triggered
from tests.worklists.conftest import EXAMPLE, run

pytestmark = pytest.mark.unit

TODAY = date(2028, 1, 31)
"""A month end in a leap year."""


@pytest.fixture(scope="module")
def procedures():
    return list(load_project(EXAMPLE).documents["procedure"].values())


def customer(ident: str, segment: str = "smb", **values) -> Customer:
    fields = {"renewal_date": None, "contract_start": None, "health_score": None, "seats": None, "seats_used": None}
    fields.update(values)
    seats, used = fields["seats"], fields["seats_used"]
    fields["seat_usage"] = used / seats if seats and used is not None else None
    return Customer(ident, ident.title(), "acme", segment, "", fields)


def renewal_in(days: int, ident: str, segment: str = "smb") -> Customer:
    return customer(ident, segment, renewal_date=TODAY + timedelta(days=days))


def test_renewals_at_91_90_89_60_30_0_days_and_a_leap_day(procedures) -> None:
    customers = [renewal_in(days, f"r{days}") for days in (91, 90, 89, 60, 30, 0, -1)]
    customers.append(customer("leap", "enterprise", renewal_date=date(2028, 2, 29)))
    cases, _ = triggered(procedures, customers, TODAY, {})
    assert sorted((case.customer, case.procedure, case.trigger_day) for case in cases) == sorted([
        ("r90", "renewal-90-60-30", date(2028, 1, 31)),
        ("r89", "renewal-90-60-30", date(2028, 1, 30)),
        ("r60", "renewal-90-60-30", date(2028, 1, 1)),
        ("r30", "renewal-90-60-30", date(2027, 12, 2)),
        ("r0", "renewal-90-60-30", date(2027, 11, 2)),
        ("leap", "renewal-90-60-30", date(2027, 12, 1)),
    ])
    by_customer = {case.customer: case for case in cases}
    due = lambda ident: [(step.due, step.owner) for step in by_customer[ident].steps]  # noqa: E731
    assert due("r90") == [(date(2028, 1, 31), "partner"), (date(2028, 1, 31), "vendor"), (date(2028, 3, 1), "partner"),
                          (date(2028, 3, 16), "partner"), (date(2028, 3, 31), "shared"), (date(2028, 4, 30), "partner")]
    assert due("leap") == [(date(2027, 12, 1), "partner"), (date(2027, 12, 1), "vendor"), (date(2027, 12, 31), "vendor"),
                           (date(2028, 1, 15), "partner"), (date(2028, 1, 30), "vendor"), (date(2028, 2, 29), "partner")]
    assert due("r0")[-1] == (TODAY, "partner")
    assert len({case.id for case in cases}) == len(cases)


def test_owners_follow_the_customers_segment(procedures) -> None:
    cases, _ = triggered(procedures, [renewal_in(60, "big", "enterprise"), renewal_in(60, "mid", "mid-market"),
                                      renewal_in(60, "small", "smb")], TODAY, {})
    value_review = {case.customer: case.steps[2].owner for case in cases}
    assert value_review == {"big": "vendor", "mid": "shared", "small": "partner"}


def test_onboarding_runs_for_30_days_from_the_contract_start(procedures) -> None:
    customers = [customer(f"c{days}", contract_start=TODAY - timedelta(days=days)) for days in (-1, 0, 30, 31)]
    cases, _ = triggered(procedures, customers, TODAY, {})
    assert sorted((case.customer, case.trigger_day) for case in cases) == [("c0", TODAY), ("c30", TODAY - timedelta(days=30))]
    onboarding = next(case for case in cases if case.customer == "c0")
    assert [step.due for step in onboarding.steps] == [TODAY + timedelta(days=n) for n in (0, 3, 10, 14, 21, 30)]


def test_a_health_drop_opens_a_case_after_seven_days_and_seats_past_90_percent_after_14(procedures) -> None:
    customers = [customer("sick", health_score=55.0), customer("fine", health_score=60.0),
                 customer("full", seats=100.0, seats_used=91.0), customer("nearly", seats=100.0, seats_used=89.0)]
    held: dict = {}
    opened = {}
    for offset in range(15):
        day = TODAY + timedelta(days=offset)
        cases, held = triggered(procedures, customers, day, held)
        for case in cases:
            opened.setdefault((case.customer, case.procedure), (day, case.id, case.trigger_day))
    assert sorted(opened) == [("full", "expansion-seat-usage"), ("sick", "at-risk-health")]
    first_day, ident, trigger_day = opened[("sick", "at-risk-health")]
    assert first_day == trigger_day == TODAY + timedelta(days=6)
    assert ident == case_id("sick", "at-risk-health", trigger_day)
    assert opened[("full", "expansion-seat-usage")][0] == TODAY + timedelta(days=13)
    sick = next(case for case in triggered(procedures, customers, TODAY + timedelta(days=6),
                                           {("sick", "at-risk-health"): TODAY})[0] if case.customer == "sick")
    assert [step.due for step in sick.steps] == [TODAY + timedelta(days=n) for n in (8, 8, 13, 20, 13)]
    recovered, held_after = triggered(procedures, [customer("sick", health_score=70.0)], TODAY + timedelta(days=7), held)
    assert recovered == [] and held_after == {}


CRM_CONFIG = """
customers:
  file: private/crm-export.csv
  date_format: "%d/%m/%Y"
  columns: {customer_id: Account ID, name: Account Name, partner_id: Partner, segment: Segment,
            renewal_date: Renewal Date, health_score: Health, rep_id: Account Owner}
"""
CRM = ("Account ID,Account Name,Partner,Segment,Renewal Date,Health,Account Owner\n"
       "A-1,Nordlys AS,acme,SMB,30/04/2028,80,ana\n"
       "A-2,\"Brück & Söhne <GmbH>\",acme,enterprise,01/03/2028,,bo\n"
       "A-3,Kestrel Ltd,globex,mid-market,29/02/2028,90,\n"
       "A-4,Far Away Inc,acme,smb,01/01/2030,75,\n")


def test_a_crm_export_runs_through_the_command_and_a_second_day_keeps_ids_and_ticks(project: Path) -> None:
    (project / "site_config.yml").write_text((project / "site_config.yml").read_text() + CRM_CONFIG)
    (project / "private/crm-export.csv").write_text(CRM)
    first = run("worklists", "--date", "2028-01-31", cwd=project)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == "2028-01-31: 3 cases opened, 0 still open or kept, 0 closed; 3 open in all"
    store = SqliteStore(project / "private/events.sqlite")
    try:
        opened = store.run(lambda db: records.cases(db)).result()
        assert sorted((row.customer_name, row.partner, row.trigger_day) for row in opened) == [
            ("Brück & Söhne <GmbH>", "acme", "2027-12-02"), ("Kestrel Ltd", "globex", "2027-12-01"),
            ("Nordlys AS", "acme", "2028-01-31")]
        nordlys = next(row for row in opened if row.customer == "A-1")
        assert nordlys.url == "https://partners.ostrova.example/procedures/renewal-90-60-30/"
        assert store.run(lambda db: records.tick(db, nordlys.id, 0, "acme", "ana", True, date(2028, 1, 31))).result()
        ids = {row.id for row in opened}
    finally:
        store.close()
    files = sorted(path.name for path in (project / "private/worklists/2028-01-31").iterdir())
    assert files == ["@vendor.csv", "@vendor.html", "acme.csv", "acme.html", "globex.csv", "globex.html"]
    acme = list(csv.DictReader(io.StringIO((project / "private/worklists/2028-01-31/acme.csv").read_text())))
    assert {row["customer"] for row in acme} == {"Nordlys AS", "Brück & Söhne <GmbH>"}
    assert all(row["customer"] != "Kestrel Ltd" for row in acme), "another partner's customer"
    page = (project / "private/worklists/2028-01-31/acme.html").read_text()
    assert "Brück &amp; Söhne &lt;GmbH&gt;" in page and "<GmbH>" not in page
    assert "Acme Consulting" in page and "Enterprise" in page

    second = run("worklists", "--date", "2028-02-01", cwd=project)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[0] == "2028-02-01: 0 cases opened, 3 still open or kept, 0 closed; 3 open in all"
    store = SqliteStore(project / "private/events.sqlite")
    try:
        again = store.run(lambda db: records.cases(db)).result()
        assert {row.id for row in again} == ids
        ticked = store.run(lambda db: records.steps(db, [nordlys.id])).result()[nordlys.id]
        assert (ticked[0].ticked_by, ticked[0].ticked_partner) == ("ana", "acme")
        assert [step.ticked_by for step in ticked[1:]] == [None] * 5
    finally:
        store.close()
    acme = list(csv.DictReader(io.StringIO((project / "private/worklists/2028-02-01/acme.csv").read_text())))
    assert [row["done_by"] for row in acme if row["customer"] == "Nordlys AS"][0] == "Ana Silva"
    # the renewal moves a year on in the CRM: the case ends, none opens until 90 days before the new date
    (project / "private/crm-export.csv").write_text(CRM.replace("30/04/2028", "30/04/2029"))
    third = run("worklists", "--date", "2028-02-02", cwd=project)
    assert third.stdout.splitlines()[0] == "2028-02-02: 0 cases opened, 2 still open or kept, 1 closed; 2 open in all"


def test_every_bad_row_is_reported_and_nothing_is_loaded(project: Path) -> None:
    (project / "private/customers.csv").write_text(
        "customer_id,name,partner_id,segment,renewal_date,health_score,rep_id\n"
        "c1,Good Co,acme,smb,2028-04-30,70,ana\n"
        "c2,Bad Date Co,acme,smb,31/12,70,\n"
        "c3,Unknown Partner,initech,smb,2028-04-30,70,\n"
        "c4,Bad Segment,acme,smbb,2028-04-30,seventy,\n"
        "c1,Twice,acme,smb,2028-04-30,70,gia\n"
        ",,acme,smb,,,\n"
        "c7,Short row,acme\n")
    result = run("worklists", "--date", "2028-01-31", cwd=project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "private/customers.csv:3:5: renewal_date: expected a date like 2026-12-31, got '31/12'",
        "private/customers.csv:4:3: partner_id: unknown partner 'initech': not on private/roster.csv",
        "private/customers.csv:5:4: segment: unknown segment 'smbb' (did you mean 'smb'?)",
        "private/customers.csv:5:6: health_score: expected a number, got 'seventy'",
        "private/customers.csv:6:1: customer_id: duplicate customer 'c1' (first on line 2)",
        "private/customers.csv:6:7: rep_id: rep 'gia' is not a rep of partner 'acme'",
        "private/customers.csv:7:1: customer_id: required, but empty",
        "private/customers.csv:7:2: name: required, but empty",
        "private/customers.csv:8:1: expected 7 columns, got 3",
        "Aborted with 9 errors",
    ]
    assert not (project / "private/events.sqlite").exists() or not (project / "private/worklists").exists()


def test_a_missing_required_column_is_named(project: Path) -> None:
    (project / "private/customers.csv").write_text("id,name,partner_id,segment\nc1,Good Co,acme,smb\n")
    result = run("worklists", cwd=project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "private/customers.csv:1:1: no column 'customer_id' for customer_id: the header has 'id', 'name', 'partner_id', 'segment'",
        "Aborted with 1 error"]


def test_the_report_shows_compliance_and_the_vendor_reads_the_notes(project: Path) -> None:
    today = date.today()
    trigger = today - timedelta(days=10)
    (project / "private/customers.csv").write_text(
        "customer_id,name,partner_id,segment,renewal_date\n"
        f"c1,Nordlys AS,acme,smb,{(trigger + timedelta(days=90)).isoformat()}\n")
    (project / "private/sales.csv").write_text("rep_id,month,amount\n")
    assert run("worklists", "--date", trigger.isoformat(), cwd=project).returncode == 0
    store = SqliteStore(project / "private/events.sqlite")
    try:
        ident = store.run(lambda db: records.cases(db)).result()[0].id
        store.run(lambda db: records.tick(db, ident, 0, "acme", "ana", True, today)).result()
        store.run(lambda db: records.add_note(db, ident, "acme", "ana", "Champion <left>")).result()
    finally:
        store.close()
    month = trigger.strftime("%Y-%m")
    result = run("report", "--month", month, cwd=project)
    assert result.returncode == 0, result.stderr
    folder = project / "private/reports" / month
    rows = list(csv.DictReader(io.StringIO((folder / "compliance_partners.csv").read_text())))
    assert [(row["partner"], row["due"], row["on_time"], row["late"], row["open_overdue"]) for row in rows] == [
        ("acme", "2", "0", "1", "1")]
    report = (folder / "report.html").read_text()
    assert "Procedures followed by partner" in report and "Renewal at 90, 60 and 30 days" in report
    assert "Ana Silva about <strong>Nordlys AS</strong> (Renewal at 90, 60 and 30 days): Champion &lt;left&gt;" in report
    [note] = json.loads((folder / "report.json").read_text())["notes"]
    assert {key: note[key] for key in ("partner", "rep", "name", "customer", "procedure_title", "text")} == {
        "partner": "acme", "rep": "ana", "name": "Ana Silva", "customer": "Nordlys AS",
        "procedure_title": "Renewal at 90, 60 and 30 days", "text": "Champion <left>"}
    partner_page = (folder / "partners/acme.html").read_text()
    assert "Procedures followed" in partner_page and "Champion" not in partner_page


def test_the_readmes_crm_mapping_works_as_written(project: Path) -> None:
    readme = (EXAMPLE / "README.md").read_text()
    section = readme[readme.index("A typical CRM export, mapped"):]
    mapping = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    export = section.split("```text\n", 1)[1].split("```", 1)[0]
    (project / "site_config.yml").write_text((project / "site_config.yml").read_text() + mapping)
    (project / "private/customers.csv").write_text(export)
    (project / "private/roster.csv").write_text(
        "partner_id,partner_name,rep_id,name,email,role,joined,left\n"
        "harbor,Harbor Consulting,mia-chen,Mia Chen,mia@harbor.example,sales,2026-01-10,\n")
    result = run("worklists", "--date", "2026-12-01", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2026-12-01: 1 case opened")
    (project / "private/customers.csv").write_text(export.replace("28/02/2027", "31/12"))
    result = run("worklists", "--date", "2026-12-01", cwd=project)
    assert result.stderr.splitlines()[0] == "private/customers.csv:2:5: renewal_date: expected a date like 31/12/2026, got '31/12'"
