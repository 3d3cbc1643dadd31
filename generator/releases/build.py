"""Build every declared release: reuse unchanged ones from the cache (``cache.py``), build the rest in
parallel, then assemble versions.json, alias redirects and the root pages, and swap the site in at
once. A site without releases is a plan of one, built the same way as the whole site."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from generator.events import write_content_index
from generator.certification.answer_key_files import replace_exam_keys
from generator.engine import EngineRuns, write_stage
from generator.errors import ContentError, ContentErrors, PartnerkitError
from generator.load.validation import did_you_mean
from generator.publish_check import PrivateBytes, refuse_private_bytes
from generator.releases.cache import (CACHE_DIR, cached_catalog, cached_content, cached_exam_keys, input_keys,
                                      is_cached, keep_in_cache, prune_cache)
from generator.releases.sources import located_in, release_inputs
from generator.releases.trash import Trash, swap_in
from generator.releases.versions_file import redirect_page, versions_json
from generator.pipeline import load_catalog, render_catalog
from generator.render import RenderedSite
from generator.layout import template_cache
from generator.render.context import ReleaseContext
from generator.render.strings import STRINGS
from generator.reporter import NullReporter, Reporter
from generator.model.catalog import Catalog
from generator.model.changes import compare_catalogs
from generator.model.config import Release, SiteConfig
from generator.model.answer_keys import ExamKey, exam_keys_of
from generator.model.urls import Urls
from generator.model.versions import Releases

@dataclass(frozen=True)
class PlannedRelease:
    release: Release
    key: str
    """Cache key: hash of the release's inputs (see ``input_keys``)."""
    project: Path | None = None
    catalog: Catalog | None = None
    rendered: RenderedSite | None = None
    """Set only for releases that must be built."""
    exams: dict[str, ExamKey] = field(default_factory=dict)
    """The release's exam answer keys (kept out of the site)."""


@dataclass(frozen=True)
class ReleasePlan:
    """Which releases a build needs: all of them by cache key, and those to render and build."""

    config: SiteConfig
    releases: list[Release]
    """In mike's order (newest first)."""
    keys: dict[str, str]
    needed: list[Release]
    default: Release
    default_name: str
    cache: Path
    """The release cache the plan was made against."""
    unversioned: bool = False
    """No ``versions:``: one release from the working tree, built as the whole site (its name is empty)."""


UNVERSIONED_RELEASE = Release.model_construct(version="")
"""The one release of a site without ``versions:``: the working tree, named by an empty string."""


def plan_releases(root: Path, cache: Path, config: SiteConfig, force: str | None = None) -> ReleasePlan:
    """Key every release of the project at ``root`` (``config``: its settings) without building it; those
    missing from ``cache`` (and ``force``) are needed. A site without ``versions:`` is a plan of one
    release (:data:`UNVERSIONED_RELEASE`)."""
    unversioned = not config.versions
    declared = Releases.of(config)
    releases = [UNVERSIONED_RELEASE] if unversioned else declared.ordered
    keys = input_keys(config, releases, root)
    default = declared.default or UNVERSIONED_RELEASE
    default_name = declared.default_name
    needed = [release for release in releases if release.version == force or not is_cached(cache, keys[release.version])]
    return ReleasePlan(config, releases, keys, needed, default, default_name, cache, unversioned)


