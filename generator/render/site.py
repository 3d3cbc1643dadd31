"""Render the whole site: one Markdown page per document, section indexes, home page and mkdocs.yml."""

from __future__ import annotations

import functools
import html
import json
import posixpath
import re
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jinja2
import rcssmin
import rjsmin
import yaml
from markupsafe import Markup

from generator.errors import ContentError, ContentErrors
from generator.jinja_environment import sandboxed_environment
from generator.render.context import ReleaseContext
from generator.render.escape import FILTERS, finalize, md_url, theme_text, yaml_text
from generator.render.mkdocs_config import (ASSET_DIR, ASSETS_KEY, SIGNED_IN_KEY, assets, logo_copy, mkdocs_config,
                                            page_assets, signed_in_assets, STYLESHEETS, widget_classes)
from generator.render.body_marks import mark_body
from generator.render.strings import STRINGS
from generator.render.timing import Trigger, describe_trigger, describe_when
from generator.model.catalog import Catalog
from generator.model.answer_keys import quiz_page_data
from generator.model.content import SECTION_FOLDERS, Document, Module, Quiz, seconds_of
from generator.model.urls import page_file
from generator.render.article import build_article, with_digits
from generator.model.palette import shade_css
from generator.model.talk import Talk
from generator.model.timestamps import clock, webvtt

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_ASSETS_DIR = PACKAGE_DIR / "assets"
"""partnerkit's asset files in the installed package (served under ``mkdocs_config.ASSET_DIR``)."""

SECTION_TITLES = {"responsibilities": "responsibilities", "talk": "talks_section", "quiz": "quizzes_section"}
"""The string naming a section in the navigation, where it is not its folder's (``STRINGS[...]["paths"]``)."""

SINGLE_PAGE_SECTIONS = ("responsibilities",)
"""Sections whose only document is published as the section page itself (``who-does-what/``)."""

MEDIA_DIR = "media"
"""Docs folder receiving talk recordings."""

RESOURCE_DIR = "resources"
"""Docs folder receiving module resource files, under their path relative to content/."""


ACCOUNTS_PAGE = "accounts.md"
"""A rep's worklist, "My accounts" (``partnerkit worklists``), fetched from the collector: the page holds no customer data."""
VERIFY_PAGE = "verify.md"
"""The certificate verification page, published at ``verify/`` (``verify/?id=…``)."""


THEME_OVERRIDES = ("overrides/main.html", "overrides/partials/javascripts/outdated.html")
"""The theme's templates partnerkit replaces (the engine's ``custom_dir``)."""


def captions_vtt(talk: Talk) -> str:
    """The talk's cues as WebVTT for the player's captions track, whatever format the transcript had."""
    return webvtt(talk.cues)


def widget_json(data: dict[str, Any]) -> str:
    """A widget's data as JSON for a ``data-pk-data`` attribute (escape it there); ``<`` and ``>``
    are written as escapes so the text stays inert wherever it lands."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e")


def help_widget_json(config: Any, t: dict[str, str], document: Document) -> str:
    """The "Ask for help" form's data on a module with a deal stage (never the stage itself), or ""."""
    if not (config.analytics.endpoint and config.help.enabled and isinstance(document, Module) and document.deal_stages):
        return ""
    strings = {key.partition(".")[2]: value.replace("{vendor}", config.vendor) for key, value in t.items() if key.startswith("help.")}
    return widget_json({"collector": config.analytics.collector_base, "content": document.content_id,
                        "max_chars": config.help.max_chars, "strings": strings})


def _widget_base(config: Any, t: dict[str, str]) -> dict[str, Any]:
    strings = {key.partition(".")[2]: value for key, value in t.items() if key.startswith(("quiz.", "cert."))}
    return {"collector": config.analytics.collector_base, "strings": strings, "language": config.language}


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
                                    "url": html_link(here, page_path(talk)[: -len(".md")] + "/") + f"#t={seconds_of(source.start)}"}
        data["verify"] = None
        roles = {path.role for module in catalog.modules.values() if module.quiz == quiz.id
                 for path in catalog.paths_of_module(module.id)}
        exam = next((other for other in catalog.quizzes.values() if other.mode == "exam" and other.role in roles), None)
        if exam is not None:
            data["exam"] = {"title": exam.title, "url": html_link(here, page_path(exam)[: -len(".md")] + "/")}
    else:
        data["verify"] = html_link(here, VERIFY_PAGE[: -len(".md")] + "/")
    return data


