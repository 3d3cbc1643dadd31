"""Loading ``site_config.yml``."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from generator.layout import CONFIG_FILE, CONTENT_DIR, PRIVATE_DIR
from generator.errors import ContentError, ContentErrors
from generator.files import read_project_text
from generator.load.validation import describe, did_you_mean, validate
from generator.load.yaml_source import SourceDocument, parse_yaml
from generator.model.config import SiteConfig



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
    text, error = read_project_text(path, root)
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
        errors.extend(_check_project_paths(config, documents[0], root))
        errors.extend(_check_input_paths(config, documents[0]))
        errors.extend(_check_releases(config, documents[0], root))
        errors.extend(_check_tiers(config, documents[0]))
        errors.extend(_check_signals(config, documents[0]))
    return (None if errors else config), errors


def _check_project_paths(config: SiteConfig, source: SourceDocument, root: Path) -> list[ContentError]:
    """``templates:`` and ``logo:`` name files of the project (after following links), never private/;
    a logo may instead be an https address."""
    errors: list[ContentError] = []
    project = root.resolve()
    for key, value, kind in (("templates", config.templates, "folder"), ("logo", config.logo, "file")):
        if value is None or (key == "logo" and value.startswith("https://")):
            continue
        if Path(value).is_absolute() or "://" in value:
            errors.append(source.error((key,), f"'{value}' must be a path relative to the project"
                                       + (" or an https:// address" if key == "logo" else "")))
            continue
        path = root / value
        real = path.resolve()
        if not real.is_relative_to(project):
            errors.append(source.error((key,), f"'{value}' leads outside the project"))
        elif real.is_relative_to(project / PRIVATE_DIR):
            errors.append(source.error((key,), f"'{value}' is under private/, which is never published"))
        elif not (path.is_dir() if kind == "folder" else path.is_file()):
            errors.append(source.error((key,), f"not found: {value}" if not path.exists() else f"'{value}' is not a {kind}"))
    return errors


def _check_input_paths(config: SiteConfig, source: SourceDocument) -> list[ContentError]:
    """Data files named in the settings (``customers.file``) are paths inside the project: relative,
    never climbing out with ``..`` (links are checked when the file is opened)."""
    value = config.customers.file
    parts = PurePosixPath(value.replace("\\", "/")).parts
    if PurePosixPath(value).is_absolute() or Path(value).is_absolute() or (parts and ":" in parts[0]):
        return [source.error(("customers", "file"), f"'{value}' must be a path relative to the project, such as private/customers.csv")]
    depth = 0
    for part in parts:
        depth += -1 if part == ".." else (part != ".")
        if depth < 0:
            return [source.error(("customers", "file"), f"'{value}' leads outside the project: input files must lie inside it")]
    return []


def _check_releases(config: SiteConfig, source: SourceDocument, root: Path) -> list[ContentError]:
    """Release names as mike requires them: unique, an alias names one release and is never a release name."""
    errors: list[ContentError] = []
    versions: dict[str, int] = {}
    aliases: dict[str, str] = {}
    working_tree: str | None = None
    for index, release in enumerate(config.versions):
        if release.version in versions:
            errors.append(source.error(("versions", index, "version"), f"duplicate release '{release.version}'"))
        versions.setdefault(release.version, index)
        if release.from_working_tree:
            if working_tree is not None:
                errors.append(source.error(
                    ("versions", index),
                    f"only one release can be built from the working tree (no ref or path); '{working_tree}' already is",
                ))
            working_tree = working_tree or release.version
        if release.path is not None and not (root / release.path / CONTENT_DIR).is_dir():
            errors.append(source.error(("versions", index, "path"), f"not found: {release.path}/content"))
    for index, release in enumerate(config.versions):
        for position, alias in enumerate(release.aliases):
            loc = ("versions", index, "aliases", position)
            if alias in versions:
                errors.append(source.error(loc, f"alias '{alias}' is already a release name"))
            elif alias in aliases and aliases[alias] != release.version:
                errors.append(source.error(loc, f"alias '{alias}' already names release '{aliases[alias]}'"))
            aliases.setdefault(alias, release.version)
    if config.default is not None:
        names = [*versions, *aliases]
        if not config.versions:
            errors.append(source.error(("default",), "needs a list of versions"))
        elif config.default not in names:
            errors.append(source.error(
                ("default",), f"unknown release or alias '{config.default}'{did_you_mean(config.default, names)}"
            ))
    return errors


def _check_tiers(config: SiteConfig, source: SourceDocument) -> list[ContentError]:
    """Tier requirements name declared roles and levels; tier ids are unique."""
    errors: list[ContentError] = []
    levels = config.certification.levels
    seen: set[str] = set()
    for index, tier in enumerate(config.certification.tiers):
        if tier.id in seen:
            errors.append(source.error(("certification", "tiers", index, "id"), f"duplicate tier '{tier.id}'"))
        seen.add(tier.id)
        for position, requirement in enumerate(tier.requires):
            loc = ("certification", "tiers", index, "requires", position)
            if requirement.role not in config.role_ids:
                errors.append(source.error((*loc, "role"), f"unknown role '{requirement.role}'"
                                           f"{did_you_mean(requirement.role, config.role_ids)}"))
            if requirement.level not in levels:
                errors.append(source.error((*loc, "level"), f"unknown level '{requirement.level}'"
                                           f"{did_you_mean(requirement.level, levels)}"))
    return errors


def _check_signals(config: SiteConfig, source: SourceDocument) -> list[ContentError]:
    """Signal rules name declared deal stages; rule ids are unique."""
    errors: list[ContentError] = []
    seen: set[str] = set()
    for index, rule in enumerate(config.signals):
        if rule.id in seen:
            errors.append(source.error(("signals", index, "id"), f"duplicate signal rule '{rule.id}'"))
        seen.add(rule.id)
        for position, stage in enumerate(rule.stages):
            if stage not in config.stage_ids and ("signals", index, "stages", position) in source.values:
                errors.append(source.error(("signals", index, "stages", position),
                                           f"unknown stage '{stage}'{did_you_mean(stage, config.stage_ids)}"))
    return errors
