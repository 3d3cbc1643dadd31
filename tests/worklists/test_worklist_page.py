"""A worklist's HTML page, written through the sandboxed Jinja template ``worklist.html.j2``: what a reader
sees, every value escaped, and no link but to a web page."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.store.worklists import CaseRow, StepRow
from generator.commands.worklists import WorklistFiles
from generator.load.config import load_config
from tests.worklists.conftest import EXAMPLE

pytestmark = pytest.mark.unit

DAY = date(2028, 1, 31)
HOSTILE = "<script>alert(1)</script> & \"Söhne\" 'x'"


class Page(HTMLParser):
    """The elements of a page and the text a reader sees, as the browser parses them."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.words: list[str] = []
        self._in_head = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_head = self._in_head or tag in ("style", "title")

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self._in_head = False

    def handle_data(self, data):
        if not self._in_head and data.strip():
            self.words.append(data.strip())

    @property
    def text(self) -> str:
        return " ".join(self.words)


def case(ident: str, name: str, url: str, partner: str = "acme") -> CaseRow:
    return CaseRow(ident, "A-1", name, partner, "enterprise", "ana", "renewal-90-60-30", "2027-12-02", url,
                   "2028-01-31", None, None)


def step(case_id: str, number: int, action: str, due: str | None, owner: str = "partner",
         ticked_by: str | None = None) -> StepRow:
    return StepRow(case_id, number, action, "90 days before renewal", due, owner, (), ticked_by,
                   "acme" if ticked_by else None, "2028-01-30" if ticked_by else None)


@pytest.fixture
def files(tmp_path: Path) -> WorklistFiles:
    steps = {
        "c1": [step("c1", 0, "Check the health score", "2028-01-02", ticked_by="ana"),
               step("c1", 1, f"Call {HOSTILE}", "2028-01-20", owner="vendor"),
               step("c1", 2, "Send the quote", None, owner="shared")],
        "c2": [step("c2", 0, "Kick-off", "2028-02-10")],
    }
    return WorklistFiles(tmp_path, load_config(EXAMPLE), DAY, steps, {"renewal-90-60-30": "Renewal <90> days"},
                         {"ana": f"Ana {HOSTILE}"})


def test_a_partner_list_shows_each_case_and_step_as_written(files: WorklistFiles) -> None:
    cases = [case("c1", f"Brück {HOSTILE}", "https://partners.example/procedures/renewal-90-60-30/"),
             case("c2", "Kestrel Ltd", "javascript:alert(1)")]
    csv_file, html_file = files.write("acme", f"Worklist of {HOSTILE}", cases, lambda row: True)
    assert (csv_file.name, html_file.name) == ("acme.csv", "acme.html")
    text = html_file.read_text(encoding="utf-8")
    page = Page(text)
    assert [tag for tag, _ in page.tags if tag in ("script", "iframe", "img")] == []
    assert page.text == (
        f"Worklist of {HOSTILE} 2028-01-31 · 2 open cases "
        f"Brück {HOSTILE} Renewal <90> days · Enterprise · since 2027-12-02 procedure "
        f"2028-01-02 · Partner: Check the health score (done by Ana {HOSTILE}) "
        f"2028-01-20 · Ostrova: Call {HOSTILE} "
        "90 days before renewal · Shared: Send the quote "
        "Kestrel Ltd Renewal <90> days · Enterprise · since 2027-12-02 "
        "2028-02-10 · Partner: Kick-off")
    assert [attrs["href"] for tag, attrs in page.tags if tag == "a"] == [
        "https://partners.example/procedures/renewal-90-60-30/"]  # no link for a javascript: address
    assert [attrs["class"] for tag, attrs in page.tags if tag == "li"] == ["done", "overdue", "open", "open"]
    assert ("html", {"lang": "en"}) in page.tags and text.endswith("</html>\n")


def test_the_vendor_list_names_each_partner_and_only_the_vendor_steps(files: WorklistFiles) -> None:
    cases = [case("c1", "Nordlys AS", "/procedures/renewal-90-60-30/")]
    _, html_file = files.write("@vendor", "Ostrova's worklist", cases, lambda row: row.owner in ("vendor", "shared"),
                               {"acme": "Acme <Consulting>"})
    page = Page(html_file.read_text(encoding="utf-8"))
    assert page.text == ("Ostrova's worklist 2028-01-31 · 1 open cases Nordlys AS · Acme <Consulting> "
                         "Renewal <90> days · Enterprise · since 2027-12-02 procedure "
                         f"2028-01-20 · Ostrova: Call {HOSTILE} 90 days before renewal · Shared: Send the quote")


def test_a_day_without_cases_says_so(files: WorklistFiles) -> None:
    _, html_file = files.write("globex", "Worklist of Globex", [], lambda row: True)
    assert Page(html_file.read_text(encoding="utf-8")).text == "Worklist of Globex 2028-01-31 · 0 open cases Nothing to do today."


def test_a_vendors_worklist_template_replaces_partnerkits_and_still_escapes(files: WorklistFiles, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "worklist.html.j2").write_text(
        "<!doctype html><title>{{ title }}</title>\n<h1>Our list for {{ day }}</h1>\n"
        "{% for case in cases %}<p>{{ case.customer }}: {{ case.steps | length }} steps</p>\n{% endfor %}", encoding="utf-8")
    mine = WorklistFiles(files.folder, files.config, files.day, files.steps, files.titles, files.names, templates=folder)
    _, html_file = mine.write("acme", "Worklist of Acme", [case("c1", f"Brück {HOSTILE}", "https://x.example/")],
                              lambda row: True)
    page = Page(html_file.read_text(encoding="utf-8"))
    assert page.text == f"Our list for 2028-01-31 Brück {HOSTILE}: 3 steps"
    assert [tag for tag, _ in page.tags if tag == "script"] == []


def test_a_vendors_worklist_template_that_leads_outside_its_folder_is_refused(files: WorklistFiles, tmp_path: Path) -> None:
    from generator.errors import ContentErrors

    folder = tmp_path / "templates"
    folder.mkdir()
    secret = tmp_path / "secret.html.j2"
    secret.write_text("not a template of the project", encoding="utf-8")
    (folder / "worklist.html.j2").symlink_to(secret)
    mine = WorklistFiles(files.folder, files.config, files.day, files.steps, files.titles, files.names, templates=folder)
    with pytest.raises(ContentErrors) as refused:
        mine.write("acme", "Worklist", [case("c1", "Kestrel", "https://x.example/")], lambda row: True)
    (error,) = refused.value.errors
    assert str(error).startswith("templates/worklist.html.j2:1:1: leads outside the templates folder (to "), str(error)
    assert not (files.folder / "acme.html").exists()


def test_a_broken_worklist_template_is_a_clear_error(files: WorklistFiles, tmp_path: Path) -> None:
    from generator.errors import PartnerkitError

    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "worklist.html.j2").write_text("{% for case in cases %}never closed", encoding="utf-8")
    mine = WorklistFiles(files.folder, files.config, files.day, files.steps, files.titles, files.names, templates=folder)
    with pytest.raises(PartnerkitError, match=r"^templates/worklist\.html\.j2:1: Unexpected end of template"):
        mine.write("acme", "Worklist", [case("c1", "Kestrel", "https://x.example/")], lambda row: True)
