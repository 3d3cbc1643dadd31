"""A catalog kept by the release cache reads back equal, field for field, for every golden project (the
what's new of the next release compares with it, so a difference would show as a change)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.load.content import load_project
from generator.model.catalog import Catalog
from tests.test_golden import PROJECTS

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_a_catalog_reads_back_equal(name: str) -> None:
    catalog = load_project(PROJECTS[name])
    again = Catalog.from_json(catalog.to_json())
    assert again == catalog
    assert [list(by_id) for by_id in again.documents.values()] == [list(by_id) for by_id in catalog.documents.values()], "file order kept"


def test_a_damaged_catalog_is_refused() -> None:
    with pytest.raises(ValueError):
        Catalog.from_json('{"config": {"site_name": 1}, "documents": {}, "talks": {}, "sources": {}}')


def test_the_japanese_talk_reads_back_equal(tmp_path: Path) -> None:
    from tests.conftest import FIXTURES

    catalog = load_project(FIXTURES / "ja-talk")
    assert catalog.talks and Catalog.from_json(catalog.to_json()) == catalog
