"""The Nu HTML Checker (vnu.jar from the npm package pinned in tests/node, run with Debian's Java) on
every page type of the built example: no error from partnerkit's templates or assets."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import copy_example, partnerkit
from tests.conftest import require_tool

pytestmark = pytest.mark.slow

VNU = Path(__file__).resolve().parent / "node" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

THEME_ERRORS = (
    # Material's navigation and search toggles: <input type="checkbox" autocomplete="off">.
    "Attribute “autocomplete” is only allowed when the input type is",
    # Material's navigation section labels: <label ... tabindex="">.
    "Bad value “” for attribute “tabindex” on element “label”",
)
"""Errors in Material for MkDocs' own partials (not partnerkit's markup), left out."""

PAGES = [
    "index.html", "modules/index.html", "modules/pricing-roi/index.html", "paths/sales-onboarding/index.html",
    "procedures/renewal-90-60-30/index.html", "procedures/at-risk-health/index.html",
    "procedures/new-customer-onboarding/index.html", "who-does-what/index.html",
    "campaigns/release-sprint/index.html", "talks/partner-kickoff-2026-11/index.html",
    "quizzes/sales-foundations/index.html", "quizzes/sales-silver/index.html", "verify/index.html",
]


def test_no_html_error_of_ours_on_any_page_type(tmp_path: Path) -> None:
    require_tool(VNU.is_file(), "the Nu HTML Checker (vnu.jar)", "npm ci --prefix tests/node")
    require_tool(shutil.which("java") is not None, "Java", "apt-get install default-jre-headless")
    project = copy_example(tmp_path / "ostrova")
    built = partnerkit("build", cwd=project)
    assert built.returncode == 0, built.stderr
    site = project / "site"
    (site / "skipping.html").write_text(  # the checker is live: it finds a heading that skips a level
        '<!DOCTYPE html><html lang="en"><title>t</title><h1>a</h1><h3>b</h3></html>', encoding="utf-8")
    checked = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json",
                              *(str(site / page) for page in [*PAGES, "skipping.html"])], capture_output=True, text=True, timeout=300)
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    ours = [f"{message['url'].split('/site/')[-1]}:{message.get('lastLine')}: {message['message']}"
            for message in messages if not message["message"].startswith(THEME_ERRORS)]
    skipping = [line for line in ours if line.startswith("skipping.html:")]
    assert len(skipping) == 1 and "skipping 1 heading level" in skipping[0], ours
    assert [line for line in ours if line not in skipping] == []
