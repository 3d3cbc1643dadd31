"""The marks the render stage puts around each Markdown body, so the engine's extension
(``generator.render.sanitize``) knows what to sanitise; kept apart from it so rendering imports neither
Python-Markdown nor nh3 (only the engine's process needs them)."""

from __future__ import annotations

import hashlib

from markupsafe import Markup


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


def start_mark(digest: str) -> str:
    return f"<!--pk-body:{digest}-->"


def end_mark(digest: str) -> str:
    return f"<!--/pk-body:{digest}-->"


def mark_body(body: str) -> Markup:
    """A Markdown body, between the marks that tell the engine to sanitise what it becomes."""
    digest = _digest(body)
    return Markup(f"{start_mark(digest)}\n\n{body}\n\n{end_mark(digest)}")
