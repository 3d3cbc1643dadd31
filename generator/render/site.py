"""Render the whole site: one Markdown page per document, section indexes, home page and mkdocs.yml."""

from __future__ import annotations

import functools
import json
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import yaml

from generator.releases.changes import ReleaseChanges
from generator.render.mkdocs_config import ASSET_DIR, STYLESHEETS, mkdocs_config, scripts
from generator.render.strings import STRINGS
from generator.structure.catalog import Catalog
from generator.certification.keys import quiz_page_data
from generator.structure.content import Document, Quiz
from generator.transcripts.article import build_article
from generator.transcripts.timestamps import clock

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = PACKAGE_DIR / "templates"
ASSETS_DIR = PACKAGE_DIR / "assets"

SECTION_FOLDERS = {
    "path": "paths",
    "module": "modules",
    "procedure": "procedures",
    "responsibilities": "who-does-what",
    "campaign": "campaigns",
    "talk": "talks",
    "quiz": "quizzes",
}
"""Rendered kinds, in navigation order, with the docs folder of their pages."""

MEDIA_DIR = "media"
"""Docs folder receiving talk recordings."""

RESOURCE_DIR = "resources"
"""Docs folder receiving module resource files, under their path relative to content/."""


VERIFY_PAGE = "verify.md"
"""The certificate verification page, published at ``verify/`` (``verify/?id=…``)."""


def widget_json(data: dict[str, Any]) -> str:
    """JSON safe inside a ``<script>`` element of a Markdown page."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e")


def collector_url(config: Any) -> str | None:
    """Base address of the collector (its event route is ``<base>/e``), where exams are graded."""
    endpoint = config.analytics.endpoint
    return endpoint.rsplit("/", 1)[0] if endpoint else None


def _widget_base(config: Any, t: dict[str, str]) -> dict[str, Any]:
    strings = {key.partition(".")[2]: value for key, value in t.items() if key.startswith(("quiz.", "cert."))}
    return {"collector": collector_url(config), "strings": strings, "language": config.language}


def quiz_widget_data(catalog: Catalog, quiz: Quiz, here: str, t: dict[str, str]) -> dict[str, Any]:
    """What the quiz widget needs: the quiz as ``quiz_page_data`` gives it, interface words and, in a
    practice quiz, links to the talk passages questions come from."""
    data = {**_widget_base(catalog.config, t), "quiz": quiz_page_data(quiz)}
    if quiz.mode == "practice":
        for question, public in zip(quiz.questions, data["quiz"]["questions"]):
            source = question.source
            if source is not None and source.talk in catalog.talks:
                talk = catalog.talks[source.talk]
                public["source"] = {"title": talk.title, "start": source.start,
                                    "url": html_link(here, page_path(talk)[: -len(".md")] + "/")}
        data["verify"] = None
    else:
        data["verify"] = html_link(here, VERIFY_PAGE[: -len(".md")] + "/")
    return data


@dataclass(frozen=True)
class Section:
    kind: str
    title: str
    index: str
    """Docs-relative path of the section's index page."""
    documents: list[Document]


@dataclass(frozen=True)
class ReleaseContext:
    """What a page needs to know about the release it is built for."""

    version: str
    title: str
    site_url: str | None
    """This release's own address, ``<site_url>/<version>/``."""
    default_name: str
    """The version or alias old releases point at (e.g. ``latest``)."""
    canonical_base: str | None
    """Address of the default release, so search engines index the current pages."""
    changes: ReleaseChanges
    working_tree: bool = False
    """Built from the working tree: draft talks are shown (marked as drafts)."""
    recertify_by: dict[str, str] = field(default_factory=dict)
    """Exams this release changed materially, by id: the day holders of earlier certificates must pass again."""

    whats_new_page = "whats-new.md"


@dataclass(frozen=True)
class RenderedSite:
    """What the engine needs: Markdown pages, ``mkdocs.yml`` and files to copy, by stage-relative path."""

    pages: dict[str, str]
    mkdocs_config: dict[str, Any]
    copies: dict[str, Path] = field(default_factory=dict)
    """Files to copy; a relative source path is relative to the project root."""

    def texts(self) -> dict[str, str]:
        """Every generated text file (pages and mkdocs.yml): what golden tests compare."""
        return {"mkdocs.yml": dump_mkdocs_config(self.mkdocs_config), **self.pages}


