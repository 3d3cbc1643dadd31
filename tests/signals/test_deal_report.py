"""The report's deal signals: per partner and month, requests for help and whether answered, and the
share of reps with a signal who sold in the next two months against reps without, all matching a hand count."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest

from generator.store import signals as store_signals
from generator.report.output import ReportData, ReportOptions, write_report
from generator.commands.signals import raise_signals
from generator.roster import read_roster
from tests.signals.test_deal_signals_mail import ROSTER
from tests.signals.test_known_answers import CONFIG, project  # noqa: F401  (the two-week store)

pytestmark = pytest.mark.unit


def test_the_report_matches_a_hand_count(project, tmp_path: Path) -> None:  # noqa: F811
    root, store = project
    for offset in range(14):
        raise_signals(root, CONFIG, store, date(2026, 11, 1) + timedelta(days=offset))
    for ident, partner, rep, answered in (("h1", "bolt", "cai", "2026-11-12T09:00:00.000+00:00"), ("h2", "acme", "ana", None)):
        request = store_signals.HelpRequest(ident, partner, rep, "module:pricing", "", "2026-11-11", f"2026-11-11T0{ident[1]}:00:00",
                                            "<i>40 seats</i>", answered)
        store.run(lambda tx: store_signals.ask_for_help(tx, request, 3)).result()
    raised, asked = store.run(lambda tx: (store_signals.raised(tx), store_signals.help_requests(tx))).result()
    (root / "private/roster.csv").write_text(ROSTER, encoding="utf-8")
    roster = [entry for entry in read_roster(root / "private/roster.csv", root) if entry.role != "manager"]
    sales = {("ben", "2026-11"): 500.0, ("cai", "2026-10"): 300.0, ("ana", "2026-12"): 100.0, ("cai", "2027-01"): 50.0}
    data = ReportData([], roster, sales, set(), titles={"module:pricing": "Pricing"}, signals_raised=raised, help_requests=asked)
    html = write_report(tmp_path / "r", "2026-11", data, ReportOptions(today=date(2026, 12, 1))).read_text(encoding="utf-8")
    rows = list(csv.DictReader((tmp_path / "r/deal_signals.csv").open(encoding="utf-8")))
    november = {row["partner"]: (row["signals"], row["reps_with_signal"], row["help_requests"], row["answered"])
                for row in rows if row["month"] == "2026-11"}
    assert november == {"acme": ("4", "3", "1", "0"), "bolt": ("2", "1", "1", "1")}
    assert ("Of 4 reps with a deal signal in 2026-11, 1 (25 %) sold in 2026-12 or 2027-01; of 1 reps without one, 1 (100 %) did."
            " This is a correlation, not a cause") in html
    assert "&lt;i&gt;40 seats&lt;/i&gt;" in html and "<i>40 seats</i>" not in html
    assert "Deal signals" not in (tmp_path / "r/partners/acme.html").read_text(encoding="utf-8"), "pages forwarded to partners leave it out"