def learning_widget_data(catalog: Catalog, here: str, t: dict[str, str], accounts: bool,
                         release: ReleaseContext | None = None) -> dict[str, Any]:
    """What "My learning" on the home page needs to show a signed-in rep their record: every path with
    its modules and exams (ids, titles, addresses), the modules this release changed (with its
    what's-new page), the roles' names and the interface words."""
    config = catalog.config

    def address(document: Document) -> str:
        return html_link(here, page_path(document)[: -len(".md")] + "/")

    exams = [quiz for quiz in catalog.quizzes.values() if quiz.mode == "exam"]
    return {
        "collector": config.analytics.collector_base, "language": config.language,
        "strings": {key.partition(".")[2]: value for key, value in t.items() if key.startswith("learn.")},
        "roles": {role.id: role.name for role in config.roles},
        "paths": [{"id": path.id, "title": path.title, "role": path.role, "url": address(path),
                   "modules": [{"id": ident, "title": catalog.modules[ident].title, "url": address(catalog.modules[ident])}
                               for ident in path.modules if ident in catalog.modules],
                   "exams": [quiz.id for quiz in exams if quiz.role == path.role]} for path in catalog.paths.values()],
        "exams": {quiz.id: {"title": quiz.title, "url": address(quiz)} for quiz in exams},
        "verify": html_link(here, VERIFY_PAGE[: -len(".md")] + "/") if exams else None,
        "accounts": html_link(here, ACCOUNTS_PAGE[: -len(".md")] + "/") if accounts else None,
        "release": release.version if release is not None else None,
        "changed": {} if release is None else {
            change.id: {"title": catalog.modules[change.id].title, "url": address(catalog.modules[change.id]),
                        "whats_new": html_link(here, release.whats_new_page[: -len(".md")] + "/")}
            for change in release.changes.of_status("changed") if change.kind == "module" and change.id in catalog.modules},
    }


@dataclass(frozen=True)
class SiteSection:
    """One section of the site's navigation (paths, modules, ...): its index page and documents; not the
    titled part of a module body (``model.content.Section``)."""

    kind: str
    title: str
    index: str
    """Docs-relative path of the section's index page."""
    documents: list[Document]


@dataclass(frozen=True)
class RenderedSite:
    """What the engine needs: Markdown pages, ``mkdocs.yml`` and files to copy, by stage-relative path."""

    pages: dict[str, str]
    mkdocs_config: dict[str, Any]
    copies: dict[str, Path] = field(default_factory=dict)
    """Files to copy; a relative source path is relative to the project root."""
    assets: dict[str, str] = field(default_factory=dict)
    """partnerkit's scripts and stylesheets as the site serves them (minified); not in golden files."""
    content_ids: dict[str, str] = field(default_factory=dict)
    """Content id of every page (``module:pricing``, ``home:index``) with the page's title: the ids
    the beacon may send, as the pages' front matter names them."""
    practice_quizzes: tuple[str, ...] = ()
    """Ids of the quizzes graded in the browser, whose results the beacon may send."""
    deal_stages: dict[str, list[str]] = field(default_factory=dict)
    """Deal stages of each page that serves any (module's and sections'), by content id: for deal signals."""
    resources: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    """Resources whose opening the beacon may send, by content id: each resource's event id with its title and deal stage."""

    def texts(self) -> dict[str, str]:
        """Every generated text file (pages and mkdocs.yml): what golden tests compare."""
        return {"mkdocs.yml": dump_mkdocs_config(self.mkdocs_config), **self.pages}

    def staged(self) -> dict[str, str]:
        """Every text file the engine reads: the generated ones and partnerkit's assets."""
        return {**self.texts(), **self.assets}


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""libyaml's emitter where PyYAML has it (as the front matter's loader): the same text, several times faster."""


def dump_mkdocs_config(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)


def page_path(document: Document) -> str:
    """Docs-relative path of a document's page."""
    return page_file(document.kind_name, document.id)