def render_needed(
    plan: ReleasePlan, root: Path, work: Path, reporter: Reporter = NullReporter()
) -> Iterator[PlannedRelease]:
    """Yield each needed release rendered (with its what's-new page) as soon as it is ready; content
    errors of every release are collected and raised together at the end. Each release goes through
    the pipeline (``generator.pipeline``) once: the working tree with the plan's settings, transcribed
    first; a ref or a snapshot with its own ``site_config.yml``, as committed."""
    urls = Urls.of(plan.config) if plan.config.site_url else None
    loaded: dict[str, tuple[Path, Catalog] | None] = {}
    errors: list[ContentError] = []

    def load(release: Release) -> tuple[Path, Catalog] | None:
        if release.version not in loaded:
            project = release_inputs(release, root, work)
            working_tree = release.from_working_tree  # a tag holds its committed transcripts
            try:
                loaded[release.version] = (project, load_catalog(
                    project, reporter, config=plan.config if working_tree else None, transcribe=working_tree))
            except ContentErrors as exc:
                errors.extend((exc if plan.unversioned else located_in(release, exc)).errors)
                loaded[release.version] = None
        return loaded[release.version]

    def catalog_of(release: Release) -> Catalog | None:
        """A release's catalog: kept in the cache if it was built before, else loaded from its inputs."""
        kept = cached_catalog(plan.cache, plan.keys[release.version]) if release not in plan.needed else None
        if kept is not None:
            return kept
        loaded_release = load(release)
        return loaded_release[1] if loaded_release else None

    for release in plan.needed:
        index = plan.releases.index(release)
        previous = plan.releases[index + 1] if index + 1 < len(plan.releases) else None
        current, before = load(release), (catalog_of(previous) if previous else None)
        if current is None or (previous is not None and before is None) or errors:
            continue
        project, catalog = current
        exams = exam_keys_of(catalog, before,
                             tuple(older.version for older in plan.releases[index + 1:]), release.released)
        context = None if plan.unversioned else ReleaseContext(
            version=release.version,
            title=release.title or release.version,
            site_url=urls.release(release.version) if urls else None,
            default_name=plan.default_name,
            canonical_base=urls.release() if urls else None,
            changes=compare_catalogs(
                before, catalog, (previous.title or previous.version) if previous else None,
                STRINGS[catalog.config.language],
            ),
            working_tree=release.from_working_tree,
            recertify_by={ident: key.recertify.by.isoformat() for ident, key in exams.items() if key.recertify},
        )
        rendered = render_catalog(catalog, project, context, template_cache(root))
        if plan.unversioned:
            if not catalog.config.site_url:
                reporter.warning(SITE_URL_WARNING)
            reporter.step(f"Building {len(rendered.pages)} pages with {catalog.config.engine}")
        yield PlannedRelease(release, plan.keys[release.version], project, catalog, rendered, exams)
    if errors:
        raise ContentErrors(errors)


def _stage(planned: PlannedRelease, cache: Path) -> Path:
    """A new work folder in the cache with the release's stage written into it (``stage/``)."""
    assert planned.rendered is not None and planned.project is not None
    work = Path(tempfile.mkdtemp(prefix=f".build-{planned.release.version}-", dir=cache))
    write_stage(planned.rendered, work / "stage", planned.project)
    return work


def _build_release(planned: PlannedRelease, work: Path, engines: EngineRuns, cache: Path) -> float:
    """Run the engine on the stage in ``work`` and keep the result in the cache; the seconds it took.
    ``work`` is removed."""
    assert planned.rendered is not None and planned.catalog is not None
    started = time.perf_counter()
    try:
        engines.take().build(work / "stage", work / "site")
        keep_in_cache(work / "site", cache, planned.key, planned.exams, planned.rendered, planned.catalog)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return time.perf_counter() - started


def _site_name(release: Release) -> str:
    """How a release's files are named in the site: ``2.4/…``, or as they are for a site without releases."""
    return f"{release.version}/" if release.version else ""


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


def add_root_files(releases: list[Release], default: Release, default_name: str, target: Path) -> None:
    """Alias redirect pages, versions.json, the root redirect and the root 404 page."""
    for release in releases:
        for alias in release.aliases:
            _alias_pages(target / release.version, target / alias, release.version)
    (target / "versions.json").write_text(versions_json(Releases(tuple(releases))), encoding="utf-8")
    (target / "index.html").write_text(redirect_page(f"{default_name}/"), encoding="utf-8")
    not_found = target / default.version / "404.html"
    if not_found.is_file():
        shutil.copy2(not_found, target / "404.html")


def default_jobs() -> int:
    """Releases built at once unless ``--jobs`` says: one more than the cores. An engine run waits for
    the disk now and then, and one more run fills those gaps (``benchmarks/versions.py --jobs N``
    compares)."""
    return (os.cpu_count() or 1) + 1


SITE_URL_WARNING = "site_url is not set in site_config.yml: pages load without instant navigation"


