"""git runs in one module (:mod:`generator.git_utils`), and its failures are one kind of error."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from generator import git_utils
from generator.errors import PartnerkitError

pytestmark = pytest.mark.integration


def test_a_failure_says_what_was_wanted(tmp_path: Path, monkeypatch) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert git_utils.is_repository(tmp_path) and not git_utils.has_tag(tmp_path, "v1")
    with pytest.raises(git_utils.GitError, match="^no such ref$"):
        git_utils.tree_id(tmp_path, "v1", "no such ref")
    with pytest.raises(git_utils.GitError, match="^git tag v1 failed: fatal: "):
        git_utils.tag(tmp_path, "v1")  # no commit to tag yet
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with pytest.raises(PartnerkitError, match="^git is not installed: releases are tagged with git$"):
        git_utils.is_repository(tmp_path)