def relative_path(target: str, start: str) -> str:
    """``posixpath.relpath(target, start)`` for the docs-relative paths pages link between, without its
    look-ups of the working folder (a build asks for thousands); a path with ``..``, an absolute or an
    empty one goes to ``posixpath.relpath`` itself."""
    to, here = target.split("/"), start.split("/")
    if not target or not start or target[0] == "/" or start[0] == "/" or ".." in to or ".." in here:
        return posixpath.relpath(target, start)
    to = [part for part in to if part and part != "."]
    here = [part for part in here if part and part != "."]
    common = 0
    for a, b in zip(to, here):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(here) - common) + to[common:]
    return "/".join(parts) if parts else "."


def html_link(page: str, target: str) -> str:
    """A relative URL for raw HTML, which the engine does not rewrite: pages are published as
    ``<name>/index.html`` (directory URLs), one level below their Markdown file."""
    published_dir = posixpath.dirname(page) if page.endswith("index.md") else page[: -len(".md")]
    link = relative_path(target, published_dir or ".")
    return link + "/" if target.endswith("/") and not link.endswith("/") else link  # a page's own address, not a redirect to it


@jinja2.pass_context
def _markdown_body(context: Any, body: str) -> Markup:
    """A Markdown body placed as Markdown; marked to be sanitised unless ``content_html: trusted``."""
    text = str(body).strip()
    return Markup(text) if context["config"].content_html == "trusted" else mark_body(text)


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


@jinja2.pass_context
def _trigger_words(context: Any, trigger: str) -> Trigger:
    return describe_trigger(trigger, context["config"].language)


@jinja2.pass_context
def _when_words(context: Any, when: str, trigger: Trigger) -> str:
    return describe_when(when, trigger, context["config"].language)


@jinja2.pass_context
def _path_exams(context: Any, path: Any) -> list[Quiz]:
    """The certification exams of the path's role, in content order."""
    return [quiz for quiz in context["catalog"].quizzes.values() if quiz.mode == "exam" and quiz.role == path.role]


@functools.lru_cache(maxsize=16)
def template_environment(override_dir: Path | None = None, shown: str = "templates",
                         bytecode_dir: Path | None = None) -> jinja2.Environment:
    """Templates from ``override_dir`` (a vendor's, shown in errors as ``shown``) first, then the built-in
    ones; compiled once per process, and kept compiled in ``bytecode_dir`` (``generator.layout.template_cache``)
    for the next one.

    Every template runs sandboxed (no access to Python internals from a vendor's template) and every
    printed value is escaped as Markdown text unless a filter of ``escape.FILTERS`` already escaped it
    for its context (see ``generator.render.escape``)."""
    env = sandboxed_environment(override_dir, shown, bytecode_dir=bytecode_dir, keep_trailing_newline=True,
                                finalize=finalize)
    env.filters.update({
        **FILTERS,
        "markdown_body": _markdown_body,
        "role_name": _role_name,
        "segment_name": _segment_name,
        "owner_label": _owner_label,
        "module_minutes": _module_minutes,
        "trigger_words": _trigger_words,
        "when_words": _when_words,
        "path_exams": _path_exams,
        "clock": clock,
    })
    env.tests["contains"] = lambda container, item: item in container
    return env


_FRONT_MATTER = re.compile(r"\A---\n(.*?\n)?---\n", re.S)
_FRONT_MATTER_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's safe loader, in C where libyaml is there (the same rules, a tenth of the time)."""


_JSON_TEXT = r'"(?:[^"\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]|\\["\\bfnrt]|\\u00[01][0-9a-fA-F])*"'
_OWN_FRONT_MATTER = re.compile(
    rf"partnerkit_id: ([A-Za-z][A-Za-z0-9_.-]*:[A-Za-z0-9_.:-]*(?<!:)|{_JSON_TEXT})\ntitle: ({_JSON_TEXT})\n")
"""Front matter exactly as ``_front_matter.md.j2`` writes it, with only characters YAML and JSON read alike
(``yaml_text``'s output: a plain id that YAML reads as text, JSON strings with no character YAML folds,
refuses or reads otherwise); any other front matter is read with YAML."""


