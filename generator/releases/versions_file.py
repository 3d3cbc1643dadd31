"""``versions.json`` in mike's format and order, and the redirect pages aliases and the root use."""

from __future__ import annotations

import html
import json
from generator.render.escape import theme_text
from generator.model.versions import Releases


def versions_json(releases: Releases) -> str:
    """The file Material's version selector reads (mike's format, :meth:`Releases.json_entries`); titles
    escaped, as the selector inserts them as HTML."""
    return json.dumps(releases.json_entries(theme_text), indent=2, ensure_ascii=False) + "\n"


def redirect_page(target: str) -> str:
    """A page that sends the browser to ``target`` (relative), keeping the query string and the hash."""
    quoted = html.escape(target, quote=True)
    script_target = json.dumps(target)
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting</title>\n"
        f"<noscript><meta http-equiv=\"refresh\" content=\"0; url={quoted}\"></noscript>\n"
        f"<script>location.replace({script_target} + location.search + location.hash);</script>\n"
        f"</head>\n<body>\n<a href=\"{quoted}\">Go to {quoted}</a>\n</body>\n</html>\n"
    )
