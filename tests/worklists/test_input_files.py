"""Input files under attack: each data file (customers, roster, revoked list, sales, exam keys, e-mail
templates) is refused with a located error when it leads out of the project or passes a limit, and
nothing is loaded or stored."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.identity import read_revocations
from generator.report.tables import read_sales
from generator.certification.answer_key_files import read_exam_keys
from generator.cli import cli
from generator.errors import ContentErrors
from generator.inputs import read_table
from generator.roster import read_roster
from generator.model.config import InputSettings

pytestmark = pytest.mark.unit

CUSTOMERS = ("customer_id,name,partner_id,segment,renewal_date\n"
             "c1,Nordlys AS,acme,smb,2027-03-01\n"
             "c2,Kestrel Ltd,globex,smb,2027-03-01\n")


def worklists(project: Path, *arguments: str):
    return CliRunner().invoke(cli, ["worklists", "--date", "2027-01-15", "-p", str(project), *arguments],
                              env={"PARTNERKIT_TOKEN_KEYS": "k1:0123456789abcdef0123"})


def nothing_stored(project: Path) -> None:
    assert not (project / "private/events.sqlite").exists(), "nothing was stored"
    assert not (project / "private/worklists").exists(), "no worklist was written"


def configure(project: Path, text: str) -> None:
    (project / "site_config.yml").write_text((project / "site_config.yml").read_text() + text)


def test_a_customers_file_linking_out_of_the_project_is_refused(project: Path) -> None:
    outside = project.parent / "outside"
    outside.mkdir()
    (outside / "customers.csv").write_text(CUSTOMERS)
    (project / "private/customers.csv").symlink_to("../../outside/customers.csv")
    result = worklists(project)
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        f"private/customers.csv:1:1: leads outside the project (to {outside.resolve()}/customers.csv): input files must"
        " lie inside the project", "Aborted with 1 error"]
    nothing_stored(project)


@pytest.mark.parametrize("setting, message", [
    ("../outside/customers.csv", "'../outside/customers.csv' leads outside the project: input files must lie inside it"),
    ("private/../../outside/customers.csv",
     "'private/../../outside/customers.csv' leads outside the project: input files must lie inside it"),
    ("/tmp/customers.csv", "'/tmp/customers.csv' must be a path relative to the project, such as private/customers.csv"),
])
def test_a_customers_setting_naming_a_file_out_of_the_project_is_refused(project: Path, setting: str, message: str) -> None:
    outside = project.parent / "outside"
    outside.mkdir()
    (outside / "customers.csv").write_text(CUSTOMERS)
    Path("/tmp/customers.csv").write_text(CUSTOMERS) if setting.startswith("/tmp") else None
    configure(project, f"customers:\n  file: {setting}\n")
    line = len((project / "site_config.yml").read_text().splitlines())
    result = worklists(project)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"site_config.yml:{line}:9: customers.file: {message}"
    nothing_stored(project)


def test_an_absolute_path_is_refused_by_the_opener_too(project: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere.csv").write_text("partner_id\n")
    with pytest.raises(ContentErrors) as raised:
        with read_table(tmp_path / "elsewhere.csv", project):
            pass
    assert str(raised.value.errors[0]) == (f"{tmp_path / 'elsewhere.csv'}:1:1: leads outside the project (to"
                                           f" {(tmp_path / 'elsewhere.csv').resolve()}): input files must lie inside the project")


@pytest.mark.parametrize("reader, name", [
    (lambda root: read_roster(root / "private/roster.csv", root), "roster.csv"),
    (lambda root: read_revocations(root / "private/revoked.csv", root), "revoked.csv"),
    (lambda root: read_sales(root / "private/sales.csv", root), "sales.csv"),
    (lambda root: read_exam_keys(root), "exams/site.json"),
])
def test_every_data_file_linking_out_is_refused(project: Path, tmp_path: Path, reader, name: str) -> None:
    secret = tmp_path / "secret" / name
    secret.parent.mkdir(parents=True)
    secret.write_text("rep_id,month,amount\n")
    target = project / "private" / name
    target.parent.mkdir(exist_ok=True)
    target.unlink(missing_ok=True)
    target.symlink_to(secret)
    with pytest.raises(ContentErrors) as raised:
        reader(project)
    assert str(raised.value.errors[0]) == (f"private/{name}:1:1: leads outside the project (to {secret.resolve()}):"
                                           " input files must lie inside the project")


def test_an_e_mail_template_linking_out_is_refused(project: Path, tmp_path: Path) -> None:
    from generator.load.config import load_config
    from generator.notifications.mail import environments

    (tmp_path / "stolen.j2").write_text("{% block subject %}{% endblock %}")
    (project / "templates/notify").mkdir(parents=True)
    (project / "templates/notify/reminder.j2").symlink_to(tmp_path / "stolen.j2")
    text, _ = environments(project / "templates", "templates")
    with pytest.raises(ContentErrors) as raised:
        text.get_template("notify/reminder.j2")
    assert str(raised.value.errors[0]) == (f"templates/notify/reminder.j2:1:1: leads outside the templates folder (to"
                                           f" {(tmp_path / 'stolen.j2').resolve()}): templates must lie inside it")
    assert load_config(project)  # the project itself is fine


def test_a_customers_file_over_the_byte_cap_is_refused_before_reading(project: Path) -> None:
    export = CUSTOMERS * 4  # the roster (338 bytes) is under the cap, the export (480 bytes) over it
    (project / "private/customers.csv").write_text(export)
    configure(project, "inputs:\n  max_bytes: 400\n")
    result = worklists(project)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "private/customers.csv:1:1: 480 bytes, more than 400: the limit is inputs.max_bytes"
    nothing_stored(project)


def test_a_customers_file_over_the_row_cap_is_refused_at_the_first_row_too_many(project: Path) -> None:
    (project / "private/customers.csv").write_text(CUSTOMERS + "\n" + "".join(
        f"x{number},X {number},acme,smb,2027-03-01\n" for number in range(5)))
    configure(project, "inputs:\n  max_rows: 4\n")
    result = worklists(project)
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == ["private/customers.csv:7:1: more than 4 rows: the limit is inputs.max_rows",
                                              "Aborted with 1 error"]
    nothing_stored(project)


def test_a_cell_over_the_field_cap_is_refused_where_it_is(project: Path) -> None:
    (project / "private/customers.csv").write_text(CUSTOMERS + f'c3,"{"N" * 300}",acme,smb,2027-03-01\n')
    configure(project, "inputs:\n  max_field_chars: 200\n")
    result = worklists(project)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == ("private/customers.csv:4:2: a cell of 300 characters, more than 200: the limit"
                                             " is inputs.max_field_chars")
    nothing_stored(project)


def test_a_cell_past_the_csv_modules_own_limit_and_a_line_without_end_are_located(project: Path) -> None:
    path = project / "private/customers.csv"
    path.write_text(CUSTOMERS + 'c3,"' + "N" * 200_000 + '",acme,smb,\n')
    with pytest.raises(ContentErrors) as raised:
        with read_table(path, project) as table:
            list(table.rows)
    assert str(raised.value.errors[0]) == ("private/customers.csv:4:1: a cell of more than 10000 characters: the limit is"
                                           " inputs.max_field_chars")
    path.write_text(CUSTOMERS + "x" * (2 << 20))
    with pytest.raises(ContentErrors) as raised:
        with read_table(path, project, InputSettings(max_bytes=8 << 20)) as table:
            list(table.rows)
    assert str(raised.value.errors[0]) == "private/customers.csv:4:1: a line of more than 1048576 characters"


def test_a_fifo_or_a_folder_is_not_read(project: Path) -> None:
    import os

    os.mkfifo(project / "private/customers.csv")
    result = worklists(project)
    assert result.exit_code == 1 and "private/customers.csv not found" in result.output.splitlines()[0]
    with pytest.raises(ContentErrors) as raised:
        with read_table(project / "private/customers.csv", project):
            pass
    assert str(raised.value.errors[0]) == "private/customers.csv:1:1: not a regular file"


def test_links_inside_the_project_still_work(project: Path) -> None:
    (project / "private/exports").mkdir()
    (project / "private/exports/today.csv").write_text(CUSTOMERS)
    (project / "private/customers.csv").symlink_to("exports/today.csv")
    result = worklists(project)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("2027-01-15: ")


def test_the_revocation_list_is_still_read_and_written(project: Path) -> None:
    from generator.identity import write_revocations

    moment = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)
    write_revocations(project / "private/revoked.csv", {"ana": moment})
    assert read_revocations(project / "private/revoked.csv", project) == {"ana": moment}
    assert [entry.joined for entry in read_roster(project / "private/roster.csv", project)][0] == date(2026, 1, 10)


def test_the_memory_benchmarks_exports_sit_where_they_claim(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import input_memory

    rows, name_chars, _ = input_memory.CASES["at-both-caps"]
    size = input_memory.write_export(tmp_path / "customers.csv", rows, name_chars)
    assert InputSettings().max_bytes - 1_000_000 < size <= InputSettings().max_bytes
    with read_table(tmp_path / "customers.csv", tmp_path) as table:
        assert sum(1 for _ in table.rows) == InputSettings().max_rows


def test_a_page_template_linking_out_is_refused(project: Path, tmp_path: Path) -> None:
    from generator.render.site import template_environment

    (tmp_path / "stolen.md.j2").write_text("{{ config.site_name }}")
    (project / "my-templates").mkdir()
    (project / "my-templates/module.md.j2").symlink_to(tmp_path / "stolen.md.j2")
    environment = template_environment((project / "my-templates").resolve(), "my-templates")
    with pytest.raises(ContentErrors) as raised:
        environment.get_template("module.md.j2")
    assert str(raised.value.errors[0]) == (f"my-templates/module.md.j2:1:1: leads outside the templates folder (to"
                                           f" {(tmp_path / 'stolen.md.j2').resolve()}): templates must lie inside it")