def page_content_id(text: str) -> tuple[str, str] | None:
    """The content id a rendered page's front matter names (``partnerkit_id: module:pricing``) with
    the page's ``title`` (empty where it has none), or None."""
    found = _FRONT_MATTER.match(text)
    if found is None or "partnerkit_id:" not in (found.group(1) or ""):
        return None
    own = _OWN_FRONT_MATTER.fullmatch(found.group(1))
    if own is not None:  # the usual page: two lines, read without a YAML parser
        ident, title = (json.loads(value) if value[0] == '"' else value for value in own.groups())
        return (ident, html.unescape(title) if title else "") if ident else None
    try:
        meta = yaml.load(found.group(1), Loader=_FRONT_MATTER_LOADER)
    except yaml.YAMLError:
        return None
    if isinstance(meta, dict) and meta.get("partnerkit_id"):
        title = meta.get("title")
        return str(meta["partnerkit_id"]), html.unescape(str(title)) if title else ""
    return None


_TITLE_KEY = re.compile(r"^title\s*:", re.M)
"""A ``title`` key in front matter."""


def with_page_title(text: str, title: str) -> str:
    """``text`` with a front-matter ``title``, escaped, added where its template wrote none: without one
    the theme puts the navigation title into ``<title>`` after unescaping it."""
    found = _FRONT_MATTER.match(text)
    if found is not None and _TITLE_KEY.search(found.group(1) or ""):
        return text  # the template wrote one (partnerkit's own always do): nothing to escape or add
    line = f"title: {yaml_text(theme_text(title))}\n"
    if found is None:
        return f"---\n{line}---\n\n{text}"
    return f"---\n{found.group(1) or ''}{line}---\n{text[found.end():]}"


def with_assets(text: str, names: list[str], signed_in: list[str] = ()) -> str:
    """``text`` (with front matter) listing the partnerkit scripts and stylesheets its page loads, and
    those it loads for a signed-in rep only."""
    if not names and not signed_in:
        return text
    found = _FRONT_MATTER.match(text)
    assert found is not None, "with_page_title wrote the front matter"
    lines = (f"{ASSETS_KEY}: [{', '.join(names)}]\n" if names else "") + (f"{SIGNED_IN_KEY}: [{', '.join(signed_in)}]\n" if signed_in else "")
    return f"---\n{found.group(1) or ''}{lines}---\n{text[found.end():]}"


def minified(name: str, text: str) -> str:
    """A script or stylesheet as the site serves it: minified (rjsmin, rcssmin); the package keeps the
    readable source."""
    return (rcssmin.cssmin(text) if name.endswith(".css") else rjsmin.jsmin(text, keep_bang_comments=False)) + "\n"


def _vendor_template_error(exc: jinja2.TemplateError, folder: Path | None, name: str | None) -> ContentError | None:
    """Where in a vendor's template ``exc`` happened, as a located error (None: not in a vendor template)."""
    if folder is None or name is None:
        return None
    folder = folder.resolve()
    places = [(exc.filename, exc.lineno)] if isinstance(exc, jinja2.TemplateSyntaxError) else []
    places += [(frame.filename, frame.lineno) for frame in reversed(traceback.extract_tb(exc.__traceback__))]
    for filename, line in places:
        if filename and Path(filename).resolve().is_relative_to(folder):
            where = Path(filename).resolve().relative_to(folder).as_posix()
            return ContentError(f"{name.rstrip('/')}/{where}", line or 1, 1, "", f"template error: {exc.message or exc}")
    return None


