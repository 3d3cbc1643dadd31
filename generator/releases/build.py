"""Build every declared release: reuse unchanged ones from the cache, build the rest in parallel,
then assemble versions.json, alias redirects and the root pages, and swap the site in at once."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from generator import __version__
from generator.engine import replace_folder, run_engine, write_stage
from generator.errors import ContentError, ContentErrors, PartnerkitError
from generator.load.config import load_config
from generator.load.content import load_project
from generator.load.validation import did_you_mean
from generator.releases.changes import compare_catalogs
from generator.releases.sources import located_in, release_inputs
from generator.releases.versions_file import default_release, ordered, redirect_page, versions_json
from generator.render import RenderedSite, render_site
from generator.render.site import ReleaseContext
from generator.reporter import NullReporter, Reporter
from generator.structure.catalog import Catalog
from generator.structure.config import Release

CACHE_DIR = ".partnerkit-cache/releases"
"""Built releases by input hash, under the project root."""


@dataclass(frozen=True)
class PlannedRelease:
    release: Release
    project: Path
    rendered: RenderedSite
    key: str


def cache_key(rendered: RenderedSite, project: Path, engine: str) -> str:
    """Hash of everything the engine reads for a release, plus the versions of partnerkit and the engine."""
    digest = hashlib.sha256()
    for package in ("partnerkit", engine, "mkdocs-material"):
        try:
            digest.update(f"{package}={importlib.metadata.version(package)}\n".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{package}=?\n".encode())
    digest.update(f"generator={__version__}\n".encode())
    for name, text in sorted(rendered.texts().items()):
        digest.update(f"{name}\n{len(text.encode())}\n".encode())
        digest.update(text.encode())
    for name, source in sorted(rendered.copies.items()):
        digest.update(f"{name}\n".encode())
        digest.update(hashlib.sha256((project / source).read_bytes()).digest())
    return digest.hexdigest()[:32]


def _load_all(releases: list[Release], root: Path, work: Path) -> dict[str, tuple[Path, Catalog]]:
    loaded: dict[str, tuple[Path, Catalog]] = {}
    errors: list[ContentError] = []
    for release in releases:
        project = release_inputs(release, root, work)
        try:
            loaded[release.version] = (project, load_project(project))
        except ContentErrors as exc:
            errors.extend(located_in(release, exc).errors)
    if errors:
        raise ContentErrors(errors)
    return loaded


def plan_releases(root: Path, work: Path) -> tuple[list[PlannedRelease], Release, str, str]:
    """Load and render every release; returns the plan, the default release, its URL name and the engine."""
    config = load_config(root)
    releases = ordered(config.versions)
    loaded = _load_all(releases, root, work)
    default, default_name = default_release(config.versions, config.default)
    base = config.site_url.rstrip("/") + "/" if config.site_url else None
    planned = []
    for index, release in enumerate(releases):
        project, catalog = loaded[release.version]
        previous = releases[index + 1] if index + 1 < len(releases) else None
        changes = compare_catalogs(
            loaded[previous.version][1] if previous else None, catalog,
            (previous.title or previous.version) if previous else None,
        )
        context = ReleaseContext(
            version=release.version,
            title=release.title or release.version,
            site_url=f"{base}{release.version}/" if base else None,
            default_name=default_name,
            canonical_base=f"{base}{default_name}/" if base else None,
            changes=changes,
        )
        templates = project / catalog.config.templates if catalog.config.templates else None
        rendered = render_site(catalog, templates, context)
        planned.append(PlannedRelease(release, project, rendered, cache_key(rendered, project, config.engine)))
    return planned, default, default_name, config.engine


def _build_into_cache(plan: PlannedRelease, engine: str, cache: Path) -> float:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f".build-{plan.release.version}-", dir=cache) as work:
        work_dir = Path(work)
        write_stage(plan.rendered, work_dir / "stage", plan.project)
        run_engine(engine, work_dir / "stage", work_dir / "site")
        (work_dir / "site").rename(cache / plan.key)
    return time.perf_counter() - started


def _link_tree(source: Path, target: Path) -> None:
    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link)


def _alias_pages(version_dir: Path, alias_dir: Path, version: str) -> None:
    """A redirect page in ``alias_dir`` for every page of the release, to the same page of the release."""
    for page in version_dir.rglob("*.html"):
        relative = page.relative_to(version_dir)
        depth = len(relative.parts)
        target_path = relative.parent.as_posix() + "/" if relative.name == "index.html" else relative.as_posix()
        target = "../" * depth + f"{version}/" + ("" if target_path == "./" else target_path)
        destination = alias_dir / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(redirect_page(target), encoding="utf-8")


def assemble(plans: list[PlannedRelease], default: Release, default_name: str, cache: Path, target: Path) -> None:
    """Lay out the finished site in ``target`` from cached release builds."""
    target.mkdir()
    for plan in plans:
        _link_tree(cache / plan.key, target / plan.release.version)
    for plan in plans:
        for alias in plan.release.aliases:
            _alias_pages(target / plan.release.version, target / alias, plan.release.version)
    (target / "versions.json").write_text(versions_json([plan.release for plan in plans]), encoding="utf-8")
    (target / "index.html").write_text(redirect_page(f"{default_name}/"), encoding="utf-8")
    not_found = target / default.version / "404.html"
    if not_found.is_file():
        shutil.copy2(not_found, target / "404.html")


def build_releases(
    root: Path, site_dir: Path, reporter: Reporter = NullReporter(), jobs: int | None = None, only: str | None = None
) -> dict[str, str]:
    """Build every release of the project at ``root`` into ``site_dir``; return each release's outcome
    (``built`` or ``cached``). ``only`` rebuilds that release even if its inputs did not change."""
    cache = root / CACHE_DIR
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".inputs-", dir=cache) as work:
        reporter.step("Loading releases")
        plans, default, default_name, engine = plan_releases(root, Path(work))
        names = [plan.release.version for plan in plans]
        if only is not None and only not in names:
            raise PartnerkitError(f"--only {only}: no such release{did_you_mean(only, names)}")
        outcomes: dict[str, str] = {}
        to_build = []
        for plan in plans:
            entry = cache / plan.key
            if plan.release.version == only and entry.exists():
                shutil.rmtree(entry)
            if entry.exists() and not any(other.key == plan.key for other in to_build):
                outcomes[plan.release.version] = "cached"
                reporter.step(f"{plan.release.version}: unchanged, reused")
            elif any(other.key == plan.key for other in to_build):
                outcomes[plan.release.version] = "cached"
            else:
                to_build.append(plan)
        total = len(to_build)
        if total:
            reporter.step(f"Building {total} of {len(plans)} releases with {engine} ({jobs or os.cpu_count()} at a time)")
        with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
            futures = {plan.release.version: pool.submit(_build_into_cache, plan, engine, cache) for plan in to_build}
            for done, (version, future) in enumerate(futures.items(), start=1):
                seconds = future.result()
                outcomes[version] = "built"
                reporter.progress("Releases", done, total, "built")
                reporter.step(f"{version}: built in {seconds:.1f} s")
        site_dir = site_dir.resolve()
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f".{site_dir.name}-build-", dir=site_dir.parent) as assembly:
            assembly_dir = Path(assembly)
            assemble(plans, default, default_name, cache, assembly_dir / "site")
            replace_folder(assembly_dir / "site", site_dir, assembly_dir / "previous")
    used = {plan.key for plan in plans}
    for entry in cache.iterdir():
        if entry.is_dir() and entry.name not in used and not entry.name.startswith("."):
            shutil.rmtree(entry, ignore_errors=True)
    reporter.step(f"Site written to {site_dir} ({len(plans)} releases; root leads to {default_name})")
    return outcomes
