"""Golden files: the generated Markdown and mkdocs.yml of fixture projects, byte for byte.

Regenerate after an intended change with:  scripts/regen-golden
(which runs this file with PARTNERKIT_REGEN_GOLDEN=1), then review the diff in git.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from generator.pipeline import render_project
from tests.conftest import FIXTURES, REPO_ROOT

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("PARTNERKIT_REGEN_GOLDEN") == "1"

PROJECTS = {
    "example": REPO_ROOT,
    "minimal": FIXTURES / "minimal",
    "ja": FIXTURES / "ja",
    "yaml-traps": FIXTURES / "yaml-traps",
}


def stored(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*")) if path.is_file()
    }


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_rendered_site_matches_golden_files(name: str) -> None:
    _, rendered = render_project(PROJECTS[name])
    actual = rendered.texts()
    folder = GOLDEN / name
    if REGENERATE:
        for path in folder.rglob("*"):
            if path.is_file():
                path.unlink()
        for relative, text in actual.items():
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    expected = stored(folder)
    assert sorted(actual) == sorted(expected), "pages added or removed; run scripts/regen-golden if intended"
    for relative, text in expected.items():
        if actual[relative] != text:
            diff = "".join(difflib.unified_diff(
                text.splitlines(True), actual[relative].splitlines(True), f"golden/{name}/{relative}", "rendered"
            ))
            pytest.fail(f"{relative} differs from its golden file (scripts/regen-golden if intended):\n{diff}")
