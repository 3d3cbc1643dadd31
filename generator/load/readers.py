"""Readers registered by file extension (as Pelican does): each turns one file into source documents."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from generator.errors import ContentError
from generator.files import RealPaths, project_files, read_project_text, relative_name
from generator.load.yaml_source import SourceDocument, parse_yaml

Reader = Callable[[Path, Path, RealPaths], tuple[list[SourceDocument], list[ContentError]]]
"""A reader takes (file, project root, the project's real paths, each folder resolved once per load) and
returns the file's documents and errors."""


def read_yaml(path: Path, root: Path, real_root: RealPaths) -> tuple[list[SourceDocument], list[ContentError]]:
    text, error = read_project_text(path, root, real_root)
    if error:
        return [], [error]
    return parse_yaml(relative_name(path, root), text)


CONTENT_READERS: dict[str, Reader] = {".yml": read_yaml, ".yaml": read_yaml}
"""Content readers by lower-case extension. Files under content/ with other extensions are resources."""


def content_files(content_dir: Path, root: Path) -> tuple[list[Path], list[ContentError]]:
    """Every file a content reader handles, in a stable order (hidden files and folders skipped), and an
    error for each file or linked folder that leads out of the project or into ``private/``."""
    return project_files(content_dir, root, CONTENT_READERS)
