"""Where a release's inputs come from: a git ref (via ``git archive``), a snapshot folder, or the working tree."""

from __future__ import annotations

import dataclasses
import io
import shutil
import tarfile
from pathlib import Path

from generator import git_utils
from generator.errors import ContentErrors, PartnerkitError
from generator.load.config import CONFIG_FILE
from generator.model.config import Release


def release_inputs(release: Release, root: Path, work_dir: Path) -> Path:
    """A project folder holding the release's ``site_config.yml``, ``content/`` and ``transcripts/``.

    The working tree is used in place; a ref or a snapshot is copied into ``work_dir`` and the working
    tree is never touched."""
    if release.from_working_tree:
        return root
    target = work_dir / f"inputs-{release.version}"
    if target.exists():
        shutil.rmtree(target)
    if release.path is not None:
        shutil.copytree(root / release.path, target, symlinks=True)  # links are checked where they are read
        if not (target / CONFIG_FILE).is_file():
            shutil.copy2(root / CONFIG_FILE, target / CONFIG_FILE)
        return target
    target.mkdir(parents=True)
    tar_file = git_utils.archive(root, str(release.ref), f"release {release.version}: git ref '{release.ref}' not found in {root}")
    with tarfile.open(fileobj=io.BytesIO(tar_file)) as tar:
        try:
            tar.extractall(target, filter="data")
        except tarfile.FilterError as exc:
            name = exc.tarinfo.name
            raise PartnerkitError(f"release {release.version}: {release.ref}:{name} links outside the project "
                                  "(only files inside the project are published)") from None
    if not (target / CONFIG_FILE).is_file():
        raise PartnerkitError(f"release {release.version}: {release.ref} has no {CONFIG_FILE}")
    return target


def git_tree(root: Path, release: Release) -> bytes:
    """The id of the git tree a release's ref points at: same id, same inputs."""
    return git_utils.tree_id(root, str(release.ref), f"release {release.version}: git ref '{release.ref}' not found in {root}")


def located_in(release: Release, errors: ContentErrors) -> ContentErrors:
    """The same errors with paths naming the release's source, e.g. ``v2.3:content/a.yml``."""
    prefix = f"{release.ref}:" if release.ref else (f"{release.path}/" if release.path else "")
    return ContentErrors([dataclasses.replace(error, path=prefix + error.path) for error in errors.errors])


