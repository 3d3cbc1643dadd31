"""CRM exports and rosters as people save them (issue 31): Excel's encodings, XLSX, report footers,
formatted numbers and dates. Each file gives the same customers as the UTF-8 CSV, and each wrong
setting a located error naming the setting that fixes it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.errors import ContentErrors
from generator.load.config import load_config
from generator.load.customers import load_customers
from generator.roster import read_roster

pytestmark = pytest.mark.unit

JAPANESE = ("customer_id,name,partner_id,segment,renewal_date,health_score\r\n"
            "J-1,株式会社ソラ,acme,smb,2027-03-01,78\r\n"
            "J-2,\"北斗物流, 東京\",globex,Enterprise,2027-02-14,55\r\n"
            "J-3,ヤマト商事,acme,SMB,,\r\n")


def configure(project: Path, text: str) -> None:
    (project / "site_config.yml").write_text((project / "site_config.yml").read_text() + text)


def customers(project: Path, notes: list[str] | None = None):
    config = load_config(project)
    return load_customers(project, config, read_roster(project / "private/roster.csv", project), notes=notes)


def errors(project: Path) -> list[str]:
    with pytest.raises(ContentErrors) as raised:
        customers(project)
    return [str(error) for error in raised.value.errors]


@pytest.fixture
def expected(project: Path):
    (project / "private/customers.csv").write_text(JAPANESE, encoding="utf-8", newline="")
    return customers(project)


@pytest.mark.parametrize("encoding, note", [
    ("cp932", "private/customers.csv: read as cp932 (detected; set customers.encoding if names look wrong)"),
    ("utf-16", None),
    ("utf-8-sig", None),
])
def test_excel_encodings_give_the_same_customers(project: Path, expected, encoding: str, note: str | None) -> None:
    (project / "private/customers.csv").write_bytes(JAPANESE.encode(encoding))
    notes: list[str] = []
    assert customers(project, notes) == expected
    assert notes == ([note] if note else [])


def test_the_command_says_which_encoding_it_detected(project: Path) -> None:
    (project / "private/customers.csv").write_bytes(JAPANESE.encode("cp932"))
    result = CliRunner().invoke(cli, ["worklists", "--date", "2027-01-15", "-p", str(project)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == "private/customers.csv: read as cp932 (detected; set customers.encoding if names look wrong)"


def test_a_roster_saved_from_japanese_excel_is_read(project: Path) -> None:
    roster = (project / "private/roster.csv").read_text().replace("Ana Silva", "山田 花子")
    (project / "private/roster.csv").write_bytes(roster.encode("cp932"))
    assert read_roster(project / "private/roster.csv", project)[0].name == "山田 花子"


def test_each_wrong_encoding_setting_is_a_located_error_naming_the_fix(project: Path) -> None:
    (project / "private/customers.csv").write_bytes(JAPANESE.encode("cp932"))
    configure(project, "customers:\n  encoding: utf-8\n")
    assert errors(project) == ["private/customers.csv:2:5: not UTF-8 text (byte 0x8a): set customers.encoding to the"
                               " file's encoding (auto, utf-8, cp932, utf-16…), or save it as UTF-8"]
    (project / "private/customers.csv").write_bytes(JAPANESE.encode("utf-8"))
    (project / "site_config.yml").write_text((project / "site_config.yml").read_text().replace("utf-8", "cp932"))
    assert errors(project) == ["private/customers.csv:3:12: not cp932 text (byte 0x81): set customers.encoding to the"
                               " file's encoding (auto, utf-8, cp932, utf-16…), or save it as UTF-8"]
    (project / "site_config.yml").write_text((project / "site_config.yml").read_text().replace("cp932", "utf-16"))
    assert errors(project) == ["private/customers.csv:1:1: not utf-16 text (UTF-16 stream does not start with BOM): set"
                               " customers.encoding to the file's encoding (auto, utf-8, cp932, utf-16…), or save it as UTF-8"]
    (project / "private/customers.csv").write_bytes(JAPANESE.encode("utf-16-le"))
    (project / "site_config.yml").write_text((project / "site_config.yml").read_text().replace("utf-16", "cp1252"))
    assert errors(project)[0].endswith("(read as cp1252: if that is wrong, set customers.encoding)")


def test_an_unknown_encoding_is_a_config_error(project: Path) -> None:
    configure(project, "customers:\n  encoding: shift-jjs\n")
    result = CliRunner().invoke(cli, ["worklists", "-p", str(project)])
    assert result.exit_code == 1
    assert "customers.encoding: 'shift-jjs' is not an encoding: auto, utf-8, utf-8-sig, cp932, utf-16, cp1252…" in result.output


SALESFORCE = (
    '"Account ID","Account Name","Partner ID","Segment","Renewal Date","Health Score","Licensed Seats"\r\n'
    '"A-1","Nordlys AS","acme","SMB","3/1/2027","78%","1,200"\r\n'
    '"A-2","Kestrel Ltd","globex","Enterprise","2/14/2027","55","€250,000"\r\n'
    '\r\n"Grand Totals (2 records)"\r\n\r\n"Ostrova Inc."\r\n'
    '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\r\n'
    '"Confidential Information - Do Not Distribute"\r\n"Generated By:  Val Ostrov  12/1/2026 9:30 AM"\r\n"Ostrova Inc."\r\n')
SALESFORCE_MAPPING = """customers:
  date_format: "%m/%d/%Y"
  columns: {customer_id: Account ID, name: Account Name, partner_id: Partner ID, segment: Segment,
            renewal_date: Renewal Date, health_score: Health Score, seats: Licensed Seats}
