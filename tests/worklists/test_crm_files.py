"""CRM exports and rosters as people save them (issue 31): Excel's encodings, XLSX, report footers,
formatted numbers and dates. Each file gives the same customers as the UTF-8 CSV, and each wrong
setting a located error naming the setting that fixes it."""

from __future__ import annotations

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
