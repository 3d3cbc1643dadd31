"""The collector's "Ask for help" routes.

``POST /help`` (JSON text: the rep's ``token``, the page's ``content`` id and ``version``, the ``text``)
stores a request from a rep signed in with their personal link (or named by the proxy's identity
header) on a page with a deal stage, for the next ``deal-signals`` digest. Refused, counted per reason
and storing nothing: a foreign origin or a bot (403), a body over :data:`MAX_BODY_BYTES` (413), bad
JSON (400), wrong fields (422), a page without a deal stage or an unknown release (422), empty text,
text over ``help.max_chars`` or with control characters (422), a forged, expired or revoked token or
none (403), more than ``help.per_rep_per_day`` requests a day (429). Text is stored as written and
escaped wherever it is shown.

``GET /help/answered?t=<token>`` shows one button (mail scanners open links); ``POST`` with the same
token marks the request answered (the digest carries the signed link). A forged token is refused
(403), a second answer counted as a replay (409)."""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from generator.store import signals as store_signals
from generator.store.core import BatchingStore
from generator.collector.app import (CollectorSettings, Refused, check_request, count_refusal, known_rep, load_json,
                                     read_body, stored_answer, store_unavailable, validated)
from generator.collector.notifications import html_page
from generator.notifications.tokens import sign_unsubscribe, verify_unsubscribe
from generator.model.config import HelpSettings
from generator.model.urls import Urls

HELP_ROUTE = "/help"
ANSWERED_ROUTE = "/help/answered"
ANSWERED_KIND = "help-answered"
"""The kind signed into an answered link (never a message kind, so it unsubscribes no one)."""
MAX_BODY_BYTES = 8 * 1024
"""Largest request body read (2,000 characters of text with room for escapes)."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Characters no rep types: control characters (bar tab and line breaks) and text-direction overrides."""


class HelpBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    token: str | None = Field(default=None, max_length=400)
    content: str = Field(pattern=r"^[a-z-]+:[^\s]{1,150}$")
    version: str | None = Field(default=None, max_length=50)
    text: str = Field(max_length=MAX_BODY_BYTES)


def answered_link(urls: Urls, request: store_signals.HelpRequest, keys: dict[str, bytes], now: datetime) -> str | None:
    """The signed link a vendor contact follows to mark ``request`` answered; None on a site without a collector."""
    from urllib.parse import quote

    route = urls.collector_route(ANSWERED_ROUTE)
    if route is None:
        return None
    return f"{route}?t={quote(sign_unsubscribe(request.partner, request.id, ANSWERED_KIND, now, keys))}"


@dataclass
class HelpService:
    store: BatchingStore
    settings: HelpSettings
    link_keys: dict[str, bytes]
    """``PARTNERKIT_TOKEN_KEYS``: the keys answered links are signed with."""
    language: str = "en"


PAGE = {
    "en": ("Request for help", "Mark this request for help answered?", "Mark answered", "Marked answered. Thank you."),
    "ja": ("支援の依頼", "この支援の依頼を対応済みにしますか？", "対応済みにする", "対応済みにしました。"),
}


def help_routes(settings: CollectorSettings, service: HelpService) -> list[Route]:
    store = service.store

    async def ask(request: Request) -> Response:
        now = datetime.fromtimestamp(settings.clock(), timezone.utc)
        try:
            check_request(settings, request)
            body = validated(HelpBody, load_json(await read_body(request, MAX_BODY_BYTES)))
            if not settings.index.stages.get(body.content):
                raise Refused(422, "not a deal-stage page")
            if not ((body.version in settings.index.versions) if settings.index.versions else body.version is None):
                raise Refused(422, "unknown release")
            text = body.text.strip()
            if not text:
                raise Refused(422, "empty text")
            if len(text) > service.settings.max_chars:
                raise Refused(422, "text too long", max_chars=service.settings.max_chars)
            if _CONTROL.search(text):
                raise Refused(422, "control characters")
            partner, rep = known_rep(settings, request, body.token)
        except Refused as refused:
            return await count_refusal(store, refused)
        asked = store_signals.HelpRequest(secrets.token_urlsafe(16), partner, rep, body.content, body.version or "",
                                          now.date().isoformat(), now.isoformat(timespec="milliseconds"), text, None)

        def add(tx):
            if not store_signals.ask_for_help(tx, asked, service.settings.per_rep_per_day):
                return Refused(429, "help limit")
            return {"ok": True}

        return await stored_answer(store, add)

    def token_of(request: Request):
        wanted = verify_unsubscribe(request.query_params.get("t", ""), service.link_keys)
        if wanted is None or wanted.kind != ANSWERED_KIND:
            raise Refused(403, "forged token")
        return wanted

    def page(body: str, status: int = 200) -> HTMLResponse:
        return html_page(service.language, PAGE.get(service.language, PAGE["en"])[0], body, status)

    async def confirm(request: Request) -> Response:
        try:
            token_of(request)
        except Refused as refused:
            return await count_refusal(store, refused)
        _, question, button, _ = PAGE.get(service.language, PAGE["en"])
        action = escape(f"{ANSWERED_ROUTE}?t={request.query_params['t']}")
        return page(f'<p>{escape(question)}</p><form method="post" action="{action}"><button type="submit">{escape(button)}</button></form>')

    async def answer(request: Request) -> Response:
        try:
            origin = request.headers.get("origin")
            if origin is not None and origin not in settings.origins and origin != str(request.base_url).rstrip("/"):
                raise Refused(403, "foreign origin")
            await read_body(request, 256)
            wanted = token_of(request)
        except Refused as refused:
            return await count_refusal(store, refused)
        at = datetime.fromtimestamp(settings.clock(), timezone.utc).isoformat(timespec="milliseconds")
        try:
            marked = await asyncio.wrap_future(store.run(lambda tx: store_signals.mark_answered(tx, wanted.rep, at)))
        except Exception as failure:
            return store_unavailable(failure)
        if marked is None:
            return await count_refusal(store, Refused(404, "unknown request"))
        if not marked:
            return await count_refusal(store, Refused(409, "replayed token"))
        return page(f"<p>{escape(PAGE.get(service.language, PAGE['en'])[3])}</p>")

    return [Route(HELP_ROUTE, ask, methods=["POST"]), Route(ANSWERED_ROUTE, confirm, methods=["GET"]),
            Route(ANSWERED_ROUTE, answer, methods=["POST"])]