@dataclass(frozen=True)
class SiteBuild:
    """One ``partnerkit build``: the project, its settings (read once, by the command), where the site
    goes, and the options."""

    root: Path
    config: SiteConfig
    site_dir: Path
    reporter: Reporter = NullReporter()
    jobs: int | None = None
    """Releases built at once (default: :func:`default_jobs`)."""
    only: str | None = None
    """A release rebuilt even if its inputs did not change."""

    @property
    def cache(self) -> Path:
        """The release cache (:data:`CACHE_DIR` in the project)."""
        return self.root / CACHE_DIR

    @property
    def names(self) -> list[str]:
        """The declared releases' names, as ``versions:`` lists them (none for a site without releases)."""
        return [release.version for release in self.config.versions]


def build_releases(build: SiteBuild) -> dict[str, str]:
    """Build every release of ``build.root`` into ``build.site_dir``; return each release's outcome
    (``built`` or ``cached``). ``only`` rebuilds that release even if its inputs did not change. A site
    without ``versions:`` is one release (named ``""``) built as the whole of ``site_dir``, through the
    same cache: unchanged inputs run no engine.

    Each release goes to the engine as soon as it is rendered; while the engine works, cached releases
    are laid out in the new site, which replaces ``site_dir`` only when every release is done."""
    build.cache.mkdir(parents=True, exist_ok=True)
    if build.only is not None and build.only not in build.names:
        raise PartnerkitError(f"--only {build.only}: no such release{did_you_mean(build.only, build.names)}")
    trash = Trash(build.cache)
    trash.empty_in_background()
    try:
        return _build_releases(build, trash)
    finally:
        trash.wait()


def _build_releases(build: SiteBuild, trash: Trash) -> dict[str, str]:
    root, reporter, cache, names = build.root, build.reporter, build.cache, build.names
    reporter.step("Loading content" if not build.config.versions else "Checking releases")
    plan = plan_releases(root, cache, build.config, force=build.only)
    engine = plan.config.engine
    needed = {release.version for release in plan.needed}
    outcomes = {release.version: "built" if release.version in needed else "cached" for release in plan.releases}
    workers = build.jobs or default_jobs()
    if plan.unversioned and not needed:
        if not plan.config.site_url:
            reporter.warning(SITE_URL_WARNING)
        reporter.step("Inputs unchanged: the site built last time is reused")
    elif not plan.unversioned:
        for release in plan.releases:
            if release.version not in needed:
                reporter.step(f"{release.version}: unchanged, reused")
        if needed:
            at_once = f", {min(workers, len(needed))} at a time" if len(needed) > 1 else ""
            reporter.step(f"Building {len(needed)} of {len(plan.releases)} releases with {engine}{at_once}")
    site_dir = build.site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    if not needed and _site_is_current(site_dir, cache, plan):
        _finish(root, cache, plan, names, trash)  # the site in place is this very assembly: nothing to lay out
        reporter.step(f"{site_dir} is up to date{_releases_said(plan)}")
        return outcomes
    with tempfile.TemporaryDirectory(prefix=".inputs-", dir=cache) as work, \
            tempfile.TemporaryDirectory(prefix=f".{site_dir.name}-build-", dir=site_dir.parent) as assembly, \
            ThreadPoolExecutor(max_workers=workers) as pool:
        target = Path(assembly) / "site"
        if not plan.unversioned:
            target.mkdir()
        private = PrivateBytes(root)
        carried = tuple(release.version for release in plan.releases
                        if not plan.unversioned and release.version not in needed and _in_site(site_dir, cache, plan, release))
        futures: dict[Future, tuple[Release, Path]] = {}
        found: list[str] = []
        engines = EngineRuns(engine, len(needed), min(workers, len(needed)))  # their code loads while the releases render
        try:
            for planned in render_needed(plan, root, Path(work), reporter):
                shutil.rmtree(cache / planned.key, ignore_errors=True)
                stage = _stage(planned, cache)
                futures[pool.submit(_build_release, planned, stage, engines, cache)] = (planned.release, stage)
            for release in plan.releases:  # while the engine works
                if release.version in carried:  # its folder in the site is the cached one: moved over at the swap
                    found += private.found_in(cache / plan.keys[release.version], _site_name(release))
                elif release.version not in needed:
                    _link_tree(cache / plan.keys[release.version], target / release.version)
                    found += private.found_in(target / release.version, _site_name(release))
            for done, future in enumerate(as_completed(futures), start=1):  # laid out here: the workers go on to the next
                seconds, (release, _) = future.result(), futures[future]
                _link_tree(cache / plan.keys[release.version], target / release.version)
                found += private.found_in(target / release.version, _site_name(release))
                if not plan.unversioned:
                    reporter.step(f"{release.version}: built in {seconds:.1f} s")
                    reporter.progress("Releases", done, len(futures), "built")
        except BaseException:  # a content or engine error: releases not started yet are not built
            for future, (_, stage) in futures.items():
                if future.cancel():
                    shutil.rmtree(stage, ignore_errors=True)
            raise
        finally:
            engines.close()
        if not plan.unversioned:
            add_root_files(plan.releases, plan.default, plan.default_name, target)
            found += private.found_in(target, skip=frozenset(names))  # the root pages and the aliases' redirects
        refuse_private_bytes(found)
        (cache / SITE_RECORD).unlink(missing_ok=True)
        swap_in(target, site_dir, trash, carried)
        _record_site(site_dir, cache, plan)
    _finish(root, cache, plan, names, trash)
    reporter.step(f"Site written to {site_dir}{_releases_said(plan)}")
    return outcomes


