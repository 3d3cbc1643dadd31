"""The release cache: each built release kept under ``.partnerkit-cache/releases/<key>/``, where the
key hashes the release's inputs and the tools (``input_keys``), with what its load and render gave
beside it: its exam keys (``.exams/``), its content and practice-quiz ids (``.content/``) and its
catalog (``.catalogs/``, what the next release's what's new compares with). A release whose key is
cached is reused without loading, rendering or running the engine."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
from pathlib import Path

from generator import __version__
from generator.certification.answer_key_files import EXAM_KEYS_DIR, exam_keys_path, write_exam_keys
from generator.layout import INPUT_FOLDERS, RELEASE_CACHE_DIR
from generator.load.config import CONFIG_FILE
from generator.load.yaml_source import parse_yaml
from generator.releases.sources import git_tree
from generator.releases.trash import Trash
from generator.render import RenderedSite
from generator.jinja_environment import TEMPLATE_DIR
from generator.render.site import PACKAGE_ASSETS_DIR
from generator.model.catalog import Catalog
from generator.model.config import Release, SiteConfig
from generator.model.answer_keys import ExamKey, ExamKeyFile

CACHE_DIR = RELEASE_CACHE_DIR
"""Built releases by input hash, under the project root."""


def _hash_files(digest, folder: Path, relative_to: Path) -> None:
    """Names and bytes of every file under ``folder``. A link is hashed as a link (its target as
    written) and then as what it leads to, so adding, changing or re-pointing one changes the key and
    the load that checks links runs again."""
    if folder.is_symlink():
        digest.update(b"link\0" + folder.relative_to(relative_to).as_posix().encode() + b"\0"
                      + os.readlink(folder).encode() + b"\0")
    paths = sorted(folder.rglob("*")) if folder.is_dir() else ([folder] if folder.is_file() else [])
    for path in paths:
        if "__pycache__" in path.parts:
            continue
        if path.is_symlink():
            digest.update(b"link\0" + path.relative_to(relative_to).as_posix().encode() + b"\0"
                          + os.readlink(path).encode() + b"\0")
            if path.is_dir():
                _hash_links_target(digest, path, relative_to)
        if path.is_file():
            digest.update(path.relative_to(relative_to).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())


def _hash_links_target(digest, link: Path, relative_to: Path) -> None:
    """The files under a linked folder, named under the link (links inside it are not followed again)."""
    for path in sorted(link.resolve().rglob("*")):
        if path.is_file() and not path.is_symlink():
            name = (link / path.relative_to(link.resolve())).relative_to(relative_to).as_posix()
            digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())


OUTPUT_MODULES = ("render/escape.py", "render/body_marks.py", "render/sanitize.py")
"""partnerkit's modules, under the package folder, whose code decides the built pages' bytes beside the
templates and assets: escaping, and the marks and sanitising of Markdown bodies."""


def tool_fingerprint(engine: str) -> bytes:
    """partnerkit's version, templates, assets and escaping/sanitising code, and the versions of the engine,
    the theme and the sanitiser."""
    digest = hashlib.sha256()
    for package in ("partnerkit", engine, "mkdocs-material", "nh3"):
        try:
            digest.update(f"{package}={importlib.metadata.version(package)}\n".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{package}=?\n".encode())
    digest.update(f"generator={__version__}\n".encode())
    _hash_files(digest, TEMPLATE_DIR, TEMPLATE_DIR.parent)
    _hash_files(digest, PACKAGE_ASSETS_DIR, PACKAGE_ASSETS_DIR.parent)
    for module in OUTPUT_MODULES:  # by file, not imported: the sanitiser's Markdown extension runs in the engine only
        _hash_files(digest, PACKAGE_ASSETS_DIR.parent / module, PACKAGE_ASSETS_DIR.parent)
    return digest.digest()


def _templates_folder(config_file: Path) -> str | None:
    """The ``templates:`` folder a site_config names (read leniently: validation comes later)."""
    try:
        documents, _ = parse_yaml(CONFIG_FILE, config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    data = documents[0].data if documents else None
    value = data.get("templates") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def input_keys(config: SiteConfig, releases: list[Release], root: Path) -> dict[str, str]:
    """Cache key of every release, computed without building anything: the release's own inputs (a git
    tree, a snapshot or the working tree's files), the previous release's key (its what's-new page
    compares with it), the working tree's release settings and the tool versions."""
    shared = hashlib.sha256(tool_fingerprint(config.engine))
    shared.update(json.dumps(
        [config.site_url, config.default, config.engine, [release.model_dump(mode="json") for release in config.versions],
         config.certification.model_dump(mode="json")],
        sort_keys=True,
    ).encode())
    keys: dict[str, str] = {}
    previous = ""
    for release in reversed(releases):  # oldest first: each key includes the one before it
        digest = shared.copy()
        digest.update(f"{release.version}\n{previous}\n".encode())
        if release.ref is not None:
            digest.update(git_tree(root, release))
        else:
            folder = root / release.path if release.path is not None else root
            config_file = folder / CONFIG_FILE if (folder / CONFIG_FILE).is_file() else root / CONFIG_FILE
            _hash_files(digest, config_file, config_file.parent)
            for name in INPUT_FOLDERS:
                _hash_files(digest, folder / name, folder)
            templates = config.templates if release.from_working_tree else _templates_folder(config_file)
            if templates:
                _hash_files(digest, folder / templates, folder)
        previous = keys[release.version] = digest.hexdigest()[:32]
    return keys