"""


def test_a_salesforce_report_with_its_footer_is_read_and_the_footer_skipped(project: Path) -> None:
    configure(project, SALESFORCE_MAPPING)
    (project / "private/customers.csv").write_bytes(SALESFORCE.encode("utf-8-sig"))
    notes: list[str] = []
    read = customers(project, notes)
    assert [(row.id, row.values["health_score"], row.values["seats"], str(row.values["renewal_date"])) for row in read] == [
        ("A-1", 78.0, 1200.0, "2027-03-01"), ("A-2", 55.0, 250000.0, "2027-02-14")]
    assert notes == ["private/customers.csv: skipped 8 lines of report footer after the data (lines 4–11)"]


def test_a_footer_like_row_in_the_middle_of_the_data_is_still_an_error(project: Path) -> None:
    configure(project, SALESFORCE_MAPPING)
    lines = SALESFORCE.split("\r\n")
    lines.insert(2, '"Grand Totals (2 records)"')
    (project / "private/customers.csv").write_text("\r\n".join(lines))
    assert errors(project) == ["private/customers.csv:3:1: expected 7 columns, got 1"]


def test_dates_in_several_formats_and_an_ambiguous_one(project: Path) -> None:
    configure(project, 'customers:\n  date_formats: ["%Y/%m/%d", "%Y年%m月%d日"]\n')
    (project / "private/customers.csv").write_text(
        "customer_id,name,partner_id,segment,renewal_date\nc1,A,acme,smb,2027/03/01\nc2,B,acme,smb,2027年3月1日\n"
        "c3,C,acme,smb,2027-03-01\n")
    assert {str(row.values["renewal_date"]) for row in customers(project)} == {"2027-03-01"}
    (project / "site_config.yml").write_text((project / "site_config.yml").read_text().replace(
        '["%Y/%m/%d", "%Y年%m月%d日"]', '["%d/%m/%Y", "%m/%d/%Y"]'))
    (project / "private/customers.csv").write_text("customer_id,name,partner_id,segment,renewal_date\nc1,A,acme,smb,03/04/2027\n"
                                                   "c2,B,acme,smb,31/12/2027\nc3,C,acme,smb,2027/03/01\n")
    assert errors(project) == [
        "private/customers.csv:2:5: renewal_date: ambiguous date '03/04/2027': 2027-04-03 with %d/%m/%Y, 2027-03-04 with"
        " %m/%d/%Y; keep one of them in customers.date_formats",
        "private/customers.csv:4:5: renewal_date: expected a date like 2026-12-31 or 31/12/2026 or 12/31/2026, got '2027/03/01'"]


def test_numbers_in_other_locales_and_a_wrong_one(project: Path) -> None:
    configure(project, "customers:\n  number_locale: de\n")
    (project / "private/customers.csv").write_text(
        'customer_id,name,partner_id,segment,seats,health_score\nc1,A,acme,smb,"1.200","78,5 %"\nc2,B,acme,smb,"1,200,5",x\n')
    assert errors(project) == ["private/customers.csv:3:5: seats: expected a number, got '1,200,5'",
                               "private/customers.csv:3:6: health_score: expected a number, got 'x'"]


def workbook(path: Path, rows: list[list], first_sheet: str = "Summary", sheet: str = "Accounts") -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = first_sheet
    book.active.append(["Exported from the CRM on", datetime(2026, 12, 1, 9, 30)])
    accounts = book.create_sheet(sheet)
    for row in rows:
        accounts.append(row)
    book.save(path)


ACCOUNTS = [["customer_id", "name", "partner_id", "segment", "renewal_date", "health_score"],
            [1001, "株式会社ソラ", "acme", "smb", datetime(2027, 3, 1), 78],
            [1002, "北斗物流, 東京", "globex", "Enterprise", datetime(2027, 2, 14), 55.5],
            [1003, "ヤマト商事", "acme", "SMB", None, None]]


def test_an_excel_workbook_gives_the_same_customers_as_the_csv(project: Path) -> None:
    (project / "private/customers.csv").write_text(
        "customer_id,name,partner_id,segment,renewal_date,health_score\n1001,株式会社ソラ,acme,smb,2027-03-01,78\n"
        '1002,"北斗物流, 東京",globex,Enterprise,2027-02-14,55.5\n1003,ヤマト商事,acme,SMB,,\n')
    from_csv = customers(project)
    workbook(project / "private/customers.xlsx", ACCOUNTS)
    configure(project, "customers:\n  file: private/customers.xlsx\n  sheet: Accounts\n")
    assert customers(project) == from_csv
    result = CliRunner().invoke(cli, ["worklists", "--date", "2027-01-15", "-p", str(project)])
    assert result.exit_code == 0, result.output


def test_workbook_errors_name_the_sheet_and_cell(project: Path) -> None:
    rows = [list(row) for row in ACCOUNTS]
    rows[1][4] = 46447  # a date column holding the serial number, not formatted as a date
    rows[2][2] = "initech"
    workbook(project / "private/customers.xlsx", rows)
    configure(project, "customers:\n  file: private/customers.xlsx\n  sheet: Acounts\n")
    assert errors(project) == ["private/customers.xlsx:1:1: no sheet 'Acounts' (did you mean 'Accounts'?): the workbook"
                               " has 'Summary', 'Accounts'; set customers.sheet"]
    (project / "site_config.yml").write_text((project / "site_config.yml").read_text().replace("Acounts", "Accounts"))
    assert errors(project) == [
        "private/customers.xlsx:Accounts!E2: renewal_date: expected a date, got the number 46447: format the column as"
        " dates in the workbook",
        "private/customers.xlsx:Accounts!C3: partner_id: unknown partner 'initech': not on private/roster.csv"]
    (project / "site_config.yml").write_text((project / "site_config.yml").read_text().replace("  sheet: Accounts\n", ""))
    assert errors(project)[0].startswith("private/customers.xlsx:Summary!A1: no column 'customer_id' for customer_id")


def test_a_file_named_xlsx_that_is_no_workbook_and_a_row_cap_in_a_workbook(project: Path) -> None:
    (project / "private/customers.xlsx").write_text("customer_id,name\n")
    configure(project, "customers:\n  file: private/customers.xlsx\n  sheet: Accounts\ninputs:\n  max_rows: 2\n")
    assert errors(project) == ["private/customers.xlsx:1:1: not an Excel workbook (.xlsx): save it from Excel as an Excel"
                               " Workbook, or as CSV"]
    workbook(project / "private/customers.xlsx", ACCOUNTS)
    assert errors(project) == ["private/customers.xlsx:Accounts!A4: more than 2 rows: the limit is inputs.max_rows"]


def test_a_roster_kept_in_a_workbook_is_read_with_its_days(project: Path) -> None:
    import csv
    import io

    rows = list(csv.reader(io.StringIO((project / "private/roster.csv").read_text())))
    for row in rows[1:]:
        row[6] = datetime.fromisoformat(row[6])
    workbook(project / "private/roster.xlsx", rows, sheet="Reps")
    with_csv = read_roster(project / "private/roster.csv", project)
    assert read_roster(project / "private/roster.xlsx", project, load_config(project).inputs.model_copy(
        update={"sheet": "Reps"})) == with_csv


def readme_mapping(title: str) -> str:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    return readme[readme.index(title):].split("```yaml\n", 1)[1].split("```", 1)[0]


EXPECTED = [("A-1", "Nordlys AS", "acme", "smb", "2027-02-28", 78.0, 1200.0, "ana"),
            ("A-2", "Kestrel Ltd", "globex", "enterprise", "2027-03-31", 55.0, 80.0, "")]


def shown(read) -> list[tuple]:
    return [(row.id, row.name, row.partner, row.segment, str(row.values["renewal_date"]), row.values["health_score"],
             row.values["seats"], row.rep) for row in read]


def test_the_readmes_salesforce_mapping_reads_a_report_with_its_footer(project: Path) -> None:
    configure(project, readme_mapping("A Salesforce report (Export"))
    (project / "private/customers.csv").write_bytes((
        '"Account ID","Account Name","Partner ID","Segment","Renewal Date","Health Score","Licensed Seats",'
        '"Partner Account Owner"\r\n"A-1","Nordlys AS","acme","SMB","2/28/2027","78%","1,200","ana"\r\n'
        '"A-2","Kestrel Ltd","globex","Enterprise","3/31/2027","55%","80",""\r\n'
        '\r\n"Grand Totals (2 records)"\r\n\r\n"Ostrova Inc."\r\n"Copyright (c) 2000-2026 salesforce.com, inc. All rights'
        ' reserved."\r\n"Confidential Information - Do Not Distribute"\r\n"Generated By:  Val Ostrov  12/1/2026 9:30 AM"\r\n'
        '"Ostrova Inc."\r\n').encode("utf-8-sig"))
    assert shown(customers(project)) == EXPECTED


def test_the_readmes_hubspot_mapping_reads_a_companies_export(project: Path) -> None:
    configure(project, readme_mapping("A HubSpot companies export"))
    (project / "private/customers.csv").write_text(
        "Record ID,Company name,Company Domain Name,Partner ID,Segment,Renewal Date,Create Date,Health Score,"
        "Number of Employees,Partner Owner\n"
        "A-1,Nordlys AS,nordlys.example,acme,SMB,2027-02-28 09:00,2024-03-01 10:15,78,\"1,200\",ana\n"
        "A-2,Kestrel Ltd,kestrel.example,globex,Enterprise,2027-03-31,2025-01-01,55,80,\n", encoding="utf-8")
    assert shown(customers(project)) == EXPECTED


JAPANESE_HEADER = ["顧客ID", "会社名", "パートナーID", "セグメント", "更新日", "ヘルススコア", "契約席数", "利用席数", "担当者ID"]


def test_the_readmes_japanese_mapping_reads_the_workbook_and_its_cp932_csv(project: Path) -> None:
    configure(project, readme_mapping("A Japanese Excel sheet"))
    workbook(project / "private/customers.xlsx", [
        JAPANESE_HEADER, ["A-1", "Nordlys AS", "acme", "SMB", datetime(2027, 2, 28), 78, 1200, 900, "ana"],
        ["A-2", "Kestrel Ltd", "globex", "Enterprise", "2027年3月31日", 55, 80, 20, None]], sheet="顧客一覧")
    assert shown(customers(project)) == EXPECTED
    (project / "private/customers.csv").write_bytes((",".join(JAPANESE_HEADER) + "\r\n"
                                                     "A-1,Nordlys AS,acme,SMB,2027/02/28,78,\"1,200\",900,ana\r\n"
                                                     "A-2,Kestrel Ltd,globex,Enterprise,2027年3月31日,55,80,20,\r\n").encode("cp932"))
    (project / "site_config.yml").write_text((project / "site_config.yml").read_text().replace(
        "file: private/customers.xlsx", "file: private/customers.csv"))
    notes: list[str] = []
    assert shown(customers(project, notes)) == EXPECTED
    assert notes == ["private/customers.csv: read as cp932 (detected; set customers.encoding if names look wrong)"]
