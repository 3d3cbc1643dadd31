"""Deal stages on modules, sections and resources: validated against site_config.yml, carried into the
content index the collector reads, never shown to reps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.events import read_content_index, write_content_index
from generator.load.content import load_project
from generator.render.site import render_site
from generator.model.content import Resource
from tests.conftest import content_errors

pytestmark = pytest.mark.unit

STAGED = """\
kind: module
id: closing
title: Closing the deal
summary: s
roles: [sales]
minutes: 5
stage: {module}
sections:
  - title: Price it
    stage: {section}
    body: Plans and discounts.
  - title: Plain part
    body: Text.
resources:
  - title: ROI calculator
    file: files/roi.csv
    stage: {resource}
  - title: Rival comparison
    url: https://example.com/rivals.pdf
"""


def write(root: Path, module: str = "proposal", section: str = "pricing", resource: str = "pricing") -> None:
    (root / "content/closing.yml").write_text(STAGED.format(module=module, section=section, resource=resource), encoding="utf-8")


def test_unknown_stages_are_located_with_the_close_name(minimal: Path) -> None:
    write(minimal, module="proposl", section="nowhere", resource="pricng")
    assert content_errors(minimal) == [
        "content/closing.yml:7:8: stage: unknown stage 'proposl' (did you mean 'proposal'?)",
        "content/closing.yml:10:12: sections[0].stage: unknown stage 'nowhere'",
        "content/closing.yml:17:12: resources[0].stage: unknown stage 'pricng' (did you mean 'pricing'?)",
    ]


def test_stages_come_from_site_config(minimal: Path) -> None:
    config = minimal / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "stages:\n  - id: demo\n    name: Demo\n", encoding="utf-8")
    write(minimal, module="demo", section="demo", resource="proposal")
    assert content_errors(minimal) == [
        "content/closing.yml:17:12: resources[0].stage: unknown stage 'proposal'",
    ]


def test_the_content_index_carries_stages_and_resources_but_pages_do_not_show_them(minimal: Path) -> None:
    write(minimal)
    rendered = render_site(load_project(minimal))
    assert rendered.deal_stages == {"module:closing": ["proposal", "pricing"]}
    roi, rivals = (Resource(title="x", **target).event_id for target in ({"file": "files/roi.csv"}, {"url": "https://example.com/rivals.pdf"}))
    assert rendered.resources["module:closing"] == {roi: {"title": "ROI calculator", "stage": "pricing"},
                                                    rivals: {"title": "Rival comparison", "stage": "proposal"}}
    assert [entry["stage"] for entry in rendered.resources["module:product-basics"].values()] == ["", ""]
    page = rendered.pages["docs/modules/closing.md"]
    assert "proposal" not in page.lower() and "stage" not in page.lower()
    write_content_index(minimal, rendered.content_ids, [], rendered.practice_quizzes, rendered.deal_stages, rendered.resources)
    index = read_content_index(minimal)
    assert index.stages == {"module:closing": ["proposal", "pricing"]}
    assert index.resources["module:closing"][roi].stage == "pricing"
    assert f'data-pk-r="{roi}"' in page
    older = {key: value for key, value in json.loads((minimal / "private/content-index.json").read_text()).items()
             if key not in ("stages", "resources")}
    (minimal / "private/content-index.json").write_text(json.dumps(older))
    assert read_content_index(minimal).stages == {} and read_content_index(minimal).resources == {}
