"""The render stage: content model → ``{stage path: text}`` plus files to copy. Pure; no engine."""

from generator.render.site import RenderedSite, render_site

__all__ = ["RenderedSite", "render_site"]