EXAMS_CACHE = ".exams"
"""Cache folder keeping each built release's exam keys by release key, for releases not rebuilt."""


CONTENT_CACHE = ".content"
"""Cache folder keeping each built release's content ids (with page titles) and practice-quiz ids, by
release key: what the collector accepts, as the release's render gave them."""


CATALOG_CACHE = ".catalogs"
"""Cache folder keeping each built release's catalog as JSON, by release key."""


def _catalog_path(cache: Path, key: str) -> Path:
    return cache / CATALOG_CACHE / f"{key}.json"


def cached_catalog(cache: Path, key: str) -> Catalog | None:
    """The catalog of the release cached under ``key``, or None where none is kept or it does not read
    back (the caller loads the release's inputs instead)."""
    try:
        return Catalog.from_json(_catalog_path(cache, key).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _content_path(cache: Path, key: str) -> Path:
    return cache / CONTENT_CACHE / f"{key}.json"


def _write_content(cache: Path, key: str, rendered: RenderedSite) -> None:
    path = _content_path(cache, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"content": rendered.content_ids, "practice_quizzes": list(rendered.practice_quizzes),
            "deal_stages": rendered.deal_stages, "resources": rendered.resources}
    path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def is_cached(cache: Path, key: str) -> bool:
    return (cache / key).is_dir() and _content_path(cache, key).is_file()


def cached_content(cache: Path, keys: list[str]) -> tuple[dict[str, str], set[str], dict[str, list[str]],
                                                          dict[str, dict[str, dict[str, str]]], dict[str, list[str]]]:
    """Content ids with titles, practice-quiz ids and the pages' deal stages and resources of the
    releases cached under ``keys`` (oldest first: the newest release's title and stages win; resources
    of every release may be sent), and each key's content ids."""
    content: dict[str, str] = {}
    practice: set[str] = set()
    stages: dict[str, list[str]] = {}
    resources: dict[str, dict[str, dict[str, str]]] = {}
    by_key: dict[str, list[str]] = {}
    for key in keys:
        data = json.loads(_content_path(cache, key).read_text(encoding="utf-8"))
        content.update(data["content"])
        practice.update(data["practice_quizzes"])
        stages.update(data.get("deal_stages", {}))
        for ident, listed in data.get("resources", {}).items():
            resources.setdefault(ident, {}).update(listed)
        by_key[key] = list(data["content"])
    return content, practice, stages, resources, by_key


def cached_exam_keys(cache: Path, key: str) -> dict[str, ExamKey]:
    path = exam_keys_path(cache / EXAMS_CACHE, key)
    return ExamKeyFile.model_validate_json(path.read_text(encoding="utf-8")).exams if path.is_file() else {}


def keep_in_cache(built: Path, cache: Path, key: str, exams: dict[str, ExamKey], rendered: RenderedSite,
                  catalog: Catalog) -> None:
    """Move a release built into ``built`` into the cache under ``key``, with its exam keys, ids and catalog."""
    built.rename(cache / key)
    write_exam_keys(cache / EXAMS_CACHE, key, exams)
    _write_content(cache, key, rendered)
    path = _catalog_path(cache, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(catalog.to_json(), encoding="utf-8")


def prune_cache(cache: Path, used: set[str], trash: Trash) -> None:
    """Put cached releases whose key is not in ``used`` in the trash; remove their exam keys, ids and catalogs."""
    for entry in cache.iterdir():
        if entry.is_dir() and entry.name not in used and not entry.name.startswith("."):
            trash.put(entry)
    for entry in [*(cache / EXAMS_CACHE / EXAM_KEYS_DIR).glob("*.json"), *(cache / CONTENT_CACHE).glob("*.json"),
                  *(cache / CATALOG_CACHE).glob("*.json")]:
        if entry.stem not in used:
            entry.unlink()
