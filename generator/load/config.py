"""Loading ``site_config.yml``."""

from __future__ import annotations

from pathlib import Path

from generator.errors import ContentError, ContentErrors
from generator.load.files import read_text
from generator.load.validation import describe, validate
from generator.load.yaml_source import parse_yaml
from generator.structure.config import SiteConfig

CONFIG_FILE = "site_config.yml"


def load_config(root: Path) -> SiteConfig:
    """The validated site configuration of the project at ``root``; raises ContentErrors."""
    config, errors = read_config(root)
    if errors or config is None:
        raise ContentErrors(errors)
    return config


def read_config(root: Path) -> tuple[SiteConfig | None, list[ContentError]]:
    path = root / CONFIG_FILE
    if not path.is_file():
        return None, [ContentError(CONFIG_FILE, 1, 1, "", "file not found: every project needs a site_config.yml")]
    text, error = read_text(path, root)
    if error:
        return None, [error]
    documents, errors = parse_yaml(CONFIG_FILE, text)
    if errors:
        return None, errors
    if len(documents) != 1 or not isinstance(documents[0].data, dict):
        got = "several documents" if len(documents) > 1 else describe(documents[0].data if documents else None)
        return None, [ContentError(CONFIG_FILE, 1, 1, "", f"expected one mapping of settings, got {got}")]
    config, errors = validate(SiteConfig, documents[0])
    if config is not None:
        for key, value in (("templates", config.templates), ("logo", config.logo)):
            if value is not None and not (root / value).exists():
                errors.append(documents[0].error((key,), f"not found: {value}"))
    return (None if errors else config), errors
