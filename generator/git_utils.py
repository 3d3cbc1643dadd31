"""Every git command partnerkit runs (mike's ``git_utils.py``): releases read their inputs from a ref,
``partnerkit release`` tags one. A failure is a :class:`GitError` whose message says what was wanted."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

from generator.errors import PartnerkitError


class GitError(PartnerkitError):
    """git is not installed, or a git command failed; the message is for the user."""


def _run(root: Path, arguments: Iterable[str], needed_for: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(root), *arguments], capture_output=True)
    except FileNotFoundError:
        raise GitError(f"git is not installed: {needed_for}") from None


def _output(root: Path, arguments: Iterable[str], error: str, needed_for: str) -> bytes:
    result = _run(root, arguments, needed_for)
    if result.returncode != 0:
        raise GitError(error)
    return result.stdout


REF_NEEDS_GIT = "releases with a ref need git"
TAG_NEEDS_GIT = "releases are tagged with git"


def archive(root: Path, ref: str, error: str) -> bytes:
    """The tree ``ref`` points at, as a tar archive; ``error`` when there is no such ref."""
    return _output(root, ["archive", "--format=tar", f"{ref}^{{tree}}"], error, REF_NEEDS_GIT)


def tree_id(root: Path, ref: str, error: str) -> bytes:
    """The id of the tree ``ref`` points at (same id, same files); ``error`` when there is no such ref."""
    return _output(root, ["rev-parse", f"{ref}^{{tree}}"], error, REF_NEEDS_GIT).strip()


def is_repository(root: Path) -> bool:
    return _run(root, ["rev-parse", "--git-dir"], TAG_NEEDS_GIT).returncode == 0


def changed(root: Path, paths: Iterable[str]) -> str:
    """``git status --porcelain`` of ``paths`` (empty: nothing uncommitted)."""
    return _run(root, ["status", "--porcelain", "--", *paths], TAG_NEEDS_GIT).stdout.decode(errors="replace").strip()


def has_tag(root: Path, name: str) -> bool:
    return _run(root, ["rev-parse", "--verify", "--quiet", f"refs/tags/{name}"], TAG_NEEDS_GIT).returncode == 0


def tag(root: Path, name: str) -> None:
    """Tag HEAD as ``name``."""
    result = _run(root, ["tag", name], TAG_NEEDS_GIT)
    if result.returncode != 0:
        raise GitError(f"git tag {name} failed: {result.stderr.decode(errors='replace').strip()}")