def _releases_said(plan: ReleasePlan) -> str:
    """`` (3 releases; the root leads to latest)``, or nothing for a site without releases."""
    count = len(plan.releases)
    return "" if plan.unversioned else f" ({count} release{'s' if count != 1 else ''}; the root leads to {plan.default_name})"


def _finish(root: Path, cache: Path, plan: ReleasePlan, names: list[str], trash: Trash) -> None:
    """What every build ends with: the exam keys and the collector's content index of the releases in
    the site, and the cache pruned to them."""
    exams = {release.version: cached_exam_keys(cache, plan.keys[release.version]) for release in plan.releases}
    replace_exam_keys(root, exams)
    if plan.config.analytics.endpoint:
        content_ids, practice, stages, resources, by_key = cached_content(
            cache, [plan.keys[release.version] for release in reversed(plan.releases)])
        releases = {} if plan.unversioned else {release.version: by_key[plan.keys[release.version]] for release in plan.releases}
        write_content_index(root, content_ids, names, practice, stages, resources, releases)
    prune_cache(cache, set(plan.keys.values()), trash)


SITE_RECORD = ".site.json"
"""In the release cache: which folder the last build laid out, and from which cached releases."""


def _site_record(site_dir: Path, plan: ReleasePlan) -> dict:
    return {"site": str(site_dir), "folder": site_dir.stat().st_ino,
            "releases": [[release.version, plan.keys[release.version]] for release in plan.releases]}


def _record_site(site_dir: Path, cache: Path, plan: ReleasePlan) -> None:
    (cache / SITE_RECORD).write_text(json.dumps(_site_record(site_dir, plan)) + "\n", encoding="utf-8")


def _in_site(site_dir: Path, cache: Path, plan: ReleasePlan, release: Release) -> bool:
    """Whether the release's folder in the site is the cached release itself (its home page the cached
    file, not a copy): then the new site can take the folder over as it is."""
    try:
        return os.path.samefile(site_dir / release.version / "index.html", cache / plan.keys[release.version] / "index.html")
    except OSError:
        return False


def _site_is_current(site_dir: Path, cache: Path, plan: ReleasePlan) -> bool:
    """Whether ``site_dir`` is still the folder the last build laid out from exactly these cached
    releases (the same folder, not one put there since, and each release's home page the cached file
    itself), so a build with no change need not lay it out again."""
    try:
        record = json.loads((cache / SITE_RECORD).read_text(encoding="utf-8"))
        return record == _site_record(site_dir, plan) and all(_in_site(site_dir, cache, plan, release) for release in plan.releases)
    except (OSError, ValueError):
        return False
