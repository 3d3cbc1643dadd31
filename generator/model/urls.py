"""Every address partnerkit writes, built in one place (Datasette's ``url_builder.py``): pages of the
site in a release, the collector's routes, the verify page and one-click unsubscribe links. Pure: the
caller signs tokens and says what to do when the site has no collector."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from generator.model.config import SiteConfig
from generator.model.content import SECTION_FOLDERS
from generator.model.versions import Releases

EVENT_ROUTE = "/e"
"""The collector's event route: ``analytics.endpoint`` is the collector's address followed by it."""
UNSUBSCRIBE_ROUTE = "/unsubscribe"
"""The collector's one-click unsubscribe route."""
VERIFY_PAGE = "verify/"
"""The certificate verification page of every release (``verify/?id=…``)."""


def collector_endpoint(collector: str) -> str:
    """``analytics.endpoint`` of a collector served at ``collector`` (its address, without a route): the
    inverse of ``analytics.collector_base``."""
    return f"{collector}{EVENT_ROUTE}"


def page_file(kind: str, ident: str) -> str:
    """Docs-relative Markdown file of a document's page (``procedures/renewal.md``)."""
    return f"{SECTION_FOLDERS[kind]}/{ident}.md"


def page_address(kind: str, ident: str) -> str:
    """Release-relative address of a document's page (``procedures/renewal/``)."""
    return f"{SECTION_FOLDERS[kind]}/{ident}/"


@dataclass(frozen=True)
class Urls:
    """The site's and the collector's addresses, from ``site_url``, the releases and ``analytics.endpoint``."""

    site_url: str | None
    releases: Releases
    collector: str | None = None
    """The collector's address without its event route (``analytics.collector_base``); None: no collector."""

    @classmethod
    def of(cls, config: SiteConfig) -> Urls:
        return cls(config.site_url, Releases.of(config), config.analytics.collector_base)

    @property
    def site(self) -> str:
        """The site's root, ending in ``/`` (``/`` alone without ``site_url``)."""
        return (self.site_url or "").rstrip("/") + "/"

    def release(self, release: str | None = None) -> str:
        """The root of ``release`` (a declared version), else of the release the site's root leads to."""
        name = self.releases.url_name(release)
        return self.site + (f"{name}/" if name else "")

    def page(self, page: str, release: str | None = None, link: str | None = None) -> str:
        """The address of ``page`` (release-relative, e.g. ``quizzes/sales-exam/``) in ``release`` (see
        :meth:`release`), with the rep's token when ``link`` (their personal link) carries one."""
        address = self.release(release) + page
        if link and "?pk=" in link:
            address += "?pk=" + link.split("?pk=", 1)[1]
        return address

    def document(self, kind: str, ident: str, release: str | None = None, link: str | None = None) -> str:
        """The address of a document's page (e.g. a procedure) in ``release``."""
        return self.page(page_address(kind, ident), release, link)

    def verify(self, certificate: str, release: str | None = None) -> str:
        """The verify page of a certificate."""
        return self.page(VERIFY_PAGE, release) + f"?id={quote(certificate, safe='')}"

    @property
    def collector_origin(self) -> str:
        """The collector's origin (``https://collect.example.com``; empty without a collector): the
        pages it serves itself post from it."""
        if self.collector is None:
            return ""
        parts = urlsplit(self.collector)
        return f"{parts.scheme}://{parts.netloc}"

    def collector_route(self, route: str) -> str | None:
        """The address of a collector route (``/e``, ``/unsubscribe``); None on a site without a collector."""
        return f"{self.collector}{route}" if self.collector is not None else None

    def unsubscribe(self, token: str) -> str | None:
        """The one-click unsubscribe link of a signed token; None on a site without a collector."""
        route = self.collector_route(UNSUBSCRIBE_ROUTE)
        return f"{route}?t={quote(token)}" if route is not None else None
