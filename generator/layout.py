"""The project's layout: every path partnerkit reads or writes in a project, named once (relative to
the project root, with forward slashes), and the user's cache folder outside it. Imports nothing of the
project, so every stage may use it."""

from __future__ import annotations

import os
from pathlib import Path

CONFIG_FILE = "site_config.yml"
"""The site's settings."""

CONTENT_DIR = "content"
"""The YAML playbooks (and module resource files)."""

TRANSCRIPTS_DIR = "transcripts"
"""Talk recordings, their transcripts and metadata."""

INPUT_FOLDERS = (CONTENT_DIR, TRANSCRIPTS_DIR)
"""Folders a site is built from, beside ``site_config.yml`` (and the templates folder, if set)."""

PRIVATE_DIR = "private"
"""Never deployed: roster, exam keys, events database, reports."""

EXAM_KEYS_DIR = f"{PRIVATE_DIR}/exams"
"""The exam answer keys, one file per release."""

CONTENT_INDEX = f"{PRIVATE_DIR}/content-index.json"
"""Written by ``partnerkit build`` beside (never inside) the site: the ids the collector accepts."""

ROSTER_FILE = f"{PRIVATE_DIR}/roster.csv"
SALES_FILE = f"{PRIVATE_DIR}/sales.csv"
REVOKED_FILE = f"{PRIVATE_DIR}/revoked.csv"
"""Written by ``partnerkit revoke``: ``rep_id,revoked_at``; links of that rep issued up to then are refused."""
EVENTS_DB = f"{PRIVATE_DIR}/events.sqlite"
REPORTS_DIR = f"{PRIVATE_DIR}/reports"
WORKLISTS_DIR = f"{PRIVATE_DIR}/worklists"
"""Written by ``partnerkit worklists``: ``<day>/<partner>.csv`` and ``.html``, and the vendor's ``@vendor.*``."""
CUSTOMERS_FILE = f"{PRIVATE_DIR}/customers.csv"
"""The vendor's customer export ``partnerkit worklists`` reads (the default of ``customers.file``)."""
OUTBOX_DIR = f"{PRIVATE_DIR}/outbox"
"""Written by ``partnerkit notify`` without ``--send``: one folder of ``.eml`` files per day."""

CACHE_DIR = ".partnerkit-cache"
"""Built releases kept by input hash."""

RELEASE_CACHE_DIR = f"{CACHE_DIR}/releases"
"""Built releases by input hash (``generator.releases.cache``)."""


def user_cache(*parts: str) -> Path:
    """A folder of the user's cache, outside every project: ``$XDG_CACHE_HOME`` (unset or empty:
    ``~/.cache``) joined with ``parts``, e.g. ``user_cache("whisper")``."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").joinpath(*parts)


TEMPLATE_CACHE_DIR = f"{CACHE_DIR}/templates"
"""Jinja's compiled templates, kept between runs (each checked against its template's source)."""


def template_cache(project_root: Path) -> Path | None:
    """The folder of the project's compiled templates (:data:`TEMPLATE_CACHE_DIR`), or None where it
    would lie outside the project (a symlinked ``.partnerkit-cache``)."""
    root = project_root.resolve()
    folder = (root / TEMPLATE_CACHE_DIR).resolve()
    return folder if folder.is_relative_to(root) else None
