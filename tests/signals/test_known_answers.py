"""Known answers: hand-written view and download histories of several reps, replayed day by day for two
weeks, raise exactly the expected signals, each once."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from generator.events import write_content_index
from generator.report.signals import ReadItem
from generator.store.core import StoredEvent
from generator.store.database import SqliteStore
from generator.commands.signals import raise_signals
from generator.model.config import SiteConfig

pytestmark = pytest.mark.unit

ROI = "r0123456789ab"
PARTNERS = {"ana": "acme", "ben": "acme", "eve": "acme", "cai": "bolt", "dee": "bolt"}
HISTORY = {  # rep: [(day, page or page#resource)]
    "ana": [("2026-11-03", "pricing"), ("2026-11-03", "rivals"), ("2026-11-04", "pricing"), ("2026-11-04", f"pricing#{ROI}"),
            ("2026-11-05", "proposal")],
    "ben": [("2026-10-10", "pricing"), ("2026-11-06", "pricing"), ("2026-11-08", "proposal"), ("2026-11-12", "pricing")],
    "cai": [(f"2026-11-{day:02d}", "basics") for day in range(1, 15)] + [("2026-11-02", "rivals"), ("2026-11-02", "pricing"),
                                                                          ("2026-11-10", "proposal")],
    "dee": [("2026-11-01", "pricing"), ("2026-11-01", "rivals"), ("2026-11-01", "proposal"),
            ("2026-11-14", "pricing"), ("2026-11-14", "rivals"), ("2026-11-14", "proposal")],
    "eve": [("2026-10-20", "pricing"), ("2026-11-07", "pricing"), ("2026-11-07", f"pricing#{ROI}"), ("2026-11-07", f"pricing#{ROI}")],
    "": [("2026-11-02", "pricing"), ("2026-11-02", "rivals"), ("2026-11-02", "proposal")],  # anonymous readers raise nothing
}
SALES = "rep_id,month,amount\nben,2026-11,500\ncai,2026-10,300\neve,2026-10,100\n"
EXPECTED = {
    "2026-11-01": [("deal-reading", "bolt", "dee"), ("proposal-without-sales", "bolt", "dee")],
    "2026-11-04": [("deal-reading", "acme", "ana")],
    "2026-11-05": [("proposal-without-sales", "acme", "ana")],
    "2026-11-06": [("back-to-pricing", "acme", "ben")],
    "2026-11-07": [("back-to-pricing", "acme", "eve")],
}


def histories() -> list[StoredEvent]:
    events, number = [], 0
    for rep, reads in HISTORY.items():
        for day, target in reads:
            number += 1
            page, _, resource = target.partition("#")
            view = f"v{rep or 'anon'}{number:08d}"
            partner = PARTNERS.get(rep, "")
            events.append(StoredEvent(day, "view", f"module:{page}", "", view, partner, rep, 0, 0, sent_at=number))
            if resource:
                events.append(StoredEvent(day, "download", f"module:{page}", "", view, partner, rep, 0, 0, sent_at=number,
                                          target=resource))
    return events


@pytest.fixture
def project(tmp_path: Path):
    write_content_index(tmp_path, {"module:pricing": "Pricing", "module:rivals": "Rivals", "module:proposal": "Proposals",
                                   "module:basics": "Basics"}, [],
                        stages={"module:pricing": ["pricing"], "module:rivals": ["competition"], "module:proposal": ["proposal"]},
                        resources={"module:pricing": {ROI: {"title": "ROI calculator", "stage": "pricing"}}})
    (tmp_path / "private/sales.csv").write_text(SALES, encoding="utf-8")
    store = SqliteStore(tmp_path / "events.sqlite")
    store.write(histories()).result()
    yield tmp_path, store
    store.close()


CONFIG = SiteConfig(site_name="S", vendor="V", product="P")


def test_a_two_week_replay_raises_exactly_the_expected_signals_once(project) -> None:
    root, store = project
    for offset in range(14):
        day = date(2026, 11, 1) + timedelta(days=offset)
        run = raise_signals(root, CONFIG, store, day)
        assert [(signal.rule, signal.partner, signal.rep) for signal in run.new] == EXPECTED.get(day.isoformat(), []), day
        again = raise_signals(root, CONFIG, store, day)
        assert again.new == [] and again.already == run.new, day
    assert len(store.query("SELECT * FROM signals_raised")) == 6


def test_each_signal_names_what_was_read_and_when(project) -> None:
    root, store = project
    for offset in range(7):
        raise_signals(root, CONFIG, store, date(2026, 11, 1) + timedelta(days=offset))
    run = raise_signals(root, CONFIG, store, date(2026, 11, 4))
    (ana,) = run.already
    assert ana.read == (ReadItem("2026-11-03", "Rivals", "competition"), ReadItem("2026-11-04", "Pricing", "pricing"),
                        ReadItem("2026-11-04", "ROI calculator", "pricing"))
    (ben,) = raise_signals(root, CONFIG, store, date(2026, 11, 6)).already
    assert (ben.read, ben.away_since) == ((ReadItem("2026-11-06", "Pricing", "pricing"),), "2026-10-10")


def test_replaying_out_of_order_still_raises_each_once(project) -> None:
    root, store = project
    days = [date(2026, 11, 1) + timedelta(days=offset) for offset in range(14)]
    for day in reversed(days):
        raise_signals(root, CONFIG, store, day)
    rows = store.query("SELECT rule, rep, day FROM signals_raised ORDER BY day, rep, rule")
    assert [(rule, rep) for rule, rep, _ in rows].count(("deal-reading", "dee")) == 1
    assert len(rows) == 6


def test_without_sales_the_no_sales_rule_is_skipped(project) -> None:
    root, store = project
    (root / "private/sales.csv").unlink()
    run = raise_signals(root, CONFIG, store, date(2026, 11, 1))
    assert [(signal.rule, signal.rep) for signal in run.new] == [("deal-reading", "dee")]


def test_the_command_prints_the_days_signals(project) -> None:
    from click.testing import CliRunner

    from generator.cli import cli

    root, store = project
    (root / "site_config.yml").write_text("site_name: S\nvendor: V\nproduct: P\n", encoding="utf-8")
    arguments = ["signals", "--project", str(root), "--db", str(root / "events.sqlite"), "--date", "2026-11-06"]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, result.output
    assert result.output == ("2026-11-06: 1 new signal, 0 raised before\n"
                             "  back-to-pricing: acme/ben read Pricing (2026-11-06) after reading none since 2026-10-10\n")
    assert CliRunner().invoke(cli, arguments).output.startswith("2026-11-06: 0 new signals, 1 raised before\n")


def test_signal_rules_name_known_stages(tmp_path: Path) -> None:
    from tests.conftest import FIXTURES, content_errors
    import shutil

    shutil.copytree(FIXTURES / "minimal", tmp_path / "m")
    config = tmp_path / "m/site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "signals:\n  - id: late\n    when: return\n    stages: [pricng]\n"
                      "  - id: late\n    when: burst\n", encoding="utf-8")
    assert content_errors(tmp_path / "m") == [
        "site_config.yml:9:14: signals[0].stages[0]: unknown stage 'pricng' (did you mean 'pricing'?)",
        "site_config.yml:10:9: signals[1].id: duplicate signal rule 'late'",
    ]
