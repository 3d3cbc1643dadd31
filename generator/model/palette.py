"""Material's primary colours and the darker shades partnerkit uses where one reads below 4.5:1 on
white: one table for ``partnerkit check`` (which warns) and the build (which writes the configured
primary's shade into the site's stylesheet)."""

from __future__ import annotations

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
"""The darker shade of the same hue for links and buttons where the primary colour reads below 4.5:1
on white."""

WHITE_ON_PRIMARY = ("red", "pink", "purple", "blue", "light-blue", "cyan", "teal", "green", "deep-orange", "grey")
"""Primaries whose header Material draws with white text, below 4.5:1: the header takes the shade too
(the others have dark header text, which reads well)."""

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


def shade_css(primary: str) -> str:
    """The CSS custom properties that give ``primary``'s links, buttons (and header) their readable
    shade in the light scheme; empty for a primary that reads well as it is."""
    shade = LINK_SHADES.get(primary)
    if shade is None:
        return ""
    header = f" --pk-header-color: {shade};" if primary in WHITE_ON_PRIMARY else ""
    return f'[data-md-color-scheme="default"] {{ --pk-link-color: {shade};{header} }}\n'
