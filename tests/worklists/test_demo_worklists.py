"""The demo's worklists: the example customers, moved to today, give each demo partner real-looking cases."""

from __future__ import annotations

import pytest

import shutil
from datetime import date
from pathlib import Path

from generator.store import worklists as records
from generator.store.database import SqliteStore
from generator.commands.demo import EXAMPLE_DAY, prepare_demo
from generator.commands.worklists import worklists
from tests.worklists.conftest import EXAMPLE

pytestmark = pytest.mark.unit


def test_the_demo_copies_the_example_customers_and_replays_two_weeks(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(EXAMPLE / "content", root / "content")
    for name in ("site_config.yml", "customers.example.csv"):
        shutil.copy(EXAMPLE / name, root / name)
    today = date(2027, 3, 15)
    demo = prepare_demo(root, "127.0.0.1:8000", today)
    copied = (demo.folder / "private/customers.csv").read_text()
    shift = today - EXAMPLE_DAY
    assert f"ACC-1006,Pinecrest Schools,lumen,mid-market,{(date(2026, 12, 1) + shift).isoformat()}," in copied
    assert not (root / "private").exists(), "the project's private/ is never touched"
    run = worklists(root, today, None, data=demo.folder, replay_days=14)
    store = SqliteStore(demo.folder / "private/events.sqlite")
    try:
        opened = sorted((row.customer_name, row.procedure) for row in store.run(lambda db: records.cases(db)).result())
    finally:
        store.close()
    assert opened == [
        ("Brightwater Logistics", "renewal-90-60-30"),
        ("Copperleaf Clinics", "at-risk-health"),
        ("Copperleaf Clinics", "renewal-90-60-30"),
        ("Fjordline Ferries", "expansion-seat-usage"),
        ("Fjordline Ferries", "renewal-90-60-30"),
        ("Northwind Grocers", "new-customer-onboarding"),
        ("Pinecrest Schools", "at-risk-health"),
        ("Pinecrest Schools", "renewal-90-60-30"),
        ("Saltmarsh Energy", "expansion-seat-usage"),
        ("Tidewater Analytics", "new-customer-onboarding"),
    ]
    assert run.open_cases == 10
    assert sorted(path.name for path in run.files) == ["@vendor.csv", "@vendor.html", "harbor.csv", "harbor.html",
                                                        "lumen.csv", "lumen.html"]