def render_site(
    catalog: Catalog, override_dir: Path | None = None, release: ReleaseContext | None = None,
    bytecode_dir: Path | None = None,
) -> RenderedSite:
    """Every page of the site for ``catalog``; ``override_dir`` holds a vendor's template overrides;
    ``release`` is set when the site is one release of a versioned site; ``bytecode_dir`` keeps the
    compiled templates between runs (``generator.layout.template_cache``)."""
    config = catalog.config
    t = STRINGS[config.language]
    env = template_environment(override_dir.resolve() if override_dir is not None else None, config.templates or "templates",
                               bytecode_dir)

    drafts_shown = release is None or release.working_tree
    talks = [talk for talk in catalog.talks.values() if drafts_shown or talk.meta.review == "approved"]

    def documents_of(kind: str) -> list[Any]:
        if kind == "module":
            return list(catalog.modules_in_learning_order())
        if kind == "talk":
            return talks
        return list(catalog.of_kind(kind).values())

    sections = [
        SiteSection(kind, t[SECTION_TITLES.get(kind, folder)], f"{folder}/index.md", documents_of(kind))
        for kind, folder in SECTION_FOLDERS.items()
    ]

    pages: dict[str, str] = {}
    content_ids: dict[str, str] = {}
    templates: dict[str, jinja2.Template] = {}
    """Each template this render uses, looked up once: Jinja's ``get_template`` checks the template's file
    on every call (``auto_reload``), and a site renders one template for hundreds of pages."""

    # A section of one document (the who-does-what matrix) is that document's page: one URL segment.
    single = {section.documents[0].content_id: section.index for section in sections
              if section.kind in SINGLE_PAGE_SECTIONS and len(section.documents) == 1}

    def path_of(document: Document) -> str:
        return single.get(document.content_id) or page_path(document)

    links: dict[tuple[str, str], Markup] = {}
    """Each Markdown link written, by (target, folder of the page): pages in one folder link to the same
    documents (a path's modules, prerequisites, the home page's lists), each link worked out once."""

    def markdown_link(target: str, folder: str) -> Markup:
        made = links.get((target, folder))
        if made is None:
            made = links[(target, folder)] = md_url(relative_path(target, folder))
        return made

    def render(template: str, here: str, title: str, **context: Any) -> None:
        folder = posixpath.dirname(here) or "."

        def link(document: Document) -> Markup:
            return markdown_link(path_of(document), folder)

        def href(document: Document) -> str:
            """A document's published address relative to this page, for raw HTML (escape it there)."""
            target = path_of(document)
            published = posixpath.dirname(target) if target.endswith("index.md") else target[: -len(".md")]
            return html_link(here, published + "/")

        def page_href(published: str) -> str:
            """The address of a published page (``verify/``) relative to this page, for raw HTML."""
            return html_link(here, published)

        def link_file(name: str) -> Markup:
            return markdown_link(f"{RESOURCE_DIR}/{name}", folder)

        try:
            compiled = templates.get(template)
            if compiled is None:
                compiled = templates[template] = env.get_template(template)
            text = with_page_title(compiled.render(
                config=config, catalog=catalog, t=t, link=link, link_file=link_file, href=href, page_href=page_href, release=release,
                **context
            ), title)
            present = widget_classes(text)
            pages[f"docs/{here}"] = with_assets(text, page_assets(config, text, present),
                                                signed_in_assets(config, text, present))
            named = page_content_id(text)
            if named is not None:
                content_ids[named[0]] = named[1]
        except jinja2.TemplateError as exc:
            located = _vendor_template_error(exc, override_dir, config.templates)
            if located is None:
                raise
            raise ContentErrors([located]) from None

    worklists = bool(config.analytics.endpoint and catalog.documents.get("procedure"))
    learning = widget_json(learning_widget_data(catalog, "index.md", t, worklists, release)) if config.analytics.endpoint else None
    render("home.md.j2", "index.md", config.site_name, sections=sections, learning_json=learning)
    if release is not None:
        render("whats_new.md.j2", release.whats_new_page, t["whats_new"].format(title=release.title),
               linkable=set(SECTION_FOLDERS))
    for section in sections:
        if not section.documents:
            continue
        if section.documents[0].content_id in single:
            document = section.documents[0]
            render(f"{document.kind_name}.md.j2", section.index, document.title, document=document, talks=talks)
            continue
        render("index.md.j2", section.index, section.title, section=section)
        for document in section.documents:
            if document.kind_name == "talk":
                here = page_path(document)
                article = build_article(document)
                media_url = captions_url = None
                if document.media:
                    media_url = html_link(here, f"{MEDIA_DIR}/{Path(document.media).name}")
                    if article.timed:
                        captions = f"{MEDIA_DIR}/{Path(document.media).stem}.vtt"
                        pages[f"docs/{captions}"] = captions_vtt(document)
                        captions_url = html_link(here, captions)
                modules = [catalog.modules[ident] for ident in document.meta.modules if ident in catalog.modules]
                language = document.meta.language if document.meta.language != "auto" else config.language
                if not document.meta.summary:  # a summary picked from what was said: numbers as digits
                    article = replace(article, summary=[with_digits(sentence, language) for sentence in article.summary])
                render("talk.md.j2", here, document.title, document=document, article=article, media_url=media_url,
                       captions_url=captions_url, captions_language=language, modules=modules)
            elif document.kind_name == "quiz":
                here = page_path(document)
                render("quiz.md.j2", here, document.title, document=document,
                       widget_json=widget_json(quiz_widget_data(catalog, document, here, t)))
            else:
                here = page_path(document)
                accounts = md_url(relative_path(ACCOUNTS_PAGE, posixpath.dirname(here) or ".")) if worklists else None
                render(f"{document.kind_name}.md.j2", here, document.title, document=document, talks=talks,
                       help_json=help_widget_json(config, t, document), accounts_link=accounts)

    exams = [quiz for quiz in catalog.quizzes.values() if quiz.mode == "exam"]
    if exams:
        render("verify.md.j2", VERIFY_PAGE, t["verify"], widget_json=widget_json({**_widget_base(config, t), "vendor": config.vendor}))

    if worklists:
        strings = {key.partition(".")[2]: value for key, value in t.items() if key.startswith("accounts.")}
        render("accounts.md.j2", ACCOUNTS_PAGE, t["accounts"], widget_json=widget_json(
            {"collector": config.analytics.collector_base, "strings": strings, "language": config.language, "vendor": config.vendor,
             "note_max_chars": config.customers.note_max_chars}))

    # Navigation titles are printed by the theme as HTML: escaped here, once.
    # A section above ``nav_section_limit`` shows its index only: its pages are built, listed there and
    # declared ``not_in_nav`` (so a page does not carry hundreds of links, nor the engine build them).
    nav: list[Any] = [{theme_text(t["home"]): "index.md"}]
    not_in_nav: list[str] = []
    if release is not None:
        nav.append({theme_text(t["whats_new"].format(title=release.title)): release.whats_new_page})
    for section in sections:
        if section.documents and section.documents[0].content_id in single:
            nav.append({theme_text(section.documents[0].title): section.index})
        elif len(section.documents) > config.nav_section_limit:
            nav.append({theme_text(section.title): [section.index]})
            not_in_nav.append(f"/{posixpath.dirname(section.index)}/*")
        elif section.documents:
            nav.append({theme_text(section.title): [section.index, *(
                {theme_text(document.title): page_path(document)} for document in section.documents
            )]})
    if worklists:
        nav.append({theme_text(t["accounts"]): ACCOUNTS_PAGE})
    if exams:
        nav.append({theme_text(t["verify"]): VERIFY_PAGE})

    copies: dict[str, Path] = {name: PACKAGE_ASSETS_DIR / name for name in THEME_OVERRIDES}
    logo = logo_copy(config)
    if logo is not None:
        copies[f"docs/{logo[0]}"] = logo[1]
    served = {}
    for name in assets(config):
        text = (PACKAGE_ASSETS_DIR / "partnerkit" / name).read_text(encoding="utf-8")
        if name in STYLESHEETS:  # the configured primary's readable shade, if it needs one
            text += shade_css(config.palette.primary)
        served[f"docs/{ASSET_DIR}/{name}"] = minified(name, text)
    for talk in talks:
        if talk.media:
            copies[f"docs/{MEDIA_DIR}/{Path(talk.media).name}"] = Path(talk.media)
    for module in catalog.modules.values():
        for resource in module.resources:
            if resource.file is not None:
                copies[f"docs/{RESOURCE_DIR}/{resource.file}"] = Path("content") / resource.file
    modules = [module for module in catalog.modules.values() if module.content_id in content_ids]
    return RenderedSite(pages, mkdocs_config(config, nav, release, tuple(not_in_nav)), copies, served, content_ids,
                        tuple(catalog.practice_quiz_ids),
                        {module.content_id: module.deal_stages for module in modules if module.deal_stages},
                        {module.content_id: module.resource_entries for module in modules if module.resources})
