"""``partnerkit check``: validate everything and render in memory, without running the engine; warn
about a palette whose primary colour is hard to read as text on white."""

from __future__ import annotations

from pathlib import Path

from generator.commands.build import render_project
from generator.reporter import NullReporter, Reporter
from generator.structure.catalog import Catalog

MATERIAL_PRIMARY = {
    "red": "#ef5552", "pink": "#e92063", "purple": "#ab47bd", "deep-purple": "#7e56c2", "indigo": "#4051b5",
    "blue": "#2094f3", "light-blue": "#02a6f2", "cyan": "#00bdd6", "teal": "#009485", "green": "#4cae4f",
    "light-green": "#8bc34b", "lime": "#cbdc38", "yellow": "#ffec3d", "amber": "#ffc105", "orange": "#ffa724",
    "deep-orange": "#ff6e42", "brown": "#795649", "grey": "#757575", "blue-grey": "#546d78", "black": "#000000",
    "white": "#ffffff",
}
"""Material for MkDocs 9's primary colours (``--md-primary-fg-color`` of its light scheme), by name."""

LINK_SHADES = {
    "red": "#c62828", "pink": "#ad1457", "purple": "#8e24aa", "blue": "#1565c0", "light-blue": "#0266a0",
    "cyan": "#00707d", "teal": "#00695c", "green": "#2e7d32", "light-green": "#4a7023", "lime": "#6b7213",
    "yellow": "#7a6500", "amber": "#8a5a00", "orange": "#a34a00", "deep-orange": "#bf360c", "grey": "#616161",
}
"""The darker shade partnerkit.css gives links and buttons where the primary colour reads below
4.5:1 on white (``--pk-link-color``; a test keeps the two in step)."""

MINIMUM_CONTRAST = 4.5
"""WCAG 2 AA for body text: links and button labels."""


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        share = value / 255
        return share / 12.92 if share <= 0.03928 else ((share + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[index:index + 2], 16) for index in (1, 3, 5))
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first: str, second: str = "#ffffff") -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def palette_warnings(catalog: Catalog) -> list[str]:
    """A warning when the configured primary colour, as text on white, reads below 4.5:1."""
    name = catalog.config.palette.primary
    colour = MATERIAL_PRIMARY[name]
    ratio = contrast(colour)
    if ratio >= MINIMUM_CONTRAST:
        return []
    shade = LINK_SHADES.get(name)
    fix = (f"partnerkit shows links, buttons and the header in the darker {shade} ({contrast(shade):.2f}:1) instead"
           if shade else "links and buttons in it are hard to read")
    return [f"site_config.yml: palette.primary: {name} ({colour}) reads {ratio:.2f}:1 against white, below "
            f"{MINIMUM_CONTRAST}:1 for links and buttons; {fix}. A primary such as indigo "
            f"({contrast(MATERIAL_PRIMARY['indigo']):.2f}:1) keeps the colour as configured"]


def check(root: Path, reporter: Reporter = NullReporter()) -> Catalog:
    """Raise ContentErrors if the project at ``root`` would not build; return its catalog otherwise.
    Recordings are not transcribed (that is slow); ones without a transcript are reported as warnings,
    as is a palette whose primary colour reads below 4.5:1 on white."""
    catalog, _ = render_project(root, reporter)
    for warning in palette_warnings(catalog):
        reporter.warning(warning)
    return catalog
