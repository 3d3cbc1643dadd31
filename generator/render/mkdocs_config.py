"""The generated ``mkdocs.yml``: theme, language, search, Markdown extensions and navigation."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from generator.render.escape import theme_text
from generator.render.strings import STRINGS

if TYPE_CHECKING:  # only named here: the engine module reads this one's settings without loading the model
    from generator.model.config import SiteConfig
    from generator.render.context import ReleaseContext

SANITIZE_EXTENSION = "generator.render.sanitize"
"""How ``mkdocs.yml`` names partnerkit's sanitising Markdown extension (the module, which only the engine imports)."""
PHRASES_EXTENSION = "generator.render.phrases"
"""How ``mkdocs.yml`` names the extension that breaks Japanese headings between phrases (only the engine imports it)."""

ZENSICAL_SITE_DIR = "site"
"""Where Zensical writes a build inside the stage (the engine moves it to the output)."""

ASSET_DIR = "assets/partnerkit"
"""Where partnerkit's own JavaScript and CSS land inside the docs folder."""

SCRIPTS = ["pages.js", "progress.js", "checklist.js", "player.js", "widgets.js", "quiz.js", "practice.js", "exam.js",
           "verify.js", "accounts.js", "learning.js", "help.js"]
"""Every script partnerkit ships (the beacon besides); pages.js defines the helper the others use."""
STYLESHEETS = ["partnerkit.css"]
"""Loaded on every page (the mark-as-done control, link and header colours, print layout)."""
LANGUAGE_STYLESHEETS = {"ja": "ja.css"}
"""Loaded on every page of a site in that language (Japanese line breaking and digits)."""
VERSIONS_STYLESHEET = "versions.css"
"""Loaded on every page of a versioned site (the release selector in a phone's header)."""

PAGE_ASSETS: dict[str, tuple[str, ...]] = {
    "progress.js": ("pk-done", "pk-path-progress", "pk-module-state"),
    "checklist.js": ("pk-check",),
    "player.js": ("pk-player",),
    "widgets.js": ("pk-quiz", "pk-verify", "pk-accounts"),
    "quiz.js": ("pk-quiz",),
    "practice.js": ("pk-quiz--practice",),
    "exam.js": ("pk-quiz--exam",),
    "verify.js": ("pk-verify",),
    "accounts.js": ("pk-accounts",),
    "progress.css": ("pk-path-progress", "pk-module-state", "pk-start", "pk-learning"),
    "procedure.css": ("pk-timeline", "pk-owner", "pk-checklist"),
    "talk.css": ("pk-player", "pk-transcript"),
    "quiz.css": ("pk-quiz",),
    "verify.css": ("pk-verify",),
    "accounts.css": ("pk-accounts",),
}
"""Scripts and stylesheets a page loads only if its Markdown holds one of these class names (the widgets
they set up), in this order: module and path pages get progress.js, procedure pages checklist.js and
procedure.css, a talk page player.js, a practice quiz quiz.js and practice.js, an exam quiz.js and
exam.js, the verification page verify.js, My accounts accounts.js."""

SIGNED_IN_ASSETS: dict[str, tuple[str, ...]] = {
    "learning.js": ("pk-done", "pk-path-progress", "pk-module-state", "pk-quiz", "pk-learning", "pk-exam-todo", "pk-anonymous-only"),
    "widgets.js": ("pk-help",),
    "help.js": ("pk-help",),
}
"""Scripts only a signed-in rep uses (a personal link and a reachable collector), on a site with
analytics: the learner record, where progress or a quiz is; "Ask for help" on deal-stage modules. The
page names them (front matter ``partnerkit_signed_in``) and pages.js loads them for that rep only,
so an anonymous reader's page stays light."""

WIDGET_CLASSES = frozenset(name for table in (PAGE_ASSETS, SIGNED_IN_ASSETS) for classes in table.values() for name in classes)
"""Every class name of :data:`PAGE_ASSETS` and :data:`SIGNED_IN_ASSETS` (each starts with ``pk-``)."""
_PK_WORD = re.compile(r"pk-[\w-]*")
"""The rest of a ``pk-`` word from where it starts (a plain search, several times faster than a look-behind)."""
_WORD_CHARACTER = re.compile(r"[\w-]")


def widget_classes(markdown: str) -> set[str]:
    """The class names of :data:`WIDGET_CLASSES` written in ``markdown``, each as a whole word (``pk-quiz``
    is not found in ``pk-quiz--exam`` nor in ``xpk-quiz``)."""
    return {found.group() for found in _PK_WORD.finditer(markdown) if found.group() in WIDGET_CLASSES
            and not (found.start() and _WORD_CHARACTER.match(markdown, found.start() - 1))}

ASSETS_KEY = "partnerkit_assets"
"""Front-matter key listing the scripts and stylesheets of a page; overrides/main.html adds them inside
the page content, where the theme's instant navigation runs them when a rep moves to the page (not in
``extra_javascript``, which every page would load)."""
SIGNED_IN_KEY = "partnerkit_signed_in"
"""Front-matter key listing the scripts of a page that only a signed-in rep loads (:data:`SIGNED_IN_ASSETS`);
overrides/main.html names them for pages.js."""

CONSENT_NAME = "partnerkit"
"""The choice in the theme's consent banner that allows view statistics."""

BEACON = "beacon.js"
"""Loaded only on sites with ``analytics.endpoint`` set."""


def stylesheets(config: SiteConfig, versioned: bool = False) -> list[str]:
    """The stylesheets in the head of every page (``versioned``: of a release of a versioned site)."""
    return [*STYLESHEETS, *([LANGUAGE_STYLESHEETS[config.language]] if config.language in LANGUAGE_STYLESHEETS else []),
            *([VERSIONS_STYLESHEET] if versioned else [])]


