"""The generated ``mkdocs.yml``: theme, language, search, Markdown extensions and navigation."""

from __future__ import annotations

from typing import Any

from generator.structure.config import SiteConfig

ASSET_DIR = "assets/partnerkit"
"""Where partnerkit's own JavaScript and CSS land inside the docs folder."""

SCRIPTS = ["progress.js"]
STYLESHEETS = ["partnerkit.css"]

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


def mkdocs_config(config: SiteConfig, nav: list[Any]) -> dict[str, Any]:
    """The engine configuration for one build of the site, as plain data."""
    theme: dict[str, Any] = {
        "name": "material",
        "custom_dir": "overrides",
        "language": config.language,
        "font": False,  # system fonts: no request to a font CDN, which would leak every rep's IP address
        "features": THEME_FEATURES,
        "palette": {"primary": config.palette.primary, "accent": config.palette.accent},
    }
    if config.logo:
        theme["logo"] = config.logo
    result: dict[str, Any] = {"site_name": config.site_name}
    if config.description:
        result["site_description"] = config.description
    if config.site_url:
        result["site_url"] = config.site_url
    if config.copyright:
        result["copyright"] = config.copyright
    result.update({
        "docs_dir": "docs",
        "theme": theme,
        "plugins": [{"search": {"lang": [config.language]}}],
        "markdown_extensions": MARKDOWN_EXTENSIONS,
        "extra_javascript": [f"{ASSET_DIR}/{name}" for name in SCRIPTS],
        "extra_css": [f"{ASSET_DIR}/{name}" for name in STYLESHEETS],
        "extra": {"generator": False, "partnerkit": {"version": None}},
        "nav": nav,
    })
    return result
