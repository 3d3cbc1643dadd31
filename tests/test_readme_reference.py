import pytest
"""The README's content reference is generated from the schema and must not go stale."""

from generator.readme_reference import END, START, reference
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.unit


def test_readme_reference_matches_the_schema() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(START, 1)[1].split(END, 1)[0]
    assert section == "\n" + reference(), "run: python -m generator.readme_reference"


def test_readme_starts_with_the_two_commands() -> None:
    lines = (REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[2] == "```sh"
    assert lines[3].startswith("python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/partnerkit build")
    assert lines[4].startswith("scripts/test ")
    assert "scripts/test" in (REPO_ROOT / ".ci/run").read_text()