def dump_mkdocs_config(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def page_path(document: Document) -> str:
    """Docs-relative path of a document's page."""
    return f"{SECTION_FOLDERS[document.kind_name]}/{document.id}.md"


def html_link(page: str, target: str) -> str:
    """A relative URL for raw HTML, which the engine does not rewrite: pages are published as
    ``<name>/index.html`` (directory URLs), one level below their Markdown file."""
    published_dir = posixpath.dirname(page) if page.endswith("index.md") else page[: -len(".md")]
    return posixpath.relpath(target, published_dir or ".")


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


@jinja2.pass_context
def _role_name(context: Any, ident: str) -> str:
    return {role.id: role.name for role in context["config"].roles}.get(ident, ident)


@jinja2.pass_context
def _segment_name(context: Any, ident: str) -> str:
    names = {"all": context["t"]["all_segments"], **{segment.id: segment.name for segment in context["config"].segments}}
    return names.get(ident, ident)


@jinja2.pass_context
def _owner_label(context: Any, owner: str) -> str:
    return context["t"][f"owner.{owner}"].format(vendor=context["config"].vendor)


@jinja2.pass_context
def _module_minutes(context: Any, ident: str) -> int:
    return context["catalog"].modules[ident].minutes


@functools.lru_cache(maxsize=16)
def template_environment(override_dir: Path | None = None) -> jinja2.Environment:
    """Templates from ``override_dir`` (a vendor's) first, then the built-in ones; compiled once per process."""
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(TEMPLATE_DIR)]
    if override_dir is not None:
        loaders.insert(0, jinja2.FileSystemLoader(override_dir))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update({
        "cell": _cell,
        "yaml_text": lambda text: json.dumps(str(text), ensure_ascii=False),
        "role_name": _role_name,
        "segment_name": _segment_name,
        "owner_label": _owner_label,
        "module_minutes": _module_minutes,
        "clock": clock,
    })
    env.tests["contains"] = lambda container, item: item in container
    return env


def render_site(
    catalog: Catalog, override_dir: Path | None = None, release: ReleaseContext | None = None
) -> RenderedSite:
    """Every page of the site for ``catalog``; ``override_dir`` holds a vendor's template overrides;
    ``release`` is set when the site is one release of a versioned site."""
    config = catalog.config
    t = STRINGS[config.language]
    env = template_environment(override_dir.resolve() if override_dir is not None else None)

    drafts_shown = release is None or release.working_tree
    talks = [talk for talk in catalog.talks.values() if drafts_shown or talk.meta.review == "approved"]

    def documents_of(kind: str) -> list[Any]:
        if kind == "module":
            return list(catalog.modules_in_learning_order())
        if kind == "talk":
            return talks
        return list(catalog.of_kind(kind).values())

    sections = [
        Section(kind, t[folder_title], f"{folder}/index.md", documents_of(kind))
        for kind, folder, folder_title in (
            ("path", "paths", "paths"),
            ("module", "modules", "modules"),
            ("procedure", "procedures", "procedures"),
            ("responsibilities", "who-does-what", "responsibilities"),
            ("campaign", "campaigns", "campaigns"),
            ("talk", "talks", "talks_section"),
            ("quiz", "quizzes", "quizzes_section"),
        )
    ]

    pages: dict[str, str] = {}

    def render(template: str, here: str, **context: Any) -> None:
        def link(document: Document) -> str:
            return posixpath.relpath(page_path(document), posixpath.dirname(here) or ".")

        def link_file(name: str) -> str:
            return posixpath.relpath(f"{RESOURCE_DIR}/{name}", posixpath.dirname(here) or ".")

        pages[f"docs/{here}"] = env.get_template(template).render(
            config=config, catalog=catalog, t=t, link=link, link_file=link_file, release=release, **context
        )

    render("home.md.j2", "index.md", sections=sections)
    if release is not None:
        render("whats_new.md.j2", release.whats_new_page, linkable=set(SECTION_FOLDERS))
    for section in sections:
        if not section.documents:
            continue
        render("index.md.j2", section.index, section=section)
        for document in section.documents:
            if document.kind_name == "talk":
                here = page_path(document)
                media_url = html_link(here, f"{MEDIA_DIR}/{Path(document.media).name}") if document.media else None
                modules = [catalog.modules[ident] for ident in document.meta.modules if ident in catalog.modules]
                render("talk.md.j2", here, document=document, article=build_article(document),
                       media_url=media_url, modules=modules)
            elif document.kind_name == "quiz":
                here = page_path(document)
                render("quiz.md.j2", here, document=document,
                       widget_json=widget_json(quiz_widget_data(catalog, document, here, t)))
            else:
                render(f"{document.kind_name}.md.j2", page_path(document), document=document, talks=talks)

    exams = [quiz for quiz in catalog.quizzes.values() if quiz.mode == "exam"]
    if exams:
        render("verify.md.j2", VERIFY_PAGE, widget_json=widget_json(_widget_base(config, t)))

    nav: list[Any] = [{t["home"]: "index.md"}]
    if release is not None:
        nav.append({t["whats_new"].format(title=release.title): release.whats_new_page})
    for section in sections:
        if section.documents:
            nav.append({section.title: [section.index, *(
                {document.title: page_path(document)} for document in section.documents
            )]})
    if exams:
        nav.append({t["verify"]: VERIFY_PAGE})

    copies: dict[str, Path] = {"overrides/main.html": ASSETS_DIR / "overrides" / "main.html"}
    for name in (*scripts(config), *STYLESHEETS):
        copies[f"docs/{ASSET_DIR}/{name}"] = ASSETS_DIR / "partnerkit" / name
    for talk in talks:
        if talk.media:
            copies[f"docs/{MEDIA_DIR}/{Path(talk.media).name}"] = Path(talk.media)
    for module in catalog.modules.values():
        for resource in module.resources:
            if resource.file is not None:
                copies[f"docs/{RESOURCE_DIR}/{resource.file}"] = Path("content") / resource.file
    return RenderedSite(pages, mkdocs_config(config, nav, release), copies)
