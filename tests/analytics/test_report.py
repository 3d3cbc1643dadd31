"""The report on a generated data set whose answers are known."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

from generator.analytics.events import write_content_index
from generator.analytics.report import DailyTotal, active_rates, bands, content_reads, quadrants, rep_activity
from generator.analytics.identity import read_roster
from generator.analytics.store import SqliteStore, StoredEvent

ROSTER = """partner_id,partner_name,rep_id,name,email,role,joined,left
acme,Acme,a1,Ana,a1@acme.example,sales,2026-01-01,
acme,Acme,a2,Ben,a2@acme.example,sales,2026-01-01,
acme,Acme,a3,Cai,a3@acme.example,sales,2026-01-01,
beta,Beta,b1,Dee,b1@beta.example,sales,2026-01-01,
beta,Beta,b2,Eli,b2@beta.example,sales,2026-01-01,2026-09-15
"""
SALES = "rep_id,month,amount\na1,2026-10,5000\nb1,2026-10,3000\na2,2026-09,900\n"
VIEWS = {("2026-10-03", "a1"): 10, ("2026-10-04", "a2"): 8, ("2026-10-05", "b1"): 2, ("2026-09-02", "b2"): 4}


def totals() -> list[DailyTotal]:
    return [DailyTotal(day, "module:pricing", "2.4", "acme" if rep.startswith("a") else "beta", rep, count, count * 60000)
            for (day, rep), count in VIEWS.items()] + [DailyTotal("2026-10-09", "home:index", "2.4", "", "", 3, 0)]


def roster(tmp_path: Path):
    (tmp_path / "roster.csv").write_text(ROSTER)
    return read_roster(tmp_path / "roster.csv", tmp_path)


def test_known_answers(tmp_path: Path) -> None:
    activity = rep_activity(totals(), roster(tmp_path), {("a1", "2026-10"): 5000.0, ("b1", "2026-10"): 3000.0}, "2026-10")
    assert [rep.rep for rep in activity] == ["a1", "a2", "a3", "b1"], "b2 left before October"
    views_at, sales_at, placed = quadrants(activity)
    assert (views_at, sales_at) == (5.0, 1500.0)
    assert {rep.rep: rep.quadrant for rep in placed} == {
        "a1": "key person 1", "a2": "key person 2", "a3": "neither", "b1": "results without views",
    }
    assert bands(placed)["acme"] == {"top": ["a1"], "middle": ["a2"], "bottom": ["a3"], "active_share": 0.667}
    assert active_rates(totals(), roster(tmp_path), ["2026-09", "2026-10"]) == {
        "acme": {"2026-09": 0.0, "2026-10": 0.667}, "beta": {"2026-09": 0.5, "2026-10": 1.0},
    }
    reads, never = content_reads(totals(), {"home:index", "module:pricing", "module:pitch"}, "2026-10")
    assert reads[0] == {"content": "module:pricing", "version": "2.4", "views": 20, "engaged_minutes": 20.0, "readers": 3}
    assert never == ["module:pitch"]


def test_report_command_writes_html_and_tables(tmp_path: Path) -> None:
    project = tmp_path / "p"
    (project / "private").mkdir(parents=True)
    (project / "site_config.yml").write_text("site_name: S\nvendor: V\nproduct: P\n")
    (project / "private/roster.csv").write_text(ROSTER)
    (project / "private/sales.csv").write_text(SALES)
    write_content_index(project, {"home:index", "module:pricing", "module:pitch"}, ["2.4"])
    store = SqliteStore(project / "private/events.sqlite")
    events = []
    for (day, rep), count in VIEWS.items():
        partner = "acme" if rep.startswith("a") else "beta"
        events += [StoredEvent(day, "view", "module:pricing", "2.4", f"v{rep}{n:08d}", partner, rep, 0, 0) for n in range(count)]
    store.write(events).result()
    store.close()
    result = subprocess.run([sys.executable, "-m", "generator", "report", "-p", str(project), "--month", "2026-10"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    folder = project / "private/reports/2026-10"
    assert result.stdout == f"Report written to {folder / 'report.html'}\n"
    html = (folder / "report.html").read_text()
    assert html.count("<svg") == 2 and "correlation is not a cause" in html
    assert not re.search(r'(src|href)="https?:', html), "the report loads nothing from the network"
    data = json.loads((folder / "report.json").read_text())
    assert {row["rep"]: row["quadrant"] for row in data["reps"]}["a2"] == "key person 2"
    with (folder / "active_rates.csv").open() as stream:
        assert {(row["partner"], row["month"]): row["active_rate"] for row in csv.DictReader(stream)}[("acme", "2026-10")] == "0.667"