def assets(config: SiteConfig) -> list[str]:
    """Every script and stylesheet a site can load (copied, minified, to the docs folder)."""
    return [*SCRIPTS, *([BEACON] if config.analytics.endpoint else []), *stylesheets(config, versioned=True),
            *(name for name in PAGE_ASSETS if name.endswith(".css"))]


def page_assets(config: SiteConfig, markdown: str, present: set[str] | None = None) -> list[str]:
    """The scripts and stylesheets one page loads, in order: the beacon on every page of a site with
    analytics, the widgets' files where the page has those widgets, pages.js first wherever a script is.
    ``present``: ``widget_classes(markdown)``, where the caller already has it."""
    if present is None:
        present = widget_classes(markdown)
    wanted = [BEACON] if config.analytics.endpoint else []
    wanted += [name for name, classes in PAGE_ASSETS.items() if present.intersection(classes)]
    return ["pages.js", *wanted] if any(name.endswith(".js") for name in wanted) else wanted


def signed_in_assets(config: SiteConfig, markdown: str, present: set[str] | None = None) -> list[str]:
    """The scripts of one page that only a signed-in rep loads: none without analytics (no collector),
    none the page loads anyway. ``present``: ``widget_classes(markdown)``, where the caller already has it."""
    if not config.analytics.endpoint:
        return []
    if present is None:
        present = widget_classes(markdown)
    loaded = page_assets(config, markdown, present)
    return [name for name, classes in SIGNED_IN_ASSETS.items() if present.intersection(classes) and name not in loaded]


LOGO_DIR = "assets/logo"
"""Where the site's logo (a project file) is copied inside the docs folder."""


def logo_copy(config: SiteConfig) -> tuple[str, Path] | None:
    """Docs-relative destination and project-relative source of the logo, unless it is an https address."""
    if not config.logo or config.logo.startswith("https://"):
        return None
    return f"{LOGO_DIR}/{PurePosixPath(config.logo).name}", Path(config.logo)


MARKDOWN_EXTENSIONS: list[Any] = [
    "admonition",
    "attr_list",
    "md_in_html",
    "tables",
    {"toc": {"permalink": True}},
    "pymdownx.details",
    "pymdownx.superfences",
    {"pymdownx.tabbed": {"alternate_style": True}},
    {"pymdownx.tasklist": {"custom_checkbox": True}},
]

THEME_FEATURES = [
    "navigation.instant",
    "navigation.tracking",
    "navigation.sections",
    "navigation.indexes",
    "navigation.top",
    "content.tabs.link",
    "search.highlight",
]


def mkdocs_config(config: SiteConfig, nav: list[Any], release: "ReleaseContext | None" = None,
                  not_in_nav: tuple[str, ...] = ()) -> dict[str, Any]:
    """The engine configuration for one build of the site (or of one release of it), as plain data;
    ``not_in_nav``: docs-relative patterns of pages built but left out of ``nav`` on purpose."""
    theme: dict[str, Any] = {
        "name": "material",
        "custom_dir": "overrides",
        "language": config.language,
        "font": False,  # system fonts: no request to a font CDN, which would leak every rep's IP address
        "features": THEME_FEATURES,
        "palette": {"primary": config.palette.primary, "accent": config.palette.accent},
    }
    if config.logo:
        copy = logo_copy(config)
        theme["logo"] = copy[0] if copy is not None else config.logo
    # The theme prints these as HTML: they are escaped here, once.
    result: dict[str, Any] = {"site_name": theme_text(config.site_name)}
    if config.description:
        result["site_description"] = theme_text(config.description)
    site_url = release.site_url if release is not None else config.site_url
    if site_url:
        result["site_url"] = site_url
    if config.copyright:
        result["copyright"] = theme_text(config.copyright)
    result.update({
        "docs_dir": "docs",
        "theme": theme,
        "plugins": [{"search": {"lang": [config.language]}}],
        "markdown_extensions": [
            *(MARKDOWN_EXTENSIONS if config.content_html == "trusted" else [*MARKDOWN_EXTENSIONS, SANITIZE_EXTENSION]),
            *([PHRASES_EXTENSION] if config.language == "ja" else []),
        ],
        "extra_css": [f"{ASSET_DIR}/{name}" for name in stylesheets(config, versioned=release is not None)],
        "extra": {"generator": False, "partnerkit": {"version": None}},
        "nav": nav,
    })
    if not_in_nav:
        result["not_in_nav"] = "\n".join(not_in_nav)
    if config.engine == "zensical":
        # Zensical has no --site-dir option, and it fails strict builds on fragments that name no heading
        # (a talk's #t=… links), which MkDocs only reports as information.
        result["site_dir"] = ZENSICAL_SITE_DIR
        result["validation"] = {"links": {"anchors": "ignore"}}
    if config.analytics.endpoint:
        result["extra"]["partnerkit_analytics"] = {
            "endpoint": config.analytics.endpoint,
            "origins": config.collector_origins,
            "dnt": config.analytics.respect_do_not_track,
            "consent": CONSENT_NAME if config.analytics.consent else None,
        }
        if config.analytics.consent:
            t = STRINGS[config.language]
            result["extra"]["consent"] = {
                "title": theme_text(t["consent_title"]),
                "description": theme_text(t["consent_description"]),
                "cookies": {CONSENT_NAME: theme_text(t["consent_choice"])},
                "actions": ["accept", "reject", "manage"],
            }
    if release is not None:
        t = STRINGS[config.language]
        result["extra"]["version"] = {"provider": "mike", "default": release.default_name}
        result["extra"]["partnerkit"] = {
            "version": release.version,
            "canonical_base": release.canonical_base,
            "outdated": t["outdated"].format(title=release.title),
            "outdated_link": t["outdated_link"],
        }
    return result
