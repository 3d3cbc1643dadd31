"""An MkDocs hook for ``partnerkit serve``: the engine's development server answers byte ranges
(and keeps the query string when it redirects to a folder, as static hosts do).

Browsers fetch audio and video in ranges and can only seek where the server answers ``Range:``
requests with ``206 Partial Content``; the engine's own server always sends the whole file. The
documented ``on_serve`` event hands over the server before it starts, and a WSGI middleware around
its application (``set_app``/``get_app`` of ``wsgiref``'s server) answers single byte ranges of every
successful response. Loaded by path from the preview's ``serve.yml`` (``hooks:``); nothing else
imports it, and it imports nothing from partnerkit.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Callable, Iterable

RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """``(first, last)`` byte of a single ``bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` range within
    ``size`` bytes; None when the header is not one satisfiable range."""
    match = RANGE.fullmatch(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    return (start, end) if start <= end and start < size else None


def _sliced(body: Iterable[bytes], start: int, end: int) -> Iterable[bytes]:
    position = 0
    try:
        for block in body:
            block_end = position + len(block)
            if block_end > start and position <= end:
                yield block[max(start - position, 0): end + 1 - position]
            position = block_end
            if position > end:
                break
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


def _keep_query(headers: list[tuple[str, str]], query: str) -> list[tuple[str, str]]:
    """The engine's server redirects ``verify?id=…`` to ``verify/`` and loses the query; static hosts
    keep it (``verify/?id=…``), and so does the preview."""
    return [(name, f"{value}?{query}" if name.lower() == "location" and "?" not in value else value)
            for name, value in headers]


def ranges(app: Callable) -> Callable:
    """Wrap the WSGI ``app``: successful responses with a ``Content-Length`` say ``Accept-Ranges: bytes``
    and answer a single byte range with 206 (416 when it lies past the end); other ``Range`` headers
    (several ranges, other units) are ignored, as HTTP allows, and get the whole file."""

    def serve(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        requested = environ.get("HTTP_RANGE", "")
        answer: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            answer.update(status=status, headers=headers, exc_info=exc_info)
            return lambda data: None  # the write() callable; the engine's server never uses it

        body = app(environ, capture)
        status, headers = answer["status"], answer["headers"]
        if status.startswith("302") and environ.get("QUERY_STRING"):
            headers = _keep_query(headers, environ["QUERY_STRING"])
        length = next((int(value) for name, value in headers if name.lower() == "content-length"), None)
        if not status.startswith("200") or length is None:
            start_response(status, headers, answer["exc_info"])
            return body
        headers = [*headers, ("Accept-Ranges", "bytes")]
        if not RANGE.fullmatch(requested.strip()) or environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            start_response(status, headers)
            return body
        chosen = byte_range(requested, length)
        if chosen is None:
            getattr(body, "close", lambda: None)()
            start_response("416 Range Not Satisfiable", [("Content-Range", f"bytes */{length}"), ("Content-Length", "0")])
            return [b""]
        start, end = chosen
        kept = [(name, value) for name, value in headers if name.lower() != "content-length"]
        start_response("206 Partial Content", [*kept, ("Content-Range", f"bytes {start}-{end}/{length}"),
                                               ("Content-Length", str(end - start + 1))])
        return _sliced(body, start, end)

    return serve


def _not_partial_content(record: logging.LogRecord) -> bool:
    """The engine's server logs every answer but 200 as a warning; a 206 is as normal as a 200."""
    return not record.getMessage().endswith(" code 206")


def on_serve(server: Any, config: Any, builder: Any) -> Any:
    """MkDocs event: wrap the development server's application before it starts serving."""
    server.set_app(ranges(server.get_app()))
    logging.getLogger(type(server).__module__).addFilter(_not_partial_content)  # mkdocs or properdocs
    return server
