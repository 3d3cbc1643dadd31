"""The report on a generated data set whose answers are known."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from generator.events import write_content_index
from generator.model.answer_keys import ExamKey, QuestionKey, Recertification
from generator.certification.answer_key_files import write_exam_keys
from generator.roster import read_roster
from generator.store.views import DailyTotal
from generator.report.tables import (
    active_rates,
    bands,
    content_reads,
    months_until,
    quadrants,
    read_sales,
    rep_activity,
    weeks_until,
)
from generator.store.core import StoredEvent
from generator.store.database import SqliteStore
from generator.errors import ContentErrors

ROSTER = """partner_id,partner_name,rep_id,name,email,role,joined,left
acme,Acme,a1,Ana,a1@acme.example,sales,2026-01-01,
acme,Acme,a2,Ben,a2@acme.example,sales,2026-01-01,
acme,Acme,a3,Cai,a3@acme.example,sales,2026-01-01,
beta,Beta,b1,Dee,b1@beta.example,sales,2026-01-01,
beta,Beta,b2,Eli,b2@beta.example,sales,2026-01-01,2026-09-15
"""
SALES = "rep_id,month,amount\na1,2026-10,5000\nb1,2026-10,3000\na2,2026-09,900\n"
READING = {  # (day, rep): (views, engaged minutes)
    ("2026-10-03", "a1"): (10, 30), ("2026-10-04", "a2"): (8, 2), ("2026-10-05", "b1"): (2, 20), ("2026-09-02", "b2"): (4, 4),
}
"""2026-10-03 and -04 fall in ISO week 40, 2026-10-05 starts week 41; b2 left before October."""


def partner_of(rep: str) -> str:
    return "acme" if rep.startswith("a") else "beta"


def totals() -> list[DailyTotal]:
    return [DailyTotal(day, "module:pricing", "2.4", partner_of(rep), rep, views, minutes * 60000)
            for (day, rep), (views, minutes) in READING.items()] + [DailyTotal("2026-10-09", "home:index", "2.4", "", "", 3, 0)]


def roster(tmp_path: Path):
    (tmp_path / "roster.csv").write_text(ROSTER)
    return read_roster(tmp_path / "roster.csv", tmp_path)


def october(tmp_path: Path):
    return rep_activity(totals(), roster(tmp_path), {("a1", "2026-10"): 5000.0, ("b1", "2026-10"): 3000.0}, "2026-10")


def test_key_people_by_views_split_at_the_medians(tmp_path: Path) -> None:
    activity = october(tmp_path)
    assert [rep.rep for rep in activity] == ["a1", "a2", "a3", "b1"], "b2 left before October"
    views_at, sales_at, placed = quadrants(activity)
    assert (views_at, sales_at) == (5.0, 1500.0)
    assert {rep.rep: rep.quadrant for rep in placed} == {
        "a1": "key person 1", "a2": "key person 2", "a3": "neither", "b1": "results without views",
    }


def test_key_people_by_engaged_minutes_and_given_thresholds(tmp_path: Path) -> None:
    minutes_at, _, placed = quadrants(october(tmp_path), by="minutes")
    assert minutes_at == 11.0
    assert {rep.rep: rep.quadrant for rep in placed} == {
        "a1": "key person 1", "a2": "neither", "a3": "neither", "b1": "key person 1",
    }
    _, _, placed = quadrants(october(tmp_path), activity_threshold=1, sales_threshold=4000)
    assert {rep.rep: rep.quadrant for rep in placed} == {
        "a1": "key person 1", "a2": "key person 2", "a3": "neither", "b1": "key person 2",
    }


def test_bands_and_active_rates_by_month_and_week(tmp_path: Path) -> None:
    _, _, placed = quadrants(october(tmp_path))
    assert bands(placed)["acme"] == {"top": ["a1"], "middle": [], "bottom": ["a2"], "inactive": ["a3"], "active_share": 0.667}
    assert active_rates(totals(), roster(tmp_path), months_until("2026-10", 2)) == {
        "acme": {"2026-09": 0.0, "2026-10": 0.667}, "beta": {"2026-09": 0.5, "2026-10": 1.0},
    }
    weekly = active_rates(totals(), roster(tmp_path), weeks_until("2026-10", 8))
    assert list(weekly["acme"]) == [f"2026-W{week}" for week in range(37, 45)]
    assert {label: rate for label, rate in weekly["acme"].items() if rate} == {"2026-W40": 0.667}
    assert {label: rate for label, rate in weekly["beta"].items() if rate} == {"2026-W41": 1.0}
    assert weekly["beta"]["2026-W38"] == 0.0, "b2 was still on the roster on 2026-09-15, and read nothing that week"


def test_periods_cross_year_ends() -> None:
    assert [period.label for period in months_until("2026-01", 3)] == ["2025-11", "2025-12", "2026-01"]
    last = weeks_until("2026-12", 2)[-1]
    assert (last.label, last.start, last.end) == ("2026-W53", date(2026, 12, 28), date(2027, 1, 4))


def test_content_reads_and_never_opened(tmp_path: Path) -> None:
    reads, never = content_reads(totals(), {"home:index", "module:pricing", "module:pitch"}, "2026-10")
    assert reads[0] == {"content": "module:pricing", "version": "2.4", "views": 20, "engaged_minutes": 52.0, "readers": 3}
    assert never == ["module:pitch"]


def test_sales_errors_are_located(tmp_path: Path) -> None:
    (tmp_path / "sales.csv").write_text("rep_id,month,amount\na1,2026-10,5000\na2,October,10\na3,2026-10,lots\nb1,2026-10,nan\n")
    with pytest.raises(ContentErrors) as caught:
        read_sales(tmp_path / "sales.csv", tmp_path)
    assert [str(error) for error in caught.value.errors] == [
        f"sales.csv:{line}:1: expected rep_id, a month as YYYY-MM and an amount" for line in (3, 4, 5)
    ]


TITLES = {"home:index": "Welcome, partners", "module:pricing": "Pricing & ROI", "module:pitch": "The pitch"}
"""Page titles as the build keeps them in the content index."""


def make_project(tmp_path: Path) -> Path:
    project = tmp_path / "p"
    (project / "private").mkdir(parents=True)
    (project / "site_config.yml").write_text("site_name: S\nvendor: V\nproduct: P\n")
    (project / "private/roster.csv").write_text(ROSTER)
    (project / "private/sales.csv").write_text(SALES)
    write_content_index(project, TITLES, ["2.4"])
    store = SqliteStore(project / "private/events.sqlite")
    events = []
    for (day, rep), (views, minutes) in READING.items():
        events += [StoredEvent(day, "view", "module:pricing", "2.4", f"v{rep}{n:08d}", partner_of(rep), rep, 0, 0) for n in range(views)]
        events.append(StoredEvent(day, "leave", "module:pricing", "2.4", f"v{rep}00000000", partner_of(rep), rep, minutes * 60000, 90,
                                  received=minutes * 60000))  # that long after the view (received at 0)
    store.write(events).result()
    store.close()
    return project


def report(project: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "report", "-p", str(project), *options],
                          capture_output=True, text=True)


def test_report_command_writes_html_and_tables(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    result = report(project, "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    folder = project / "private/reports/2026-10"
    assert result.stdout == f"Report written to {folder / 'report.html'}\n"
    html = (folder / "report.html").read_text()
    assert html.count("<svg") == 3 and "correlation is not a cause" in html
    assert not re.search(r'(src|href)="https?:|@import|url\((?!#)', html), "the report loads nothing from the network"
    assert "<h3>Release 2.4</h3>" in html and "<h3>Never opened this month</h3>\n<p>Welcome, partners, The pitch</p>" in html
    data = json.loads((folder / "report.json").read_text())
    assert {row["rep"]: row["quadrant"] for row in data["reps"]}["a2"] == "key person 2"
    with (folder / "active_rates_monthly.csv").open() as stream:
        rates = {(row["partner"], row["period"]): row["active_rate"] for row in csv.DictReader(stream)}
    assert rates[("acme", "2026-10")] == "0.667"
    assert sorted(path.name for path in folder.iterdir()) == [
        "active_rates_monthly.csv", "active_rates_weekly.csv", "bands.csv", "certificates.csv", "content.csv", "funnel.csv",
        "never_opened.csv", "partners", "quizzes.csv", "reminders.csv", "report.html", "report.json", "reps.csv", "tiers.csv",
    ]
    assert sorted(path.name for path in (folder / "partners").iterdir()) == ["acme.html", "beta.html"]
    summary = html.index('<h2 id="summary">At a glance</h2>')
    assert summary < html.index("a correlation is not a cause"), "the figures first, the note after"
    assert "<li><strong>3 of 4</strong> rostered reps active in 2026-10 (75 %)</li>" in html
    assert "<li>Partners that need a call: <strong>Acme</strong> (key person 2: 1 rep)</li>" in html
    assert '<p class="glance"><strong>0</strong> reps with a valid certificate · <strong>needs a call</strong>: key person 2.</p>' in html
    assert "needs a call" not in (folder / "partners/acme.html").read_text(), "the partner's own page keeps the vendor's notes out"
    assert "No partner tiers are set" in html and "No certificate has been issued yet." in html


def test_report_by_minutes_with_thresholds(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    result = report(project, "--month", "2026-10", "--by", "minutes", "--activity-threshold", "25", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "out/report.json").read_text())
    assert (data["by"], data["activity_threshold"], data["sales_threshold"]) == ("minutes", 25.0, 1500.0)
    assert {row["rep"]: row["quadrant"] for row in data["reps"]} == {
        "a1": "key person 1", "a2": "neither", "a3": "neither", "b1": "results without views",
    }
    assert "split at 25 engaged minutes and 1,500 in sales" in (tmp_path / "out/report.html").read_text()


def test_report_refuses_a_bad_month(tmp_path: Path) -> None:
    result = report(make_project(tmp_path), "--month", "2026-13")
    assert (result.returncode, result.stderr) == (1, "Error: --month 2026-13: expected a month as YYYY-MM, e.g. 2026-10\n")


TIERS_CONFIG = """certification:
  tiers:
    - {id: gold, name: Gold partner, requires: [{role: sales, level: gold, reps: 2}]}
    - {id: silver, name: Silver partner, requires: [{role: sales, level: silver}]}
