"""The worklist tables on both databases: a day's run, ticks that close a case, notes, forget."""

from __future__ import annotations

from datetime import date

from generator.store import worklists as records
from generator.model.worklists import Case, CaseStep
from tests.analytics.conftest import make_store, postgres_database, postgres_server  # noqa: F401

DAY = date(2028, 1, 31)
INFO = {"c1": records.CustomerInfo("Nordlys AS", "acme", "smb", "ana")}


def one_case(ident: str = "case-1") -> Case:
    return Case(ident, "c1", "renewal", date(2028, 1, 31), (
        CaseStep(0, "Check health", "-90d", date(2028, 1, 31), "partner", ("Score noted",)),
        CaseStep(1, "Send the list", "-90d", date(2028, 1, 31), "vendor")))


def test_a_run_ticks_notes_and_forget(make_store) -> None:
    store = make_store()
    held = {("c1", "renewal"): DAY}
    summary = store.run(lambda db: records.record_run(db, DAY, [one_case()], held, INFO, {("acme", "renewal"): "https://x/"})).result()
    assert summary == records.RunSummary(1, 0, 0)
    assert store.run(lambda db: records.held_since(db)).result() == held
    assert store.run(lambda db: records.tick(db, "case-1", 0, "acme", "ana", True, DAY)).result()
    assert store.run(lambda db: records.tick(db, "case-1", 1, "ostrova", "val", True, DAY)).result()
    assert store.run(lambda db: records.case(db, "case-1")).result().closed_reason == "done"
    assert store.run(lambda db: records.tick(db, "case-1", 1, "ostrova", "val", False, DAY)).result()
    assert store.run(lambda db: records.case(db, "case-1")).result().closed_on is None
    assert not store.run(lambda db: records.tick(db, "case-1", 7, "acme", "ana", True, DAY)).result()
    store.run(lambda db: records.add_note(db, "case-1", "acme", "ana", "Champion left")).result()
    again = store.run(lambda db: records.record_run(db, date(2028, 2, 1), [one_case()], held, INFO, {})).result()
    assert again == records.RunSummary(0, 1, 0)
    steps = store.run(lambda db: records.steps(db, ["case-1"])).result()["case-1"]
    assert [(step.ticked_by, step.checklist) for step in steps] == [("ana", ("Score noted",)), (None, ())]
    ended = store.run(lambda db: records.record_run(db, date(2028, 2, 2), [], {}, INFO, {})).result()
    assert ended == records.RunSummary(0, 0, 1)
    assert store.run(lambda db: records.cases(db)).result() == []
    assert store.forget("ana")["worklist_ticks"] == 1
    assert store.run(lambda db: (records.notes(db), records.steps(db, ["case-1"])["case-1"][0].ticked_by)).result() == ([], None)
