"""One release is "the current one" (:class:`generator.model.versions.Releases`): the site's root
leads to it, and every mail and worklist links to it, even when the first declared release is hidden."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from generator.store.views import DailyTotal
from generator.commands.worklists import procedure_url
from generator.load.config import load_config
from generator.notifications.messages import Inputs, due_messages
from generator.releases.build import add_root_files, plan_releases
from generator.roster import RosterEntry
from generator.model.config import Release
from generator.model.changes import COMPARED_KINDS
from generator.model.content import CONTENT_KINDS, SECTION_FOLDERS
from generator.model.urls import Urls
from generator.model.versions import Releases

pytestmark = pytest.mark.unit

SITE = "https://partners.ostrova.example/"


def hidden_first(root: Path, default: str | None = None):
    """``dev`` (hidden) declared first, then 2.5 (alias ``latest``), then 2.4."""
    return load_config(root).model_copy(update={
        "site_url": SITE, "default": default,
        "versions": [Release(version="dev", hidden=True), Release(version="2.5", aliases=["latest"], path="snapshots/2.5",
                                                                  released=date(2026, 11, 25)),
                     Release(version="2.4", path="snapshots/2.4")]})


def root_target(root: Path, config) -> str:
    """Where the built site's ``index.html`` sends the browser."""
    plan = plan_releases(root, root / ".cache", config=config)
    site = root / "site"
    site.mkdir()
    add_root_files(plan.releases, plan.default, plan.default_name, site)
    return re.search(r'location\.replace\("([^"]*)"', (site / "index.html").read_text()).group(1)


def mail_links(config) -> list[str]:
    """The page links of the day's mails (what's new, steps due would follow the same rule)."""
    ann = RosterEntry("acme", "Acme", "ann", "Ann Berg", "ann@acme.example", "sales", date(2026, 1, 10), None)
    inputs = Inputs(today=date(2026, 12, 1), config=config, roster=[ann], reachable=[ann], certificates=[],
                    daily=[DailyTotal("2026-11-30", "module:pricing", "2.5", "acme", "ann", 3, 60000)], sales={},
                    links={"ann": f"{SITE}?pk=token"})
    return [message.context["link"] for message in due_messages(inputs) if message.kind == "whats-new"]


@pytest.mark.parametrize("default, name", [(None, "latest"), ("2.4", "2.4")])
def test_the_root_mails_and_worklists_lead_to_one_release(minimal: Path, default: str | None, name: str) -> None:
    config = hidden_first(minimal, default)
    assert root_target(minimal, config) == f"{name}/"
    assert mail_links(config) == [f"{SITE}{name}/whats-new/?pk=token"]
    assert procedure_url(config, "renewal", None) == f"{SITE}{name}/procedures/renewal/"
    assert procedure_url(config, "renewal", "9.9") == f"{SITE}{name}/procedures/renewal/"
    assert procedure_url(config, "renewal", "dev") == f"{SITE}dev/procedures/renewal/"  # a partner pinned to it


def test_releases_in_mikes_order_with_their_json_form() -> None:
    releases = Releases((Release(version="2.9"), Release(version="dev", hidden=True), Release(version="2.10", aliases=["latest"])))
    assert [release.version for release in releases.ordered] == ["dev", "2.10", "2.9"]
    assert releases.default_name == "2.9" and [release.version for release in releases.hidden] == ["dev"]
    assert releases.find("latest").version == "2.10" and releases.find("3") is None
    assert releases.json_entries() == [
        {"version": "dev", "title": "dev", "aliases": [], "properties": {"hidden": True}},
        {"version": "2.10", "title": "2.10", "aliases": ["latest"]},
        {"version": "2.9", "title": "2.9", "aliases": []},
    ]
    assert Releases().default is None and Releases().default_name == ""


def test_every_address_from_one_place() -> None:
    urls = Urls(SITE, Releases((Release(version="2.5"),), None), "https://collect.ostrova.example")
    assert urls.release() == f"{SITE}2.5/"
    assert urls.document("quiz", "sales-exam", link=f"{SITE}?pk=t") == f"{SITE}2.5/quizzes/sales-exam/?pk=t"
    assert urls.verify("c 1") == f"{SITE}2.5/verify/?id=c%201"
    assert urls.unsubscribe("a.b/c") == "https://collect.ostrova.example/unsubscribe?t=a.b/c"
    unversioned = Urls(None, Releases(), None)
    assert unversioned.page("accounts/") == "/accounts/" and unversioned.unsubscribe("t") is None


def test_the_kinds_are_listed_once() -> None:
    """Every content kind has pages (and talks too), and what's new compares every content kind."""
    assert set(SECTION_FOLDERS) == {*CONTENT_KINDS, "talk"}
    assert COMPARED_KINDS == tuple(CONTENT_KINDS) == ("module", "path", "procedure", "responsibilities", "campaign", "quiz")