"""


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open() as stream:
        return list(csv.DictReader(stream))


def test_report_partner_tiers_and_reminders(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "site_config.yml").write_text((project / "site_config.yml").read_text() + TIERS_CONFIG)
    today = datetime.now(timezone.utc).date()  # the command reports tiers as of the UTC day

    def day(days: int) -> str:
        return (today + timedelta(days=days)).isoformat()

    certificates = [  # (partner, rep, exam, level, expires, recertify_by)
        ("acme", "a1", "sales-gold", "gold", day(200), None),
        ("acme", "a2", "sales-gold", "gold", day(300), day(40)),  # must recertify within 40 days
        ("acme", "a3", "sales-silver", "silver", day(75), None),
        ("beta", "b1", "sales-gold", "gold", day(10), None),
        ("beta", "b2", "sales-gold", "gold", day(300), None),  # Eli left on 2026-09-15
    ]
    with sqlite3.connect(project / "private/events.sqlite") as database:
        database.executemany(
            "INSERT INTO certificates VALUES (?, ?, ?, ?, ?, 'sales', ?, '2.4', ?, ?, ?)",
            [(f"id-{rep}-{exam}", partner, rep, exam, exam.replace("-", " ").title(), level, day(-100), expires, recertify)
             for partner, rep, exam, level, expires, recertify in certificates])
    database.close()
    # Ben passed on release 2.3; release 2.5 changed the exam and asks 2.3's holders to recertify within
    # 40 days: the report applies that mark, as the collector does when it starts.
    with sqlite3.connect(project / "private/events.sqlite") as database:
        database.execute("UPDATE certificates SET version = '2.3', recertify_by = NULL WHERE rep = 'a2'")
    database.close()
    gold = ExamKey(id="sales-gold", title="Sales Gold", role="sales", level="gold", pass_mark=80, draw=1,
                   shuffle_questions=False, shuffle_choices=False, attempts=None, retry_after_hours=0,
                   time_limit_minutes=None, review="score", validity_days=365,
                   recertify=Recertification(releases=["2.3"], by=date.fromisoformat(day(40)), changed_percent=40),
                   questions=[QuestionKey(id="q", type="short-text", answers=["yes"])])
    write_exam_keys(project, "2.5", {"sales-gold": gold})
    result = report(project, "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    folder = project / "private/reports/2026-10"
    assert read_csv(folder / "tiers.csv") == [
        {"partner": "acme", "partner_name": "Acme", "tier_now": "gold", "tier_in_90_days": "silver", "drop_on": day(41),
         "drop_to": "silver", "causes": "a2:sales-gold"},
        {"partner": "beta", "partner_name": "Beta", "tier_now": "silver", "tier_in_90_days": "", "drop_on": day(11),
         "drop_to": "", "causes": "b1:sales-gold"},
    ]
    assert [(row["name"], row["bucket"], row["days_left"], row["kind"]) for row in read_csv(folder / "reminders.csv")] == [
        ("Dee", "30", "10", "expiry"), ("Ben", "60", "40", "recertification"), ("Cai", "90", "75", "expiry"),
    ]
    assert [(row["rep"], row["status"]) for row in read_csv(folder / "certificates.csv")] == [
        ("a1", "valid"), ("a2", "recertify"), ("a3", "valid"), ("b1", "valid"), ("b2", "left"),
    ]
    html = (folder / "report.html").read_text()
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings[-4:] == ["Partner tiers now", "Tiers at risk within 90 days", "Certifications per partner",
                             "Certificates to remind about (90/60/30 days)"]
    assert "<li><strong>Gold partner</strong>: 2 × Sales rep, Gold or higher</li>" in html, "roles and levels by name, not id"
    assert "<th>Release</th>" in html and "<th>Role</th>" in html and "<td>Sales rep</td><td>Gold</td>" in html
    assert (f"<tr><td>Acme</td><td>Gold partner</td><td>{day(41)}</td><td>Silver partner</td>"
            f"<td>Ben: Sales Gold (Gold, valid until {day(40)})</td></tr>") in html
    assert html.count("<svg") == 3, "tiers and certificates are tables, not charts"
    assert json.loads((folder / "report.json").read_text())["today"] == today.isoformat()


HOSTILE = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]


def test_text_cells_that_start_like_formulas_get_a_quote() -> None:
    from generator.csvfile import csv_text

    text = csv_text(["name", "amount"], [[name, -1.5] for name in [*HOSTILE, "\tTAB", "\rCR", "Ana", "-"]] + [[None, 3]])
    assert list(csv.reader(text.splitlines(keepends=True))) == [["name", "amount"]] + [
        ["'" + name, "-1.5"] for name in [*HOSTILE, "\tTAB", "\rCR"]] + [["Ana", "-1.5"], ["'-", "-1.5"], ["", "3"]]


def test_no_report_table_carries_a_live_formula(tmp_path: Path) -> None:
    from generator.report.output import ReportData, ReportOptions, write_report
    from generator.certification.certificates import Certificate
    from generator.model.config import CertificationSettings

    today = date(2026, 11, 22)
    lines = [f'acme,"=cmd()",r{n},"{name.replace(chr(34), chr(34) * 2)}",r{n}@acme.example,sales,2026-01-01,'
             for n, name in enumerate(HOSTILE)]
    (tmp_path / "roster.csv").write_text(ROSTER.splitlines()[0] + "\n" + "\n".join(lines) + "\n", newline="")
    reps = read_roster(tmp_path / "roster.csv", tmp_path)
    assert [entry.name for entry in reps] == HOSTILE
    certificates = [Certificate(f"id{n}", "acme", f"r{n}", "sales-gold", "=Gold()", "sales", "gold", "2.4",
                                today - timedelta(days=300), today + timedelta(days=20)) for n in range(len(HOSTILE))]
    totals = [DailyTotal("2026-10-03", "module:pricing", "2.4", "acme", f"r{n}", 3, 60000) for n in range(len(HOSTILE))]
    folder = tmp_path / "report"
    write_report(folder, "2026-10", ReportData(totals, reps, {("r0", "2026-10"): -120.5}, {"module:pricing"},
                                               certificates=certificates),
                 ReportOptions(certification=CertificationSettings(), today=today))
    names = ["'" + entry.name for entry in reps]
    assert [row["name"] for row in read_csv(folder / "reps.csv")] == names
    assert [row["sales"] for row in read_csv(folder / "reps.csv")][0] == "-120.5", "numbers stay numbers"
    assert sorted(row["name"] for row in read_csv(folder / "reminders.csv")) == sorted(names)
    assert {row["partner_name"] for row in read_csv(folder / "reminders.csv")} == {"'=cmd()"}
    assert {row["title"] for row in read_csv(folder / "reminders.csv")} == {"'=Gold()"}
    certified = read_csv(folder / "certificates.csv")
    assert sorted(row["name"] for row in certified) == sorted(names)
    for path in folder.glob("*.csv"):
        for row in csv.reader(path.open(newline="")):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (path.name, cell)
                assert not cell.startswith("-") or re.fullmatch(r"-\d+(\.\d+)?", cell), (path.name, cell)


def html_text(html: str) -> str:
    """What a reader sees of the report's HTML: the text outside tags, styles and charts."""
    import html as html_module

    body = re.sub(r"<style>.*?</style>|<svg.*?</svg>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_the_html_names_partners_reps_and_pages_and_keeps_ids_for_the_csv(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    assert report(project, "--month", "2026-10").returncode == 0
    folder = project / "private/reports/2026-10"
    html = (folder / "report.html").read_text()
    text = html_text(html)
    assert not re.search(r"\b(module|home|path|quiz):[a-z]", text), "no page is named by its id"
    assert not re.search(r"\b(acme|beta|a1|a2|b1)\b", text), "no partner or rep is named by its id"
    assert "<tr><td>Pricing &amp; ROI</td><td class=\"number\">20</td><td class=\"number\">52.0</td><td class=\"number\">3</td></tr>" in html
    # 2:6:2 over the reps who read: Ana top, Ben bottom; Cai read nothing and is in no band
    assert ("<tr><td>Acme</td><td>Ana</td><td></td><td>Ben</td><td>Cai</td><td class=\"number\">67 %</td></tr>") in html
    assert "<tr><td>Beta</td><td>Dee</td><td></td><td></td><td></td><td class=\"number\">100 %</td></tr>" in html
    assert [(row["partner"], row["partner_name"], row["top"], row["bottom"], row["inactive"]) for row in read_csv(folder / "bands.csv")] == [
        ("acme", "Acme", "a1", "a2", "a3"), ("beta", "Beta", "b1", "", "")]
    assert [(row["content"], row["title"]) for row in read_csv(folder / "content.csv")] == [("module:pricing", "Pricing & ROI")]
    assert [(row["rep"], row["name"], row["partner_name"]) for row in read_csv(folder / "reps.csv")][0] == ("a1", "Ana", "Acme")
    assert ">Acme</text>" in html and ">Beta</text>" in html, "the active-rate legends name partners"


def test_a_page_per_partner_holds_that_partner_only(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    assert report(project, "--month", "2026-10").returncode == 0
    acme = html_text((project / "private/reports/2026-10/partners/acme.html").read_text())
    assert "Acme: learning and certification, 2026-10" in acme
    assert "67 % of 3 rostered reps opened at least one page in 2026-10." in acme
    rows = re.findall(r"(Ana|Ben|Cai)\s+(\d+)\s+([\d.]+)\s+(Top 20 %|Middle 60 %|Bottom 20 %|No activity)", acme)
    assert rows == [("Ana", "10", "30.0", "Top 20 %"), ("Ben", "8", "2.0", "Bottom 20 %"), ("Cai", "0", "0.0", "No activity")]
    assert "Dee" not in acme and "Beta" not in acme and "5,000" not in acme, "nothing of other partners, no sales"


def test_no_week_or_month_after_today_is_reported(tmp_path: Path) -> None:
    from generator.report.output import ReportData, ReportOptions, write_report

    folder = tmp_path / "report"
    write_report(folder, "2026-12", ReportData([DailyTotal("2026-12-02", "module:pricing", "2.4", "acme", "a1", 1, 60000)],
                                               roster(tmp_path), {}, {"module:pricing"}),
                 ReportOptions(today=date(2026, 12, 9)))
    weeks = [row["period"] for row in read_csv(folder / "active_rates_weekly.csv") if row["partner"] == "acme"]
    assert weeks == [f"2026-W{week}" for week in range(43, 51)], "W50 began on 2026-12-07; W51 to W53 are to come"
    html = (folder / "report.html").read_text()
    assert "W51" not in html and "2027-01" not in html


def test_the_default_month_is_the_latest_with_events_and_an_empty_month_says_so(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    result = report(project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Report written to {project / 'private/reports/2026-10/report.html'}\n"
    assert "No views or quiz results were recorded" not in (project / "private/reports/2026-10/report.html").read_text()
    assert report(project, "--month", "2026-08").returncode == 0
    html = (project / "private/reports/2026-08/report.html").read_text()
    assert "No views or quiz results were recorded in 2026-08." in html_text(html)
    assert "<td>Acme</td><td></td><td></td><td></td><td>Ana, Ben, Cai</td>" in html, "nobody in a band in an empty month"


def test_engaged_time_is_what_the_beacon_sent(tmp_path: Path) -> None:
    """Events posted to the real collector exactly as beacon.js sends them (``sendBeacon`` of a JSON list,
    so ``text/plain``): a rep who reads a page for 40 s shows 0.7 min; a leave that claims more time
    than the collector has seen pass since the view is credited with what passed."""
    import httpx

    from generator.collector.app import CollectorSettings
    from generator.events import read_content_index
    from generator.identity import Rep, sign
    from tests.analytics.conftest import KEYS, ORIGIN, Clock, running_collector

    project = make_project(tmp_path)
    (project / "private/events.sqlite").unlink()
    clock = Clock()
    month = datetime.fromtimestamp(clock(), timezone.utc).strftime("%Y-%m")
    (project / "private/roster.csv").write_text(ROSTER.replace("2026-09-15", ""))
    headers = {"content-type": "text/plain;charset=UTF-8", "origin": ORIGIN,
               "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"}
    settings = CollectorSettings(read_content_index(project), [ORIGIN], KEYS, clock=clock)
    with running_collector(settings, project / "private/events.sqlite") as collector:
        def send(*events: dict) -> None:
            response = httpx.post(collector.url + "/e", content=json.dumps(list(events)), headers=headers)
            assert response.status_code == 204, response.text

        def page_view(rep: str, view: str) -> dict:
            return {"type": "view", "content": "module:pricing", "version": "2.4",
                    "token": sign(Rep(partner_of(rep), rep, datetime.now(timezone.utc)), KEYS), "at": int(clock() * 1000), "view": view}

        ana, ben = page_view("a1", "k3x9q2mmx4tkaf4"), page_view("a2", "p0w8e1zzx4tkaf4")
        send(ana)
        send(ben)
        clock.advance(40)
        # the beacon's leave event: the view's fields, then type, at, engaged_ms and scroll
        send({**ana, "type": "leave", "at": int(clock() * 1000), "engaged_ms": 40_000, "scroll": 80})
        send({**ben, "type": "leave", "at": int(clock() * 1000), "engaged_ms": 3_600_000, "scroll": 10})
    result = report(project, "--by", "minutes")
    assert result.returncode == 0, result.stderr
    folder = project / f"private/reports/{month}"
    assert {row["name"]: row["engaged_minutes"] for row in read_csv(folder / "reps.csv")} == {
        "Ana": "0.7", "Ben": "0.7", "Cai": "0.0", "Dee": "0.0", "Eli": "0.0"}
    partner_page = html_text((folder / "partners/acme.html").read_text())
    assert re.search(r"Ana\s+1\s+0\.7\s+Top 20 %", partner_page), partner_page
    assert "<tr><td>Pricing &amp; ROI</td><td class=\"number\">2</td><td class=\"number\">1.3</td>" in (folder / "report.html").read_text()


def test_the_build_keeps_page_titles_in_the_content_index_and_the_collector_still_reads_it(minimal: Path, tmp_path: Path) -> None:
    from generator.events import CONTENT_INDEX, read_content_index
    from generator.commands.build import build
    from tests.conftest import configure

    configure(minimal, analytics={"endpoint": "https://collect.partners.test/e"})
    build(minimal, tmp_path / "site")
    index = read_content_index(minimal)
    assert index.titles["module:pricing"] == "Pricing | plans" and index.titles["path:sales-start"] == "Sales starter path"
    assert set(index.titles) <= index.content
    written = json.loads((minimal / CONTENT_INDEX).read_text(encoding="utf-8"))
    older = {key: value for key, value in written.items() if key != "titles"}  # as builds before titles wrote it
    (minimal / CONTENT_INDEX).write_text(json.dumps(older))
    assert read_content_index(minimal).content == index.content and read_content_index(minimal).titles == {}


def test_pages_without_a_title_are_named_in_words() -> None:
    from generator.report.tables import page_name

    assert [page_name(ident, {}) for ident in ("path:sales-onboarding", "home:index", "whats-new:2.4", "module:index")] == [
        "Sales onboarding (path)", "Home page", "What's new in 2.4", "Module index"]


def test_a_rep_who_reads_a_page_for_40_seconds_in_chromium_shows_0_7_minutes(minimal: Path, site_server, browser, tmp_path: Path) -> None:
    """The beacon in Chromium, the real collector and the report command, end to end. The page's clock
    and the collector's move 40 s together (Playwright's clock), so the test does not wait 40 s. The rep
    leaves by following a link (instant navigation), as a rep does: headless Chromium sends the beacons
    of a page being unloaded with its own HeadlessChrome user agent, which the collector refuses as a bot."""
    from generator.collector.app import CollectorSettings
    from generator.identity import Rep, sign
    from tests.analytics.conftest import KEYS, Clock, free_port, running_collector
    from tests.browser.test_beacon import REP_BROWSER, setup_site

    port = free_port()
    content = setup_site(minimal, site_server, port)
    (minimal / "private/roster.csv").write_text(
        "partner_id,partner_name,rep_id,name,email,role,joined,left\n"
        "acme,Acme Resellers,rep-7,Rosa Park,rosa@acme.example,sales,2026-01-01,\n"
        "acme,Acme Resellers,rep-8,Tom Ito,tom@acme.example,sales,2026-01-01,\n")
    (minimal / "private/sales.csv").write_text("rep_id,month,amount\n")
    clock = Clock()
    context = browser.new_context(user_agent=REP_BROWSER, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.clock.install()
    token = sign(Rep("acme", "rep-7", datetime.now(timezone.utc)), KEYS)
    settings = CollectorSettings(content, [site_server.url.rstrip("/")], KEYS, clock=clock)
    with running_collector(settings, minimal / "private/events.sqlite", port) as collector:
        page.goto(site_server.url + f"modules/product-basics/?pk={token}")
        page.wait_for_load_state("networkidle")
        clock.advance(40)
        page.clock.fast_forward(40_000)
        page.locator("article a", has_text="Sales starter path").first.click()
        page.wait_for_url(site_server.url + "paths/sales-start/")
        leaves = lambda: collector.store.query("SELECT content, engaged_ms FROM events WHERE type = 'leave'")
        deadline = datetime.now() + timedelta(seconds=10)
        while not leaves() and datetime.now() < deadline:
            page.wait_for_timeout(100)
        [(leaf, engaged)] = leaves()
        assert leaf == "module:product-basics" and 40_000 <= engaged < 42_000, (engaged, collector.rejected())
    context.close()
    result = report(minimal)
    assert result.returncode == 0, result.stderr
    month = datetime.fromtimestamp(clock(), timezone.utc).strftime("%Y-%m")
    folder = minimal / f"private/reports/{month}"
    assert {row["name"]: row["engaged_minutes"] for row in read_csv(folder / "reps.csv")} == {"Rosa Park": "0.7", "Tom Ito": "0.0"}
    html = (folder / "report.html").read_text()
    assert re.search(r"<tr><td>Product basics</td><td class=\"number\">1</td><td class=\"number\">0.7</td>", html)
    partner_page = html_text((folder / "partners/acme.html").read_text())
    assert "Rosa Park 2 0.7 Top 20 % Tom Ito 0 0.0 No activity" in partner_page, "two views: the module and the path"


def test_a_versioned_build_keeps_page_titles_in_the_content_index(minimal: Path, tmp_path: Path) -> None:
    from generator.events import read_content_index
    from generator.commands.build import build
    from tests.conftest import configure

    configure(minimal, analytics={"endpoint": "https://collect.partners.test/e"}, versions=[{"version": "1.0"}])
    build(minimal, tmp_path / "site")
    index = read_content_index(minimal)
    assert index.titles["module:pricing"] == "Pricing | plans" and index.titles["path:sales-start"] == "Sales starter path"
    assert set(index.titles) <= index.content


def test_the_report_says_plainly_what_a_median_of_0_means_and_skips_periods_before_any_reading(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    result = report(project, "--month", "2026-09", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    html = " ".join((tmp_path / "out/report.html").read_text().split())
    assert "split at 0 page views and 0 in sales" in html
    assert "Half the reps or more opened nothing this month, so a single one of the page views already counts as many." in html
    assert "Half the reps or more sold nothing this month, so any sale counts as a result." in html
    assert "<h3>Key person 2: reads a lot, no sales yet</h3>" in html
    assert "Before 2026-09, no rep opened a page: those periods are left out of the table." in html
    monthly = html.split("<h3>Monthly</h3>", 1)[1].split("</table>", 1)[0]
    assert "<th class=\"number\">2026-08</th>" not in monthly and "<th class=\"number\">2026-09</th>" in monthly
    assert "<table class=\"weekly\"><tr><th>Week</th><th class=\"number\">Active reps</th></tr>" in html
