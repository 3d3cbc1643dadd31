"""The render stage: content model → ``{stage path: text}`` plus files to copy. Pure; no engine.

``RenderedSite`` and ``render_site`` are imported from ``generator.render.site`` on first use, so the
engine, which loads the Markdown extension ``generator.render.sanitize``, does not import the whole
render stage (templates, content model) on every run."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.render.site import RenderedSite, render_site

__all__ = ["RenderedSite", "render_site"]


def __getattr__(name: str):
    if name in __all__:
        from generator.render import site

        return getattr(site, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
